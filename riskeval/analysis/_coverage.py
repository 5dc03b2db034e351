"""Rule coverage: how often each category and factor held, was unknown, false or decisive, and which never fired.

Over a population, or a pack's golden cases (one population per assessment date).

A rule is decisive for a child when the child's tier or status changes in the variant of the pack where that
rule never holds (``pack.with_rules({id: False})``): the engine decides both, nothing is re-derived here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from riskeval import _display
from riskeval._extras import need
from riskeval.analysis._plot import coverage_plot
from riskeval.analysis._states import state_codes
from riskeval.batch import BatchResult, assess_batch
from riskeval.pack import Pack


@dataclass(frozen=True)
class RuleCoverage:
    """One rule over a population: children for whom it held, was unknown, was known false, was decisive."""

    kind: str
    rule: str
    held: int
    unknown: int
    false: int
    decisive: int | None  # None: not computed for this rule

    @property
    def never_fired(self) -> bool:
        return self.held == 0

    @property
    def both_ways(self) -> bool:
        """Whether the population has a child for whom it held and one for whom it was known not to."""
        return self.held > 0 and self.false > 0


class Coverage:
    """Rule coverage of a pack over some children (build it with :func:`coverage`)."""

    def __init__(self, pack: Pack, children: int, rows: list[RuleCoverage]) -> None:
        self.pack, self.children, self.rows = pack, children, rows

    def never_fired(self) -> list[str]:
        """The rules that held for no child."""
        return [r.rule for r in self.rows if r.never_fired]

    def not_both_ways(self) -> list[str]:
        """The rules no child exercises both ways (held for one, known false for another)."""
        return [r.rule for r in self.rows if not r.both_ways]

    def __str__(self) -> str:
        lines = [f"{self.pack.id} {self.pack.version}: {self.children} children"]
        lines.append(f"{'rule':<24}{'held':>8}{'unknown':>9}{'false':>8}{'decisive':>10}")
        for r in self.rows:
            decisive = "" if r.decisive is None else str(r.decisive)
            lines.append(f"{r.kind[0]} {r.rule:<22}{r.held:>8}{r.unknown:>9}{r.false:>8}{decisive:>10}")
        lines.append(f"never fired: {', '.join(self.never_fired()) or 'none'}")
        lines.append(f"not exercised both ways: {', '.join(self.not_both_ways()) or 'none'}")
        return "\n".join(lines)

    def to_pandas(self) -> Any:
        """One row per rule: kind, rule, held, unknown, false, decisive (NA where not computed), never_fired."""
        pd = need("pandas", "Coverage.to_pandas")
        frame = pd.DataFrame([{**r.__dict__, "never_fired": r.never_fired} for r in self.rows])
        frame["decisive"] = frame["decisive"].astype("Int64")
        return frame

    def _repr_html_(self) -> str:
        rows = [[r.kind, r.rule, r.held, r.unknown, r.false, r.decisive] for r in self.rows]
        head = (
            f"<p><b>{len(self.never_fired())} of {len(self.rows)} rules never fired</b> over {self.children} children"
            f" ({_display.esc(self.pack.version)})</p>"
        )
        return _display.block(head, _display.table(["kind", "rule", "held", "unknown", "false", "decisive"], rows))

    def plot(self, ax: Any = None, lang: str = "en") -> Any:
        """Bars per rule: held, unknown, decisive."""
        return coverage_plot(self.rows, ax=ax, lang=lang)


def coverage(
    population: Any, pack: Pack, *, on: dt.date | Sequence[dt.date], decisive: bool | Sequence[str] = True
) -> Coverage:
    """How often each category and factor of ``pack`` held, was unknown, and was decisive over a population.

    Args:
        population: what ``assess_batch`` takes; or, with ``on`` a list of dates, one population per date
            (golden cases carry their own dates) whose counts are added.
        pack: the pack.
        on: the assessment date, or one date per population.
        decisive: compute decisiveness for every rule (True), none (False), or these rule ids (one variant
            of the pack and one batch per rule: the slow part).
    """
    parts = list(zip(population, on, strict=True)) if isinstance(on, Sequence) else [(population, on)]
    results = [assess_batch(p, on=d, pack=pack) for p, d in parts]
    rules = [("category", c) for c in results[0].category_labels] + [("factor", f) for f in results[0].factor_labels]
    wanted = {r for _, r in rules} if decisive is True else set(decisive or ())
    rows = []
    for kind, name in rules:
        held = unknown = 0
        for r in results:
            k = (r.category_labels if kind == "category" else r.factor_labels).index(name)
            gaps = r.category_gaps if kind == "category" else r.factor_gaps
            held += int((r.category(name) if kind == "category" else r.factor(name)).sum())
            unknown += int(((gaps >> np.uint64(k)) & np.uint64(1)).sum())
        total = sum(len(r) for r in results)
        count = _decisive(pack, name, parts, results) if name in wanted else None
        rows.append(RuleCoverage(kind, name, held, unknown, total - held - unknown, count))
    return Coverage(pack, sum(len(r) for r in results), rows)


def _decisive(pack: Pack, rule: str, parts: list[tuple[Any, dt.date]], results: list[BatchResult]) -> int:
    """Children whose tier or status changes when ``rule`` never holds."""
    without = pack.with_rules({rule: False}, version=f"without-{rule}")
    changed = 0
    for (population, on), before in zip(parts, results, strict=True):
        after = assess_batch(population, on=on, pack=without)
        changed += int((state_codes(before) != state_codes(after)).sum())
    return changed
