"""Household events raise re-assessment triggers: the Monitor, its results, and the event's fact changes.

Example:
    >>> from riskeval.triggers import Monitor
    >>> replay = Monitor().replay(households, events)  # doctest: +SKIP
    >>> [(t.event_id, t.urgency, t.due_date) for t in replay.triggers]  # doctest: +SKIP
"""

from riskeval.triggers._apply import apply_event
from riskeval.triggers._monitor import Monitor
from riskeval.triggers._results import Change, Escalation, Reason, Replay, Trigger

__all__ = ["Change", "Escalation", "Monitor", "Reason", "Replay", "Trigger", "apply_event"]
