"""The tier table and the roster rule over a population: for every child, and "what if this rule held".

When the table reads only the decision's inputs (capped points per domain, factors per severity, and the
categories or factors it names), children are grouped by those inputs and each group is decided once,
for the actual inputs and for every what-if (a category that would hold; one more factor at a severity,
worth some points in a domain). A what-if answer is one int8 per child: the tier it would give (plus one,
0: none; already none when the child would not be on the roster) in bits 0-3, the roster rule in bit 4
(true) and bit 5 (unknown: the status would be undetermined).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from riskeval.evaluate.plan import constant_parts
from riskeval.evaluate.vector import _ops as O
from riskeval.evaluate.vector._compile import Env, Fn, Frame
from riskeval.pack import Pack, Rule
from riskeval.pack.expr import nodes as A
from riskeval.pack.expr.types import BOOL

DENSE = 1 << 23  # keys with up to this many values are grouped with a table, not by sorting
ROSTER_BIT = 16
ROSTER_UNKNOWN_BIT = 32
Inputs = dict[tuple[str, Any], np.ndarray]


def full(m: O.Mask, n: int) -> np.ndarray:
    return np.full(n, m) if isinstance(m, bool) else m


def unknown(b: O.B, n: int) -> np.ndarray:
    """Where a condition is neither known true nor known false."""
    if isinstance(b.t, bool) or isinstance(b.f, bool):
        return full(O.and2(O.neg(b.t), O.neg(b.f)), n)
    out: np.ndarray = np.logical_or(b.t, b.f)
    np.logical_not(out, out=out)
    return out


def not_positive(node: A.Node, under: bool = False) -> set[tuple[str, str]]:
    """Categories and factors read somewhere other than directly under and/or."""
    if isinstance(node, A.Ref) and node.kind != "predicate":
        return {(node.kind, node.name)} if under else set()
    out: set[tuple[str, str]] = set()
    for child in A.children(node):
        out |= not_positive(child, under or not isinstance(node, A.BoolOp))
    return out


def decision_only(n: A.Node) -> bool:
    """The tier table reads only the score, severity counts, categories, factors and constants."""
    return not isinstance(n, A.Fact | A.Agg) and not (isinstance(n, A.Ref) and n.kind == "predicate")


@dataclass(frozen=True)
class TierTable:
    """The tier table and the roster rule of a pack, compiled: the shape every decision reads."""

    pack: Pack
    tier_rows: list[tuple[Rule, Fn, int]]  # (row, compiled condition, tier rank)
    on_roster: Fn
    parts: list[tuple[tuple[str, str], Fn]]  # the table's per-child parts, read as group keys
    refs: list[tuple[str, str]]  # the rule results the table reads
    positive: set[tuple[str, str]]  # those read only under and/or
    compact: bool  # the table reads only the decision's inputs: decided per group of inputs


def tier_table(pack: Pack, compile: Callable[[A.Node], Fn]) -> TierTable:
    """Compile a pack's tier table and roster rule, with the static analyses that let it be decided per group."""
    # A part of the table that reads the child's facts but neither a rule result nor a tier input (a
    # predicate on a parent, say) has one value per child whatever the what-if: computed once per child,
    # it is read like a rule result, ("part", i), and the table can still be decided per group of inputs.
    parts = [p for r in [*pack.tier_rows, pack.on_roster] for p in constant_parts(r.node, pack)]
    if any(p.type != BOOL for p in parts):
        parts = []  # a number or a date per child is no group key: decided per child (not compact)
    names = {id(p): A.Ref(type=p.type, mark=p.mark, kind="part", name=str(i)) for i, p in enumerate(parts)}
    parts_fns = [(("part", str(i)), compile(p)) for i, p in enumerate(parts)]
    decision = [_read_parts(r.node, names) for r in [*pack.tier_rows, pack.on_roster]]
    rows = zip(pack.tier_rows, decision[:-1], strict=True)
    tier_rows = [(r, compile(d), pack.tier_rank(r.tier or "")) for r, d in rows]
    # The rule results the table reads; a predicate it calls is not one (it reads the facts, which makes
    # the decision per child: not compact).
    refs = {(n.kind, n.name) for d in decision for n in A.walk(d) if isinstance(n, A.Ref) and n.kind != "predicate"}
    # Read only under and/or: "unknown" and "false" then decide alike (Kleene logic is monotone, and the
    # table asks "is it true?"), so the decision is grouped on two values of these instead of three.
    # The roster rule is three-valued (an unknown one makes the status undetermined): what it reads keeps
    # its three values.
    roster_refs = {(n.kind, n.name) for n in A.walk(decision[-1]) if isinstance(n, A.Ref) and n.kind != "predicate"}
    positive = set(refs) - {r for d in decision for r in not_positive(d)} - roster_refs
    compact = all(decision_only(n) for d in decision for n in A.walk(d))
    return TierTable(pack, tier_rows, compile(decision[-1]), parts_fns, sorted(refs), positive, compact)


