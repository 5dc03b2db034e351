"""The fact vocabularies' members read their value through a property in C (riskeval.facts._enums): the
value every reader sees, pydantic's serializer included, is still the member's own JSON string."""

from __future__ import annotations

import typing
from enum import StrEnum

import pytest

from riskeval import facts


def _enums_in(*models: type) -> list[type[StrEnum]]:
    """The enum classes in the models' annotations, their nested models' included."""
    found: set[type[StrEnum]] = set()
    stack: list[object] = [f.annotation for m in models for f in m.model_fields.values()]  # type: ignore[attr-defined]
    seen: set[int] = set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if isinstance(t, type) and issubclass(t, StrEnum):
            found.add(t)
        elif isinstance(t, type) and hasattr(t, "model_fields"):
            stack += [f.annotation for f in t.model_fields.values()]
        stack += list(typing.get_args(t))
    return sorted(found, key=lambda v: v.__name__)


VOCABULARIES = _enums_in(facts.Household, facts.Event)


def test_the_facts_have_vocabularies_read_in_c() -> None:
    """Every enum of the fact models (a household's, an event's) has the C property for its value."""
    assert len(VOCABULARIES) > 10
    assert all(type(v.__dict__.get("value")) is property for v in VOCABULARIES)


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_a_members_value_is_its_json_string(vocabulary: type[StrEnum]) -> None:
    """value is the member's own value (not its name), equal to the member, and cannot be set."""
    for member in vocabulary:
        assert member.value == member._value_ == str(member) == member
        assert type(member.value) is str
        assert vocabulary(member.value) is member
        with pytest.raises(AttributeError):
            member.value = "x"  # type: ignore[misc]
