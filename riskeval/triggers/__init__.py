"""Household events raise re-assessment triggers: the Monitor, its results, and the event's fact changes.

Example (a household whose facts are mostly unknown: the trigger does not wait for them):
    >>> from riskeval.triggers import Monitor
    >>> household = {"id": "h1", "members": [
    ...     {"id": "mum", "relation": "mother", "status": "present", "lives_with_children": True},
    ...     {"id": "dad", "relation": "father", "status": "present", "lives_with_children": True}],
    ...     "children": [{"id": "c1", "birth_date": "2015-05-01", "father": "dad", "mother": "mum"}]}
    >>> event = {"id": "e1", "household": "h1", "date": "2025-12-08", "type": "parent_died", "member": "dad"}
    >>> replay = Monitor().replay([household], [event])
    >>> [(t.event_id, t.urgency, t.due_date.isoformat(), t.rule_id) for t in replay.triggers]
    [('e1', 'U1', '2025-12-11', 'parent_died')]
"""

from riskeval.triggers._apply import apply_event
from riskeval.triggers._monitor import Monitor
from riskeval.triggers._results import Change, Escalation, Reason, Replay, Trigger

__all__ = ["Change", "Escalation", "Monitor", "Reason", "Replay", "Trigger", "apply_event"]
