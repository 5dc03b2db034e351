"""A child's data gaps are worked out when first read (their what-ifs re-decide the tier table), only when the
status and tier no longer depend on them: whatever is read first, and whenever, the gaps are those worked out
straight after the evaluation."""

from __future__ import annotations

import json
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import riskeval
from riskeval._assess import evaluate
from riskeval.facts import Household
from riskeval.testing import ASSESSMENT_DATE, households

ON = date(2025, 12, 1)
EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples" / "households").glob("*.json"))


def at_once(raw: object, on: date) -> list[list[object]]:
    _, _, evals = evaluate(raw, on=on)  # type: ignore[arg-type]
    return [list(e.gaps) for e in evals]


def late(raw: object, on: date, first: str) -> list[list[object]]:
    """The gaps read after something else has used the evaluation's context (and after other evaluations)."""
    _, _, evals = evaluate(raw, on=on)  # type: ignore[arg-type]
    if first == "shown":
        for e in evals:
            e.shown  # noqa: B018
    evaluate(raw, on=on)  # another evaluation in between
    return [list(e.gaps) for e in evals]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_gaps_read_late_equal_gaps_read_at_once(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    expected = at_once(raw, ON)
    assert late(raw, ON, "shown") == expected
    assert late(raw, ON, "nothing") == expected


def test_the_examples_defer_gaps_only_for_a_child_whose_status_is_final() -> None:
    """The letter's household 2 is on the roster with unknown facts: its gaps wait; they are not empty."""
    raw = json.loads((EXAMPLES[0].parent / "letter-2-dropout.json").read_text(encoding="utf-8"))
    _, pack, evals = evaluate(raw, on=ON)
    assert [e.status for e in evals] == [pack.on_roster.id]
    assert evals[0].gaps_pending
    assert evals[0].gaps and not evals[0].gaps_pending


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(households())
def test_generated_households_gaps_read_late_equal_read_at_once(household: Household) -> None:
    raw = household.model_dump(mode="json")
    expected = at_once(raw, ASSESSMENT_DATE)
    assert late(raw, ASSESSMENT_DATE, "shown") == expected
    assert late(raw, ASSESSMENT_DATE, "nothing") == expected
    result = riskeval.assess(raw, on=ASSESSMENT_DATE, explain=True)
    [c.explanation for c in result.children]  # the explanation reads the gaps too
    assert [[(g.kind, g.rule, g.facts) for g in c.data_gaps] for c in result.children] == [
        [(g.kind, g.rule, g.facts) for g in gaps]
        for gaps in expected  # type: ignore[attr-defined]
    ]


def test_gaps_read_from_many_threads_at_once_are_worked_out_once() -> None:
    raw = json.loads((EXAMPLES[0].parent / "letter-4-migrant.json").read_text(encoding="utf-8"))
    expected = at_once(raw, ON)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch inside the what-ifs, as they may on a loaded machine
    try:
        for _ in range(100):
            _read_together(raw, expected)
    finally:
        sys.setswitchinterval(interval)


def _read_together(raw: object, expected: list[list[object]]) -> None:
    _, _, evals = evaluate(raw, on=ON)  # type: ignore[arg-type]
    seen: list[list[object]] = []
    barrier = threading.Barrier(4)

    def read() -> None:
        barrier.wait()
        seen.append(evals[0].gaps)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 4 and all(s is seen[0] for s in seen) and seen[0] == expected[0]
