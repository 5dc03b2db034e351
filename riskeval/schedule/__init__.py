"""Visit calendars: cadence, first-visit deadlines, holiday visits, full assessments, milestones.

Every number comes from the pack's ``schedule.yaml`` (:class:`ScheduleFile`); this module only knows how
to count. Months are counted as the Civil Code counts periods (民法典 Art. 202): the same day of the target
month, or its last day when there is no such day, always from the anchor date (Jan 31 + 1 month = Feb 28,
+ 2 months = Mar 31). Working days follow the public holidays and make-up working days (调休) of the
pack's country as the ``holidays`` library records them, plus the pack's own overrides.

The file format lives in ``riskeval.schedule._spec`` and the models of the answer in ``riskeval.schedule._plan``;
both are re-exported here, the module users import.

Example:
    >>> from datetime import date
    >>> import riskeval
    >>> spec = riskeval.load_pack().schedule
    >>> plan = plan_visits(spec, on=date(2025, 3, 1), status="on_roster", tier="general",
    ...                    visit_frequency="quarterly", birth_date=date(2015, 6, 1))
    >>> first = plan.next_visits[0]  # three months on is Sunday 2025-06-01: due the Friday before
    >>> first.date, first.moved_from
    (datetime.date(2025, 5, 30), datetime.date(2025, 6, 1))
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Literal, NamedTuple, TypeVar

from riskeval._build import trusted
from riskeval._label import Label
from riskeval.errors import ErrorRecord, EvaluationError, FactsError
from riskeval.schedule import _calendar, dates
from riskeval.schedule._plan import (
    DueDate,
    FirstVisit,
    FollowUp,
    HolidayVisit,
    Milestone,
    PlanNote,
    Verification,
    VisitPlan,
    _due_date,
    _note,
)
from riskeval.schedule._spec import Deadline, HolidayVisitsSpec, ScheduleFile

__all__ = [
    "Deadline",
    "DueDate",
    "FirstVisit",
    "FollowUp",
    "HolidayVisit",
    "Label",
    "Milestone",
    "PlanNote",
    "ScheduleFile",
    "Verification",
    "VisitPlan",
    "add_months",
    "add_working_days",
    "birthday",
    "calendar_version",
    "deadline_date",
    "is_working_day",
    "plan_visits",
]


# --- counting ------------------------------------------------------------------------------------

add_months = dates.add_months


calendar_version = _calendar.calendar_version


def is_working_day(day: dt.date, spec: ScheduleFile) -> bool:
    """Return True when ``day`` is an official working day (make-up weekend days included)."""
    return spec.calendar.work.is_working_day(day)


def add_working_days(start: dt.date, n: int, spec: ScheduleFile) -> dt.date:
    """Return the ``n``-th working day after ``start`` (start excluded; ``n`` = 0 gives ``start``).

    Example: ``add_working_days(date(2025, 1, 24), 5, spec)`` is 2025-02-07 on the CN calendar
    (Sunday Jan 26 is a make-up working day; Jan 28 – Feb 4 is the Spring Festival holiday).
    """
    return spec.calendar.work.add_working_days(start, n)


def deadline_date(start: dt.date, deadline: Deadline, spec: ScheduleFile) -> dt.date:
    """Return the last day allowed by ``deadline`` counted from ``start``."""
    if deadline.working_days is not None:
        return add_working_days(start, deadline.working_days, spec)
    days = deadline.calendar_days if deadline.calendar_days is not None else -(-(deadline.hours or 0) // 24)
    return start + dt.timedelta(days=days)


def birthday(birth_date: dt.date, age: int, spec: ScheduleFile) -> dt.date:
    """Return the day a child born on ``birth_date`` reaches ``age`` (Feb 29 per the pack)."""
    return dates.anniversary(birth_date, age, spec.milestones.leap_day_birthday)


# --- the plan ------------------------------------------------------------------------------------


def _due(day: dt.date, on: dt.date, done: bool = False) -> tuple[bool, int]:
    late = (on - day).days
    return (late > 0 and not done), (late if late > 0 and not done else 0)


def _check_dates(on: dt.date, dates: dict[str, dt.date | None]) -> None:
    late = {name: value for name, value in dates.items() if value is not None and value > on}
    records = [
        ErrorRecord(name, "date_after_as_of", f"{name} is after the plan date {on}", v) for name, v in late.items()
    ]
    if records:
        raise FactsError(records, "dates after the plan date")


# The holiday visits depend only on a pack's holidays and the plan's window, and a batch plans thousands of
# children on one date: each window is computed once. Keyed by the spec's identity (hashing a model per call
# costs more than the lookup saves); the spec is held in the value so that its id cannot be reused.
_HOLIDAY_PLANS: dict[tuple[int, dt.date, dt.date], tuple[HolidayVisitsSpec, tuple[HolidayVisit, ...]]] = {}
_HOLIDAY_PLANS_MAX = 4096


def _holiday_visits(spec: ScheduleFile, on: dt.date, end: dt.date) -> tuple[HolidayVisit, ...]:
    key = (id(spec.holiday_visits), on, end)
    hit = _HOLIDAY_PLANS.get(key)
    if hit is not None and hit[0] is spec.holiday_visits:
        return hit[1]
    lead = dt.timedelta(days=spec.holiday_visits.lead_days)
    visits: list[HolidayVisit] = []
    for holiday in spec.holiday_visits.holidays:
        for year in (on.year - 1, on.year, on.year + 1):
            day = holiday.date_in(year)
            if day >= on:
                if day < end:
                    visit = {"id": holiday.id, "date": day, "visit_from": day - lead, "label": holiday.label}
                    visits.append(trusted(HolidayVisit, visit))
                break
    found = tuple(sorted(visits, key=lambda h: (h.date, h.id)))
    if len(_HOLIDAY_PLANS) >= _HOLIDAY_PLANS_MAX:
        _HOLIDAY_PLANS.clear()
    _HOLIDAY_PLANS[key] = (spec.holiday_visits, found)
    return found


DueDateT = TypeVar("DueDateT", bound=DueDate)
_MOVED_NOTE = {"previous_working_day": "due_moved_earlier", "next_working_day": "due_moved_later"}


def _on_working_day(due: DueDateT, spec: ScheduleFile, on: dt.date) -> DueDateT:
    """A due date moved off a rest day by the pack's rule (``plan.due_on_rest_day``), its overdue recounted.

    "No later than" a rest day means the working day before it; when that day is already past on the plan
    date while the rest day is not, the visit is due on the plan date itself, not overdue before it is planned.
    """
    rule = spec.plan.due_on_rest_day
    day = due.date
    if rule == "keep" or day < on or spec.calendar.work.is_working_day(day):
        return due  # a date already past on the plan date is what was owed, not a plan to move
    work = spec.calendar.work
    moved = work.previous_working_day(day) if rule == "previous_working_day" else work.add_working_days(day, 1)
    if moved < on <= day:
        moved = on
    overdue, days = _due(moved, on)
    # A due date is built by trusted() (its __dict__ holds every field, in order): the fields copied as they are.
    return trusted(type(due), {**due.__dict__, "date": moved, "overdue": overdue, "overdue_days": days,
                               "moved_from": day})  # fmt: skip


class _Cadence(NamedTuple):
    """The cadence's visits of a plan, moved off rest days, with what the plan's flags and notes read of them."""

    spec: ScheduleFile  # held so that its id, in the key, cannot be reused
    visits: tuple[DueDate, ...]
    moved: bool  # some visit was moved off a rest day
    late: tuple[int, ...]  # the days each overdue visit was missed by


# The cadence's visits, moved off rest days, depend only on the schedule, the plan date and the last visit:
# a batch plans thousands of children on one date. Keyed as the holiday visits are (the spec held in the value).
_CADENCES: dict[tuple[int, int, int, dt.date, dt.date | None], _Cadence] = {}
_CADENCES_MAX = 4096


def _cadence(spec: ScheduleFile, months: int, on: dt.date, last_visit: dt.date | None) -> _Cadence:
    key = (id(spec), months, spec.plan.visits_listed, on, last_visit)
    hit = _CADENCES.get(key)
    if hit is not None and hit.spec is spec:
        return hit
    visits = _cadence_visits(months, spec.plan.visits_listed, on, last_visit)
    found = tuple(_on_working_day(d, spec, on) for d in visits)
    if len(_CADENCES) >= _CADENCES_MAX:
        _CADENCES.clear()
    hit = _CADENCES[key] = _Cadence(spec, found, any(d.moved_from is not None for d in found),
                                    tuple(d.overdue_days for d in found if d.overdue))  # fmt: skip
    return hit


class _Window(NamedTuple):
    """What every plan of one schedule on one date shares: the horizon's end, the full assessment due that
    day, the notes of a cadence counted from that day and of no full assessment on record (the holiday visits
    are kept on their own: only a child on the roster has them, and they are counted only when one is planned)."""

    spec: ScheduleFile  # held so that its id, in the key, cannot be reused
    end: dt.date
    due_now: DueDate
    from_on: PlanNote  # the cadence counted from the plan date
    full_now: PlanNote  # no full assessment on record


# A batch plans thousands of children on one date: the window is worked out once (one lookup per plan instead
# of one per part). Keyed as the cadences are.
_WINDOWS: dict[tuple[int, dt.date], _Window] = {}
_WINDOWS_MAX = 512


def _window(spec: ScheduleFile, on: dt.date) -> _Window:
    key = (id(spec), on)
    hit = _WINDOWS.get(key)
    if hit is not None and hit.spec is spec:
        return hit
    end = add_months(on, spec.plan.horizon_months)
    if len(_WINDOWS) >= _WINDOWS_MAX:
        _WINDOWS.clear()
    hit = _WINDOWS[key] = _Window(spec, end, _due_date(on), _note("cadence_from_as_of", on),
                                  _note("full_assessment_due_now"))  # fmt: skip
    return hit


@lru_cache(maxsize=16384)
def _cadence_visits(months: int, n: int, on: dt.date, last_visit: dt.date | None) -> tuple[DueDate, ...]:
    # Only dates in, immutable out: every child of a batch without a last visit shares one answer.
    anchor = on if last_visit is None else last_visit
    due = add_months(anchor, months)
    if due >= on:
        return tuple(_due_date(add_months(anchor, months * i)) for i in range(1, n + 1))
    # Overdue: the missed visit is owed now, and the cadence restarts from the plan date.
    return (_due_date(due, (on - due).days), *(_due_date(add_months(on, months * i)) for i in range(1, n)))


def plan_visits(
    spec: ScheduleFile,
    *,
    on: dt.date,
    status: str,
    tier: str | None,
    visit_frequency: str | None,
    birth_date: dt.date | None,
    identified_on: dt.date | None = None,
    last_visit: dt.date | None = None,
    last_full_assessment: dt.date | None = None,
    urgent_tier: str = "urgent",
    on_roster_status: str = "on_roster",
    exited_status: str = "exited",
    undetermined_status: str = "undetermined",
) -> VisitPlan:
    """Return the visit plan of one child assessed on ``on``.

    Args:
        spec: the pack's schedule.
        on: the assessment (plan) date; nothing before it is planned, and anything due before it is overdue.
        status: the roster status; only ``on_roster_status`` gets visits, ``exited_status`` gets follow-ups.
        tier: the tier; ``urgent_tier`` selects the urgent first-visit deadline.
        visit_frequency: a key of ``spec.cadences`` (None: unknown, no cadence visits and a note).
        birth_date: None means unknown: no milestones, no follow-ups, a note; never a guess.
        identified_on: when the child was identified; with no ``last_visit`` it sets the first-visit deadline.
        last_visit: the cadence counts from it (else from ``on``).
        last_full_assessment: the next full assessment is one interval after it (else due on ``on``).
        urgent_tier: the tier id with the urgent first-visit deadline.
        on_roster_status: the status id of a child on the roster.
        exited_status: the status id of a child who aged out.
        undetermined_status: the status of a child whose roster status the facts cannot decide: a
            verification visit (``spec.verification_visit`` from ``on``).

    Raises:
        FactsError: a given date lies after ``on``.
        EvaluationError: ``visit_frequency`` has no cadence in the schedule.
    """
    if max(birth_date or on, identified_on or on, last_visit or on, last_full_assessment or on) > on:
        _check_dates(
            on,
            {
                "birth_date": birth_date,
                "identified_on": identified_on,
                "last_visit": last_visit,
                "last_full_assessment": last_full_assessment,
            },
        )
    notes: list[PlanNote] = []
    first: FirstVisit | None = None
    visits: tuple[DueDate, ...] = ()
    holiday_visits: tuple[HolidayVisit, ...] = ()
    full: DueDate | None = None
    milestones: list[Milestone] = []
    follow_ups: list[FollowUp] = []
    verification: Verification | None = None
    cadence_months: int | None = None
    moved = False
    late: list[int] = []
    window = _window(spec, on)
    end = window.end

    if status == on_roster_status:
        if identified_on is not None and last_visit is None:
            rule: Literal["standard", "urgent"] = "urgent" if tier == urgent_tier else "standard"
            deadline = spec.first_visit.urgent if rule == "urgent" else spec.first_visit.standard
            due = deadline_date(identified_on, deadline, spec)
            overdue, days = _due(due, on)
            first = trusted(
                FirstVisit,
                {
                    "date": due,
                    "overdue": overdue,
                    "overdue_days": days,
                    "moved_from": None,
                    "rule": rule,
                    "identified_on": identified_on,
                },
            )
            if deadline.working_days is not None and due.year > spec.calendar.official_through:
                notes.append(_note("calendar_estimated", due.year))
        if visit_frequency is None:
            notes.append(_note("no_visit_frequency"))
        else:
            cadence = spec.cadences.get(visit_frequency)
            if cadence is None:
                known = ", ".join(sorted(spec.cadences))
                raise EvaluationError(f"visit frequency {visit_frequency!r} has no cadence in schedule.yaml ({known})")
            cadence_months = cadence.months
            if last_visit is None:
                notes.append(window.from_on)
            found = _cadence(spec, cadence.months, on, last_visit)
            visits, moved, late = found.visits, found.moved, list(found.late)
        holiday_visits = _holiday_visits(spec, on, end)
        if last_full_assessment is None:
            notes.append(window.full_now)
            full = window.due_now
        else:
            due = add_months(last_full_assessment, spec.full_assessment.interval_months)
            full = _on_working_day(_due_date(due, _due(due, on)[1]), spec, on)
    elif status == undetermined_status:
        notes.append(_note("undetermined"))
        due = deadline_date(on, spec.verification_visit, spec)
        fields = {"date": due, "overdue": False, "overdue_days": 0, "moved_from": None, "counted_from": on}
        verification = trusted(Verification, fields)
    else:
        notes.append(_note("not_on_roster", status))

    if birth_date is None:
        notes.append(_note("birth_date_unknown"))
    else:
        lead = dt.timedelta(days=spec.milestones.lead_days)
        for mark in spec.milestones.ages:
            # A birthday falls in the year of birth + age: most ages are out of the horizon by the year alone.
            if not on.year <= birth_date.year + mark.age <= end.year:
                continue
            day = birthday(birth_date, mark.age, spec)
            if on <= day < end:
                milestones.append(
                    trusted(Milestone, {"age": mark.age, "date": day, "notice_from": day - lead, "label": mark.label})
                )
        if status == exited_status:
            rule_ = spec.exited_follow_up
            aged_out = birthday(birth_date, rule_.after_age, spec)
            for months in rule_.months:
                day = add_months(aged_out, months)
                overdue, days = _due(day, on, done=last_visit is not None and last_visit >= day)
                fields = {
                    "date": day,
                    "overdue": overdue,
                    "overdue_days": days,
                    "moved_from": None,
                    "months_after": months,
                }
                follow_ups.append(_on_working_day(trusted(FollowUp, fields), spec, on))

    moved = moved or (full is not None and full.moved_from is not None)
    if moved or any(d.moved_from is not None for d in follow_ups):
        notes.append(_note(_MOVED_NOTE[spec.plan.due_on_rest_day]))
    if first is not None and first.overdue:
        late.append(first.overdue_days)
    late += [d.overdue_days for d in follow_ups if d.overdue]
    # Every value above is a date, a pack value or a model built here: no second validation (riskeval._build).
    return trusted(
        VisitPlan,
        {
            "on": on,
            "status": status,
            "tier": tier,
            "visit_frequency": visit_frequency,
            "cadence_months": cadence_months,
            "first_visit": first,
            "next_visits": visits,
            "overdue": bool(late),
            "overdue_days": max(late, default=0),
            "holiday_visits": holiday_visits,
            "next_full_assessment": full,
            "milestones": tuple(milestones),
            "follow_ups": tuple(follow_ups),
            "notes": tuple(notes),
            "verification": verification,
        },
    )
