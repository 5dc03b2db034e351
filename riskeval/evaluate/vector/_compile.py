"""The numpy form: each typed expression compiled once into closures over the columns of a population.

A condition is a pair of masks ``B(t, f)``: known true, known false; neither is unknown (Kleene's
three values, as in the scalar form). A value ``V`` carries its array, an ``unk`` mask (unknown) and an
``absent`` mask (a field of a certificate known not to be held: comparisons false, ``!=`` true).
Masks may be plain Python booleans when they hold for every row.

Expressions are evaluated over a ``Frame``: the children themselves, the members (predicates about one
member and aggregations that read only the member are computed once per member and gathered), or pairs
of (row, member) for an aggregation that also reads the child.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from riskeval.evaluate.plan import leap_day
from riskeval.evaluate.vector import _ops as O
from riskeval.evaluate.vector import _segments as S
from riskeval.evaluate.vector._ops import B, Mask, MRef, V, Val
from riskeval.pack import Pack
from riskeval.pack.expr import nodes as A
from riskeval.population.layout import MEMBERS, ROLES, Columns, Table, pack_date

Fn = Callable[["Env", "Frame"], Val]


@dataclass(eq=False)
class Frame:
    """The rows an expression is evaluated over, and what each row's names point at."""

    n: int
    child: np.ndarray | None  # child row of each frame row; None: row i is child i
    hh: np.ndarray  # household row of each frame row
    vars: dict[str, np.ndarray | None]  # bound member variables -> member row (None: row i is member i)
    has_child: bool = True
    overrides: dict[tuple[str, str], B] = field(default_factory=dict)
    tier: dict[str, Any] = field(default_factory=dict)
    cache: dict[Any, Val] = field(default_factory=dict)

    def child_rows(self) -> np.ndarray:
        return np.arange(self.n) if self.child is None else self.child

    def var_rows(self, name: str) -> np.ndarray:
        v = self.vars[name]
        return np.arange(self.n) if v is None else v


class Env:
    """One evaluation: the columns, the date, the parameters, and what has been decided so far."""

    def __init__(self, pack: Pack, cols: Columns, on: Any) -> None:
        self.pack = pack
        self.cols = cols
        self.on = on
        self.on_packed = pack_date(on)
        self.mar_1 = leap_day(pack) == "mar_1"  # the pack's Feb 29 birthday in a common year
        self.params = pack.params_on(on)
        self.results: dict[tuple[str, str], B] = {}
        self.shared: dict[Any, Any] = {}
        self.root = Frame(cols.n, None, cols.child_hh, {})
        self._member_frames: dict[str, Frame] = {}

    def member_frame(self, var: str) -> Frame:
        """Every member (and the unknown member row) once, bound to ``var``."""
        fr = self._member_frames.get(var)
        if fr is None:
            cols = self.cols
            fr = Frame(cols.m + 1, None, cols.member_hh, {var: None}, has_child=False)
            self._member_frames[var] = fr
        return fr

    def table(self, fr: Frame, root: str) -> tuple[Table, np.ndarray | None]:
        """The table a root reads from and the row of it each frame row reads."""
        cols = self.cols
        if root == "child":
            if not fr.has_child:
                raise RuntimeError("a member-level expression read the child")
            return cols.children, fr.child
        if root == "household":
            return cols.households, fr.hh
        if root in ROLES:
            idx = cols.roles[root]
            return cols.members, idx if fr.child is None else idx[fr.child]
        return cols.members, fr.vars[root]


def _take(a: np.ndarray, idx: np.ndarray | None) -> np.ndarray:
    return a if idx is None else a[idx]


