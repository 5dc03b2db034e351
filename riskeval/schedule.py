"""Visit calendars: cadence, first-visit deadlines, holiday visits, full assessments, milestones.

Every number comes from the pack's ``schedule.yaml`` (:class:`ScheduleSpec`); this module only knows how
to count. Months are counted as the Civil Code counts periods (民法典 Art. 202): the same day of the target
month, or its last day when there is no such day, always from the anchor date (Jan 31 + 1 month = Feb 28,
+ 2 months = Mar 31). Working days follow the public holidays and make-up working days (调休) of the
pack's country as the ``holidays`` library records them, plus the pack's own overrides.

Example:
    >>> plan = plan_visits(spec, on=date(2025, 3, 1), status="on_roster", tier="general",
    ...                    visit_frequency="quarterly", birth_date=date(2015, 6, 1))
    >>> plan.next_visits[0].date
    datetime.date(2025, 6, 1)
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property, lru_cache
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from riskeval import _calendar
from riskeval._build import trusted
from riskeval.errors import ErrorRecord, EvaluationError, FactsError

__all__ = [
    "Deadline",
    "DueDate",
    "FirstVisit",
    "FollowUp",
    "HolidayVisit",
    "Label",
    "Milestone",
    "PlanNote",
    "ScheduleSpec",
    "VisitPlan",
    "add_months",
    "add_working_days",
    "birthday",
    "deadline_date",
    "is_working_day",
    "plan_visits",
]

Source = Annotated[str, Field(min_length=1, description='document and article, or "PROPOSAL: ..."')]


# --- the file format: schedule.yaml ---------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Sourced(_Spec):
    source: Source


class Label(_Spec):
    """A name in Chinese and English."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class CalendarOverride(_Sourced):
    """One day whose working status the pack fixes itself (e.g. a notice newer than the library)."""

    date: dt.date
    working: bool


class CalendarSpec(_Sourced):
    """The working-day calendar: a country (and subdivision) of the ``holidays`` library."""

    country: str = Field(min_length=2, max_length=3)
    subdivision: str | None = None
    official_through: int = Field(description="last year whose official holiday notice was checked")
    overrides: tuple[CalendarOverride, ...] = ()

    @model_validator(mode="after")
    def _known_calendar(self) -> Self:
        problem = _calendar.check_country(self.country, self.subdivision)
        if problem is not None:
            raise ValueError(problem)
        days = [o.date for o in self.overrides]
        if len(days) != len(set(days)):
            raise ValueError("a date appears twice in calendar.overrides")
        return self

    @cached_property
    def work(self) -> _calendar.WorkCalendar:
        """The (shared, per-year cached) working-day calendar; a plain attribute after the first access."""
        overrides = tuple(sorted((o.date, o.working) for o in self.overrides))
        return _calendar.work_calendar(self.country, self.subdivision, overrides)


class Cadence(_Sourced):
    """The minimum visit interval of one visit frequency."""

    months: int = Field(ge=1)
    label: Label


class Deadline(_Sourced):
    """A time limit: exactly one of ``working_days``, ``calendar_days`` or ``hours``.

    Plans hold dates, not times, so ``hours`` become calendar days rounded up (24 h: by the next day; 0 h:
    the same day), weekends and holidays included: an urgent response does not wait for a working day.
    """

    working_days: int | None = Field(default=None, ge=0)
    calendar_days: int | None = Field(default=None, ge=0)
    hours: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if sum(v is not None for v in (self.working_days, self.calendar_days, self.hours)) != 1:
            raise ValueError("give exactly one of working_days, calendar_days, hours")
        return self


class FirstVisitSpec(_Spec):
    """First visit after a child is identified: the standard limit and the one for the urgent tier."""

    standard: Deadline
    urgent: Deadline


class HolidaySpec(_Sourced):
    """A holiday with a visit: a Gregorian ``month``/``day``, or a Chinese lunisolar feast (``lunar``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Label
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    lunar: _calendar.LunarFeast | None = None
    offset_days: int = Field(default=0, description="e.g. -1 with lunar chinese_new_year: New Year's Eve")

    @model_validator(mode="after")
    def _one_rule(self) -> Self:
        if (self.lunar is None) == (self.month is None and self.day is None):
            raise ValueError("give either lunar (a feast) or month and day")
        if self.lunar is None:
            if self.month is None or self.day is None:
                raise ValueError("give both month and day")
            dt.date(2000, self.month, self.day)  # a leap year: rejects Feb 30, Apr 31
        return self

    def date_in(self, year: int) -> dt.date:
        """Return the holiday's date in ``year``."""
        found = _calendar.holiday_date(
            year, month=self.month, day=self.day, lunar=self.lunar, offset_days=self.offset_days
        )
        if found is None:
            raise EvaluationError(f"holiday {self.id!r}: the holidays library has no {self.lunar} in {year}")
        return found


