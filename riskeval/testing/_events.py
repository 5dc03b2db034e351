"""Hypothesis strategies for valid events: every type, with the details its type allows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from riskeval.errors import FactsError

# Private on purpose: who an event names is part of Event's validation, not yet public API.
from riskeval.facts import (
    DETAIL_FIELDS,
    EVENT_SUBJECTS,
    Dibao,
    DibaoChange,
    DisabilityType,
    Event,
    EventType,
    Household,
    event_details,
    event_kinds,
)
from riskeval.testing._draw import (
    ASSESSMENT_DATE,
    PLACES,
    Data,
    dates,
    ints,
    latest,
    money,
    pct,
    pick,
    shift,
    unknown,
)
from riskeval.triggers import apply_event

_PLAIN: dict[str, st.SearchStrategy[Any]] = {
    "disability_type": st.sampled_from(DisabilityType),
    "grade": st.integers(1, 4),
    "county": st.sampled_from([county for _, county in PLACES]),
    "months": st.one_of(st.integers(1, 3), st.integers(0, 36)),  # around the two-month line, and beyond
    "drop_pct": pct,
    "status": st.sampled_from(DibaoChange),
    "level": st.sampled_from(Dibao),
    "amount": money,
    "days": st.integers(0, 60),
}
_COMPONENTS = st.lists(st.sampled_from(DisabilityType), min_size=2, max_size=3, unique=True)


def _detail(name: str, event_type: EventType, day: date, data: Data) -> st.SearchStrategy[Any]:
    """The values a detail can take, consistent with the event's date and other details."""
    if name == "kind":
        return pick(event_kinds(event_type))
    if name == "until":
        return dates(day, shift(day, years=5))
    if name == "reported_on":
        return dates(shift(day, years=-1), day)
    if name == "components":
        return _COMPONENTS if data.get("disability_type") == DisabilityType.MULTIPLE else st.none()
    return _PLAIN[name]


def _people(household: Household | None, household_id: str) -> dict[str, list[str]]:
    if household is None:
        children = [f"{household_id}-c{n}" for n in range(1, 4)]
        return {
            "child": children,
            "member": [f"{household_id}-{r}" for r in ("father", "mother", "grandmother")],
        }
    return {"child": [c.id for c in household.children], "member": [m.id for m in household.members or []]}


def _possible(types: tuple[EventType, ...], people: dict[str, list[str]]) -> tuple[EventType, ...]:
    """The types whose required child or member the household has."""
    return tuple(t for t in types if all(people[who] or EVENT_SUBJECTS[t][i] != who for i, who in enumerate(people)))


@st.composite
def _event(draw: st.DrawFn, household: Household | None, on: date, types: tuple[EventType, ...]) -> Event:
    household_id = household.id if household else f"hh{draw(ints(1, 999_999)):06d}"
    people = _people(household, household_id)
    event_type = draw(pick(_possible(types, people)))
    day = draw(dates(shift(on, years=-1), latest(on)))
    data: Data = {
        "id": f"ev{draw(ints(1, 10**9))}",
        "household": household_id,
        "date": day,
        "type": event_type,
    }
    parents = sorted({p for c in household.children for p in (c.father, c.mother) if p} if household else ())
    if event_type.value.startswith("parent_") and parents:
        people["member"] = parents  # a parent event names a parent, when the household records one
    for (who, ids), rule in zip(people.items(), EVENT_SUBJECTS[event_type], strict=True):
        named = rule == who or (rule == "?" and bool(ids) and not draw(unknown))
        data[who] = draw(pick(tuple(ids))) if named else None
    required, optional = event_details(event_type)
    for name in DETAIL_FIELDS:  # in this order, so that components can follow disability_type
        if name in required or (name in optional and not draw(unknown)):
            data[name] = draw(_detail(name, event_type, day, data))
    return Event.model_validate(data)