class Compiler:
    """Compiles the expressions of one pack; a predicate's body is compiled once and shared."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.mar_1 = leap_day(pack) == "mar_1"
        self.free_of: dict[str, frozenset[str]] = {}
        for name in pack.predicates:
            self._pred_free(name, set())
        self.shared = _repeated(pack)
        self.predicates: dict[str, tuple[tuple[str, ...], Fn]] = {}
        for name, rule in pack.predicates.items():
            self.predicates[name] = (rule.args, self.compile(rule.node))

    # --- what an expression depends on ---------------------------------------------------------
    def _pred_free(self, name: str, seen: set[str]) -> frozenset[str]:
        if name in self.free_of:
            return self.free_of[name]
        if name in seen:
            return frozenset({"child"})
        seen.add(name)
        rule = self.pack.predicates[name]
        out = self.free(rule.node, seen) - set(rule.args)
        self.free_of[name] = out
        return out

    def free(self, n: A.Node, seen: set[str] | None = None) -> frozenset[str]:
        """The roots an expression reads: ``child`` (the child, its roles, categories, factors),
        ``household``, and bound member variables. Parameters and ``on`` are the same for every row."""
        seen = seen if seen is not None else set()
        out: set[str] = set()
        for node in A.walk(n):
            if isinstance(node, A.Fact):
                if node.root in ROLES or node.root == "child":
                    out.add("child")
                elif node.root != "on":
                    out.add(node.root)
            elif isinstance(node, A.Ref | A.TierInput):
                if isinstance(node, A.Ref) and node.kind == "predicate":
                    out |= self._pred_free(node.name, seen)
                else:
                    out.add("child")
            elif isinstance(node, A.Agg):
                inner = self.free(node.body, seen) | (self.free(node.cond, seen) if node.cond else set())
                out |= inner - {node.var}
        return frozenset(out)

    def member_pure(self, name: str) -> bool:
        """A one-member predicate that reads only that member and the household: computed per member."""
        return len(self.pack.predicates[name].args) == 1 and self.free_of[name] <= {"household"}

    # --- nodes -----------------------------------------------------------------------------------
    def compile(self, n: A.Node) -> Fn:
        """The node's function; a sub-expression written more than once in the pack is computed once per
        frame (``child.age < params.adult_age``, ``held(father) or held(mother)``...)."""
        fn = self._compile(n)
        key = self.shared.get(n)
        if key is None:
            return fn

        def once(env: Env, fr: Frame) -> Val:
            hit = fr.cache.get(key)
            if hit is None:
                hit = fr.cache[key] = fn(env, fr)
            return hit

        return once

    def _compile(self, n: A.Node) -> Fn:
        match n:
            case A.Const(value=v):
                const = O.constant(v)
                return lambda env, fr: const
            case A.Param(name=name):
                return lambda env, fr: O.constant(env.params[name])
            case A.Fact():
                return _fact(n)
            case A.Not(operand=o):
                f = self.compile(o)
                return lambda env, fr: O.not_(O.as_b(f(env, fr)))
            case A.BoolOp(op=op, operands=ops):
                fs = [self.compile(o) for o in ops]
                combine = O.and_ if op == "and" else O.or_
                return lambda env, fr: combine([O.as_b(f(env, fr)) for f in fs])
            case A.Compare(op=op, left=left, right=right):
                a, b = self.compile(left), self.compile(right)
                return lambda env, fr: O.compare(op, a(env, fr), b(env, fr), env.cols.strings)
            case A.In():
                return self._in(n)
            case A.Arith(op=op, left=left, right=right):
                a, b = self.compile(left), self.compile(right)
                return lambda env, fr: O.arith(op, O.as_v(a(env, fr)), O.as_v(b(env, fr)))
            case A.Agg():
                return self._agg(n)
            case A.Call(fn=fn, args=args):
                return self._call(fn, [self.compile(a) for a in args])
            case A.Ref(kind="predicate"):
                return self._predicate(n)
            case A.Ref(kind=kind, name=name):
                key = (kind, name)
                return lambda env, fr: _result(env, fr, key)
            case A.TierInput(name="score"):
                return lambda env, fr: fr.tier["score"]
            case A.TierInput(key=key):
                return lambda env, fr: fr.tier["severity"].get(key, O.ZERO)
        raise TypeError(f"cannot compile {type(n).__name__}")

    def _in(self, n: A.In) -> Fn:
        item = self.compile(n.item)
        negate = n.negate
        if n.container is not None:
            container = self.compile(n.container)
            return lambda env, fr: O.contains(O.as_v(container(env, fr)), [item(env, fr)], negate)
        items = [self.compile(i) for i in n.items]
        return lambda env, fr: O.isin(item(env, fr), [i(env, fr) for i in items], negate, env.cols.strings)

    def _call(self, fn: str, args: list[Fn]) -> Fn:
        mar_1 = self.mar_1
        return lambda env, fr: O.call(fn, [a(env, fr) for a in args], mar_1)

    def _predicate(self, n: A.Ref) -> Fn:
        name = n.name
        args = [self.compile(a) for a in n.args]
        key = ("pred", name)
        if not args:

            def call0(env: Env, fr: Frame) -> Val:
                hit = fr.cache.get(key)
                if hit is None:
                    hit = fr.cache[key] = self.predicates[name][1](env, fr)
                return hit

            return call0
        if self.member_pure(name):

            def call1(env: Env, fr: Frame) -> Val:
                ref = args[0](env, fr)
                assert isinstance(ref, MRef)
                local = (key, ref.root)
                hit = fr.cache.get(local)
                if hit is None:
                    state = env.shared.get(key)
                    if state is None:
                        (param,), body = self.predicates[name]
                        state = env.shared[key] = S.member_states(
                            O.as_b(body(env, env.member_frame(param))), env.cols.m
                        )
                    hit = fr.cache[local] = S.from_states(state if ref.idx is None else state[ref.idx])
                return hit

            return call1

        def inline(env: Env, fr: Frame) -> Val:
            params, body = self.predicates[name]
            refs = [a(env, fr) for a in args]
            bound: dict[str, np.ndarray | None] = {}
            for p, r in zip(params, refs, strict=True):
                assert isinstance(r, MRef)
                bound[p] = np.arange(fr.n) if r.idx is None else r.idx
            sub = Frame(fr.n, fr.child, fr.hh, {**fr.vars, **bound}, fr.has_child, fr.overrides, fr.tier)
            missing: Mask = False
            for idx in bound.values():
                missing = O.or2(missing, np.asarray(idx) == env.cols.m)
            return S.unknown_where(O.as_b(body(env, sub)), missing)

        return inline

    def _agg(self, n: A.Agg) -> Fn:
        body = self.compile(n.body)
        cond = self.compile(n.cond) if n.cond is not None else None
        fn, var = n.fn, n.var
        inner = self.free(n.body) | (self.free(n.cond) if n.cond else frozenset())
        per_member = inner <= {var, "household"}
        key = ("agg", id(n))

        def contributions(env: Env, fr: Frame) -> Val:
            c = O.as_b(cond(env, fr)) if cond is not None else None
            return S.contribution(fn, c, body(env, fr))

        def agg(env: Env, fr: Frame) -> Val:
            cols = env.cols
            listed = cols.households.cols[MEMBERS]  # unknown list of adults: the aggregation is unknown
            if per_member:
                per_hh = env.shared.get(key)
                if per_hh is None:
                    # any/count (and all) of the same members share their per-household counts
                    counted = ("counts", fn == "all", n.body, n.cond) if fn != "sum" else None
                    counts = env.shared.get(counted) if counted else None
                    if counts is None:
                        contrib = contributions(env, env.member_frame(var))
                        counts = S.segment_counts(fn, contrib, cols.hh_start, cols.m)
                        if counted:
                            env.shared[counted] = counts
                    per_hh = S.finish(fn, counts, np.diff(cols.hh_start))
                    per_hh = env.shared[key] = S.unknown_rows(per_hh, listed == 0)
                return S.gather_rows(per_hh, fr.hh)
            pairs, starts = _pairs(env, fr, var)
            counts = S.segment_counts(fn, contributions(env, pairs), starts, pairs.n)
            return S.unknown_rows(S.finish(fn, counts, np.diff(starts)), listed[fr.hh] == 0)

        return agg


def _repeated(pack: Pack) -> dict[A.Node, tuple[str, int]]:
    """Sub-expressions that occur more than once across the pack's rules, each with a cache key. Leaves
    (cheap, or cached already) and whatever reads the tier table's inputs (they change) are left out."""
    roots = [r.node for r in (*pack.predicates.values(), *pack.categories.values(), pack.exited)]
    roots += [lv.node for f in pack.factors.values() for lv in f.levels]
    seen: dict[A.Node, int] = {}
    for root in roots:
        for node in A.walk(root):
            if not isinstance(node, A.Const | A.Param | A.Fact | A.Ref | A.TierInput):
                seen[node] = seen.get(node, 0) + 1
    repeated = [n for n, count in seen.items() if count > 1]
    return {n: ("cse", i) for i, n in enumerate(repeated)}