class HolidayVisitsSpec(_Sourced):
    """Extra visits around holidays; a visit may be made from ``lead_days`` before the holiday."""

    lead_days: int = Field(ge=0)
    holidays: tuple[HolidaySpec, ...]

    @field_validator("holidays")
    @classmethod
    def _unique(cls, value: tuple[HolidaySpec, ...]) -> tuple[HolidaySpec, ...]:
        ids = [h.id for h in value]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate holiday id in {ids}")
        return value

    @cached_property
    def _plans(self) -> dict[tuple[dt.date, dt.date], tuple[HolidayVisit, ...]]:
        # The holiday visits depend only on the plan date: computed once per date, shared (immutable).
        return {}


class FullAssessmentSpec(_Sourced):
    """How long after the last full assessment the next one is due."""

    interval_months: int = Field(ge=1)


class MilestoneAge(_Sourced):
    """One age at which something changes for the child."""

    age: int = Field(ge=1, le=30)
    label: Label


class MilestonesSpec(_Sourced):
    """Age milestones, shown ``lead_days`` before they fall; birthdays of Feb 29 per ``leap_day_birthday``."""

    lead_days: int = Field(ge=0)
    leap_day_birthday: Literal["feb_28", "mar_1"]
    ages: tuple[MilestoneAge, ...]

    @field_validator("ages")
    @classmethod
    def _increasing(cls, value: tuple[MilestoneAge, ...]) -> tuple[MilestoneAge, ...]:
        ages = [m.age for m in value]
        if ages != sorted(set(ages)):
            raise ValueError(f"milestone ages must be strictly increasing, got {ages}")
        return value


