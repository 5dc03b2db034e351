"""A pack compiled to the numpy form, and the evaluation of a whole population against it.

The same steps as ``Program.evaluate`` (``_program.py``), each over every child at once: the exit rule,
categories and factors in ``pack.order`` (a factor holds at its most severe level that holds), capped
domain points, the tier table (highest tier wins), the roster rule, then the data gaps, each with the
tier the child would get if the unknown rule turned out to hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from riskeval.evaluate import _ops as O
from riskeval.evaluate._columns import Columns
from riskeval.evaluate._numpy import Compiler, Env, Fn, Frame
from riskeval.pack import _ast as A
from riskeval.pack._model import FactorDef, Pack, Rule

STATUS_NOT_ON_ROSTER, STATUS_ON_ROSTER, STATUS_EXITED = 0, 1, 2


@dataclass
class GapColumn:
    """One rule's data gaps: the children it is unknown for, and the effect if it held."""

    kind: str  # "roster" | "category" | "factor"
    rule: str
    rows: np.ndarray
    tier_if_true: np.ndarray  # tier index, -1: none
    on_roster_if_true: np.ndarray  # bool; for the roster gap: the exit rule
    level: np.ndarray | None = None  # factors: the index of the unknown level (its severity)


@dataclass
class Outcome:
    """What the numpy program decided for every child, as arrays."""

    status: np.ndarray  # int8: STATUS_*
    tier: np.ndarray  # int8 index into pack.tiers, -1: none
    tier_row: np.ndarray  # int8 index into pack.tier_rows of the row that decided, -1: none
    score: np.ndarray  # int32
    categories: np.ndarray  # bool (n, categories) in pack order
    factors: np.ndarray  # int8 (n, factors): the index of the level that holds, -1: none
    gaps: list[GapColumn] = field(default_factory=list)
    env: Env | None = None


