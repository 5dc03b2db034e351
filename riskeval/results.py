"""The result models of an assessment: what integrators store, as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from riskeval import _display
from riskeval._build import forced_state, lazy_fields
from riskeval._label import Label
from riskeval.overrides import Override
from riskeval.schedule import VisitPlan


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FactorResult(_Result):
    """A risk factor that holds: its code, severity, points and the facts it read."""

    code: str = Field(description="The factor's code in the pack (factors.yaml), e.g. G7, C4a, E6.", examples=["C6"])
    severity: str = Field(
        description=(
            "The severity it holds at: a severity id of the pack's tiers.yaml (the default pack: M mandatory, H high, "
            "Md medium, L low)."
        ),
        examples=["H"],
    )
    points: int = Field(
        description="The points it adds to its domain's score (0 for a mandatory factor, which sets the tier itself).",
        examples=[3],
    )
    values: dict[str, Any] = Field(
        default_factory=dict,
        description="fact path -> known value read: members by role (father.status), or, for what an "
        "aggregation read, by id (household.members[<id>].status)",
    )


class DataGap(_Result):
    """An unknown that could change a category or the tier: the rule, the missing facts, the effect."""

    kind: str = Field(description="What the unknown rule decides: category, factor or roster.", examples=["factor"])
    rule: str = Field(
        description=(
            "The id of the rule that is unknown: a category, a factor code, or roster/on_roster, roster/exited."
        ),
        examples=["E1"],
    )
    facts: list[str] = Field(
        description="The unknown facts behind it, by path (members by role or id), e.g. mother.status.",
        examples=[["household.economy.income_per_capita"]],
    )
    severity: str | None = Field(
        default=None,
        description=(
            "For a factor: the severity it would hold at if it turned out to hold; null for a category or the roster."
        ),
        examples=["H"],
    )
    tier_if_true: str | None = Field(default=None, description="the tier if the rule turned out to hold")
    status_if_true: str | None = Field(
        default=None,
        description=(
            "the roster status if the rule turned out to hold (undetermined: other facts would still be missing)"
        ),
    )


class Explanation(_Result):
    """Why the child got this result, in Chinese and English (rendered from the evaluation record)."""

    zh: str = Field(
        description="Why, in Chinese: the categories, factors with the facts they read, the tier and the data gaps."
    )
    en: str = Field(description="Why, in English, the same sentences as zh.")


class Duty(_Result):
    """What the child director must also do because a rule of the pack holds (a mandatory report, say)."""

    id: str = Field(
        description="The id of the pack's duty row that holds (tiers.yaml duties).", examples=["mandatory_report"]
    )
    label: Label = Field(description="what to do")
    source: str = Field(description="the law or policy that requires it")


class PackStamp(_Result):
    """The identity of the rule pack that decided: id, version and the sha256 of its normalised content."""

    id: str = Field(description="The pack's id (pack.yaml).", examples=["beilin-2025"])
    version: str = Field(
        description="The pack's version (pack.yaml); changed with every change of a result.", examples=["0.3.0"]
    )
    sha256: str = Field(
        description=(
            "The sha256 of the pack's normalised content (64 hex digits): two packs with one stamp decide alike."
        )
    )


class ChildAssessment(_Result):
    """One child's assessment.

    ``tier`` and ``visit_frequency`` are final: with an override they follow it, and ``computed_tier``
    keeps what the rules gave.
    """

    child_id: str = Field(description="The child's id, as given in the facts.", examples=["c1"])
    status: str = Field(
        description=(
            "on_roster, not_on_roster, exited (aged out after being on the roster), or undetermined: the facts "
            "cannot decide between them (every completion of the unknown facts does not give one status); the "
            "data gaps name the facts that decide it, and the plan holds a verification visit"
        )
    )
    categories: list[str] = Field(
        description=(
            "The categories that hold (ids of the pack's categories.yaml, e.g. orphan, de_facto_unsupported, "
            "in_difficulty, left_behind, migrant, extreme_poverty); [] when none is confirmed (an unknown one is a "
            "data gap, never left out silently)."
        ),
        examples=[["in_difficulty"]],
    )
    factors: list[FactorResult] = Field(
        description="The risk factors that hold, each with its severity, points and the facts it read."
    )
    score: int = Field(
        description="The sum of the factors' points, each domain capped (the pack's domain_cap).", examples=[5]
    )
    tier: str | None = Field(
        description=(
            "The final tier: a tier id of the pack (the default pack: urgent, special, general), after any override; "
            "null when the child is not on the roster or the status is undetermined."
        ),
        examples=["special"],
    )
    visit_frequency: str | None = Field(
        description=(
            "The minimum home-visit frequency of the final tier (the default pack: monthly, quarterly); null with no "
            "tier."
        ),
        examples=["monthly"],
    )
    data_gaps: list[DataGap] = Field(
        description=(
            "The unknowns that could change a category, the tier or the roster status, with the facts to find out; [] "
            "when the missing facts (if any) cannot change the result."
        )
    )
    duties: list[Duty] = Field(
        default_factory=list, description="what must also be done, by the pack's duties that hold (a mandatory report)"
    )
    computed_tier: str | None = Field(default=None, description="the tier the rules gave, before any override")
    tier_row: str | None = Field(default=None, description="the id of the tier-table row that decided")
    override: Override | None = Field(default=None, description="the override that set `tier`, if any")
    schedule: VisitPlan | None = Field(default=None, description="the visit plan that follows (schedule=True)")
    explanation: Explanation | None = Field(default=None, description="why, in zh and en (explain=True)")

    def _repr_html_(self) -> str:
        return _display.block(child_html(self))

    # assess() gives the factors, the data gaps, the plan and the explanation as thunks, computed when first
    # read or dumped.
    __dict__ = forced_state


lazy_fields(ChildAssessment, "factors", "data_gaps", "schedule", "explanation")


class HouseholdAssessment(_Result):
    """The assessment of every child of one household, with its audit stamp."""

    household_id: str = Field(description="The household's id, as given in the facts.", examples=["hh-2025-0001"])
    children: list[ChildAssessment] = Field(description="One assessment per child, in the order of the facts.")
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

    # assess() may give the digest as a thunk, computed when first read or dumped.
    __dict__ = forced_state

    def _repr_html_(self) -> str:
        sha = self.pack.sha256 if self.pack is not None else None
        stamp = f"{self.pack.id} {self.pack.version} ({self.pack.sha256[:12]})" if self.pack is not None else "no stamp"
        head = (
            f"<p><b>household {_display.esc(self.household_id)}</b>: {len(self.children)} child(ren), "
            f"assessed on {_display.esc(self.as_of)} by {_display.esc(stamp)}</p>"
        )
        rows = [
            [_display.esc(c.child_id), decision_html(c, sha), _display.esc(", ".join(c.categories)),
             _display.esc(", ".join(f"{f.code} {f.severity}" for f in c.factors)), len(c.data_gaps),
             _display.esc(", ".join(d.id for d in c.duties))]
            for c in self.children
        ]  # fmt: skip
        table = _display.table(["child", "decision", "categories", "factors", "data gaps", "duties"], rows, raw=True)
        details = "".join(_display.folded(f"child {c.child_id}", child_html(c, sha, head=False)) for c in self.children)
        return _display.block(head, table, details)


lazy_fields(HouseholdAssessment, "input_sha256")


def decision_html(child: ChildAssessment, sha256: str | None = None) -> str:
    """The decision in one cell: the tier (or the status off the roster) and the visit frequency."""
    # An unknown that could change the decision is part of it: the reader sees where the child may really be.
    could = [t for t in dict.fromkeys(g.tier_if_true or g.status_if_true for g in child.data_gaps) if t]
    could = [t for t in could if t not in (child.tier, child.status)]
    maybe = (" · unknowns: may be " + " ".join(_display.badge(t, sha256) for t in could)) if could else ""
    if child.tier is not None:
        badge = _display.badge(child.tier, sha256)
        freq = f" · {_display.esc(child.visit_frequency)}" if child.visit_frequency else ""
        return badge + freq + (" · override" if child.override is not None else "") + maybe
    return _display.badge(child.status, sha256) + maybe


def child_html(child: ChildAssessment, sha256: str | None = None, head: bool = True) -> str:
    """One child's assessment: the decision and duties first; factors, gaps and the explanation folded."""
    parts = []
    if head:
        parts.append(f"<p><b>child {_display.esc(child.child_id)}</b>: {decision_html(child, sha256)}</p>")
    parts.append(
        f"<p>status {_display.esc(child.status)}; score {child.score}; categories: "
        f"{_display.esc(', '.join(child.categories) or 'none')}; decided by {_display.esc(child.tier_row or '—')}</p>"
    )
    if child.duties:
        duties = "".join(f"<li><b>{_display.esc(d.label.en)}</b> ({_display.esc(d.source)})</li>" for d in child.duties)
        parts.append(f"<ul>{duties}</ul>")
    if child.factors:
        rows = [[f.code, f.severity, f.points] for f in child.factors]
        parts.append(
            _display.folded(f"factors ({len(child.factors)})", _display.table(["factor", "severity", "points"], rows))
        )
    if child.data_gaps:
        rows = [[g.rule, ", ".join(g.facts), g.tier_if_true, g.status_if_true] for g in child.data_gaps]
        table = _display.table(["rule", "unknown facts", "tier if it held", "status if it held"], rows)
        parts.append(_display.folded(f"data gaps ({len(child.data_gaps)}): unknown, never read as no", table))
    if child.explanation is not None:
        parts.append(_display.folded("explanation", f"<pre>{_display.esc(child.explanation.en)}</pre>"))
    return "".join(parts)
