"""VectorProgram: a pack compiled to the numpy form, and the evaluation of a whole population against it.

The same steps as ``ScalarProgram.evaluate`` (``riskeval.evaluate.scalar``), each over every child at
once: the exit rule, categories and factors in ``pack.order`` (a factor holds at its most severe level
that holds), capped domain points, the tier table (highest tier wins), the roster rule, then the data
gaps, each with the tier the child would get if the unknown rule turned out to hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from riskeval.evaluate.plan import duties_by_factor
from riskeval.evaluate.vector import _ops as O
from riskeval.evaluate.vector._compile import Compiler, Env, Fn
from riskeval.evaluate.vector._decide import ROSTER_BIT, ROSTER_UNKNOWN_BIT, Decision, WhatIf, tier_table
from riskeval.evaluate.vector._decide import full as _full
from riskeval.evaluate.vector._decide import unknown as _unknown
from riskeval.evaluate.vector._gap_facts import Atoms
from riskeval.pack import Factor, Pack, Rule
from riskeval.population.layout import Columns

STATUS_NOT_ON_ROSTER, STATUS_ON_ROSTER, STATUS_EXITED, STATUS_UNDETERMINED = 0, 1, 2, 3


@dataclass
class GapColumn:
    """One rule's data gaps: the children it is unknown for (and, for factors, could change the tier),
    and the what-if answer of each child (see ``_decide``)."""

    kind: str  # "roster" | "category" | "factor"
    rule: str
    mask: np.ndarray  # bool per child
    answer: WhatIf | None = None  # tier + 1 in bits 0-3, on the roster in bit 4
    level: int = -1  # factors: the index of the unknown level (its severity)

    def tier_if_true(self, rows: np.ndarray) -> np.ndarray:
        if self.answer is None:
            return np.full(len(rows), -1, np.int8)
        tier: np.ndarray = (self.answer.at(rows) & 15) - 1
        return tier

    def status_if_true(self, rows: np.ndarray) -> np.ndarray:
        """The status code (STATUS_*) of each child of ``rows`` if the rule held."""
        if self.kind == "roster":
            return np.full(len(rows), STATUS_EXITED, np.int8)
        if self.answer is None:
            return np.full(len(rows), STATUS_NOT_ON_ROSTER, np.int8)
        code = self.answer.at(rows)
        out: np.ndarray = np.where(
            code & ROSTER_BIT, STATUS_ON_ROSTER, np.where(code & ROSTER_UNKNOWN_BIT, STATUS_UNDETERMINED, 0)
        ).astype(np.int8)
        return out


@dataclass
class Evaluations:
    """What the numpy program decided for every child, as arrays."""

    status: np.ndarray  # int8: STATUS_*
    tier: np.ndarray  # int8 index into pack.tiers, -1: none
    tier_row: np.ndarray  # int8 index into pack.tier_rows of the row that decided, -1: none
    score: np.ndarray  # int32
    categories: np.ndarray  # bool (categories, n) in pack order
    factors: np.ndarray  # int8 (factors, n): the index of the level that holds, -1: none
    duties: np.ndarray  # bool (duties, n): the pack's duties that hold
    # bool, one row per rule: neither known to hold nor known not to (the scalar form's ``rule_values`` None),
    # for tables that must show unknown as unknown; a child who has exited is in no category (none unknown)
    category_unknown: np.ndarray
    factor_unknown: np.ndarray  # no level held and one unknown
    duty_unknown: np.ndarray
    gaps: list[GapColumn] = field(default_factory=list)
    env: Env | None = None


class VectorProgram:
    """The numpy form of a pack: one compiled function per rule, and the static shape of the decision."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        c = self.compiler = Compiler(pack)
        self.categories: list[tuple[Rule, Fn]] = []
        self.factors: list[tuple[Factor, list[tuple[Rule, Fn]]]] = []
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
        self.table = tier_table(pack, c.compile)
        self.atoms = Atoms(pack)  # the fact paths its data gaps can name
        self.exited = c.compile(pack.exited.node)
        self.duties = [(r, c.compile(r.node)) for r in pack.duties]
        self.duties_by_factor = duties_by_factor(pack)  # their factors keep their gaps (see riskeval.evaluate.scalar)
        self.domains = sorted({f.domain for f, _ in self.factors})
        self.severities = list(pack.severities)

    def _open_duty(self, factor: str, held: np.ndarray, live: np.ndarray, on: date) -> np.ndarray | None:
        """The children for whom a duty reading this factor is in force and does not hold (its gap is kept
        whatever the tier: ``_program.open_duties``); None when no duty reads it."""
        mine = self.duties_by_factor.get(factor, ())
        reading = [k for k, (d, _) in enumerate(self.duties) if d.applies_on(on) and any(d is x for x in mine)]
        if not reading:
            return None
        out: np.ndarray = np.zeros(len(live), bool)
        for k in reading:
            out |= ~held[k]
        out &= live
        return out

    def run(self, cols: Columns, on_date: date) -> Evaluations:
        pack, on = self.pack, on_date
        env = Env(pack, cols, on)
        fr = env.root
        n = cols.n
        false = O.B(False, True)
        ex = O.as_b(self.exited(env, fr)) if pack.exited.applies_on(on) else false
        exited = _full(ex.t, n)
        cats = np.zeros((len(self.categories), n), bool)
        cat_unknown = np.zeros((len(self.categories), n), bool)
        levels = np.full((len(self.factors), n), -1, np.int8)
        factor_unknown = np.zeros((len(self.factors), n), bool)
        unknown: dict[tuple[int, int], np.ndarray] = {}  # (factor, level): unknown there, no level held
        # (factor, level, level held): a lower level held, this more severe one (the first unknown) is unknown
        upgrades: dict[tuple[int, int, int], np.ndarray] = {}
        # how many factors hold per (domain, severity): points and severity counts follow from these
        tally = {(f.domain, lv.severity or ""): np.zeros(n, np.int8) for f, lvs in self.factors for lv, _ in lvs}
        for kind, i in self.steps:
            if kind == "category":
                rule, fn = self.categories[i]
                b = O.as_b(fn(env, fr)) if rule.applies_on(on) else false
                env.results[("category", rule.id)] = b
                cats[i] = b.t
                cat_unknown[i] = _unknown(b, n)
                continue
            fdef, lvs = self.factors[i]
            vals = [O.as_b(f(env, fr)) if lv.applies_on(on) else false for lv, f in lvs]
            if len(vals) == 1:
                held = _full(vals[0].t, n)
                np.subtract(held.view(np.int8), 1, out=levels[i])
                env.results[("factor", fdef.id)] = O.B(held, vals[0].f)
                tally[(fdef.domain, lvs[0][0].severity or "")] += held
                unknown[(i, 0)] = factor_unknown[i] = _unknown(vals[0], n)
                continue
            first_unknown = np.full(n, -1, np.int8)
            for k in range(len(vals) - 1, -1, -1):
                levels[i][_full(vals[k].t, n)] = k
                first_unknown[_unknown(vals[k], n)] = k
            held = levels[i] >= 0
            up = held & (first_unknown >= 0) & (first_unknown < levels[i])
            if up.any():  # the distinct (unknown level, held level) pairs, found by numpy, not row by row
                pairs = np.unique(first_unknown[up].astype(np.int16) * 256 + levels[i][up])
                for ku, kh in (divmod(int(p), 256) for p in pairs):
                    upgrades[(i, ku, kh)] = up & (first_unknown == ku) & (levels[i] == kh)
            first_unknown[held] = -1
            factor_unknown[i] = first_unknown >= 0
            env.results[("factor", fdef.id)] = O.B(held, ~held & (first_unknown < 0))
            for k, (lv, _) in enumerate(lvs):
                at = levels[i] == k
                tally[(fdef.domain, lv.severity or "")] += at
                unknown[(i, k)] = first_unknown == k
        points = {d: np.zeros(n, np.int16) for d in self.domains}
        counts = {s: np.zeros(n, np.int16) for s in self.severities}
        for (d, sev), count in tally.items():
            counts[sev] += count
            worth = pack.points(sev, env.params)
            if worth:
                points[d] += count * np.int16(worth)
        for key, part in self.table.parts:
            env.results[key] = O.as_b(part(env, fr))
        decide = Decision(self.table, env, points, counts)
        live = ~exited
        tier, roster, roster_open, tier_row = decide.main()
        # Three-valued, as in the scalar form: undetermined where the exit or roster rule is unknown (and,
        # below, where an unknown rule would put a child off the roster on it).
        undetermined = live & (_unknown(ex, n) | roster_open)
        status = np.where(exited, STATUS_EXITED, np.where(roster, STATUS_ON_ROSTER, STATUS_NOT_ON_ROSTER))
        score = np.where(exited, 0, decide.score).astype(np.int32)
        cats &= live[None, :]
        levels[:, exited] = -1
        duties = np.zeros((len(self.duties), n), bool)
        duty_unknown = np.zeros((len(self.duties), n), bool)
        if self.duties:  # read with the table's inputs as decided, per child (as in the scalar form)
            fr.tier = {"score": O.V("num", decide.score.astype(np.int32)),
                       "severity": {s: O.V("num", c) for s, c in counts.items()}}  # fmt: skip
            for k, (rule, fn) in enumerate(self.duties):
                if rule.applies_on(on):
                    b = O.as_b(fn(env, fr))
                    duties[k] = _full(b.t, n) & live
                    duty_unknown[k] = _unknown(b, n) & live
        cat_unknown &= live[None, :]
        factor_unknown &= live[None, :]
        out = Evaluations(status.astype(np.int8), tier, tier_row, score, cats, levels, duties,
                          cat_unknown, factor_unknown, duty_unknown, env=env)  # fmt: skip
        if pack.exited.applies_on(on_date):
            out.gaps.append(GapColumn("roster", pack.exited.id, _unknown(ex, n)))
        for i, (rule, _) in enumerate(self.categories):
            out.gaps.append(GapColumn("category", rule.id, cat_unknown[i] & live, decide.what_if(category=rule.id)))
        changes: dict[int, np.ndarray] = {}  # per what-if: would the tier shown change (children still here)
        for i, (fdef, lvs) in enumerate(self.factors):
            kept = self._open_duty(fdef.id, duties, live, on)
            for k, (lv, _) in enumerate(lvs):
                sev = lv.severity or ""
                answer = decide.what_if(domain=fdef.domain, severity=sev, points=pack.points(sev, env.params))
                if id(answer) not in changes:
                    changes[id(answer)] = answer.changes() & live
                mask = unknown[(i, k)] & (changes[id(answer)] if kept is None else changes[id(answer)] | kept)
                out.gaps.append(GapColumn("factor", fdef.id, mask, answer, k))
            # Rendered in the columns' order: a factor's gaps of either kind come in the pack's order.
            for (_, ku, kh), rows in sorted(x for x in upgrades.items() if x[0][0] == i):
                sev, was = lvs[ku][0].severity or "", lvs[kh][0].severity or ""
                answer = decide.swap(rows, domain=fdef.domain, severity=sev, points=pack.points(sev, env.params),
                                     held=was, held_points=pack.points(was, env.params))  # fmt: skip
                keep = answer.changes() & live if kept is None else (answer.changes() & live) | kept
                out.gaps.append(GapColumn("factor", fdef.id, rows & keep, answer, ku))
        off = live & ~roster & ~undetermined
        # a child off the roster whom a rule's gap, if the rule held, would put on it or leave it unknown
        if off.any():
            for g in out.gaps:
                if g.kind != "roster" and g.answer is not None:
                    rows = np.flatnonzero(off & g.mask)
                    if len(rows):
                        undetermined[rows] |= (g.answer.at(rows) & (ROSTER_BIT | ROSTER_UNKNOWN_BIT)) != 0
        out.status[undetermined] = STATUS_UNDETERMINED
        listed = out.status == STATUS_ON_ROSTER
        out.tier = np.where(listed, tier, -1).astype(np.int8)
        out.tier_row = np.where(listed, tier_row, -1).astype(np.int8)
        return out
