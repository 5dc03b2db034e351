"""The visit plan, as :func:`riskeval.schedule.plan_visits` returns it: dates, overdue flags and notes.

Every model is frozen, so the dates and notes that recur across the plans of a batch are built once and
shared (``_due_date``, ``_note``).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Literal

from pydantic import Field

from riskeval._build import trusted
from riskeval._label import Label
from riskeval.schedule._spec import _Spec


class DueDate(_Spec):
    """A date by which something is due, and by how many days it was missed on the plan date."""

    date: dt.date = Field(description="The date it is due by (YYYY-MM-DD).", examples=["2026-01-30"])
    overdue: bool = Field(default=False, description="It was already past on the plan date.", examples=[False])
    overdue_days: int = Field(
        default=0,
        description="By how many calendar days it was missed on the plan date (0 when not overdue).",
        examples=[0],
    )
    moved_from: dt.date | None = Field(
        default=None, description="the rest day the date fell on, before the pack's rest-day rule moved it"
    )


class FirstVisit(DueDate):
    """The first visit of a newly identified child, counted from ``identified_on``."""

    rule: Literal["standard", "urgent"] = Field(
        description="Which limit applied: standard, or urgent (the urgent tier's shorter one).", examples=["standard"]
    )
    identified_on: dt.date = Field(
        description="The day the child was identified, which the limit counts from.", examples=["2025-11-20"]
    )


class Verification(DueDate):
    """The visit that verifies an undetermined roster status, counted from the assessment date ``on``."""

    counted_from: dt.date = Field(description="The assessment date the limit counts from.", examples=["2025-12-01"])


class FollowUp(DueDate):
    """A follow-up visit of an exited child, ``months_after`` the aging-out birthday."""

    months_after: int = Field(description="How many months after the aging-out birthday.", examples=[3])


class HolidayVisit(_Spec):
    """The next occurrence of a pack holiday; the visit may be made from ``visit_from``."""

    id: str = Field(description="The holiday's id in the pack's schedule.yaml.", examples=["spring_festival"])
    date: dt.date = Field(description="The holiday's next date within the horizon.", examples=["2026-02-17"])
    visit_from: dt.date = Field(
        description="The first day the holiday visit may be made (the pack's lead_days before it).",
        examples=["2026-02-03"],
    )
    label: Label = Field(description="The holiday's name in zh and en.")


class Milestone(_Spec):
    """An age the child reaches on ``date``; it is announced from ``notice_from``."""

    age: int = Field(description="The age in completed years the child reaches.", examples=[16])
    date: dt.date = Field(
        description="The birthday it falls on (Feb 29 birthdays per the pack's leap_day_birthday).",
        examples=["2027-05-20"],
    )
    notice_from: dt.date = Field(
        description="The day it is announced from (the pack's lead_days before it).", examples=["2027-04-20"]
    )
    label: Label = Field(description="What changes at that age, in zh and en.")


class PlanNote(_Spec):
    """Why part of the plan is missing or approximate: a stable ``code`` and a sentence in zh and en."""

    code: str = Field(
        description=(
            "A stable code: not_on_roster, undetermined, no_visit_frequency, cadence_from_as_of, "
            "full_assessment_due_now, birth_date_unknown, due_moved_earlier, due_moved_later, calendar_estimated."
        ),
        examples=["cadence_from_as_of"],
    )
    zh: str = Field(description="The note in Chinese.")
    en: str = Field(description="The note in English.")


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
        verification: the visit that verifies an undetermined roster status (the facts it lacks are the
            assessment's data gaps), else null.
        notes: what is missing or approximate, as codes with a sentence in zh and en.
    """

    on: dt.date = Field(description="The assessment date the plan counts from.", examples=["2025-12-01"])
    status: str = Field(
        description="The roster status: on_roster, not_on_roster, exited or undetermined.", examples=["on_roster"]
    )
    tier: str | None = Field(description="The final tier the cadence follows; null with no tier.", examples=["special"])
    visit_frequency: str | None = Field(
        description="The visit frequency of the tier; null with no tier.", examples=["monthly"]
    )
    cadence_months: int | None = Field(
        description="The months between two cadence visits (schedule.yaml cadences); null with no frequency.",
        examples=[1],
    )
    first_visit: FirstVisit | None = Field(
        description="The first-visit deadline of a newly identified child not yet visited, else null."
    )
    next_visits: tuple[DueDate, ...] = Field(
        description="The next cadence visits; one overdue comes first, flagged, and the cadence restarts from on."
    )
    overdue: bool = Field(description="A first, cadence or follow-up visit is overdue.", examples=[False])
    overdue_days: int = Field(
        description="The longest delay among the overdue visits, in calendar days (0 when none).", examples=[0]
    )
    holiday_visits: tuple[HolidayVisit, ...] = Field(
        description="The next occurrence of each pack holiday within the horizon, by date."
    )
    next_full_assessment: DueDate | None = Field(
        description=(
            "One interval after the last full assessment, or on when none is on record; null when the child has no "
            "follow-up."
        )
    )
    milestones: tuple[Milestone, ...] = Field(description="The ages the child reaches within the horizon.")
    follow_ups: tuple[FollowUp, ...] = Field(description="The follow-up visits of an exited child.")
    notes: tuple[PlanNote, ...] = Field(
        description="What is missing or approximate in the plan, as codes with a sentence in zh and en."
    )
    verification: Verification | None = Field(
        default=None, description="the visit that verifies an undetermined roster status, else null"
    )


_NOTES: dict[str, tuple[str, str]] = {
    "not_on_roster": (
        "儿童不在花名册上，不安排定期走访和节日走访。",
        "Not on the roster (status {0}): no cadence or holiday visits.",
    ),
    "undetermined": (
        "在册状态待核实：须在期限内走访核实缺失的事实，核实前不安排定期走访和节日走访。",
        "The roster status is to be verified: a visit verifies the missing facts by the deadline; no cadence or "
        "holiday visits until then.",
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
    "due_moved_earlier": (
        "到期日遇休息日的，提前到此前最后一个工作日。",
        "A due date on a rest day is moved to the working day before it, as the pack says.",
    ),
    "due_moved_later": (
        "到期日遇休息日的，顺延到此后第一个工作日。",
        "A due date on a rest day is moved to the next working day, as the pack says.",
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


@lru_cache(maxsize=16384)
def _due_date(day: dt.date, overdue_days: int = 0) -> DueDate:
    # Plans of one batch share most dates, and a DueDate is immutable: build each one once.
    return trusted(
        DueDate, {"date": day, "overdue": overdue_days > 0, "overdue_days": overdue_days, "moved_from": None}
    )
