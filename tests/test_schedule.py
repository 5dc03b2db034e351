"""The visit calendar against hand-computed dates.

The official holiday notices these dates were computed from (State Council General Office):

2025 (国办发明电〔2024〕12号, 2024-11-12): New Year Jan 1 (Wed), no make-up day; Spring Festival Jan 28
(Tue, 除夕) to Feb 4 (Tue), 8 days, working Sunday Jan 26 and Saturday Feb 8; Qingming Apr 4–6; Labour Day
May 1–5, working Sunday Apr 27; Dragon Boat May 31 – Jun 2; National Day + Mid-Autumn Oct 1 (Wed) to Oct 8
(Wed), 8 days, working Sunday Sep 28 and Saturday Oct 11.

2026 (notice of 2025-11-04): New Year Jan 1–3, working Sunday Jan 4; Spring Festival Feb 15 (Sun) to Feb 23
(Mon), 9 days, working Saturday Feb 14 and Saturday Feb 28; Qingming Apr 4–6; Labour Day May 1–5, working
Saturday May 9; Dragon Boat Jun 19–21; Mid-Autumn Sep 25–27; National Day Oct 1 (Thu) to Oct 7 (Wed), working
Sunday Sep 20 and Saturday Oct 10.

Lunar dates: 春节 (lunar 1/1) 2025-01-29, 2026-02-17; 中秋 (lunar 8/15) 2025-10-06, 2026-09-25.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from riskeval.errors import EvaluationError, FactsError
from riskeval.schedule import (
    ScheduleFile,
    VisitPlan,
    add_months,
    add_working_days,
    birthday,
    is_working_day,
    plan_visits,
)

PACK_SCHEDULE = Path(__file__).resolve().parents[1] / "rules" / "beilin-2025" / "schedule.yaml"


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(PACK_SCHEDULE.read_text(encoding="utf-8"))
    return data


def _keep(raw: dict[str, Any]) -> dict[str, Any]:
    raw["plan"]["due_on_rest_day"] = "keep"
    return raw


# The month arithmetic of cadences, as counted, before a rest day moves a date (tests/test_rest_days.py).
SPEC = ScheduleFile.model_validate(_keep(_raw()))


def _plan(**kw: Any) -> VisitPlan:
    args: dict[str, Any] = {
        "status": "on_roster",
        "tier": "general",
        "visit_frequency": "quarterly",
        "birth_date": date(2015, 7, 1),
    }
    args.update(kw)
    return plan_visits(SPEC, **args)


# --- the pack file ---------------------------------------------------------------------------------


def test_default_pack_schedule_loads_with_the_letter_numbers() -> None:
    """The default pack's schedule.yaml validates and carries the letter's cadences and the 5-day rule."""
    assert {k: c.months for k, c in SPEC.cadences.items()} == {"monthly": 1, "quarterly": 3}
    assert SPEC.first_visit.standard.working_days == 5
    assert SPEC.first_visit.urgent.hours == 24
    assert [h.id for h in SPEC.holiday_visits.holidays] == ["spring_festival", "childrens_day", "mid_autumn"]
    assert [m.age for m in SPEC.milestones.ages] == [8, 16, 18]
    assert SPEC.exited_follow_up.months == (3, 6)
    assert SPEC.full_assessment.interval_months == 12


def test_every_entry_needs_a_source() -> None:
    """An entry without a source is rejected."""
    data = _raw()
    del data["cadences"]["monthly"]["source"]
    with pytest.raises(ValidationError, match="source"):
        ScheduleFile.model_validate(data)


def test_unknown_keys_are_rejected() -> None:
    """A misspelt key in schedule.yaml is an error, not silently ignored."""
    data = _raw()
    data["full_assessment"]["interval_month"] = 6
    with pytest.raises(ValidationError, match="interval_month"):
        ScheduleFile.model_validate(data)


def test_a_deadline_has_exactly_one_unit() -> None:
    """A deadline giving both working days and hours is rejected."""
    data = _raw()
    data["first_visit"]["standard"]["hours"] = 24
    with pytest.raises(ValidationError, match="exactly one"):
        ScheduleFile.model_validate(data)


def test_unknown_country_is_rejected() -> None:
    """A calendar country the holidays library does not know is rejected at load time."""
    data = _raw()
    data["calendar"]["country"] = "XX"
    with pytest.raises(ValidationError, match="'XX'"):
        ScheduleFile.model_validate(data)


def test_a_holiday_is_either_lunar_or_gregorian() -> None:
    """A holiday with both a lunar feast and a month/day is rejected."""
    data = _raw()
    data["holiday_visits"]["holidays"][0].update(month=1, day=1)
    with pytest.raises(ValidationError, match="either lunar"):
        ScheduleFile.model_validate(data)


# --- working days ----------------------------------------------------------------------------------


def test_make_up_weekend_days_are_working_days() -> None:
    """Make-up weekend days (调休) are working days; holiday weekdays and plain weekends are not."""
    for made_up in (date(2025, 1, 26), date(2025, 2, 8), date(2025, 9, 28), date(2025, 10, 11)):
        assert is_working_day(made_up, SPEC), made_up
    for made_up in (
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ):
        assert is_working_day(made_up, SPEC), made_up
    for off in (date(2025, 2, 3), date(2025, 2, 4), date(2025, 10, 8), date(2026, 2, 20), date(2026, 2, 23)):
        assert not is_working_day(off, SPEC), off
    assert not is_working_day(date(2025, 2, 9), SPEC)  # the Sunday after the make-up Saturday
    assert is_working_day(date(2025, 2, 5), SPEC)  # Wednesday after the holiday


def test_five_working_days_across_spring_festival_2025() -> None:
    """From Fri 2025-01-24: Sun Jan 26 (make-up), Mon 27, then Feb 5, 6, 7 after the holiday: Feb 7."""
    assert add_working_days(date(2025, 1, 24), 5, SPEC) == date(2025, 2, 7)


def test_five_working_days_count_the_make_up_saturday_2025() -> None:
    """From Mon 2025-01-27: Feb 5, 6, 7, Sat Feb 8 (make-up), Mon Feb 10."""
    assert add_working_days(date(2025, 1, 27), 5, SPEC) == date(2025, 2, 10)


def test_five_working_days_across_spring_festival_2026() -> None:
    """From Fri 2026-02-13: Sat Feb 14 (make-up), then Feb 24–27 after the 9-day holiday: Feb 27."""
    assert add_working_days(date(2026, 2, 13), 5, SPEC) == date(2026, 2, 27)
    assert add_working_days(date(2026, 2, 24), 5, SPEC) == date(2026, 3, 2)  # Feb 25, 26, 27, Sat 28, Mar 2


def test_five_working_days_across_national_day_week() -> None:
    """National Day 2025 (Oct 1–8) and 2026 (Oct 1–7) with their make-up days."""
    # Fri Sep 26 2025: Sun Sep 28 (make-up), Mon 29, Tue 30, then Thu Oct 9, Fri Oct 10.
    assert add_working_days(date(2025, 9, 26), 5, SPEC) == date(2025, 10, 10)
    # Tue Sep 30 2025: Oct 9, 10, Sat Oct 11 (make-up), Mon 13, Tue 14.
    assert add_working_days(date(2025, 9, 30), 5, SPEC) == date(2025, 10, 14)
    # Wed Sep 30 2026: Thu Oct 8, Fri 9, Sat Oct 10 (make-up), Mon 12, Tue 13.
    assert add_working_days(date(2026, 9, 30), 5, SPEC) == date(2026, 10, 13)


def test_zero_working_days_is_the_start_and_negative_is_an_error() -> None:
    """n = 0 returns the start unchanged; a negative n raises ValueError."""
    assert add_working_days(date(2025, 2, 1), 0, SPEC) == date(2025, 2, 1)
    with pytest.raises(ValueError, match="got -1"):
        add_working_days(date(2025, 2, 1), -1, SPEC)


def test_pack_overrides_win_over_the_library() -> None:
    """A calendar override in the pack makes a day working (or not) whatever the library says."""
    data = _raw()
    data["calendar"]["overrides"] = [
        {"date": date(2027, 2, 20), "working": True, "source": "PROPOSAL: test"},
        {"date": date(2027, 3, 1), "working": False, "source": "PROPOSAL: test"},
    ]
    spec = ScheduleFile.model_validate(data)
    assert is_working_day(date(2027, 2, 20), spec)
    assert not is_working_day(date(2027, 3, 1), spec)
    assert not is_working_day(date(2027, 2, 20), SPEC)


@given(st.dates(date(2000, 1, 1), date(2030, 12, 31)))
def test_working_days_agree_with_the_holidays_library(day: date) -> None:
    """The cached calendar answers exactly as holidays.China().is_working_day."""
    assert is_working_day(day, SPEC) == holidays.China().is_working_day(day)


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(1, 60), st.integers(0, 60))
def test_add_working_days_laws(start: date, n: int, more: int) -> None:
    """The result is a working day, strictly after the start, with exactly n working days in between."""
    end = add_working_days(start, n, SPEC)
    assert end > start
    assert is_working_day(end, SPEC)
    between = sum(is_working_day(start + timedelta(days=k), SPEC) for k in range(1, (end - start).days + 1))
    assert between == n
    assert add_working_days(start, n + more, SPEC) >= end
    if more:
        assert add_working_days(start, n + more, SPEC) > end


# --- month arithmetic and birthdays ------------------------------------------------------------------


def test_months_end_on_the_last_day_when_the_day_is_missing() -> None:
    """Jan 31 + 1 month is Feb 28 (Feb 29 in a leap year); +2 months is Mar 31 (民法典 Art. 202)."""
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 31), 2) == date(2025, 3, 31)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_leap_day_birthdays() -> None:
    """A child born on Feb 29 turns 18 on Feb 28 of a common year (pack rule), on Feb 29 in a leap year."""
    born = date(2008, 2, 29)
    assert birthday(born, 18, SPEC) == date(2026, 2, 28)
    assert birthday(born, 16, SPEC) == date(2024, 2, 29)
    data = _raw()
    data["milestones"]["leap_day_birthday"] = "mar_1"
    assert birthday(born, 18, ScheduleFile.model_validate(data)) == date(2026, 3, 1)


# --- the plan --------------------------------------------------------------------------------------


def test_first_visit_within_five_working_days() -> None:
    """A child identified on Fri 2025-01-24 is first visited by 2025-02-07 (Spring Festival in between)."""
    plan = _plan(on=date(2025, 1, 24), identified_on=date(2025, 1, 24))
    assert plan.first_visit is not None
    assert (plan.first_visit.date, plan.first_visit.rule) == (date(2025, 2, 7), "standard")
    assert not plan.first_visit.overdue


def test_first_visit_of_an_urgent_child_within_24_hours() -> None:
    """An urgent child identified on New Year's Eve 2025-01-28 is visited by the next (holi)day, Jan 29."""
    plan = _plan(on=date(2025, 1, 28), tier="urgent", visit_frequency="monthly", identified_on=date(2025, 1, 28))
    assert plan.first_visit is not None
    assert (plan.first_visit.date, plan.first_visit.rule) == (date(2025, 1, 29), "urgent")


