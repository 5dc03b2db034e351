"""The facts a holding factor read (its ``values``) are read when first asked for: whenever they are read,
and whatever was read before, they are the values the reference form reads straight after the evaluation."""

from __future__ import annotations

import json
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import riskeval
from riskeval._assess import evaluate
from riskeval.evaluate.scalar import ScalarProgram
from riskeval.facts import Household
from riskeval.testing import ASSESSMENT_DATE, households

ON = date(2025, 12, 1)
EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "households").glob("*.json"))
REFERENCE = ScalarProgram(riskeval.load_pack(), closures=True)


def eager(raw: Any, on: date) -> list[list[tuple[str, dict[str, Any]]]]:
    """The reference form's values (``read_values``, computed in the evaluation)."""
    hh, _, _ = evaluate(raw, on=on)
    return [[(h.code, h.values) for h in REFERENCE.evaluate(hh, c, on).factors] for c in hh.children]


def late(raw: Any, on: date, first: str) -> list[list[tuple[str, dict[str, Any]]]]:
    _, _, evals = evaluate(raw, on=on)
    if first == "shown":
        for e in evals:
            e.shown  # noqa: B018
    elif first == "gaps":
        for e in evals:
            e.gaps  # noqa: B018
    evaluate(raw, on=on)  # another evaluation in between
    return [[(h.code, h.values) for h in e.factors] for e in evals]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_values_read_late_equal_the_reference_forms(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    expected = eager(raw, ON)
    for first in ("shown", "gaps", "nothing"):
        assert late(raw, ON, first) == expected


def test_the_examples_hold_factors_with_values() -> None:
    """The law above is not vacuous: the examples' children hold factors that read facts."""
    found = [values for path in EXAMPLES for child in eager(json.loads(path.read_text("utf-8")), ON)
             for _, values in child]  # fmt: skip
    assert len(found) > 10 and all(found)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(households())
def test_generated_households_values_read_late_equal_the_reference_forms(household: Household) -> None:
    raw = household.model_dump(mode="json")
    expected = eager(raw, ASSESSMENT_DATE)
    assert late(raw, ASSESSMENT_DATE, "nothing") == expected
    assert late(raw, ASSESSMENT_DATE, "shown") == expected
    result = riskeval.assess(raw, on=ASSESSMENT_DATE)
    assert [[(f.code, f.values) for f in c.factors] for c in result.children] == expected


def test_a_callers_own_model_changed_after_assess_leaves_the_values_as_assessed() -> None:
    """A caller passing a ``Household`` may change it afterwards: the values are read in ``assess()``."""
    raw = json.loads((EXAMPLES[0].parent / "letter-1-brothers.json").read_text(encoding="utf-8"))
    expected = eager(raw, ON)
    model = Household.model_validate(raw)
    result = riskeval.assess(model, on=ON)
    assert any(k == "household.housing" for child in expected for _, v in child for k in v)
    model.housing = None  # the fact factor E7 read
    assert [[(f.code, f.values) for f in c.factors] for c in result.children] == expected


def test_values_read_from_many_threads_at_once_are_the_same() -> None:
    raw = json.loads((EXAMPLES[0].parent / "letter-1-brothers.json").read_text(encoding="utf-8"))
    expected = eager(raw, ON)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch inside the readers, as they may on a loaded machine
    try:
        for _ in range(50):
            assert _read_together(raw) == [expected[0]] * 4
    finally:
        sys.setswitchinterval(interval)


def _read_together(raw: Any) -> list[list[tuple[str, dict[str, Any]]]]:
    _, _, evals = evaluate(raw, on=ON)
    seen: list[list[tuple[str, dict[str, Any]]]] = []
    barrier = threading.Barrier(4)

    def read() -> None:
        barrier.wait()
        seen.append([(h.code, h.values) for h in evals[0].factors])

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return seen
