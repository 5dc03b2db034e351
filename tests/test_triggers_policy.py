"""Trigger rows against DOMAIN.md §5's table, at the edges a review found: the urgency never drops because a
fact is unknown, and child_alone follows Art. 21's ages. Both executors."""

from __future__ import annotations

from typing import Any

import pytest
from _executors import EXECUTORS

from riskeval import Monitor

ADULT = {"status": "present", "lives_with_children": True, "civil_capacity": "full"}


def single_mother(*others: dict[str, Any], birth_date: str = "2014-05-01") -> dict[str, Any]:
    # A divorced mother alone with her child; the father lives elsewhere.
    members = [
        {"id": "m", "relation": "mother", **ADULT},
        {"id": "f", "relation": "father", "status": "present", "lives_with_children": False},
        *others,
    ]
    child = {"id": "c", "birth_date": birth_date, "father": "f", "mother": "m", "caregiver": "m"}
    return {"id": "h", "parents_relationship": "divorced", "members": members, "children": [child]}


def urgencies(household: dict[str, Any], event: dict[str, Any], executor: str) -> list[tuple[str, str, str]]:
    event = {"id": "e1", "household": "h", "date": "2025-12-05", **event}
    result = Monitor(executor=executor).replay([household], [event])
    assert result.errors == []
    return [(t.rule_id, t.urgency, t.due_date.isoformat()) for t in result.triggers]


@pytest.mark.parametrize("executor", EXECUTORS)
def test_the_only_caregiver_losing_contact_is_u0_the_same_day(executor: str) -> None:
    """§5 caregiver_lost (the only caregiver gone: U0); §3 G3 (guardian whereabouts unknown) is M, urgent."""
    event = {"type": "parent_lost_contact", "member": "m", "reported_on": "2025-12-05"}
    assert urgencies(single_mother(), event, executor) == [("parent_lost_contact_sole_caregiver", "U0", "2025-12-05")]


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("event_type", ["parent_died", "parent_lost_contact"])
def test_an_adult_who_may_not_be_home_does_not_lower_the_urgency(executor: str, event_type: str) -> None:
    """§5: a parent who was the only caregiver is caregiver_lost (U0). An adult whose presence is unknown
    leaves that open, and an unknown must not read as "someone is there"."""
    unknown_relative = {"id": "x", "relation": "other_relative"}
    event = {"type": event_type, "member": "m"} | ({"reported_on": "2025-12-05"} if "lost" in event_type else {})
    (found,) = urgencies(single_mother(unknown_relative), event, executor)
    assert found[1:] == ("U0", "2025-12-05")


@pytest.mark.parametrize("executor", EXECUTORS)
def test_an_adult_known_to_be_home_keeps_a_parents_death_at_u1(executor: str) -> None:
    grandmother = {"id": "g", "relation": "grandmother", **ADULT}
    (found,) = urgencies(single_mother(grandmother), {"type": "parent_died", "member": "m"}, executor)
    assert found[:2] == ("parent_died", "U1")


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize(
    ("birth_date", "kind", "u0"),
    [
        ("2010-01-01", "living_alone", True),  # 15
        ("2009-12-05", "living_alone", False),  # 16 on the day: may live alone (Art. 21)
        ("2018-01-01", "unattended", True),  # 7
        ("2017-12-05", "unattended", False),  # 8 on the day
        (None, "living_alone", True),  # age unknown: not known to be too old
    ],
)
def test_child_alone_is_u0_under_16_alone_or_under_8_unattended(
    executor: str, birth_date: str | None, kind: str, u0: bool
) -> None:
    """§5 child_alone: "child found living alone (< 16) or unattended (< 8)", U0 (未成年人保护法 第21条)."""
    household = single_mother(birth_date=birth_date or "2014-05-01")
    if birth_date is None:
        del household["children"][0]["birth_date"]
    found = urgencies(household, {"type": "child_alone", "child": "c", "kind": kind}, executor)
    assert (("child_alone", "U0", "2025-12-05") in found) is u0


@pytest.mark.parametrize("executor", EXECUTORS)
def test_a_child_born_after_the_event_is_not_among_those_it_concerns(executor: str) -> None:
    """A father who died before his child's birth: the event concerns the children alive then, and a child
    not yet born has no tier to change (it was assessed with a negative age before)."""
    household = single_mother()
    household["children"].append({"id": "baby", "birth_date": "2026-01-10", "father": "f", "mother": "m"})
    event = {"id": "e1", "household": "h", "date": "2025-12-05", "type": "parent_died", "member": "f"}
    (trigger,) = Monitor(executor=executor).replay([household], [event]).triggers
    assert trigger.child_ids == ["c"]
    assert [c.child_id for c in trigger.changes] == ["c"]
