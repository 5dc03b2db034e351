"""The loaded, checked and compiled rule pack: what evaluation reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from riskeval._label import Label
from riskeval.errors import ErrorRecord, FactsError
from riskeval.pack._files import Effective, PackFile, Parameter, Severity, Tier
from riskeval.pack._params import value_on
from riskeval.pack._yaml import Mark
from riskeval.pack.expr import nodes as A


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule row: a predicate, category, factor level, tier row or roster rule."""

    kind: str
    id: str
    label: Label
    source: str
    node: A.Node
    mark: Mark
    effective: Effective | None = None
    args: tuple[str, ...] = ()
    severity: str | None = None
    tier: str | None = None
    text: str = ""
    floor: bool = False  # a tier row whose tier no override may go below while it holds

    def applies_on(self, on: date) -> bool:
        return self.effective is None or self.effective.covers(on)


@dataclass(frozen=True, slots=True)
class Factor:
    """A factor and its levels, highest severity first."""

    id: str
    label: Label
    domain: str
    source: str
    levels: tuple[Rule, ...]


@dataclass
class Pack:
    """A loaded rule pack. Build it with :func:`riskeval.load_pack`."""

    meta: PackFile
    path: Path
    sha256: str
    parameters: dict[str, Parameter]
    predicates: dict[str, Rule]
    categories: dict[str, Rule]
    factors: dict[str, Factor]
    order: tuple[tuple[str, str], ...]  # ("category"|"factor", id), each after what it reads
    severities: dict[str, Severity]
    severity_rank: dict[str, int]  # higher = more severe; mandatory severities rank highest
    domains: dict[str, Label]
    domain_cap: str
    tiers: tuple[Tier, ...]  # highest first
    frequencies: dict[str, Label]
    tier_rows: tuple[Rule, ...]
    duties: tuple[Rule, ...]  # what a result must also require when one holds (a mandatory report)
    exited: Rule
    on_roster: Rule
    schedule: Any
    triggers: Any  # riskeval.pack._triggers.TriggersSpec (typed loosely: that module imports this one)
    trigger_rules: dict[str, Rule] = field(default_factory=dict)
    _params_cache: dict[date, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> str:
        return self.meta.version

    def params_on(self, on: date) -> dict[str, Any]:
        """Every parameter's value on a date (cached). Raises EvaluationError for a date without a value."""
        cached = self._params_cache.get(on)
        if cached is None:
            self.check_in_force(on)
            cached = {name: value_on(name, p, on) for name, p in self.parameters.items() if p.values}
            if len(self._params_cache) > 512:
                self._params_cache.clear()
            self._params_cache[on] = cached
        return cached

    def check_in_force(self, on: date) -> None:
        """Raise a FactsError record naming ``on`` when the pack is not in force on that date.

        Without it, a date before the pack's period surfaced as the first parameter without a value on that
        date: true, but it named a parameter where the caller had passed a wrong date.
        """
        period = self.meta.effective
        if period.covers(on):
            return
        since = f" from {period.from_}" if period.from_ is not None else ""
        until = f" until {period.to}" if period.to is not None else ""
        message = f"pack {self.id} {self.version} is in force{since}{until}: it cannot assess on {on}"
        raise FactsError([ErrorRecord("on", "out_of_period", message, on.isoformat())], message)

    def points(self, severity: str, params: dict[str, Any]) -> int:
        """Points of a severity on the date of ``params`` (0 for mandatory severities)."""
        spec = self.severities[severity]
        return int(params[spec.points]) if spec.points else 0

    def tier_rank(self, tier_id: str) -> int:
        """0 for the highest tier, growing downward."""
        return next(i for i, t in enumerate(self.tiers) if t.id == tier_id)

    def identity(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}

    def __repr__(self) -> str:
        return f"<Pack {self.id} {self.version} sha256={self.sha256[:12]}>"