def _pairs(env: Env, fr: Frame, var: str) -> tuple[Frame, np.ndarray]:
    """A frame of (row, member of the row's household) pairs, and where each row's pairs start."""
    cols = env.cols
    first = cols.hh_start[fr.hh]
    sizes = cols.hh_start[fr.hh + 1] - first
    starts = np.zeros(fr.n + 1, np.int64)
    np.cumsum(sizes, out=starts[1:])
    row = np.repeat(np.arange(fr.n), sizes)
    member = first[row] + (np.arange(len(row)) - starts[row])
    bound: dict[str, np.ndarray | None] = {k: fr.var_rows(k)[row] for k in fr.vars}
    bound[var] = member.astype(np.int32)
    pf = Frame(len(row), fr.child_rows()[row], fr.hh[row], bound, fr.has_child, {}, {})
    pf.overrides = {k: S.gather_rows(b, row) for k, b in fr.overrides.items()}  # type: ignore[misc]
    if fr.tier:  # a tier-table row or duty may read the score or a severity count inside an aggregation
        severity = {k: S.gather_rows(v, row) for k, v in fr.tier["severity"].items()}
        pf.tier = {"score": S.gather_rows(fr.tier["score"], row), "severity": severity}
    return pf, starts


def _result(env: Env, fr: Frame, key: tuple[str, str]) -> Val:
    b = fr.overrides.get(key)
    if b is not None:
        return b
    b = env.results[key]
    return b if fr.child is None else S.gather_rows(b, fr.child)


