"""A child's factors and data gaps are made when first read (riskeval._assess.child_result): read first, last,
through a dump or after other assessments, they are the evaluation record's, field for field."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import riskeval
from riskeval._assess import evaluate
from riskeval.facts import Household
from riskeval.results import DataGap, FactorResult
from riskeval.testing import ASSESSMENT_DATE, households

ON = date(2025, 12, 1)
EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "households").glob("*.json"))


def from_record(raw: object, on: date) -> list[tuple[list[FactorResult], list[DataGap]]]:
    """Each child's factors and data gaps validated straight from its evaluation record."""
    _, _, evals = evaluate(raw, on=on)  # type: ignore[arg-type]
    return [
        (
            [FactorResult(code=h.code, severity=h.severity, points=h.points, values=h.values) for h in e.factors],
            [
                DataGap(
                    kind=g.kind,
                    rule=g.rule,
                    facts=g.facts,
                    severity=g.severity,
                    tier_if_true=g.tier_if_true,
                    status_if_true=g.status_if_true,
                )
                for g in e.gaps
            ],
        )
        for e in evals
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_factors_and_gaps_read_in_any_order_are_the_records(path: Path) -> None:
    """Read before or after the dump, the factors and gaps are the record's; the dump shows the same."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    expected = from_record(raw, ON)
    first = riskeval.assess(raw, on=ON)
    assert [(c.factors, c.data_gaps) for c in first.children] == expected
    dumped = riskeval.assess(raw, on=ON).model_dump(mode="json")
    assert [
        ([f.model_dump(mode="json") for f in fs], [g.model_dump(mode="json") for g in gs]) for fs, gs in expected
    ] == [(c["factors"], c["data_gaps"]) for c in dumped["children"]]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(households(), households())
def test_read_late_after_other_assessments(a: Household, b: Household) -> None:
    """Other households assessed in between change nothing in what a result reads later."""
    expected = from_record(a, ASSESSMENT_DATE)
    result = riskeval.assess(a.model_dump(mode="json"), on=ASSESSMENT_DATE)
    riskeval.assess(b, on=ASSESSMENT_DATE)
    riskeval.assess(a, on=ASSESSMENT_DATE).model_dump(mode="json")
    assert [(c.factors, c.data_gaps) for c in result.children] == expected