def test_first_visit_overdue() -> None:
    """A first visit due 2025-02-07 and still not made on 2025-02-10 is 3 days overdue."""
    plan = _plan(on=date(2025, 2, 10), identified_on=date(2025, 1, 24))
    assert plan.first_visit is not None
    assert (plan.first_visit.overdue, plan.first_visit.overdue_days) == (True, 3)
    assert (plan.overdue, plan.overdue_days) == (True, 3)


def test_no_first_visit_once_visited() -> None:
    """With a last visit on record there is no first-visit deadline."""
    plan = _plan(on=date(2025, 2, 10), identified_on=date(2025, 1, 24), last_visit=date(2025, 1, 27))
    assert plan.first_visit is None


def test_first_visit_deadline_after_the_checked_notices_is_flagged() -> None:
    """A working-day deadline in 2027 (no official notice yet) carries a 'calendar_estimated' note."""
    plan = _plan(on=date(2026, 12, 29), identified_on=date(2026, 12, 28))
    assert plan.first_visit is not None
    assert plan.first_visit.date == date(2027, 1, 5)  # Dec 29, 30, 31, (Jan 1 holiday), Jan 4, Jan 5
    assert "calendar_estimated" in [n.code for n in plan.notes]


def test_monthly_cadence_from_a_month_end_visit() -> None:
    """Monthly visits after a visit on Jan 31 fall on Feb 28, Mar 31, Apr 30 (counted from the visit)."""
    plan = _plan(on=date(2025, 2, 10), visit_frequency="monthly", last_visit=date(2025, 1, 31))
    assert [v.date for v in plan.next_visits] == [date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]
    assert not plan.overdue


