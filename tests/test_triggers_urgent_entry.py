"""An event that puts a child in the urgent tier is U0, due the same day, whatever its own row says.

Regression: a widowed sole caregiver leaving to work made G3 hold (urgent, 24 h, mandatory report) while the
trigger was U1 (parent_left_for_work's row).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from _executors import EXECUTORS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskeval import Monitor
from riskeval.testing import event_logs, households

ON = "2025-12-05"


def widowed_father() -> dict[str, Any]:
    members = [
        {"id": "f", "relation": "father", "status": "present", "lives_with_children": True, "civil_capacity": "full"},
        {"id": "m", "relation": "mother", "status": "deceased", "status_since": "2022-03-01"},
    ]
    child = {"id": "c", "birth_date": "2015-04-01", "father": "f", "mother": "m", "caregiver": "f"}
    return {"id": "h", "parents_relationship": "widowed", "members": members, "children": [child]}


@pytest.mark.parametrize("executor", EXECUTORS)
def test_a_widowed_sole_caregiver_leaving_to_work_is_u0_the_same_day(executor: str) -> None:
    """The 10-year-old is left with no one performing guardianship (G3, urgent): U0, due on the event date."""
    event = {"id": "e1", "household": "h", "date": ON, "type": "parent_left_for_work", "member": "f"}
    result = Monitor(executor=executor).replay([widowed_father()], [event])
    assert result.errors == []
    (trigger,) = result.triggers
    (change,) = trigger.changes
    assert (change.tier_before, change.tier_after) != ("urgent", "urgent") and change.tier_after == "urgent"
    assert (trigger.urgency, trigger.due_date) == ("U0", date(2025, 12, 5))
    assert "c" in trigger.child_ids
    assert [e.rule_id for e in trigger.escalations][-1] == "enters_urgent_tier"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_law_an_event_that_makes_a_child_urgent_is_u0_and_due_the_same_day(data: st.DataObject) -> None:
    """For any event log: a trigger whose changes show a child urgent after the event and not before is U0,
    due on its event date; a trigger where no child enters the urgent tier is not forced to U0."""
    hh = data.draw(households())
    log = data.draw(event_logs(hh))
    result = Monitor().replay([hh], log)
    for trigger in result.triggers:
        if trigger.kind != "event":
            continue
        entered = [c for c in trigger.changes if c.tier_after == "urgent" and c.tier_before != "urgent"]
        if entered:
            assert trigger.urgency == "U0", trigger
            assert trigger.due_date == trigger.raised_on
            assert {c.child_id for c in entered} <= set(trigger.child_ids)
        else:
            assert "enters_urgent_tier" not in [e.rule_id for e in trigger.escalations]
