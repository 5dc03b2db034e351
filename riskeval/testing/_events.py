"""Hypothesis strategies for valid events: every type, with the details its type allows."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from riskeval.facts._enums import Dibao, DibaoChange, DisabilityType, EventType

# Private on purpose: who an event names is part of Event's validation, not yet public API.
from riskeval.facts._event import _SUBJECT, DETAIL_FIELDS, Event, event_details, event_kinds
from riskeval.facts._models import Household
from riskeval.testing._draw import (
    ASSESSMENT_DATE,
    PLACES,
    Data,
    latest,
    money,
    pct,
    shift,
    unknown,
)


def _detail(name: str, event_type: EventType, day: date, data: Data) -> st.SearchStrategy[Any]:
    """The values a detail can take, consistent with the event's date and other details."""
    if name == "kind":
        return st.sampled_from(event_kinds(event_type))
    if name == "until":
        return st.dates(day, shift(day, years=5))
    if name == "reported_on":
        return st.dates(shift(day, years=-1), day)
    if name == "components":
        many = st.lists(st.sampled_from(DisabilityType), min_size=2, max_size=3, unique=True)
        return many if data.get("disability_type") == DisabilityType.MULTIPLE else st.none()
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "disability_type": st.sampled_from(DisabilityType),
        "grade": st.integers(1, 4),
        "county": st.sampled_from([county for _, county in PLACES]),
        "months": st.one_of(st.integers(1, 3), st.integers(0, 36)),
        "drop_pct": pct,
        "status": st.sampled_from(DibaoChange),
        "level": st.sampled_from(Dibao),
        "amount": money,
        "days": st.integers(0, 60),
    }
    return strategies[name]


@st.composite
def _event(draw: st.DrawFn, household: Household | None, on: date) -> Event:
    if household is None:
        household_id = f"hh{draw(st.integers(1, 999_999)):06d}"
        children = [f"{household_id}-c{n}" for n in range(1, 4)]
        members = [f"{household_id}-{role}" for role in ("father", "mother", "grandmother")]
    else:
        household_id = household.id
        children, members = [c.id for c in household.children], [m.id for m in household.members]
    parents = sorted({p for c in household.children for p in (c.father, c.mother) if p} if household else ())
    people = {"child": children, "member": members}
    possible = [t for t in EventType if all(people[w] or _SUBJECT[t][i] != w for i, w in enumerate(people))]
    event_type = draw(st.sampled_from(possible))
    day = draw(st.dates(shift(on, years=-1), latest(on)))
    data: Data = {"id": f"ev{draw(st.integers(1, 10**9))}", "household": household_id, "date": day}
    data["type"] = event_type
    if event_type.value.startswith("parent_") and parents:
        people["member"] = parents  # a parent event names a parent, when the household records one
    for (who, ids), rule in zip(people.items(), _SUBJECT[event_type], strict=True):
        named = rule == who or (rule == "?" and bool(ids) and not draw(unknown))
        data[who] = draw(st.sampled_from(ids)) if named else None
    required, optional = event_details(event_type)
    for name in DETAIL_FIELDS:  # in this order, so that components can follow disability_type
        if name in required or (name in optional and not draw(unknown)):
            data[name] = draw(_detail(name, event_type, day, data))
    return Event.model_validate(data)


def events(household: Household | None = None, *, on: date | None = None) -> st.SearchStrategy[Event]:
    """Generate valid events, every type with details valid for it.

    Args:
        household: name this household's children and members (types that need a child or a member
            it does not have are left out). Without one, events name made-up ids.
        on: events are dated in the year up to this date (default :data:`ASSESSMENT_DATE`).

    Example:
        >>> households().flatmap(lambda h: st.tuples(st.just(h), st.lists(events(h))))  # doctest: +SKIP
    """
    return _event(household, on or ASSESSMENT_DATE)
