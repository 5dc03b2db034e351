"""What the monitor hands back: triggers (JSON via ``model_dump(mode="json")``) and replay results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from riskeval.errors import ErrorRecord
from riskeval.facts import Household


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reason(_Result):
    """Why, in Chinese and English."""

    zh: str
    en: str


class Change(_Result):
    """One child's assessment before and after the event (on the event date)."""

    child_id: str
    tier_before: str | None = Field(description="None: not on the roster (or exited)")
    tier_after: str | None
    categories_before: list[str]
    categories_after: list[str]

    @property
    def changed(self) -> bool:
        """Whether the tier or a category changed."""
        return self.tier_before != self.tier_after or self.categories_before != self.categories_after


class Escalation(_Result):
    """A correlation rule that made a trigger more urgent."""

    rule_id: str
    urgency_from: str
    urgency_to: str
    reason: Reason


class Trigger(_Result):
    """A re-assessment the caseworker owes: who, how urgent, by when, and why.

    ``kind`` is "event" for a posted event (``event_id`` names it) and "scheduled" for one that comes
    from dates alone (``event_id`` is None). ``changes`` lists every child of the household, re-assessed
    on the event date before and after the event (empty for scheduled triggers, or when the monitor
    does not re-assess).
    """

    kind: Literal["event", "scheduled"]
    event_id: str | None
    household_id: str
    child_ids: list[str]
    urgency: str
    due_date: date
    raised_on: date
    rule_id: str
    reason: Reason
    escalations: list[Escalation] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)


@dataclass(frozen=True)
class Replay:
    """The triggers of a whole log, every event that could not apply, and the households it left.

    The counts add up: ``events == applied + rejected``.
    """

    triggers: list[Trigger]
    errors: list[ErrorRecord]
    households: dict[str, Household]
    events: int
    applied: int
    rejected: int
    pack: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: pack identity, counts, triggers and error records."""
        return {
            "pack": self.pack,
            "counts": {
                "events": self.events,
                "applied": self.applied,
                "rejected": self.rejected,
                "triggers": len(self.triggers),
            },
            "triggers": [t.model_dump(mode="json") for t in self.triggers],
            "errors": [e.as_dict() for e in self.errors],
        }