def _read_parts(node: A.Node, names: dict[int, A.Ref]) -> A.Node:
    """The tree with each of its constant parts (by identity) replaced by the reference that reads it."""
    if id(node) in names:
        return names[id(node)]
    changes: dict[str, Any] = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, A.Node):
            new = _read_parts(value, names)
            if new is not value:
                changes[f.name] = new
        elif isinstance(value, tuple) and value and isinstance(value[0], A.Node):
            items = tuple(_read_parts(v, names) for v in value)
            if any(a is not b for a, b in zip(items, value, strict=True)):
                changes[f.name] = items
    return replace(node, **changes) if changes else node


def _mix(parts: list[tuple[tuple[str, Any], np.ndarray, int]], n: int) -> tuple[np.ndarray, int] | None:
    """Several small fields as one integer key (mixed radix), or None when it would not fit."""
    size = 1
    for _, _, radix in parts:
        size *= radix
    if size >= 2**62:
        return None
    key: np.ndarray = np.zeros(n, np.int32 if size < 2**31 else np.int64)
    for _, arr, radix in parts:
        key *= radix
        key += arr
    return key, size


def _unmix(parts: list[tuple[tuple[str, Any], np.ndarray, int]], key: np.ndarray) -> Inputs:
    out: Inputs = {}
    for name, _, radix in reversed(parts):
        out[name] = (key % radix).astype(np.int32)
        key = key // radix
    return out


