"""The household event: what happened, to whom, when, with details typed per event type."""

from __future__ import annotations

import datetime as dt
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from riskeval.facts._enums import (
    CourtDeclarationKind,
    DetentionKind,
    Dibao,
    DibaoChange,
    DisabilityType,
    EventType,
    HousingLossKind,
    ReleaseKind,
    SeparationKind,
)
from riskeval.facts._models import MAX_MONTHS, Id, Yuan, _Facts, located
from riskeval.facts._places import CountyCode

T = EventType
# Who an event is about: "child" / "member" required, optional, or not allowed ("-").
EVENT_SUBJECTS: dict[EventType, tuple[str, str]] = {
    T.ABUSE_REPORTED: ("child", "-"),
    T.CHILD_ALONE: ("child", "-"),
    T.CHILD_MISSING: ("child", "-"),
    T.CAREGIVER_LOST: ("?", "member"),
    T.CHILD_CRISIS: ("child", "-"),
    T.HOME_DISASTER: ("-", "-"),
    T.PARENT_DIED: ("?", "member"),
    T.PARENT_DETAINED: ("?", "member"),
    T.PARENT_LOST_CONTACT: ("?", "member"),
    T.COURT_DECLARATION: ("?", "member"),
    T.SERIOUS_ILLNESS_DIAGNOSED: ("?", "?"),
    T.DISABILITY_CERTIFIED: ("?", "?"),
    T.SCHOOL_DROPOUT: ("child", "-"),
    T.PARENT_LEFT_FOR_WORK: ("?", "member"),
    T.PARENT_RETURNED: ("?", "member"),
    T.HOUSEHOLD_MOVED: ("-", "-"),
    T.HOUSING_LOST: ("-", "-"),
    T.PARENTS_SEPARATED: ("?", "?"),
    T.CHILD_SUPPORT_STOPPED: ("?", "?"),
    T.JOB_LOST: ("-", "?"),
    T.DIBAO_CHANGED: ("-", "-"),
    T.MEDICAL_EXPENSE: ("?", "?"),
    T.PARENT_RELEASED: ("?", "member"),
    T.ADOPTION_FINALISED: ("child", "-"),
    T.VISIT_OVERDUE: ("?", "-"),
    T.ACCESS_REFUSED: ("?", "-"),
}

# The details each type may carry; the first group are required. `kind` is checked against its enum.
_DETAILS: dict[EventType, tuple[tuple[str, ...], tuple[str, ...]]] = {
    T.ABUSE_REPORTED: ((), ("kind",)),
    T.CHILD_ALONE: ((), ("kind",)),
    T.CHILD_MISSING: ((), ("kind",)),
    T.CAREGIVER_LOST: ((), ("kind",)),
    T.PARENT_DETAINED: ((), ("kind", "until")),
    T.PARENT_LOST_CONTACT: (("reported_on",), ()),
    T.COURT_DECLARATION: (("kind",), ()),
    T.DISABILITY_CERTIFIED: (("disability_type", "grade"), ("components",)),
    T.HOUSEHOLD_MOVED: (("county",), ()),
    T.HOUSING_LOST: ((), ("kind",)),
    T.PARENTS_SEPARATED: (("kind",), ()),
    T.CHILD_SUPPORT_STOPPED: (("months",), ()),
    T.JOB_LOST: ((), ("drop_pct",)),
    T.DIBAO_CHANGED: (("status",), ("level",)),
    T.MEDICAL_EXPENSE: (("amount",), ()),
    T.PARENT_RELEASED: ((), ("kind",)),
    T.VISIT_OVERDUE: ((), ("days",)),
}
_CAREGIVER_LOSS = ("died", "detained", "incapacitated")
_KINDS: dict[EventType, tuple[str, ...]] = {
    T.ABUSE_REPORTED: ("abuse", "domestic_violence", "sexual_abuse", "abandonment", "trafficking"),
    T.CHILD_ALONE: ("living_alone", "unattended"),
    T.CHILD_MISSING: ("missing", "runaway", "vagrant"),
    T.CAREGIVER_LOST: _CAREGIVER_LOSS,
    T.PARENT_DETAINED: tuple(DetentionKind),
    T.COURT_DECLARATION: tuple(CourtDeclarationKind),
    T.HOUSING_LOST: tuple(HousingLossKind),
    T.PARENTS_SEPARATED: tuple(SeparationKind),
    T.PARENT_RELEASED: tuple(ReleaseKind),
}
DETAIL_FIELDS = (
    "kind", "until", "reported_on", "disability_type", "grade", "components", "county", "months",
    "drop_pct", "status", "level", "amount", "days",
)  # fmt: skip


def event_kinds(event_type: EventType) -> tuple[str, ...]:
    """The allowed values of ``kind`` for an event type (empty when it takes none)."""
    return tuple(str(k) for k in _KINDS.get(event_type, ()))


def event_details(event_type: EventType) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The (required, optional) detail fields of an event type."""
    return _DETAILS.get(event_type, ((), ()))


class Event(_Facts):
    """A household event (DOMAIN.md §5), with the details its type carries."""

    id: Id
    household: Id
    date: date
    type: EventType
    child: Id | None = None
    member: Id | None = None
    kind: str | None = None
    # `dt.date`, because inside the class body `date` is the field above, not the type (mypy).
    until: dt.date | None = None
    reported_on: dt.date | None = None
    disability_type: DisabilityType | None = None
    grade: Annotated[int, Field(ge=1, le=4, strict=True)] | None = None
    components: list[DisabilityType] | None = None
    county: CountyCode | None = None
    months: Annotated[int, Field(ge=0, le=MAX_MONTHS)] | None = None
    drop_pct: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    status: DibaoChange | None = None
    level: Dibao | None = None
    amount: Yuan | None = None
    # a plausibility bound, as MAX_MONTHS: a hundred years of days (a rule may do arithmetic on it)
    days: Annotated[int, Field(ge=0, le=MAX_MONTHS * 31)] | None = None

    @model_validator(mode="after")
    def _details_fit_type(self) -> Event:
        problems: list[tuple[tuple[str | int, ...], str, str, Any]] = []
        child_rule, member_rule = EVENT_SUBJECTS[self.type]
        for field, rule in (("child", child_rule), ("member", member_rule)):
            value = getattr(self, field)
            if rule == field and value is None:
                problems.append(((field,), "missing", f"a {self.type.value} event must name its {field}", None))
            elif rule == "-" and value is not None:
                problems.append(((field,), "not_allowed", f"a {self.type.value} event does not take a {field}", value))
        required, optional = event_details(self.type)
        for field in DETAIL_FIELDS:
            value = getattr(self, field)
            if field in required and value is None:
                problems.append(((field,), "missing", f"a {self.type.value} event needs {field}", None))
            elif value is not None and field not in required + optional:
                allowed = ", ".join(required + optional) or "none"
                problems.append(
                    (
                        (field,),
                        "not_allowed",
                        f"a {self.type.value} event does not take {field} (its details: {allowed})",
                        _plain(value),
                    )
                )
        kinds = event_kinds(self.type)
        if self.kind is not None and kinds and self.kind not in kinds:
            allowed = ", ".join(repr(k) for k in kinds)
            problems.append(
                (
                    ("kind",),
                    "enum",
                    f"kind of a {self.type.value} event should be one of {allowed}",
                    self.kind,
                )
            )
        if self.until is not None and self.until < self.date:
            problems.append((("until",), "date_order", f"until {self.until} is before the event date", None))
        if problems:
            raise located(problems)
        return self


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else str(value) if isinstance(value, date) else value
