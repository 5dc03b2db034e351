"""The result models of an assessment: what integrators store, as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from riskeval._build import forced_state, lazy_fields
from riskeval._label import Label
from riskeval.overrides import Override
from riskeval.schedule import VisitPlan


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FactorResult(_Result):
    """A risk factor that holds: its code, severity, points and the facts it read."""

    code: str
    severity: str
    points: int
    values: dict[str, Any] = Field(
        default_factory=dict,
        description="fact path -> known value read: members by role (father.status), or, for what an "
        "aggregation read, by id (household.members[<id>].status)",
    )


class DataGap(_Result):
    """An unknown that could change a category or the tier: the rule, the missing facts, the effect."""

    kind: str = Field(description="category, factor or roster")
    rule: str
    facts: list[str] = Field(description="the unknown facts behind it, e.g. mother.status")
    severity: str | None = None
    tier_if_true: str | None = Field(default=None, description="the tier if the rule turned out to hold")
    status_if_true: str | None = Field(
        default=None,
        description=(
            "the roster status if the rule turned out to hold (undetermined: other facts would still be missing)"
        ),
    )


class Explanation(_Result):
    """Why the child got this result, in Chinese and English (rendered from the evaluation record)."""

    zh: str
    en: str


class Duty(_Result):
    """What the child director must also do because a rule of the pack holds (a mandatory report, say)."""

    id: str
    label: Label = Field(description="what to do")
    source: str = Field(description="the law or policy that requires it")


class PackStamp(_Result):
    """The identity of the rule pack that decided: id, version and the sha256 of its normalised content."""

    id: str
    version: str
    sha256: str


class ChildAssessment(_Result):
    """One child's assessment.

    ``tier`` and ``visit_frequency`` are final: with an override they follow it, and ``computed_tier``
    keeps what the rules gave.
    """

    child_id: str
    status: str = Field(
        description=(
            "on_roster, not_on_roster, exited (aged out after being on the roster), or undetermined: the facts "
            "cannot decide between them (every completion of the unknown facts does not give one status); the "
            "data gaps name the facts that decide it, and the plan holds a verification visit"
        )
    )
    categories: list[str]
    factors: list[FactorResult]
    score: int
    tier: str | None
    visit_frequency: str | None
    data_gaps: list[DataGap]
    duties: list[Duty] = Field(
        default_factory=list, description="what must also be done, by the pack's duties that hold (a mandatory report)"
    )
    computed_tier: str | None = Field(default=None, description="the tier the rules gave, before any override")
    tier_row: str | None = Field(default=None, description="the id of the tier-table row that decided")
    override: Override | None = Field(default=None, description="the override that set `tier`, if any")
    schedule: VisitPlan | None = Field(default=None, description="the visit plan that follows (schedule=True)")
    explanation: Explanation | None = Field(default=None, description="why, in zh and en (explain=True)")

    # assess() gives the plan and the explanation as thunks, computed when first read or dumped.
    __dict__ = forced_state


lazy_fields(ChildAssessment, "schedule", "explanation")


class HouseholdAssessment(_Result):
    """The assessment of every child of one household, with its audit stamp."""

    household_id: str
    children: list[ChildAssessment]
    pack: PackStamp | None = Field(default=None, description="the rule pack that decided (set by assess())")
    riskeval: str | None = Field(default=None, description="the riskeval version (set by assess())")
    calendar: str | None = Field(
        default=None,
        description="the working-day calendar's library and version, e.g. 'holidays 0.109' (set by assess())",
    )
    as_of: dt.date | None = Field(default=None, description="the assessment date (set by assess())")
    input_sha256: str | None = Field(
        default=None, description="sha256 of the canonical JSON of the validated facts (riskeval.audit)"
    )
