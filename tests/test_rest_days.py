"""A due date on a rest day moves to a working day, as the pack says (schedule.yaml plan.due_on_rest_day).

Regression: the letter's household 2 assessed on 2025-12-01 had visits due 2026-01-01 (元旦) and 2026-02-01 and
2026-03-01 (Sundays), though plans follow China's working-day calendar.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import riskeval
from riskeval import schedule
from riskeval.schedule import is_working_day, plan_visits

ROOT = Path(__file__).resolve().parents[1]
PACK = riskeval.load_pack()


def test_the_letters_household_2_is_visited_no_later_than_the_working_day_before_each_rest_day() -> None:
    """元旦 and two Sundays become the working days before them; 2026-02-28 is a make-up working day (调休)."""
    facts = json.loads((ROOT / "examples/households/letter-2-dropout.json").read_text(encoding="utf-8"))
    plan = riskeval.assess(facts, on=date(2025, 12, 1)).children[0].schedule
    assert plan is not None
    assert [(v.date, v.moved_from) for v in plan.next_visits] == [
        (date(2025, 12, 31), date(2026, 1, 1)),
        (date(2026, 1, 30), date(2026, 2, 1)),
        (date(2026, 2, 28), date(2026, 3, 1)),
    ]
    assert "due_moved_earlier" in [n.code for n in plan.notes]


@settings(max_examples=150, deadline=None)
@given(
    on=st.dates(date(2025, 1, 1), date(2026, 12, 31)),
    last=st.none() | st.integers(0, 200),
    frequency=st.sampled_from(sorted(PACK.schedule.cadences)),
)
def test_a_due_date_in_the_plan_is_a_working_day_and_never_later_than_the_rule_says(
    on: date, last: int | None, frequency: str
) -> None:
    """Every future cadence visit is a working day, on or before the date the cadence gives, and not before
    the plan date; a date that did not move has no moved_from."""
    last_visit = None if last is None else on - timedelta(days=last)
    plan = plan_visits(
        PACK.schedule, on=on, status="on_roster", tier="general", visit_frequency=frequency, birth_date=None,
        last_visit=last_visit, last_full_assessment=last_visit,
    )  # fmt: skip
    for due in (*plan.next_visits, plan.next_full_assessment):
        assert due is not None
        if due.overdue:
            continue
        assert due.date >= on
        if due.moved_from is None:
            assert is_working_day(due.date, PACK.schedule) or due.date == on
        else:
            assert not is_working_day(due.moved_from, PACK.schedule)
            assert due.date <= due.moved_from
            assert is_working_day(due.date, PACK.schedule) or due.date == on


@settings(max_examples=60, deadline=None)
@given(
    on=st.dates(date(2025, 1, 1), date(2026, 12, 31)),
    lasts=st.lists(st.none() | st.integers(0, 200), min_size=2, max_size=4),
    frequency=st.sampled_from(sorted(PACK.schedule.cadences)),
)
def test_a_plan_does_not_depend_on_what_the_cadence_cache_holds(
    on: date, lasts: list[int | None], frequency: str
) -> None:
    """The cadence's moved visits are kept per schedule, plan date and last visit: a plan made with the cache
    empty is the plan made after others filled it."""

    def plan(last: int | None) -> object:
        last_visit = None if last is None else on - timedelta(days=last)
        return plan_visits(PACK.schedule, on=on, status="on_roster", tier="general", visit_frequency=frequency,
                           birth_date=None, last_visit=last_visit)  # fmt: skip

    cold = []
    for last in lasts:
        schedule._CADENCES.clear()
        cold.append(plan(last))
    assert [plan(last) for last in reversed(lasts)] == cold[::-1]


@settings(max_examples=40, deadline=None)
@given(days=st.lists(st.dates(date(2025, 1, 1), date(2026, 12, 31)), min_size=2, max_size=4))
def test_a_plan_does_not_depend_on_what_the_window_cache_holds(days: list[date]) -> None:
    """What the plans of one date share (the horizon's end, the full assessment due that day, the notes naming
    the date) is kept per schedule and date: a plan made with that cache empty is the plan made after plans of
    other dates filled it."""

    def plan(on: date) -> object:
        return plan_visits(PACK.schedule, on=on, status="on_roster", tier="general", visit_frequency="monthly",
                           birth_date=date(2010, 6, 1), last_full_assessment=None)  # fmt: skip

    cold = []
    for on in days:
        schedule._WINDOWS.clear()
        cold.append(plan(on))
    assert [plan(on) for on in reversed(days)] == cold[::-1]
