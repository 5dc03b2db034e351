"""An event's fact changes: the household it leaves behind, and why an event cannot apply.

Models are immutable by convention: every change is a ``model_copy`` of the parts it touches, and
the household passed in is never modified. What an event sets follows the fact schema's meaning
(DESIGN.md, "Facts"): a detention runs from the event date until ``until``; lost contact runs from
the date the police accepted the report; an unknown detail leaves the fact it would set as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts import (
    Child,
    CivilCapacity,
    Dibao,
    Disability,
    Economy,
    Employment,
    Event,
    EventType,
    Household,
    Housing,
    Member,
    MemberStatus,
    ParentsRelationship,
    Psych,
    Residence,
    Safety,
    School,
)

T = EventType
# The member status an event sets, by event type (and kind, where the kind decides).
_STATUS_BY_KIND: dict[EventType, dict[str | None, str]] = {
    T.PARENT_DIED: {None: "deceased"},
    T.PARENT_DETAINED: {None: "imprisoned", "imprisoned": "imprisoned", "compulsory_rehab": "compulsory_rehab",
                        "liberty_restricted": "liberty_restricted"},
    T.PARENT_LOST_CONTACT: {None: "lost_contact"},
    T.COURT_DECLARATION: {k: k for k in ("declared_dead", "declared_missing", "guardianship_revoked", "deported")},
    T.CAREGIVER_LOST: {"died": "deceased", "detained": "imprisoned"},
    T.PARENT_LEFT_FOR_WORK: {None: "away_for_work"},
    T.PARENT_RETURNED: {None: "present"},
    T.PARENT_RELEASED: {None: "present", "released": "present", "contact_regained": "present"},
}  # fmt: skip
_CHILD_EVENTS = {T.ABUSE_REPORTED, T.CHILD_ALONE, T.CHILD_MISSING, T.CHILD_CRISIS, T.SCHOOL_DROPOUT,
                 T.ADOPTION_FINALISED}  # fmt: skip
# The safety concern an event records when it does not say which (the event's own name).
_DEFAULT_SAFETY = {T.ABUSE_REPORTED: "abuse", T.CHILD_ALONE: "living_alone", T.CHILD_MISSING: "missing"}


def new_status(event: Event) -> tuple[str, date] | None:
    """The member status an event sets and the date it starts, or None when it sets none."""
    by_kind = _STATUS_BY_KIND.get(event.type)
    if by_kind is None or event.member is None:
        return None
    status = by_kind.get(event.kind) if event.kind is not None else by_kind.get(None)
    if status is None:
        return None
    since = event.reported_on if event.type == T.PARENT_LOST_CONTACT and event.reported_on else event.date
    return status, since


def problems(household: Household, event: Event) -> list[ErrorRecord]:
    """Why an event cannot apply to a household: unknown child or member, or dated before what it changes."""
    out: list[ErrorRecord] = []
    child = member = None
    if event.child is not None:
        child = next((c for c in household.children if c.id == event.child), None)
        if child is None:
            message = f"household {household.id!r} has no child {event.child!r}"
            out.append(ErrorRecord("child", "unknown_child", message, event.child))
    if event.member is not None:
        member = household.member(event.member)
        if member is None:
            message = f"household {household.id!r} has no member {event.member!r}"
            out.append(ErrorRecord("member", "unknown_member", message, event.member))
    if out:
        return out
    change = new_status(event)
    if member is not None and change is not None and member.status_since is not None:
        since = change[1]
        if since < member.status_since:
            field = "reported_on" if event.type == T.PARENT_LOST_CONTACT else "date"
            out.append(
                ErrorRecord(
                    field,
                    "date_order",
                    f"{field} {since} is before the status_since of member {member.id!r}"
                    f" ({member.status_since}), the fact the event changes",
                    str(since),
                )
            )
    people = [child] if child is not None else household.children if event.type in _CHILD_EVENTS else []
    for c in people:
        if c.birth_date is not None and event.date < c.birth_date:
            message = f"date {event.date} is before child {c.id!r} was born"
            out.append(ErrorRecord("date", "date_order", message, str(event.date)))
    if event.type == T.HOUSEHOLD_MOVED:
        for c in household.children:
            if c.residence is not None and c.residence.since is not None and event.date < c.residence.since:
                message = (
                    f"date {event.date} is before child {c.id!r}'s residence.since {c.residence.since},"
                    " the fact the event changes"
                )
                out.append(ErrorRecord("date", "date_order", message, str(event.date)))
                break
    return out


def apply_event(household: Household, event: Event) -> Household:
    """Return the household as the event leaves it.

    Raises:
        FactsError: the event names a child or member the household does not have, or is dated before
            a fact it changes; the household is then unchanged.
    """
    found = problems(household, event)
    if found:
        raise FactsError(found, f"event {event.id}: cannot apply to household {household.id}")
    return updated(household, event)


def updated(household: Household, event: Event) -> Household:
    """The household as the event leaves it, for an event that :func:`problems` has passed."""
    return _APPLY.get(event.type, _nothing)(household, event)


def affected(household: Household, event: Event) -> list[Child]:
    """The children an event concerns: the one it names; else the named member's; else all of them. A child
    born after the event is none of them (a father who died before the birth)."""
    if event.child is not None:
        return [c for c in household.children if c.id == event.child]
    children = born_by(household, event.date)
    if event.member is not None:
        mine = [c for c in children if event.member in (c.father, c.mother, c.caregiver)]
        if mine:
            return mine
    return children


def born_by(household: Household, day: date) -> list[Child]:
    """The household's children born on or before a day (a child of unknown birth date counts)."""
    return [c for c in household.children if c.birth_date is None or c.birth_date <= day]


