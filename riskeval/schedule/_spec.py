"""The file format of a pack's ``schedule.yaml``: every date rule of the visit plan, each with a source.

:class:`ScheduleFile` is the whole file and the models below are its sections. What a section can check
alone (one rule per deadline, a calendar the ``holidays`` library knows, unique ids, increasing ages) is
rejected when the pack loads; :mod:`riskeval.schedule` does the counting.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from riskeval._label import Label
from riskeval._limits import MAX_PACK_AGE, MAX_PACK_DAYS, MAX_PACK_HOURS, MAX_PACK_MONTHS, MAX_PACK_VISITS
from riskeval.errors import EvaluationError
from riskeval.facts import LATEST
from riskeval.schedule import _calendar

Source = Annotated[str, Field(min_length=1, description='document and article, or "PROPOSAL: ..."')]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Sourced(_Spec):
    source: Source


class CalendarOverride(_Sourced):
    """One day whose working status the pack fixes itself (e.g. a notice newer than the library)."""

    date: dt.date = Field(description="The day (YYYY-MM-DD).", examples=["2026-10-10"])
    working: bool = Field(description="true: a working day (a make-up day, 调休); false: a rest day.", examples=[True])


class CalendarSpec(_Sourced):
    """The working-day calendar: a country (and subdivision) of the ``holidays`` library."""

    country: str = Field(
        min_length=2,
        max_length=3,
        description="A country code of the holidays library (ISO 3166, two or three letters).",
        examples=["CN"],
    )
    subdivision: str | None = Field(
        default=None,
        description="A subdivision of that country in the holidays library; null: the whole country.",
        examples=[None],
    )
    official_through: int = Field(
        ge=1900, le=LATEST.year, description="last year whose official holiday notice was checked"
    )
    overrides: tuple[CalendarOverride, ...] = Field(
        default=(),
        description=(
            "Days whose working status the pack fixes itself, over the library's (e.g. a notice newer than the "
            "library)."
        ),
        examples=[[]],
    )

    @model_validator(mode="after")
    def _known_calendar(self) -> Self:
        problem = _calendar.check_country(self.country, self.subdivision) or _calendar.check_coverage(
            self.country, self.subdivision, self.official_through
        )
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

    months: int = Field(
        ge=1,
        le=MAX_PACK_MONTHS,
        description=(
            "The most months between two visits, counted per 民法典 Art. 202 (the same day of the target month, else "
            "its last day)."
        ),
        examples=[1],
    )
    label: Label = Field(description="The name in zh and en.")


class Deadline(_Sourced):
    """A time limit: exactly one of ``working_days``, ``calendar_days`` or ``hours``.

    Plans hold dates, not times, so ``hours`` become calendar days rounded up (24 h: by the next day; 0 h:
    the same day), weekends and holidays included: an urgent response does not wait for a working day.
    """

    working_days: int | None = Field(
        default=None,
        ge=0,
        le=MAX_PACK_DAYS,
        description="The limit in working days of the pack's calendar (rest days and holidays skipped).",
        examples=[5],
    )
    calendar_days: int | None = Field(
        default=None, ge=0, le=MAX_PACK_DAYS, description="The limit in calendar days.", examples=[30]
    )
    hours: int | None = Field(
        default=None,
        ge=0,
        le=MAX_PACK_HOURS,
        description="The limit in hours, as calendar days rounded up (24: by the next day; 0: the same day).",
        examples=[24],
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if sum(v is not None for v in (self.working_days, self.calendar_days, self.hours)) != 1:
            raise ValueError("give exactly one of working_days, calendar_days, hours")
        return self


class FirstVisitSpec(_Spec):
    """First visit after a child is identified: the standard limit and the one for the urgent tier."""

    standard: Deadline = Field(
        description="The first-visit limit after identification, for every tier but the urgent one."
    )
    urgent: Deadline = Field(description="The first-visit limit for a child in the urgent tier.")


class HolidaySpec(_Sourced):
    """A holiday with a visit: a Gregorian ``month``/``day``, or a Chinese lunisolar feast (``lunar``)."""

    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="The holiday's id (lower case, digits and _), as plans name it.",
        examples=["spring_festival"],
    )
    label: Label = Field(description="The name in zh and en.")
    month: int | None = Field(
        default=None,
        ge=1,
        le=12,
        description="A Gregorian holiday's month, 1 to 12 (with day); absent for a lunar feast.",
        examples=[6],
    )
    day: int | None = Field(
        default=None,
        ge=1,
        le=31,
        description="A Gregorian holiday's day of the month (with month); absent for a lunar feast.",
        examples=[1],
    )
    lunar: _calendar.LunarFeast | None = Field(
        default=None,
        description=(
            "A Chinese lunisolar feast: chinese_new_year, dragon_boat, mid_autumn or double_ninth; absent for a "
            "Gregorian holiday."
        ),
        examples=["mid_autumn"],
    )
    offset_days: int = Field(
        default=0,
        ge=-MAX_PACK_DAYS,
        le=MAX_PACK_DAYS,
        description="e.g. -1 with lunar chinese_new_year: New Year's Eve",
    )

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

    lead_days: int = Field(
        ge=0, le=MAX_PACK_DAYS, description="How many days before the holiday its visit may be made.", examples=[14]
    )
    holidays: tuple[HolidaySpec, ...] = Field(description="The holidays with a visit, ids unique.")

    @field_validator("holidays")
    @classmethod
    def _unique(cls, value: tuple[HolidaySpec, ...]) -> tuple[HolidaySpec, ...]:
        ids = [h.id for h in value]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate holiday id in {ids}")
        return value


class FullAssessmentSpec(_Sourced):
    """How long after the last full assessment the next one is due."""

    interval_months: int = Field(
        ge=1, le=MAX_PACK_MONTHS, description="The months from one full assessment to the next.", examples=[12]
    )


class MilestoneAge(_Sourced):
    """One age at which something changes for the child."""

    age: int = Field(ge=1, le=30, description="The age in completed years, 1 to 30.", examples=[16])
    label: Label = Field(description="The name in zh and en.")


class MilestonesSpec(_Sourced):
    """Age milestones, shown ``lead_days`` before they fall; birthdays of Feb 29 per ``leap_day_birthday``."""

    lead_days: int = Field(
        ge=0, le=MAX_PACK_DAYS, description="How many days before the birthday a milestone is announced.", examples=[30]
    )
    leap_day_birthday: Literal["feb_28", "mar_1"] = Field(
        description=(
            "The birthday in a common year of a child born on Feb 29: feb_28 or mar_1; every age and plan counts so."
        ),
        examples=["mar_1"],
    )
    ages: tuple[MilestoneAge, ...] = Field(description="The milestone ages, strictly increasing.")

    @field_validator("ages")
    @classmethod
    def _increasing(cls, value: tuple[MilestoneAge, ...]) -> tuple[MilestoneAge, ...]:
        ages = [m.age for m in value]
        if ages != sorted(set(ages)):
            raise ValueError(f"milestone ages must be strictly increasing, got {ages}")
        return value


class FollowUpSpec(_Sourced):
    """Follow-up visits of an exited child: ``months`` after the birthday of ``after_age``."""

    after_age: int = Field(
        ge=1,
        le=MAX_PACK_AGE,
        description="The age whose birthday the follow-ups count from (the aging-out age).",
        examples=[18],
    )
    months: tuple[Annotated[int, Field(ge=0, le=MAX_PACK_MONTHS)], ...] = Field(
        min_length=1,
        description="The months after that birthday of each follow-up visit, positive and strictly increasing.",
        examples=[[3, 6]],
    )

    @field_validator("months")
    @classmethod
    def _increasing(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if list(value) != sorted(set(value)) or value[0] < 1:
            raise ValueError(f"follow-up months must be positive and strictly increasing, got {list(value)}")
        return value


class PlanSpec(_Sourced):
    """How much a plan shows: ``visits_listed`` cadence visits; holidays and milestones within the horizon."""

    due_on_rest_day: Literal["keep", "previous_working_day", "next_working_day"] = Field(
        default="keep",
        description=(
            "where a cadence visit, full assessment or follow-up due on a rest day goes: 'previous_working_day' "
            "reads a due date as 'no later than'; 'keep' leaves it on the rest day"
        ),
    )
    visits_listed: int = Field(
        ge=1, le=MAX_PACK_VISITS, description="How many cadence visits a plan lists.", examples=[3]
    )
    horizon_months: int = Field(
        ge=1,
        le=MAX_PACK_MONTHS,
        description="How many months ahead a plan lists holidays and milestones.",
        examples=[12],
    )


class ScheduleFile(_Spec):
    """The content of a pack's ``schedule.yaml``: every date rule of the visit plan, each with a source."""

    calendar: CalendarSpec = Field(description="The working-day calendar.")
    plan: PlanSpec = Field(description="How much a plan shows, and where a due date on a rest day goes.")
    cadences: dict[str, Cadence] = Field(min_length=1, description="visit frequency id → cadence")
    first_visit: FirstVisitSpec = Field(description="The first-visit limits after a child is identified.")
    holiday_visits: HolidayVisitsSpec = Field(description="The holidays with an extra visit.")
    full_assessment: FullAssessmentSpec = Field(description="When the next full assessment is due.")
    milestones: MilestonesSpec = Field(description="The ages at which something changes for the child.")
    exited_follow_up: FollowUpSpec = Field(description="The follow-up visits of a child who aged out.")
    verification_visit: Deadline = Field(
        description=(
            "the time limit of the visit that verifies an undetermined roster status, counted from the assessment date"
        )
    )