def test_quarterly_cadence_does_not_drift() -> None:
    """Quarterly visits after Nov 30 fall on Feb 28, May 30, Aug 30 (not May 28)."""
    plan = _plan(on=date(2024, 12, 1), last_visit=date(2024, 11, 30))
    assert [v.date for v in plan.next_visits] == [date(2025, 2, 28), date(2025, 5, 30), date(2025, 8, 30)]
    assert plan.cadence_months == 3


def test_cadence_counts_from_the_plan_date_without_a_last_visit() -> None:
    """Without a last visit the quarterly cadence counts from the plan date, with a note saying so."""
    plan = _plan(on=date(2025, 3, 1))
    assert [v.date for v in plan.next_visits] == [date(2025, 6, 1), date(2025, 9, 1), date(2025, 12, 1)]
    assert "cadence_from_as_of" in [n.code for n in plan.notes]


def test_overdue_visit() -> None:
    """A quarterly visit due 2025-04-15 is 16 days overdue on 2025-05-01; the cadence restarts from then."""
    plan = _plan(on=date(2025, 5, 1), last_visit=date(2025, 1, 15))
    first, *rest = plan.next_visits
    assert (first.date, first.overdue, first.overdue_days) == (date(2025, 4, 15), True, 16)
    assert [v.date for v in rest] == [date(2025, 8, 1), date(2025, 11, 1)]
    assert (plan.overdue, plan.overdue_days) == (True, 16)