class VectorProgram:
    """The numpy form of a pack: one compiled function per rule, and the static shape of the decision."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        c = self.compiler = Compiler(pack)
        self.categories: list[tuple[Rule, Fn]] = []
        self.factors: list[tuple[FactorDef, list[tuple[Rule, Fn]]]] = []
        self.steps: list[tuple[str, int]] = []
        for kind, name in pack.order:
            if kind == "category":
                rule = pack.categories[name]
                self.steps.append(("category", len(self.categories)))
                self.categories.append((rule, c.compile(rule.node)))
            else:
                f = pack.factors[name]
                levels = sorted(f.levels, key=lambda r: -pack.severity_rank[r.severity or ""])
                self.steps.append(("factor", len(self.factors)))
                self.factors.append((f, [(lv, c.compile(lv.node)) for lv in levels]))
        self.tier_rows = [(r, c.compile(r.node), pack.tier_rank(r.tier or "")) for r in pack.tier_rows]
        self.exited = c.compile(pack.exited.node)
        self.on_roster = c.compile(pack.on_roster.node)
        self.domains = sorted({f.domain for f, _ in self.factors})
        self.severities = list(pack.severities)
        decision = [r.node for r in pack.tier_rows] + [pack.on_roster.node]
        self.refs = sorted({(n.kind, n.name) for d in decision for n in A.walk(d) if isinstance(n, A.Ref)})
        self.compact = all(_decision_only(n) for d in decision for n in A.walk(d))

    def run(self, cols: Columns, on: date) -> Outcome:
        pack = self.pack
        env = Env(pack, cols, on)
        fr = env.root
        n = cols.n
        false = O.B(False, True)
        ex = O.as_b(self.exited(env, fr)) if pack.exited.applies_on(on) else false
        exited = _full(ex.t, n)
        cats = np.zeros((n, len(self.categories)), bool)
        levels = np.full((n, len(self.factors)), -1, np.int8)
        unknown_level = np.full((n, len(self.factors)), -1, np.int8)
        cat_unknown = np.zeros((n, len(self.categories)), bool)
        for kind, i in self.steps:
            if kind == "category":
                rule, fn = self.categories[i]
                b = O.as_b(fn(env, fr)) if rule.applies_on(on) else false
                env.results[("category", rule.id)] = b
                cats[:, i] = b.t
                cat_unknown[:, i] = O.and2(O.neg(b.t), O.neg(b.f))
                continue
            fdef, lvs = self.factors[i]
            vals = [O.as_b(f(env, fr)) if lv.applies_on(on) else false for lv, f in lvs]
            hit = levels[:, i]
            unk = unknown_level[:, i]
            for k in range(len(vals) - 1, -1, -1):
                hit[_full(vals[k].t, n)] = k
                unk[_full(O.and2(O.neg(vals[k].t), O.neg(vals[k].f)), n)] = k
            held = hit >= 0
            unk[held] = -1
            env.results[("factor", fdef.id)] = O.B(held, ~held & (unk < 0))
        points, counts = self._tally(levels, env)
        decide = _Decision(self, env, points, counts)
        tier, roster, tier_row = decide.main()
        status = np.where(exited, STATUS_EXITED, np.where(roster, STATUS_ON_ROSTER, STATUS_NOT_ON_ROSTER))
        tier = np.where(roster & ~exited, tier, -1).astype(np.int8)
        tier_row = np.where(roster & ~exited, tier_row, -1).astype(np.int8)
        score = np.where(exited, 0, decide.score).astype(np.int32)
        live = ~exited
        cats &= live[:, None]
        levels[exited] = -1
        out = Outcome(status.astype(np.int8), tier, tier_row, score, cats, levels, env=env)
        if pack.exited.applies_on(on):
            rows = np.flatnonzero(_full(O.and2(O.neg(ex.t), O.neg(ex.f)), n))
            out.gaps.append(GapColumn("roster", pack.exited.id, rows, np.full(len(rows), -1, np.int8),
                                      np.ones(len(rows), bool)))  # fmt: skip
        for i, (rule, _) in enumerate(self.categories):
            rows = np.flatnonzero(cat_unknown[:, i] & live)
            t_if, r_if, _ = decide.variant(rows, category=rule.id)
            out.gaps.append(GapColumn("category", rule.id, rows, np.where(r_if, t_if, -1).astype(np.int8), r_if))
        for i, (fdef, lvs) in enumerate(self.factors):
            unk = unknown_level[:, i]
            for k, (lv, _) in enumerate(lvs):
                rows = np.flatnonzero((unk == k) & live)
                if not len(rows):
                    continue
                sev = lv.severity or ""
                pts = pack.points(sev, env.params)
                t_if, r_if, _ = decide.variant(rows, domain=fdef.domain, severity=sev, points=pts)
                t_if = np.where(r_if, t_if, -1).astype(np.int8)
                keep = t_if != tier[rows]
                out.gaps.append(GapColumn("factor", fdef.id, rows[keep], t_if[keep], r_if[keep],
                                          np.full(int(keep.sum()), k, np.int8)))  # fmt: skip
        return out

    def _tally(self, levels: np.ndarray, env: Env) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Points per domain and the number of factors per severity, from the levels that hold."""
        n = levels.shape[0]
        points = {d: np.zeros(n, np.int32) for d in self.domains}
        counts = {s: np.zeros(n, np.int32) for s in self.severities}
        for i, (fdef, lvs) in enumerate(self.factors):
            col = levels[:, i]
            for k, (lv, _) in enumerate(lvs):
                at = col == k
                sev = lv.severity or ""
                counts[sev] += at
                pts = self.pack.points(sev, env.params)
                if pts:
                    points[fdef.domain] += at * np.int32(pts)
        return points, counts


_Decided = tuple[np.ndarray, np.ndarray, np.ndarray]  # tier, on the roster, the deciding tier row


def _full(m: O.Mask, n: int) -> np.ndarray:
    return np.full(n, m) if isinstance(m, bool) else m


def _decision_only(n: A.Node) -> bool:
    """The tier table reads only the score, severity counts, categories, factors and constants."""
    return not isinstance(n, A.Fact | A.Agg) and not (isinstance(n, A.Ref) and n.kind == "predicate")


