"""One population under two packs: who moves between tiers and statuses, why, and what it costs in visits.

Both packs assess the same validated children (validation does not depend on the pack), so child ``i`` of one
result is child ``i`` of the other; this is checked, not assumed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from riskeval import _display
from riskeval._extras import need
from riskeval.analysis._plot import transition_plot
from riskeval.analysis._states import shown, state_codes, state_labels
from riskeval.analysis._workload import Workload, workload
from riskeval.batch import BatchResult, assess_batch
from riskeval.pack import Pack


@dataclass(frozen=True)
class Mover:
    """A child whose tier or status differs, and the rules that made the difference."""

    household_id: str
    child_id: str
    before: str
    after: str
    because: tuple[str, ...]  # rules that hold under one pack and not the other ("+E1", "-left_behind")
    tier_row_before: str | None
    tier_row_after: str | None


@dataclass(frozen=True)
class RuleChange:
    """How many children a category or factor held for (and was unknown for) under each pack."""

    kind: str
    rule: str
    held_before: int
    held_after: int
    unknown_before: int
    unknown_after: int

    @property
    def delta(self) -> int:
        return self.held_after - self.held_before


class Comparison:
    """The same population assessed by a base pack and a variant (build it with :func:`compare`)."""

    def __init__(self, base: BatchResult, variant: BatchResult, population: Any = None) -> None:
        if len(base) != len(variant) or not (
            np.array_equal(base.child_id, variant.child_id) and np.array_equal(base.household_id, variant.household_id)
        ):
            raise ValueError("the two results do not hold the same children: compare one population")
        self.base, self.variant, self.population = base, variant, population
        labels = state_labels(base)
        extra = [s for s in state_labels(variant) if s not in labels]
        self._all = (*labels, *extra)
        self.before = _recode(state_codes(base), state_labels(base), self._all)
        self.after = _recode(state_codes(variant), state_labels(variant), self._all)
        keep = shown(self._all, self.before, self.after)
        self.states: tuple[str, ...] = tuple(self._all[i] for i in keep)
        k = len(self._all)
        full = np.zeros((k, k), np.int64)
        np.add.at(full, (self.before, self.after), 1)
        self.matrix: np.ndarray = full[np.ix_(keep, keep)]

    def __repr__(self) -> str:
        return (
            f"<Comparison {len(self.base)} children, {self.moved} moved: {self.base.pack.version} -> "
            f"{self.variant.pack.version}>"
        )

    @property
    def moved(self) -> int:
        """How many children are in another tier or status under the variant."""
        return int((self.before != self.after).sum())

    def transitions(self) -> dict[tuple[str, str], int]:
        """(before, after) -> children, for every pair that occurs."""
        out = {}
        for i, a in enumerate(self.states):
            for j, b in enumerate(self.states):
                if self.matrix[i, j]:
                    out[(a, b)] = int(self.matrix[i, j])
        return out

    def categories(self) -> list[dict[str, Any]]:
        """Per category: children before and after, and how many entered and left it."""
        out = []
        for name in self.variant.category_labels:
            after = self.variant.category(name)
            before = self.base.category(name) if name in self.base.category_labels else np.zeros_like(after)
            out.append(
                {
                    "category": name,
                    "before": int(before.sum()),
                    "after": int(after.sum()),
                    "entered": int((after & ~before).sum()),
                    "left": int((before & ~after).sum()),
                }
            )
        return out

    def rules(self) -> list[RuleChange]:
        """Per category and factor: how often it held (and was unknown) before and after."""
        out = []
        for kind, names in (("category", self._union("category_labels")), ("factor", self._union("factor_labels"))):
            for name in names:
                hb, ub = _held(self.base, kind, name)
                ha, ua = _held(self.variant, kind, name)
                out.append(RuleChange(kind, name, hb, ha, ub, ua))
        return out

    def movers(self) -> list[Mover]:
        """The children who moved, with the categories and factors that changed and the deciding rows."""
        out = []
        for i in np.flatnonzero(self.before != self.after).tolist():
            because = [
                f"{'+' if now else '-'}{name}"
                for kind in ("category", "factor")
                for name in self._union(f"{kind}_labels")
                if (now := _bit(self.variant, kind, name, i)) != _bit(self.base, kind, name, i)
            ]
            out.append(
                Mover(
                    str(self.base.household_id[i]),
                    str(self.base.child_id[i]),
                    self._all[self.before[i]],
                    self._all[self.after[i]],
                    tuple(because),
                    _row(self.base, i),
                    _row(self.variant, i),
                )
            )
        return out

    def workload(
        self,
        *,
        months: int = 12,
        start: dt.date | None = None,
        by: str | Sequence[Any] | None = None,
        minutes_per_visit: float | Mapping[str, float] | None = None,
    ) -> Workload:
        """The change in visits (variant minus base), month by month (see :func:`riskeval.analysis.workload`)."""
        args: dict[str, Any] = {"months": months, "start": start, "by": by, "minutes_per_visit": minutes_per_visit}
        after = workload(self.variant, self.population, **args)
        before = workload(self.base, self.population, **args)
        delta = after - before
        title = f"visits: {self.variant.pack.version} - {self.base.pack.version}"
        return Workload(delta.start, delta.months, delta.groups, delta.kinds, delta.counts, delta.minutes, title)

    def to_pandas(self, what: str = "transitions") -> Any:
        """A DataFrame: ``transitions`` (the matrix), ``movers``, ``categories`` or ``rules``."""
        pd = need("pandas", "Comparison.to_pandas")
        if what == "transitions":
            index = pd.CategoricalIndex(self.states, categories=list(self.states), ordered=True, name="before")
            columns = pd.CategoricalIndex(self.states, categories=list(self.states), ordered=True, name="after")
            return pd.DataFrame(self.matrix, index=index, columns=columns)
        if what == "movers":
            rows = [{**m.__dict__, "because": " ".join(m.because)} for m in self.movers()]
            return pd.DataFrame(rows, columns=list(Mover.__dataclass_fields__))
        if what == "categories":
            return pd.DataFrame(self.categories(), columns=["category", "before", "after", "entered", "left"])
        if what == "rules":
            return pd.DataFrame([{**r.__dict__, "delta": r.delta} for r in self.rules()])
        raise ValueError(f"what: expected transitions, movers, categories or rules, found {what!r}")

    def _repr_html_(self) -> str:
        sha = self.variant.pack.sha256
        head = (
            f"<p><b>{self.moved} of {len(self.base)} children move</b> from {_display.esc(self.base.pack.version)} "
            f"to {_display.esc(self.variant.pack.version)}</p>"
        )
        badges = [_display.badge(s, sha) for s in self.states]
        rows = [[b, *(str(int(v)) if v else "·" for v in self.matrix[i])] for i, b in enumerate(badges)]
        matrix = _display.table(["before \\ after", *self.states], rows, raw=True)
        movers = self.movers()
        shown_movers = [
            [_display.esc(m.child_id), _display.badge(m.before, sha), _display.badge(m.after, sha),
             _display.esc(" ".join(m.because) or f"{m.tier_row_before} → {m.tier_row_after}")]
            for m in movers[:50]
        ]  # fmt: skip
        parts = [head, matrix]
        if movers:
            tail = f" (first 50 of {len(movers)})" if len(movers) > 50 else ""
            table = _display.table(["child", "before", "after", "because"], shown_movers, raw=True)
            parts.append(_display.folded(f"children who moved{tail}", table))
        flows = [[c["category"], c["before"], c["after"], c["entered"], c["left"]] for c in self.categories()]
        parts.append(_display.folded("categories", _display.table(["category", "before", "after", "in", "out"], flows)))
        return _display.block(*parts)

    def plot(self, ax: Any = None, lang: str = "en") -> Any:
        """The transition matrix in the pack's tier colours (needs the ``plot`` extra)."""
        title = f"{self.base.pack.version} → {self.variant.pack.version}"
        return transition_plot(self.variant.pack, self.states, self.matrix, ax=ax, lang=lang, title=title)

    def _union(self, attr: str) -> list[str]:
        return list(dict.fromkeys((*getattr(self.base, attr), *getattr(self.variant, attr))))


