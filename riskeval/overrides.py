"""Discretionary tier overrides (Structured Decision Making): one level at most, with reason and approver.

A worker who knows more than the facts say may move a child's tier, within limits (DOMAIN.md §4): one
level up or down, never lower while a mandatory (M) factor holds, never below the tier of a floor row of the
tier table that holds (orphans and de facto unsupported children stay at least special), and only for a
child on the roster.
The result keeps both tiers (``computed_tier`` and the final ``tier``) and the override itself, so the
audit file shows who moved what, when and why; the visit frequency follows the final tier.

Example:
    >>> import datetime, riskeval
    >>> o = Override(child_id="c1", tier="special", reason_code="R2", approver="staff-17",
    ...              date=datetime.date(2025, 12, 1))
    >>> # riskeval.assess(household, on=datetime.date(2025, 12, 1), overrides=[o])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from riskeval.errors import ErrorRecord, RiskevalError
from riskeval.evaluate import Evaluation
from riskeval.facts import records_from
from riskeval.pack import Pack

__all__ = ["Override", "OverrideError", "check_overrides"]


class Override(BaseModel):
    """A discretionary change of one child's tier, approved by someone, for a coded reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    child_id: str = Field(min_length=1, max_length=64, description="the child whose tier moves")
    tier: str = Field(min_length=1, description="the final tier: a tier id of the pack")
    reason_code: str = Field(min_length=1, max_length=64, description="a code of the agency's reason list")
    approver: str = Field(
        min_length=1,
        max_length=128,
        description="who approved (a staff id); kept in the record, never in text",
    )
    date: dt.date = Field(description="the day it was approved; not after the assessment date")


class OverrideError(RiskevalError, ValueError):
    """One or more overrides break the rules: each problem is a record naming the child and the tiers.

    Attributes:
        records: every problem found (``loc`` is ``overrides[i]`` or ``overrides[i].field``).
        child_id, computed_tier, requested_tier: those of the first problem.
    """

    def __init__(
        self,
        records: list[ErrorRecord],
        *,
        child_id: str | None = None,
        computed_tier: str | None = None,
        requested_tier: str | None = None,
    ) -> None:
        self.records = list(records)
        self.child_id = child_id
        self.computed_tier = computed_tier
        self.requested_tier = requested_tier
        lines = [f"{len(self.records)} override problem(s)"]
        lines += [f"  {r.loc}: {r.message} [{r.code}]" for r in self.records]
        super().__init__("\n".join(lines))

    def as_dicts(self) -> list[dict[str, Any]]:
        """Return the records as JSON-ready dicts."""
        return [r.as_dict() for r in self.records]


def _validated(overrides: Sequence[Override | Mapping[str, Any]]) -> list[Override]:
    out: list[Override] = []
    records: list[ErrorRecord] = []
    for i, item in enumerate(overrides):
        try:
            out.append(item if isinstance(item, Override) else Override.model_validate(item))
        except ValidationError as exc:
            records += records_from(exc, ("overrides", i))
    if records:
        raise OverrideError(records)
    return out


def check_overrides(
    overrides: Sequence[Override | Mapping[str, Any]], evals: Sequence[Evaluation], pack: Pack, on: dt.date
) -> dict[str, Override]:
    """Check overrides against the children's evaluations; return the valid ones by child id.

    Args:
        overrides: Override models, or their fields as dicts.
        evals: the evaluation record of every child of the household.
        pack: the pack that evaluated them (its tiers, and which severities are mandatory).
        on: the assessment date; an override dated after it is rejected.

    Raises:
        OverrideError: with a record for every problem: an unknown child or tier, a second override of one
            child, a date after ``on``, a child not on the roster or whose status is undetermined, a move of
            more than one level, or a lower tier while a mandatory factor holds.
    """
    items = _validated(overrides)
    by_child = {e.child_id: e for e in evals}
    tiers = [t.id for t in pack.tiers]
    mandatory = {s for s, spec in pack.severities.items() if spec.mandatory}
    out: dict[str, Override] = {}
    problems: list[tuple[ErrorRecord, Override, str | None]] = []

    def problem(i: int, field: str | None, code: str, message: str, o: Override, tier: str | None) -> None:
        loc = f"overrides[{i}]" + (f".{field}" if field else "")
        problems.append((ErrorRecord(loc, code, message, getattr(o, field) if field else None), o, tier))

    for i, o in enumerate(items):
        e = by_child.get(o.child_id)
        if e is None:
            problem(
                i,
                "child_id",
                "override_unknown_child",
                f"no child {o.child_id!r} in this household (children: {sorted(by_child)})",
                o,
                None,
            )
            continue
        who = f"child {o.child_id!r}"
        if o.child_id in out:
            problem(i, "child_id", "override_duplicate", f"{who} already has an override", o, e.tier)
            continue
        if o.date > on:
            problem(
                i,
                "date",
                "override_after_as_of",
                f"{who}: the override is dated {o.date}, after the assessment date {on}",
                o,
                e.tier,
            )
            continue
        if e.status == "undetermined":
            # No tier to move: whether the child is on the roster at all is what the verification visit settles.
            problem(
                i,
                None,
                "override_undetermined",
                f"{who}: the roster status is undetermined (to be verified): verify the missing facts first; "
                f"there is no tier to override (→ {o.tier})",
                o,
                None,
            )
            continue
        if e.tier is None:
            problem(
                i,
                None,
                "override_not_on_roster",
                f"{who} is {e.status}, not on the roster: there is no tier to override (→ {o.tier})",
                o,
                None,
            )
            continue
        if o.tier not in tiers:
            problem(
                i,
                "tier",
                "override_unknown_tier",
                f"{who}: no tier {o.tier!r} in pack {pack.id} (tiers: {', '.join(tiers)})",
                o,
                e.tier,
            )
            continue
        move = tiers.index(e.tier) - tiers.index(o.tier)  # > 0: up (more serious)
        if abs(move) > 1:
            problem(
                i,
                "tier",
                "override_too_far",
                f"{who}: {e.tier} → {o.tier} moves {abs(move)} levels; an override moves one at most",
                o,
                e.tier,
            )
            continue
        held = [h.code for h in e.factors if h.severity in mandatory]
        if move < 0 and held:
            problem(
                i,
                "tier",
                "override_below_mandatory",
                f"{who}: {e.tier} → {o.tier} lowers the tier while mandatory factor(s) {', '.join(held)} hold",
                o,
                e.tier,
            )
            continue
        floor = e.floor_row
        if move < 0 and floor is not None and tiers.index(o.tier) > tiers.index(floor.tier or ""):
            problem(
                i,
                "tier",
                "override_below_floor",
                f"{who}: {e.tier} → {o.tier} goes below {floor.tier}, the floor of the tier row {floor.id} that holds",
                o,
                e.tier,
            )
            continue
        out[o.child_id] = o
    if problems:
        _, o, tier = problems[0]
        raise OverrideError([p for p, _, _ in problems], child_id=o.child_id, computed_tier=tier, requested_tier=o.tier)
    return out