class FollowUpSpec(_Sourced):
    """Follow-up visits of an exited child: ``months`` after the birthday of ``after_age``."""

    after_age: int = Field(ge=1)
    months: tuple[int, ...] = Field(min_length=1)

    @field_validator("months")
    @classmethod
    def _increasing(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if list(value) != sorted(set(value)) or value[0] < 1:
            raise ValueError(f"follow-up months must be positive and strictly increasing, got {list(value)}")
        return value


class PlanSpec(_Sourced):
    """How much a plan shows: ``visits_listed`` cadence visits; holidays and milestones within the horizon."""

    visits_listed: int = Field(ge=1)
    horizon_months: int = Field(ge=1)


class ScheduleSpec(_Spec):
    """The content of a pack's ``schedule.yaml``: every date rule of the visit plan, each with a source."""

    calendar: CalendarSpec
    plan: PlanSpec
    cadences: dict[str, Cadence] = Field(min_length=1, description="visit frequency id → cadence")
    first_visit: FirstVisitSpec
    holiday_visits: HolidayVisitsSpec
    full_assessment: FullAssessmentSpec
    milestones: MilestonesSpec
    exited_follow_up: FollowUpSpec


# --- counting ------------------------------------------------------------------------------------

add_months = _calendar.add_months


def is_working_day(day: dt.date, spec: ScheduleSpec) -> bool:
    """Return True when ``day`` is an official working day (make-up weekend days included)."""
    return spec.calendar.work.is_working_day(day)


def add_working_days(start: dt.date, n: int, spec: ScheduleSpec) -> dt.date:
    """Return the ``n``-th working day after ``start`` (start excluded; ``n`` = 0 gives ``start``).

    Example: ``add_working_days(date(2025, 1, 24), 5, spec)`` is 2025-02-07 on the CN calendar
    (Sunday Jan 26 is a make-up working day; Jan 28 – Feb 4 is the Spring Festival holiday).
    """
    return spec.calendar.work.add_working_days(start, n)


def deadline_date(start: dt.date, deadline: Deadline, spec: ScheduleSpec) -> dt.date:
    """Return the last day allowed by ``deadline`` counted from ``start``."""
    if deadline.working_days is not None:
        return add_working_days(start, deadline.working_days, spec)
    days = deadline.calendar_days if deadline.calendar_days is not None else -(-(deadline.hours or 0) // 24)
    return start + dt.timedelta(days=days)


def birthday(birth_date: dt.date, age: int, spec: ScheduleSpec) -> dt.date:
    """Return the day a child born on ``birth_date`` reaches ``age`` (Feb 29 per the pack)."""
    return _calendar.anniversary(birth_date, age, spec.milestones.leap_day_birthday)


# --- the plan ------------------------------------------------------------------------------------


class DueDate(_Spec):
    """A date by which something is due, and by how many days it was missed on the plan date."""

    date: dt.date
    overdue: bool = False
    overdue_days: int = 0


class FirstVisit(DueDate):
    """The first visit of a newly identified child, counted from ``identified_on``."""

    rule: Literal["standard", "urgent"]
    identified_on: dt.date


class FollowUp(DueDate):
    """A follow-up visit of an exited child, ``months_after`` the aging-out birthday."""

    months_after: int


class HolidayVisit(_Spec):
    """The next occurrence of a pack holiday; the visit may be made from ``visit_from``."""

    id: str
    date: dt.date
    visit_from: dt.date
    label: Label


class Milestone(_Spec):
    """An age the child reaches on ``date``; it is announced from ``notice_from``."""

    age: int
    date: dt.date
    notice_from: dt.date
    label: Label


class PlanNote(_Spec):
    """Why part of the plan is missing or approximate: a stable ``code`` and a sentence in zh and en."""

    code: str
    zh: str
    en: str


class VisitPlan(_Spec):
    """Every date that follows from one child's assessment on ``on`` (JSON: ``model_dump(mode="json")``).

    Attributes:
        first_visit: the first-visit deadline of a newly identified child not yet visited, else null.
        next_visits: the next cadence visits; when one is overdue it comes first, flagged, and the cadence
            restarts from ``on``.
        overdue: a first, cadence or follow-up visit is overdue; ``overdue_days`` is the longest delay.
        holiday_visits: the next occurrence of each pack holiday within the horizon, by date.
        next_full_assessment: one interval after the last, or ``on`` when none is on record.
        milestones: the ages reached within the horizon; ``follow_ups``: the visits of an exited child.
        notes: what is missing or approximate, as codes with a sentence in zh and en.
    """

    on: dt.date
    status: str
    tier: str | None
    visit_frequency: str | None
    cadence_months: int | None
    first_visit: FirstVisit | None
    next_visits: tuple[DueDate, ...]
    overdue: bool
    overdue_days: int
    holiday_visits: tuple[HolidayVisit, ...]
    next_full_assessment: DueDate | None
    milestones: tuple[Milestone, ...]
    follow_ups: tuple[FollowUp, ...]
    notes: tuple[PlanNote, ...]


_NOTES: dict[str, tuple[str, str]] = {
    "not_on_roster": (
        "儿童不在台账中（状态：{0}），不安排定期走访和节日走访。",
        "Not on the roster (status {0}): no cadence or holiday visits.",
    ),
    "no_visit_frequency": (
        "走访频次未知，无法排定期走访。",
        "The visit frequency is unknown: no cadence visits.",
    ),
    "cadence_from_as_of": (
        "无上次走访日期，走访周期从评估日起算。",
        "No last visit: the cadence counts from {0}.",
    ),
    "full_assessment_due_now": (
        "无全面评估记录，全面评估即日到期。",
        "No full assessment on record: one is due now.",
    ),
    "birth_date_unknown": (
        "出生日期未知，不计算年龄节点和跟进走访。",
        "Birth date unknown: no age milestones or follow-ups are computed.",
    ),
    "calendar_estimated": (
        "首次走访期限落在{0}年，官方放假安排尚未核对，工作日为推定。",
        "The first-visit deadline falls in {0}, after the last checked holiday notice: an estimate.",
    ),
}


@lru_cache(maxsize=4096)
def _note(code: str, arg: object = "") -> PlanNote:
    zh, en = _NOTES[code]
    return PlanNote(code=code, zh=zh.format(arg), en=en.format(arg))


def _due(day: dt.date, on: dt.date, done: bool = False) -> tuple[bool, int]:
    late = (on - day).days
    return (late > 0 and not done), (late if late > 0 and not done else 0)


@lru_cache(maxsize=16384)
def _due_date(day: dt.date, overdue_days: int = 0) -> DueDate:
    # Plans of one batch share most dates, and a DueDate is immutable: build each one once.
    return trusted(DueDate, {"date": day, "overdue": overdue_days > 0, "overdue_days": overdue_days})


def _check_dates(on: dt.date, dates: dict[str, dt.date | None]) -> None:
    late = {name: value for name, value in dates.items() if value is not None and value > on}
    records = [
        ErrorRecord(name, "date_after_as_of", f"{name} is after the plan date {on}", v) for name, v in late.items()
    ]
    if records:
        raise FactsError(records, "dates after the plan date")


def _holiday_visits(spec: ScheduleSpec, on: dt.date, end: dt.date) -> tuple[HolidayVisit, ...]:
    cache = spec.holiday_visits._plans
    found = cache.get((on, end))
    if found is not None:
        return found
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
    found = cache[(on, end)] = tuple(sorted(visits, key=lambda h: (h.date, h.id)))
    return found


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
    spec: ScheduleSpec,
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
    cadence_months: int | None = None
    end = add_months(on, spec.plan.horizon_months)

    if status == on_roster_status:
        if identified_on is not None and last_visit is None:
            rule: Literal["standard", "urgent"] = "urgent" if tier == urgent_tier else "standard"
            deadline = spec.first_visit.urgent if rule == "urgent" else spec.first_visit.standard
            due = deadline_date(identified_on, deadline, spec)
            overdue, days = _due(due, on)
            first = trusted(
                FirstVisit,
                {"date": due, "overdue": overdue, "overdue_days": days, "rule": rule, "identified_on": identified_on},
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
                notes.append(_note("cadence_from_as_of", on))
            visits = _cadence_visits(cadence.months, spec.plan.visits_listed, on, last_visit)
        holiday_visits = _holiday_visits(spec, on, end)
        if last_full_assessment is None:
            notes.append(_note("full_assessment_due_now"))
            full = _due_date(on)
        else:
            due = add_months(last_full_assessment, spec.full_assessment.interval_months)
            full = _due_date(due, _due(due, on)[1])
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
                follow_ups.append(
                    trusted(FollowUp, {"date": day, "overdue": overdue, "overdue_days": days, "months_after": months})
                )

    late = [d.overdue_days for d in (first, *visits, *follow_ups) if d is not None and d.overdue]
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
        },
    )