def compare(population: Any, base: Pack, variant: Pack, *, on: dt.date) -> Comparison:
    """Assess ``population`` with ``base`` and with ``variant`` on ``on``, and compare child by child.

    Example:
        >>> import datetime, riskeval
        >>> pack = riskeval.load_pack()
        >>> richer = pack.with_parameters({"dibao_standard": lambda v: round(v * 1.1, 2)}, version="dibao+10pct")
        >>> on = datetime.date(2025, 12, 1)
        >>> c = riskeval.compare(riskeval.read_population("examples/population"), pack, richer, on=on)
        >>> table = c.to_pandas()  # the transition matrix; c.movers(), c.workload(), c.plot()
        >>> int(table.to_numpy().sum())  # every child of examples/population, before and after
        11
    """
    if not isinstance(population, Sequence | Mapping) and hasattr(population, "__next__"):
        population = list(population)  # read twice
    return Comparison(
        assess_batch(population, on=on, pack=base), assess_batch(population, on=on, pack=variant), population
    )


def _recode(codes: np.ndarray, labels: Sequence[str], into: Sequence[str]) -> np.ndarray:
    table = np.array([list(into).index(s) for s in labels], np.int64)
    recoded: np.ndarray = table[codes.astype(np.intp)]
    return recoded


def _held(result: BatchResult, kind: str, name: str) -> tuple[int, int]:
    labels = getattr(result, f"{kind}_labels")
    if name not in labels:
        return 0, 0
    k = labels.index(name)
    gaps = result.category_gaps if kind == "category" else result.factor_gaps
    unknown = int(((gaps >> np.uint64(k)) & np.uint64(1)).sum())
    held = result.category(name) if kind == "category" else result.factor(name)
    return int(held.sum()), unknown


def _bit(result: BatchResult, kind: str, name: str, i: int) -> bool:
    labels = getattr(result, f"{kind}_labels")
    if name not in labels:
        return False
    bits = result.categories if kind == "category" else result.factors
    return bool((int(bits[i]) >> labels.index(name)) & 1)


def _row(result: BatchResult, i: int) -> str | None:
    k = int(result.tier_row[i])
    return result.tier_row_labels[k] if k >= 0 else None