def _fact(n: A.Fact) -> Fn:
    root, path = n.root, n.path
    if root == "on":
        return lambda env, fr: V("date", env.on_packed)
    if not path:
        return lambda env, fr: MRef(env.table(fr, root)[1], root)
    ckey = ("fact", root, path)

    def fact(env: Env, fr: Frame) -> Val:
        hit = fr.cache.get(ckey)
        if hit is None:
            table, idx = env.table(fr, root)
            hit = fr.cache[ckey] = read(env, table, idx, path)
        return hit

    return fact


def read(env: Env, table: Table, idx: np.ndarray | None, path: tuple[str, ...]) -> Val:
    """A fact's value on every row: unknown where it or a record on its path is unknown, absent under
    a certificate known not to be held."""
    if path[-1] == "age" and len(path) == 1:
        born = _take(table.cols[("birth_date",)], idx)
        on = env.on_packed
        return V("num", O.packed_years(born, on, env.mar_1), unk=born < 0)
    absent: Mask = False
    for i in range(1, len(path)):
        if table.leaves[path[:i]].kind == "cert":
            absent = O.or2(absent, _take(table.cols[path[:i]], idx) == 1)
    leaf = table.leaves[path]
    kind = leaf.kind
    data = _take(table.cols[path], idx)
    if kind == "bool":
        t, f = data == 1, data == 0
        return B(O.or2(t, absent), f) if absent is not False else B(t, f)
    if kind in ("num", "int"):
        unk: Mask = np.isnan(data)
        return V("num", data, unk=O.andnot(unk, absent), absent=absent)
    if kind == "ref":  # a member id the child names: compared as the member it names
        return V("code", data, unk=data < 0, space=O.MemberIds(env.cols.member_ids))
    if kind == "list":
        count = _take(table.counts[path], idx)
        return V("list", data, unk=O.andnot(count < 0, absent), absent=absent, count=count, space=leaf.enum)
    space: Any = leaf.enum or "str"
    return V("date" if kind == "date" else "code", data, unk=O.andnot(data < 0, absent), absent=absent, space=space)