def test_a_visit_due_today_is_not_overdue() -> None:
    """A visit due on the plan date itself is not overdue."""
    plan = _plan(on=date(2025, 5, 1), last_visit=date(2025, 2, 1))
    assert plan.next_visits[0].date == date(2025, 5, 1)
    assert not plan.overdue


def test_holiday_visits_2025() -> None:
    """From 2025-01-01: Spring Festival 2025-01-29, Children's Day 06-01, Mid-Autumn 2025-10-06."""
    plan = _plan(on=date(2025, 1, 1))
    got = [(h.id, h.date) for h in plan.holiday_visits]
    assert got == [
        ("spring_festival", date(2025, 1, 29)),
        ("childrens_day", date(2025, 6, 1)),
        ("mid_autumn", date(2025, 10, 6)),
    ]
    assert plan.holiday_visits[0].visit_from == date(2025, 1, 29) - timedelta(days=14)
    assert plan.holiday_visits[0].label.zh == "春节"


def test_holiday_visits_2026() -> None:
    """From 2026-01-01: Spring Festival 2026-02-17, Children's Day 06-01, Mid-Autumn 2026-09-25."""
    plan = _plan(on=date(2026, 1, 1))
    assert [h.date for h in plan.holiday_visits] == [date(2026, 2, 17), date(2026, 6, 1), date(2026, 9, 25)]


def test_holiday_visits_stay_within_twelve_months() -> None:
    """On 2025-01-30 the next Spring Festival (2026-02-17) is more than 12 months away and not listed."""
    plan = _plan(on=date(2025, 1, 30))
    assert [h.id for h in plan.holiday_visits] == ["childrens_day", "mid_autumn"]


def test_lunar_dates_agree_with_holidays_china() -> None:
    """The Spring Festival and Mid-Autumn dates are the ones holidays.China names, 2020–2035."""
    for year in range(2020, 2036):
        named = holidays.China(years=year, language="en_US")
        # A day can carry two names ("National Day; Mid-Autumn Festival" in 2020).
        new_year = min(d for d, n in named.items() if "Chinese New Year (Spring Festival)" in n.split("; "))
        mid_autumn = min(d for d, n in named.items() if "Mid-Autumn Festival" in n.split("; "))
        plan = _plan(on=date(year, 1, 1))
        by_id = {h.id: h.date for h in plan.holiday_visits}
        assert by_id["spring_festival"] == new_year, year
        assert by_id["mid_autumn"] == mid_autumn, year


def test_next_full_assessment() -> None:
    """One year after the last full assessment; due now when there is none; overdue when missed."""
    plan = _plan(on=date(2025, 3, 1), last_full_assessment=date(2024, 3, 15))
    assert plan.next_full_assessment is not None
    assert plan.next_full_assessment.date == date(2025, 3, 15)
    plan = _plan(on=date(2025, 3, 1))
    assert plan.next_full_assessment is not None
    assert plan.next_full_assessment.date == date(2025, 3, 1)
    assert "full_assessment_due_now" in [n.code for n in plan.notes]
    plan = _plan(on=date(2025, 3, 10), last_full_assessment=date(2024, 2, 29))
    assert plan.next_full_assessment is not None
    assert plan.next_full_assessment.date == date(2025, 2, 28)
    assert (plan.next_full_assessment.overdue, plan.next_full_assessment.overdue_days) == (True, 10)


def test_milestones_ahead() -> None:
    """Born 2017-03-10: turns 8 on 2025-03-10, announced 30 days before; 16 and 18 are beyond 12 months."""
    plan = _plan(on=date(2025, 3, 1), birth_date=date(2017, 3, 10))
    assert [(m.age, m.date, m.notice_from) for m in plan.milestones] == [(8, date(2025, 3, 10), date(2025, 2, 8))]
    plan = _plan(on=date(2025, 1, 1), birth_date=date(2009, 6, 15))
    assert [(m.age, m.date) for m in plan.milestones] == [(16, date(2025, 6, 15))]


