"""The visit plan wired into assess(): each child's dates from its facts, tier and status (hand-computed)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import riskeval
from riskeval.errors import FactsError
from riskeval.schedule import VisitPlan

SPRING_FESTIVAL_WEEK = date(2025, 1, 27)  # a Monday; Sunday Jan 26 is a make-up working day, Jan 28 – Feb 4 off


def household(**child: Any) -> dict[str, Any]:
    """One child with a capable mother; a grade-3 physical disability puts the child on the roster (general)."""
    return {
        "id": "h",
        "members": [{"id": "m", "relation": "mother", "status": "present", "lives_with_children": True,
                     "civil_capacity": "full", "employment": "employed"}],
        "children": [{"id": "c1", "birth_date": "2017-02-10", "mother": "m", "caregiver": "m",
                      "disability": {"type": "physical", "grade": 3}, **child}],
    }  # fmt: skip


def plan(h: dict[str, Any], on: date) -> tuple[str | None, VisitPlan]:
    """The final tier and the visit plan of the first child."""
    child = riskeval.assess(h, on=on).children[0]
    assert child.schedule is not None
    return child.tier, child.schedule


def test_first_visit_over_the_spring_festival_counts_the_make_up_day() -> None:
    """Identified Fri 2025-01-24: 5 working days are Jan 26 (make-up Sunday), 27, Feb 5, 6, 7 → due 2025-02-07."""
    tier, p = plan(household(identified_on="2025-01-24"), SPRING_FESTIVAL_WEEK)
    assert tier == "general" and p.first_visit is not None
    assert (p.first_visit.rule, p.first_visit.date, p.first_visit.overdue) == ("standard", date(2025, 2, 7), False)


def test_the_plan_follows_cadence_holidays_full_assessment_and_milestones() -> None:
    """Quarterly visits from the as-of date, 春节 on 2025-01-29, full assessment Feb 29 + 1 year, turning 8.

    Sun 2025-04-27 is a make-up working day (劳动节 调休) and stays; Sun 2025-07-27 is a rest day: the visit is
    due no later than the Friday before it, 2025-07-25."""
    tier, p = plan(household(last_full_assessment="2024-02-29"), SPRING_FESTIVAL_WEEK)
    assert (tier, p.visit_frequency, p.cadence_months) == ("general", "quarterly", 3)
    assert [d.date for d in p.next_visits] == [date(2025, 4, 27), date(2025, 7, 25), date(2025, 10, 27)]
    assert [d.moved_from for d in p.next_visits] == [None, date(2025, 7, 27), None]
    assert (p.holiday_visits[0].id, p.holiday_visits[0].date) == ("spring_festival", date(2025, 1, 29))
    assert p.next_full_assessment is not None and p.next_full_assessment.date == date(2025, 2, 28)
    assert [(m.age, m.date) for m in p.milestones] == [(8, date(2025, 2, 10))]


def test_monthly_visits_count_from_the_last_visit() -> None:
    """A special child (dropped out) last visited on 2025-01-10 is next due on Feb 10, Mar 10, Apr 10."""
    tier, p = plan(household(school="dropped_out", birth_date="2012-05-01", last_visit="2025-01-10"), date(2025, 1, 27))
    assert (tier, p.cadence_months) == ("special", 1)
    assert [d.date for d in p.next_visits] == [date(2025, 2, 10), date(2025, 3, 10), date(2025, 4, 10)]


def test_an_urgent_child_is_visited_within_24_hours_weekend_or_not() -> None:
    """An M factor (abuse) makes the tier urgent: identified Fri 2025-01-24, first visit due Sat 2025-01-25."""
    tier, p = plan(household(safety=["abuse"], identified_on="2025-01-24"), SPRING_FESTIVAL_WEEK)
    assert tier == "urgent" and p.first_visit is not None
    assert (p.first_visit.rule, p.first_visit.date, p.first_visit.overdue_days) == ("urgent", date(2025, 1, 25), 2)


def test_an_exited_child_gets_follow_ups_and_no_cadence() -> None:
    """Turned 18 on 2025-03-05: follow-ups on 2025-06-05 and 2025-09-05, overdue on 2025-12-01; no cadence."""
    tier, p = plan(household(birth_date="2007-03-05"), date(2025, 12, 1))
    assert (tier, p.status, p.next_visits) == (None, "exited", ())
    assert [(f.months_after, f.date, f.overdue) for f in p.follow_ups] == [
        (3, date(2025, 6, 5), True),
        (6, date(2025, 9, 5), True),
    ]


def test_a_visit_after_the_assessment_date_is_a_located_error() -> None:
    """A last visit dated after the assessment date is refused, located on the child."""
    with pytest.raises(FactsError) as excinfo:
        riskeval.assess(household(last_visit="2025-02-01"), on=SPRING_FESTIVAL_WEEK)
    assert [(r.loc, r.code) for r in excinfo.value.records] == [("children[0].last_visit", "date_after_as_of")]