# --- the changes, one function per family of event ---------------------------------------------------


def _nothing(h: Household, e: Event) -> Household:
    return h


def _member(h: Household, member_id: str, **update: Any) -> Household:
    members = [m.model_copy(update=update) if m.id == member_id else m for m in h.members or []]
    return h.model_copy(update={"members": members})


def _child(h: Household, child_id: str, **update: Any) -> Household:
    children = [c.model_copy(update=update) if c.id == child_id else c for c in h.children]
    return h.model_copy(update={"children": children})


def _economy(h: Household, **update: Any) -> Household:
    economy = (h.economy or Economy()).model_copy(update=update)
    return h.model_copy(update={"economy": economy})


def _get_child(h: Household, e: Event) -> Child:
    return next(c for c in h.children if c.id == e.child)


def _get_member(h: Household, e: Event) -> Member:
    m = h.member(e.member)
    assert m is not None  # problems() has checked
    return m


def _status(h: Household, e: Event) -> Household:
    change = new_status(e)
    if change is None or e.member is None:
        return h
    status, since = change
    update: dict[str, Any] = {"status": MemberStatus(status), "status_since": since, "status_until": e.until}
    if e.type == T.PARENT_LEFT_FOR_WORK:
        update["lives_with_children"] = False
    elif e.type == T.PARENT_RETURNED:
        update.update(lives_with_children=True, last_seen_in_person=e.date)
    return _member(h, e.member, **update)


def _caregiver_lost(h: Household, e: Event) -> Household:
    if e.member is not None and e.kind == "incapacitated":
        return _member(h, e.member, civil_capacity=CivilCapacity.NONE)
    return _status(h, e)


def _safety(h: Household, e: Event) -> Household:
    child = _get_child(h, e)
    concern = Safety(e.kind or _DEFAULT_SAFETY[e.type])
    known = list(child.safety or [])
    if concern not in known:
        known.append(concern)
    return _child(h, child.id, safety=known)


def _released(h: Household, e: Event) -> Household:
    if e.kind == "certificate_downgraded" and e.member is not None:
        # The new grade is not in the event: the certificate is no longer known.
        return _member(h, e.member, disability=None)
    return _status(h, e)


def _illness(h: Household, e: Event) -> Household:
    if e.member is not None:
        return _member(h, e.member, serious_illness=True)
    if e.child is not None:
        return _child(h, e.child, serious_illness=True)
    return h


