"""The result models of an assessment: what integrators store, as JSON."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FactorResult(_Result):
    """A risk factor that holds: its code, severity, points and the facts it read."""

    code: str
    severity: str
    points: int
    values: dict[str, Any] = Field(default_factory=dict, description="fact path -> value read (members by role)")


class DataGap(_Result):
    """An unknown that could change a category or the tier: the rule, the missing facts, the effect."""

    kind: str = Field(description="category, factor or roster")
    rule: str
    facts: list[str] = Field(description="the unknown facts behind it, e.g. mother.status")
    severity: str | None = None
    tier_if_true: str | None = Field(default=None, description="the tier if the rule turned out to hold")
    status_if_true: str | None = None


class ChildAssessment(_Result):
    """One child's assessment."""

    child_id: str
    status: str = Field(description="on_roster, not_on_roster or exited")
    categories: list[str]
    factors: list[FactorResult]
    score: int
    tier: str | None
    visit_frequency: str | None
    data_gaps: list[DataGap]


class HouseholdAssessment(_Result):
    """The assessment of every child of one household."""

    household_id: str
    children: list[ChildAssessment]