def events(
    household: Household | None = None,
    *,
    on: date | None = None,
    types: Iterable[EventType | str] | None = None,
) -> st.SearchStrategy[Event]:
    """Generate valid events, every type with details valid for it.

    Args:
        household: name this household's children and members (types that need a child or a member
            it does not have are left out). Without one, events name made-up ids.
        on: events are dated in the year up to this date (default :data:`ASSESSMENT_DATE`).
        types: only these event types (default: all of them).

    Raises:
        ValueError: when the household has no child or member that any of the types needs.

    Example: every drawn event names the household it was drawn for.
        >>> from hypothesis import given, settings, strategies as st
        >>> from riskeval.testing import households
        >>> @settings(max_examples=5, database=None)
        ... @given(households().flatmap(lambda h: st.tuples(st.just(h), st.lists(events(h), max_size=3))))
        ... def test_events_name_their_household(drawn):
        ...     household, drawn_events = drawn
        ...     assert all(e.household == household.id for e in drawn_events)
        >>> test_events_name_their_household()
    """
    wanted = tuple(EventType(t) for t in types) if types is not None else tuple(EventType)
    if household is not None and not _possible(wanted, _people(household, household.id)):
        names = ", ".join(t.value for t in wanted)
        raise ValueError(f"household {household.id!r} has no child or member that {names} events need")
    return _event(household, on or ASSESSMENT_DATE, wanted)


def event_logs(
    household: Household,
    *,
    min_size: int = 0,
    max_size: int = 20,
    on: date | None = None,
    types: Iterable[EventType | str] | None = None,
) -> st.SearchStrategy[list[Event]]:
    """Generate logs of one household's events that the monitor accepts whole, posted one at a time in
    the log's order (:meth:`riskeval.Monitor.post`) or replayed (:meth:`riskeval.Monitor.replay`).

    A log is in date order, each id once (the monitor refuses an id applied twice, ``duplicate_id``), and
    no event is dated before a fact it changes as the events before it left the household (a birth date,
    a ``status_since``, a ``residence.since``: ``date_order``). A drawn event that would break that is
    moved to the first date it can take, or left out when it cannot apply at all; the log keeps at least
    ``min_size`` events (a draw that cannot is rejected).

    Args:
        household: the household the events name.
        min_size: the fewest events in a log.
        max_size: the most events in a log.
        on: events are dated in the year up to this date (default :data:`ASSESSMENT_DATE`).
        types: only these event types (default: all of them).

    Example: a law of your own CI, that the monitor applies every drawn log whole.
        >>> from hypothesis import given, settings, strategies as st
        >>> from riskeval import Monitor
        >>> from riskeval.testing import households
        >>> @settings(max_examples=5, database=None)
        ... @given(households().flatmap(lambda h: st.tuples(st.just(h), event_logs(h, max_size=4))))
        ... def test_every_log_is_applied(drawn):
        ...     household, log = drawn
        ...     assert Monitor().replay([household], log).rejected == 0
        >>> test_every_log_is_applied()
    """
    one = events(household, on=on, types=types)
    drawn = st.lists(one, min_size=min_size, max_size=max_size, unique_by=lambda e: e.id)
    return _accepted(household, drawn, min_size, latest(on or ASSESSMENT_DATE))


@st.composite
def _accepted(
    draw: st.DrawFn, household: Household, drawn: st.SearchStrategy[list[Event]], min_size: int, last_day: date
) -> list[Event]:
    """The drawn events in date order, each moved to a date the household (as the events before it left
    it) accepts, or left out; what the monitor's ``post`` accepts one at a time."""
    log: list[Event] = []
    current, floor = household, date.min
    for event in sorted(draw(drawn), key=lambda e: e.date):
        for candidate in (_moved(event, floor), _moved(event, max(floor, _facts_floor(current)))):
            if candidate is None or candidate.date > last_day:
                continue
            try:
                current = apply_event(current, candidate)
            except FactsError:
                continue
            log.append(candidate)
            floor = candidate.date
            break
    assume(len(log) >= min_size)
    return log


def _moved(event: Event, floor: date) -> Event | None:
    """The event dated no earlier than ``floor`` (its ``reported_on`` and ``until`` too), or None if invalid."""
    if event.date >= floor and (event.reported_on is None or event.reported_on >= floor):
        return event
    data = event.model_dump()
    data["date"] = max(event.date, floor)
    if event.reported_on is not None:
        data["reported_on"] = max(event.reported_on, floor)
    if event.until is not None:
        data["until"] = max(event.until, data["date"])
    try:
        return Event.model_validate(data)
    except ValueError:
        return None


def _facts_floor(household: Household) -> date:
    """The latest date among the facts an event may change: birth dates, status dates, residences."""
    days = [date.min]
    for child in household.children:
        days += [d for d in (child.birth_date, child.residence.since if child.residence else None) if d]
    days += [m.status_since for m in household.members or () if m.status_since]
    return max(days)
