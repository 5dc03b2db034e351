"""A child's visit plan and explanation are computed when first read: whatever is read first, and in whatever
way (the attribute, model_dump, ==, repr, a copy), the result is the one computed at once."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import riskeval
from riskeval._assess import evaluate
from riskeval.explain import explain
from riskeval.facts import Household
from riskeval.schedule import plan_visits
from riskeval.testing import ASSESSMENT_DATE, households

ON = date(2025, 12, 1)
EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "households").glob("*.json"))


def eager(raw: object, on: date) -> list[tuple[object, object]]:
    """Each child's plan and explanation computed at once, straight after its evaluation."""
    hh, pack, evals = evaluate(raw, on=on)  # type: ignore[arg-type]
    out = []
    for child, e in zip(hh.children, evals, strict=True):
        shown = e.shown  # read before anything else touches the evaluation's context
        assert shown is e.shown
        plan = plan_visits(
            pack.schedule, on=on, status=e.status, tier=e.tier, visit_frequency=e.visit_frequency,
            birth_date=child.birth_date, identified_on=child.identified_on, last_visit=child.last_visit,
            last_full_assessment=child.last_full_assessment, urgent_tier=pack.tiers[0].id,
            on_roster_status=pack.on_roster.id, exited_status=pack.exited.id,
        )  # fmt: skip
        out.append((plan, explain(e, pack, on=on)))
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_way_of_reading_gives_what_was_computed_at_once(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    expected = eager(raw, ON)
    dumped = riskeval.assess(raw, on=ON).model_dump(mode="json")
    readers = [
        lambda r: [(c.schedule, c.explanation) for c in r.children],
        lambda r: [(c.explanation, c.schedule) for c in r.children],
        lambda r: r.model_dump(mode="json"),
        lambda r: r.model_dump_json(),
        lambda r: repr(r),
        lambda r: r == riskeval.assess(raw, on=ON),
        lambda r: copy.deepcopy(r),
        lambda r: pickle.loads(pickle.dumps(r)),
        lambda r: r.model_copy(),
    ]
    for read in readers:
        result = riskeval.assess(raw, on=ON)
        read(result)
        assert [(c.schedule, c.explanation) for c in result.children] == expected
        assert result.model_dump(mode="json") == dumped


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(households())
def test_generated_households_read_late_equal_computed_at_once(household: Household) -> None:
    expected = eager(household, ASSESSMENT_DATE)
    result = riskeval.assess(household.model_dump(mode="json"), on=ASSESSMENT_DATE)
    riskeval.assess(household, on=ASSESSMENT_DATE)  # another evaluation in between changes nothing
    assert [(c.schedule, c.explanation) for c in result.children] == expected


def test_a_plan_that_refuses_the_facts_raises_in_assess() -> None:
    """A date after the assessment date still raises in assess() (the plan, which also refuses it, is lazy)."""
    raw = {"id": "h", "children": [{"id": "c", "birth_date": "2015-06-01", "last_visit": "2025-12-01"}]}
    with pytest.raises(riskeval.FactsError):
        riskeval.assess(raw, on=date(2025, 11, 30))