def _certificate(h: Household, e: Event) -> Household:
    cert = Disability(type=e.disability_type, grade=e.grade, components=e.components)
    if e.member is not None:
        return _member(h, e.member, disability=cert)
    if e.child is not None:
        return _child(h, e.child, disability=cert)
    return h


def _moved(h: Household, e: Event) -> Household:
    # Only a change of county starts a new residence period (民发〔2024〕35号 counts months in the county): a
    # move inside the county keeps the date the child came, and a move from an unknown county has no known start.
    def moved(c: Child) -> Child:
        before = c.residence
        if before is not None and before.county == e.county:
            return c
        since = e.date if before is not None and before.county is not None else None
        return c.model_copy(update={"residence": Residence(county=e.county, since=since)})

    return h.model_copy(update={"children": [moved(c) for c in h.children]})


def _separated(h: Household, e: Event) -> Household:
    if e.kind in ("separated", "divorced"):
        return h.model_copy(update={"parents_relationship": ParentsRelationship(e.kind)})
    return h


def _job_lost(h: Household, e: Event) -> Household:
    if e.member is not None:
        h = _member(h, e.member, employment=Employment.UNEMPLOYED)
    if e.drop_pct is not None:
        h = _economy(h, income_drop_pct_3m=e.drop_pct)
    return h


def _dibao(h: Household, e: Event) -> Household:
    if e.status == "stopped":
        return _economy(h, dibao=Dibao.NONE)
    if e.level is not None:
        return _economy(h, dibao=e.level)
    if e.status == "granted":
        return _economy(h, dibao=Dibao.DIBAO)
    return h  # reduced, to an unknown level


def _medical(h: Household, e: Event) -> Household:
    # A known total grows by the expense. An unknown one stays unknown: the facts cannot say "at least the
    # expense", and reading it as zero would close a data gap (the trigger row reads the amount itself).
    if e.amount is None:
        return h
    if e.member is not None:
        spent = _get_member(h, e).medical_spending_12m
        if spent is not None:
            h = _member(h, e.member, medical_spending_12m=spent + e.amount)
    total = h.economy.medical_spending_12m if h.economy is not None else None
    return h if total is None else _economy(h, medical_spending_12m=total + e.amount)


_APPLY: dict[EventType, Callable[[Household, Event], Household]] = {
    T.ABUSE_REPORTED: _safety,
    T.CHILD_ALONE: _safety,
    T.CHILD_MISSING: _safety,
    T.CAREGIVER_LOST: _caregiver_lost,
    T.CHILD_CRISIS: lambda h, e: _child(h, _get_child(h, e).id, psych=Psych.CRISIS),
    T.HOME_DISASTER: lambda h, e: h.model_copy(update={"housing": Housing.HOMELESS}),
    T.PARENT_DIED: _status,
    T.PARENT_DETAINED: _status,
    T.PARENT_LOST_CONTACT: _status,
    T.COURT_DECLARATION: _status,
    T.SERIOUS_ILLNESS_DIAGNOSED: _illness,
    T.DISABILITY_CERTIFIED: _certificate,
    T.SCHOOL_DROPOUT: lambda h, e: _child(h, _get_child(h, e).id, school=School.DROPPED_OUT),
    T.PARENT_LEFT_FOR_WORK: _status,
    T.PARENT_RETURNED: _status,
    T.HOUSEHOLD_MOVED: _moved,
    T.HOUSING_LOST: lambda h, e: h.model_copy(update={"housing": Housing(e.kind or "homeless")}),
    T.PARENTS_SEPARATED: _separated,
    T.CHILD_SUPPORT_STOPPED: lambda h, e: _economy(h, child_support_unpaid_months=e.months),
    T.JOB_LOST: _job_lost,
    T.DIBAO_CHANGED: _dibao,
    T.MEDICAL_EXPENSE: _medical,
    T.PARENT_RELEASED: _released,
    T.ADOPTION_FINALISED: lambda h, e: _child(h, _get_child(h, e).id, adopted=True),
    T.VISIT_OVERDUE: _nothing,
    T.ACCESS_REFUSED: _nothing,
}
