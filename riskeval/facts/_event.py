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

    id: Id = Field(
        description=(
            "A pseudonymous id of the event, unique among its household's events (letters, digits and _ . : -, at most "
            "64); the monitor applies an id once."
        ),
        examples=["ev-2026-0042"],
    )
    household: Id = Field(description="The id of the household the event happened to.", examples=["hh-2025-0001"])
    date: dt.date = Field(
        description="The day it happened (YYYY-MM-DD); the trigger's due date counts from it.", examples=["2026-01-12"]
    )
    type: EventType = Field(
        description=(
            "What happened: one of the event types (abuse_reported, parent_died, school_dropout, ...); the type says "
            "which of child, member and the details are required, optional or not allowed."
        ),
        examples=["school_dropout"],
    )
    child: Id | None = Field(
        default=None,
        description=(
            "The id of the child the event is about, when it is about one child (required for child events, optional "
            "for some, not allowed for household events)."
        ),
        examples=["c1"],
    )
    member: Id | None = Field(
        default=None,
        description=(
            "The id of the member the event is about (required for parent events, optional for some, not allowed for "
            "others)."
        ),
        examples=["m1"],
    )
    kind: str | None = Field(
        default=None,
        description=(
            "What exactly happened, from the list of the event's type: abuse_reported: abuse, domestic_violence, "
            "sexual_abuse, abandonment, trafficking; child_alone: living_alone, unattended; child_missing: missing, "
            "runaway, vagrant; caregiver_lost: died, detained, incapacitated; parent_detained: imprisoned, "
            "compulsory_rehab, liberty_restricted; court_declaration: declared_dead, declared_missing, "
            "guardianship_revoked, deported; housing_lost: eviction_notice, homeless, dilapidated; parents_separated: "
            "separated, divorced, custody_change, new_cohabitant; parent_released: released, contact_regained, "
            "certificate_downgraded. Null or absent: unknown. Only for the event types that take it (see the table of "
            "event types)."
        ),
        examples=["imprisoned"],
    )
    # `dt.date`: inside the class body `date` is the field (pydantic and mypy would read it as the type).
    until: dt.date | None = Field(
        default=None,
        description=(
            "parent_detained: the last day of the sentence, rehab or restriction (YYYY-MM-DD, not before the event's "
            "date); the 62号 term is until − date. Null or absent: unknown. Only for the event types that take it (see "
            "the table of event types)."
        ),
        examples=["2027-01-11"],
    )
    reported_on: dt.date | None = Field(
        default=None,
        description=(
            "parent_lost_contact: the date (YYYY-MM-DD) the police accepted the report; the 6-month lost-contact "
            "period counts from it. Only for the event types that take it (see the table of event types)."
        ),
        examples=["2026-01-05"],
    )
    disability_type: DisabilityType | None = Field(
        default=None,
        description=(
            "disability_certified: the certificate's type (visual, hearing, speech, physical, intellectual, mental, "
            "multiple). Only for the event types that take it (see the table of event types)."
        ),
        examples=["physical"],
    )
    grade: Annotated[int, Field(ge=1, le=4, strict=True)] | None = Field(
        default=None,
        description=(
            "disability_certified: the certificate's grade, 1 (most severe) to 4. Only for the event types that take "
            "it (see the table of event types)."
        ),
        examples=[2],
    )
    components: list[DisabilityType] | None = Field(
        default=None,
        description=(
            "disability_certified with type multiple: the types the certificate combines. Null or absent: unknown. "
            "Only for the event types that take it (see the table of event types)."
        ),
        examples=[["visual", "hearing"]],
    )
    county: CountyCode | None = Field(
        default=None,
        description=(
            "household_moved: the county moved to, a GB/T 2260 county code or a name the table resolves to one code. "
            "Only for the event types that take it (see the table of event types)."
        ),
        examples=["610113"],
    )
    months: Annotated[int, Field(ge=0, le=MAX_MONTHS)] | None = Field(
        default=None,
        description=(
            "child_support_stopped: how many months of child support are now unpaid, 0 to 1200. Only for the event "
            "types that take it (see the table of event types)."
        ),
        examples=[2],
    )
    drop_pct: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = Field(
        default=None,
        description=(
            "job_lost: how far household income fell, in percent (0 to 100). Null or absent: unknown. Only for the "
            "event types that take it (see the table of event types)."
        ),
        examples=[50.0],
    )
    status: DibaoChange | None = Field(
        default=None,
        description=(
            "dibao_changed: granted, reduced or stopped. Only for the event types that take it (see the table of event "
            "types)."
        ),
        examples=["stopped"],
    )
    level: Dibao | None = Field(
        default=None,
        description=(
            "dibao_changed: the assistance after the change: none, low_income, dibao or tekun. Null or absent: "
            "unknown. Only for the event types that take it (see the table of event types)."
        ),
        examples=["none"],
    )
    amount: Yuan | None = Field(
        default=None,
        description=(
            "medical_expense: the expense, in yuan (one amount, not per month). Only for the event types that take it "
            "(see the table of event types)."
        ),
        examples=[30000.0],
    )
    # a plausibility bound, as MAX_MONTHS: a hundred years of days (a rule may do arithmetic on it)
    days: Annotated[int, Field(ge=0, le=MAX_MONTHS * 31)] | None = Field(
        default=None,
        description=(
            "visit_overdue: by how many days the visit is late, 0 to 37200. Null or absent: unknown. Only for the "
            "event types that take it (see the table of event types)."
        ),
        examples=[21],
    )

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