class _Decision:
    """The tier table and the roster rule, for every child and for "what if this rule held".

    When the table reads only the decision's inputs (the default pack's does), the children are grouped
    by those inputs and each distinct combination is decided once.
    """

    def __init__(
        self, prog: VectorProgram, env: Env, points: dict[str, np.ndarray], counts: dict[str, np.ndarray]
    ) -> None:
        self.prog, self.env = prog, env
        self.cap = int(env.params[prog.pack.domain_cap])
        self.points = {d: np.minimum(p, self.cap) for d, p in points.items()}
        self.counts = counts
        self.score = sum(self.points.values(), np.zeros(env.cols.n, np.int32))
        self.groups: tuple[np.ndarray, int, dict[str, Any]] | None = None
        if prog.compact:
            self.groups = self._group()

    def _group(self) -> tuple[np.ndarray, int, dict[str, Any]] | None:
        """Distinct decision inputs: the group of each child, how many groups, each group's inputs."""
        n = self.env.cols.n
        parts: list[tuple[str, Any, np.ndarray]] = [("points", d, p) for d, p in self.points.items()]
        parts += [("count", s, c) for s, c in self.counts.items()]
        for ref in self.prog.refs:
            b = self.env.results[ref]
            parts.append(("ref", ref, np.where(_full(b.t, n), 1, np.where(_full(b.f, n), 0, 2))))
        key = np.zeros(n, np.int64)
        radix = 1
        sizes = []
        for _, _, arr in parts:
            size = int(arr.max(initial=0)) + 1
            radix *= size
            if radix >= 2**62:
                return None
            key = key * size + arr
            sizes.append(size)
        uniq, inverse = np.unique(key, return_inverse=True)
        decoded: dict[str, Any] = {"points": {}, "count": {}, "ref": {}}
        rest = uniq
        for (kind, name, _), size in zip(reversed(parts), reversed(sizes), strict=True):
            decoded[kind][name] = (rest % size).astype(np.int32)
            rest = rest // size
        return inverse, len(uniq), decoded

    def _decide(self, fr: Frame, points: dict[str, np.ndarray], counts: dict[str, np.ndarray]) -> _Decided:
        prog = self.prog
        score = sum((np.minimum(p, self.cap) for p in points.values()), np.zeros(fr.n, np.int32))
        fr.tier = {"score": O.V("num", score), "severity": {s: O.V("num", c) for s, c in counts.items()}}
        worst = len(prog.pack.tiers)
        best = np.full(fr.n, worst, np.int8)
        row = np.full(fr.n, -1, np.int8)
        for i, (rule, fn, rank) in enumerate(prog.tier_rows):
            if rule.applies_on(self.env.on):
                wins = _full(O.as_b(fn(self.env, fr)).t, fr.n) & (best > rank)
                best[wins] = rank
                row[wins] = i
        roster = _full(O.as_b(prog.on_roster(self.env, fr)).t, fr.n)
        return np.where(best < worst, best, -1).astype(np.int8), roster, row

    def _grouped(self, points: dict[str, np.ndarray], counts: dict[str, np.ndarray],
                 refs: dict[Any, np.ndarray]) -> _Decided:  # fmt: skip
        assert self.groups is not None
        u = self.groups[1]
        overrides = {k: O.B(s == 1, s == 0) for k, s in refs.items()}
        fr = Frame(u, None, np.zeros(u, np.int32), {}, has_child=False, overrides=overrides)
        return self._decide(fr, points, counts)

    def main(self) -> _Decided:
        if self.groups is None:
            return self._decide(self.env.root, self.points, self.counts)
        inverse, _, g = self.groups
        tier, roster, row = self._grouped(g["points"], g["count"], g["ref"])
        return tier[inverse], roster[inverse], row[inverse]

    def variant(self, rows: np.ndarray, *, category: str | None = None, domain: str = "", severity: str = "",
                points: int = 0) -> _Decided:  # fmt: skip
        """Tier and roster for ``rows`` if a category held, or if one more factor held at a severity."""
        if self.groups is not None:
            inverse, u, g = self.groups
            p, c, refs = dict(g["points"]), dict(g["count"]), dict(g["ref"])
            if category is not None:
                if ("category", category) in refs:
                    refs[("category", category)] = np.ones(u, np.int32)
            else:
                p[domain] = p[domain] + points
                c[severity] = c[severity] + 1
            tier, roster, row = self._grouped(p, c, refs)
            sel = inverse[rows]
            return tier[sel], roster[sel], row[sel]
        env = self.env
        fr = Frame(len(rows), rows, env.cols.child_hh[rows], {})
        p = {d: v[rows] for d, v in self.points.items()}
        c = {s: v[rows] for s, v in self.counts.items()}
        if category is not None:
            fr.overrides[("category", category)] = O.B(True, False)
        else:
            p[domain] = p[domain] + points
            c[severity] = c[severity] + 1
        return self._decide(fr, p, c)