def test_milestone_of_a_leap_day_child() -> None:
    """A child born 2008-02-29 turns 18 on 2026-02-28."""
    plan = _plan(on=date(2025, 6, 1), birth_date=date(2008, 2, 29))
    assert [(m.age, m.date, m.notice_from) for m in plan.milestones] == [(18, date(2026, 2, 28), date(2026, 1, 29))]


def test_unknown_birth_date_gives_no_milestones_and_a_note() -> None:
    """Without a birth date there are no milestones (never a guess) and the plan says why."""
    plan = _plan(on=date(2025, 3, 1), birth_date=None)
    assert plan.milestones == ()
    assert "birth_date_unknown" in [n.code for n in plan.notes]


def test_exited_follow_ups() -> None:
    """A child who turned 18 on 2025-05-20 gets follow-ups on 2025-08-20 and 2025-11-20, and no cadence."""
    plan = _plan(on=date(2025, 6, 1), status="exited", birth_date=date(2007, 5, 20), tier=None)
    assert [(f.months_after, f.date, f.overdue) for f in plan.follow_ups] == [
        (3, date(2025, 8, 20), False),
        (6, date(2025, 11, 20), False),
    ]
    assert plan.next_visits == ()
    assert plan.holiday_visits == ()
    assert plan.next_full_assessment is None


def test_exited_follow_up_done_or_overdue() -> None:
    """A visit on 2025-09-01 covers the 3-month follow-up; the 6-month one is 11 days overdue on 12-01."""
    plan = _plan(on=date(2025, 12, 1), status="exited", birth_date=date(2007, 5, 20), last_visit=date(2025, 9, 1))
    assert [(f.overdue, f.overdue_days) for f in plan.follow_ups] == [(False, 0), (True, 11)]
    assert plan.overdue


def test_exited_with_unknown_birth_date_has_no_follow_ups() -> None:
    """An exited child with no birth date gets no guessed follow-up dates."""
    plan = _plan(on=date(2025, 6, 1), status="exited", birth_date=None)
    assert plan.follow_ups == ()
    assert "birth_date_unknown" in [n.code for n in plan.notes]


def test_not_on_roster_gets_no_visits() -> None:
    """A child not on the roster gets no first visit, cadence, holiday visits or full assessment."""
    plan = _plan(on=date(2025, 3, 1), status="not_on_roster", identified_on=date(2025, 3, 1))
    assert plan.first_visit is None
    assert plan.next_visits == ()
    assert plan.holiday_visits == ()
    assert plan.next_full_assessment is None
    assert "not_on_roster" in [n.code for n in plan.notes]


def test_unknown_visit_frequency_gives_no_cadence_and_a_note() -> None:
    """A roster child whose visit frequency is unknown gets no cadence visits and a note."""
    plan = _plan(on=date(2025, 3, 1), visit_frequency=None)
    assert plan.next_visits == ()
    assert "no_visit_frequency" in [n.code for n in plan.notes]


def test_visit_frequency_missing_from_the_schedule_is_an_error() -> None:
    """A visit frequency id with no cadence in schedule.yaml raises EvaluationError naming it."""
    with pytest.raises(EvaluationError, match="'weekly'"):
        _plan(on=date(2025, 3, 1), visit_frequency="weekly")


def test_dates_after_the_plan_date_are_rejected() -> None:
    """A last visit after the plan date is a FactsError with the field as its location."""
    with pytest.raises(FactsError) as caught:
        _plan(on=date(2025, 3, 1), last_visit=date(2025, 3, 2))
    assert [r.loc for r in caught.value.records] == ["last_visit"]


def test_plan_is_json_and_round_trips() -> None:
    """model_dump(mode='json') is plain JSON and validates back to the same plan."""
    plan = _plan(
        on=date(2025, 1, 24),
        identified_on=date(2025, 1, 24),
        last_full_assessment=date(2024, 6, 1),
        birth_date=date(2017, 3, 10),
    )
    dumped = plan.model_dump(mode="json")
    assert json.loads(json.dumps(dumped, ensure_ascii=False)) == dumped
    assert dumped["first_visit"]["date"] == "2025-02-07"
    assert VisitPlan.model_validate(dumped) == plan


def test_json_schemas_are_published() -> None:
    """ScheduleFile and VisitPlan give JSON Schemas (for `riskeval rules schema` and docs/schema/)."""
    assert set(ScheduleFile.model_json_schema()["properties"]) >= {"calendar", "cadences", "holiday_visits"}
    assert "next_visits" in VisitPlan.model_json_schema()["properties"]