def _compress(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense group numbers for a key, and each group's key."""
    if size <= DENSE:
        seen = np.zeros(size, bool)
        seen[key] = True
        uniq = np.flatnonzero(seen)
        index = np.zeros(size, np.int32)
        index[uniq] = np.arange(len(uniq), dtype=np.int32)
        return index[key], uniq
    uniq, groups = np.unique(key, return_inverse=True)
    return groups.astype(np.int32), uniq


class Decision:
    """Decides a population's tier and roster, and answers what-ifs for the data gaps."""

    def __init__(self, prog: TierTable, env: Env, points: dict[str, np.ndarray], counts: dict[str, np.ndarray]) -> None:
        self.prog, self.env = prog, env
        n = self.n = env.cols.n
        self.cap = cap = int(env.params[prog.pack.domain_cap])
        self.raw = points  # before the cap: a what-if that swaps a hit for another needs them
        self.points = {d: np.minimum(p, cap).astype(np.int16) for d, p in points.items()}
        self.score = sum(self.points.values(), np.zeros(n, np.int16))
        self.counts = counts
        self.states: dict[tuple[str, str], np.ndarray] = {}
        for ref in prog.refs:
            b = env.results[ref]
            state = full(b.t, n).view(np.int8)
            if ref not in prog.positive:  # unknown is a value of its own
                state = state + 2 * unknown(b, n).view(np.int8)
            self.states[ref] = state
        self.cache: dict[Any, WhatIf] = {}
        self.groups = self._group() if prog.compact else None

    def _fields(self) -> tuple[list[Any], list[Any]]:
        a: list[Any] = [(("points", d), p, self.cap + 1) for d, p in self.points.items()]
        b: list[Any] = [(("count", s), c, int(c.max(initial=0)) + 1) for s, c in self.counts.items()]
        b += [(("ref", r), v, 2 if r in self.prog.positive else 3) for r, v in self.states.items()]
        return a, b

    def _group(self) -> tuple[np.ndarray, Inputs] | None:
        """The group of each child, and each group's inputs."""
        a, b = self._fields()
        ka, kb = _mix(a, self.n), _mix(b, self.n)
        if ka is None or kb is None:
            return None
        ga, ua = _compress(*ka)
        gb, ub = _compress(*kb)
        groups, uniq = _compress(ga.astype(np.int64) * len(ub) + gb, len(ua) * len(ub))
        return groups, {**_unmix(a, ua[uniq // len(ub)]), **_unmix(b, ub[uniq % len(ub)])}

    def _decide(self, fr: Frame, inputs: Inputs) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Tier (-1: none), the roster rule (true; unknown), and the deciding row of the tier table, for a
        frame's rows."""
        prog = self.prog
        score = sum((v for (kind, _), v in inputs.items() if kind == "points"), np.zeros(fr.n, np.int32))
        counts = {name: O.V("num", v) for (kind, name), v in inputs.items() if kind == "count"}
        fr.tier = {"score": O.V("num", score), "severity": counts}
        worst = len(prog.pack.tiers)
        best = np.full(fr.n, worst, np.int8)
        row = np.full(fr.n, -1, np.int8)
        for i, (rule, fn, rank) in enumerate(prog.tier_rows):
            if rule.applies_on(self.env.on):
                wins = full(O.as_b(fn(self.env, fr)).t, fr.n) & (best > rank)
                best[wins] = rank
                row[wins] = i
        listed = O.as_b(prog.on_roster(self.env, fr))
        roster, open_ = full(listed.t, fr.n), unknown(listed, fr.n)
        return np.where(best < worst, best, -1).astype(np.int8), roster, open_, row

    def _frame(self, inputs: Inputs, force: str | None = None) -> Frame:
        if self.groups is None:
            fr = Frame(self.n, None, self.env.cols.child_hh, {})
            if force is not None:
                fr.overrides[("category", force)] = O.B(True, False)
            return fr
        n = len(next(iter(inputs.values())))
        refs = {name: v for (kind, name), v in inputs.items() if kind == "ref"}
        overrides = {k: O.B(s == 1, s == 0) for k, s in refs.items()}
        return Frame(n, None, np.zeros(n, np.int32), {}, has_child=False, overrides=overrides)

    def _inputs(self) -> Inputs:
        if self.groups is not None:
            return dict(self.groups[1])
        inputs: Inputs = {("points", d): p for d, p in self.points.items()}
        inputs.update({("count", s): c for s, c in self.counts.items()})
        return inputs

    def main(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every child's tier (-1: none), whether the roster rule holds, whether it is unknown, and the
        deciding tier row."""
        inputs = self._inputs()
        fr = self.env.root if self.groups is None else self._frame(inputs)
        tier, roster, open_, row = self._decide(fr, inputs)
        self.shown = _answer(tier, roster, open_)  # per group (or child): the answer code of the facts as they are
        if self.groups is None:
            return tier, roster, open_, row
        g = self.groups[0]
        return tier[g], roster[g], open_[g], row[g]

    def what_if(self, *, category: str | None = None, domain: str = "", severity: str = "", points: int = 0) -> WhatIf:
        """Every child's answer if a category held, or one more factor held at a severity (see the module)."""
        key = (category, domain, severity, points)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        inputs = self._inputs()
        if category is not None:
            ref = ("ref", ("category", category))
            if ref in inputs:
                inputs[ref] = np.ones_like(inputs[ref])
        else:
            inputs[("points", domain)] = np.minimum(inputs[("points", domain)] + points, self.cap)
            inputs[("count", severity)] = inputs[("count", severity)] + 1
        tier, roster, open_, _ = self._decide(self._frame(inputs, category), inputs)
        code = _answer(tier, roster, open_)
        answer = self.cache[key] = WhatIf(code, self.groups[0] if self.groups else None, code != self.shown)
        return answer

    def swap(self, rows: np.ndarray, *, domain: str, severity: str, points: int, held: str, held_points: int) -> WhatIf:
        """The answer of the children ``rows`` (a mask) if a factor holding at severity ``held`` held at
        ``severity`` instead; other children's answers are meaningless.

        Decided for those children only, never per group: the swapped domain's points come from its points
        before the cap, which the groups do not keep."""
        at = np.flatnonzero(rows)
        inputs: Inputs = {("points", d): p[at] for d, p in self.points.items()}
        inputs.update({("count", s): c[at] for s, c in self.counts.items()})
        inputs[("points", domain)] = np.minimum(self.raw[domain][at] - held_points + points, self.cap)
        inputs[("count", severity)] = inputs[("count", severity)] + 1
        inputs[("count", held)] = inputs[("count", held)] - 1
        tier, roster, open_, _ = self._decide(Frame(len(at), at, self.env.cols.child_hh[at], {}), inputs)
        code = np.zeros(self.n, np.int8)
        code[at] = _answer(tier, roster, open_)
        shown = self.shown if self.groups is None else self.shown[self.groups[0]]
        return WhatIf(code, None, rows & (code != shown))


def _answer(tier: np.ndarray, roster: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """What-if answer codes: the tier plus one (0: none, or off the roster) in bits 0-3, the roster rule in
    bit 4 (true) and bit 5 (unknown)."""
    code: np.ndarray = (np.where(roster, tier, -1) + 1).astype(np.int8)
    code |= roster.astype(np.int8) * np.int8(ROSTER_BIT)
    code |= open_.astype(np.int8) * np.int8(ROSTER_UNKNOWN_BIT)
    return code


class WhatIf:
    """The answers to one what-if: per group (the children's ``groups``), or per child."""

    def __init__(self, code: np.ndarray, groups: np.ndarray | None, changes: np.ndarray) -> None:
        self.code, self.groups, self._changes = code, groups, changes
        self._per_child: np.ndarray | None = None

    def at(self, rows: np.ndarray) -> np.ndarray:
        """The answer codes of some children."""
        out: np.ndarray = self.code[rows] if self.groups is None else self.code[self.groups[rows]]
        return out

    def changes(self) -> np.ndarray:
        """Per child: whether the answer's tier or roster rule differs from the one shown (before exits)."""
        if self._per_child is None:
            self._per_child = self._changes if self.groups is None else self._changes[self.groups]
        return self._per_child
