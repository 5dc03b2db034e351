"""Which unknown facts each unknown rule read: the ``facts`` of a data gap, for whole populations.

The scalar form records a fact's path the moment it reads it as unknown, in evaluation order: ``and``
stops at the first false operand, a predicate already evaluated for the same member is not evaluated
again (its recorded facts are replayed if it was unknown, under the names of its first call), a rule
that reads an unknown category replays that category's facts. This module replays exactly that, over
columns: an interpreter of the typed AST that carries a "reached" mask per row and writes each unknown
read as an *atom* (who, which path) onto a tape. Aggregations visit members one position at a time, as
the scalar loop does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from riskeval.evaluate.vector import _ops as O
from riskeval.evaluate.vector import _segments as S
from riskeval.evaluate.vector._compile import Env, read
from riskeval.evaluate.vector._ops import B, MRef, V, Val
from riskeval.pack import Pack
from riskeval.pack.expr import nodes as A
from riskeval.population.layout import MEMBERS, ROLES, Columns

HEADS = ("child", "household", *ROLES)
MEMBER_HEAD = len(HEADS)  # heads from here on are members: MEMBER_HEAD + member row


class Atoms:
    """Numbers for (head, path) pairs: every path prefix the pack's facts can stop at."""

    def __init__(self, pack: Pack) -> None:
        paths: dict[tuple[str, ...], int] = {(): 0, ("members",): 1}  # household.members: an unknown list
        nodes = [*pack.predicates.values(), *pack.categories.values(), pack.exited]
        nodes += [lv for f in pack.factors.values() for lv in f.levels]
        for rule in nodes:
            for n in A.walk(rule.node):
                if isinstance(n, A.Fact):
                    p = ("birth_date",) if n.path == ("age",) else n.path
                    for i in range(1, len(p) + 1):
                        paths.setdefault(p[:i], len(paths))
        self.paths = paths
        self.names = {i: ".".join(p) for p, i in paths.items()}
        self.width = len(paths)

    def text(self, atom: int, member_ids: np.ndarray) -> str:
        head, path = divmod(int(atom), self.width)
        who = HEADS[head] if head < MEMBER_HEAD else f"household.members[{member_ids[head - MEMBER_HEAD]}]"
        tail = self.names[path]
        return f"{who}.{tail}" if tail else who


@dataclass
class Ragged:
    """A list of atoms per row: row i's are ``atoms[start[i]:end[i]]``."""

    start: np.ndarray
    end: np.ndarray
    atoms: np.ndarray

    def at(self, i: int) -> np.ndarray:
        return self.atoms[self.start[i] : self.end[i]]


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, np.int64)
    offs = np.repeat(np.cumsum(lengths) - lengths, lengths)
    out: np.ndarray = np.repeat(starts, lengths) + (np.arange(total) - offs)
    return out


class Tape:
    """Unknown reads in evaluation order, as (row, atom) chunks."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.atoms: list[np.ndarray] = []

    def emit(self, rows: np.ndarray, atoms: np.ndarray | int) -> None:
        if len(rows):
            self.rows.append(rows)
            self.atoms.append(np.broadcast_to(np.asarray(atoms, np.int64), rows.shape))

    def replay(self, rows: np.ndarray, source: Ragged, at: np.ndarray) -> None:
        """Write the lists ``source[at]`` for ``rows``, each in its order."""
        starts, ends = source.start[at], source.end[at]
        self.emit(np.repeat(rows, ends - starts), source.atoms[_ranges(starts, ends)])

    def since(self, mark: int) -> tuple[np.ndarray, np.ndarray]:
        """What was written after ``mark``, sorted by row (each row's reads in order)."""
        if len(self.rows) == mark:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        rows = np.concatenate(self.rows[mark:])
        atoms = np.concatenate(self.atoms[mark:])
        order = np.argsort(rows, kind="stable")
        return rows[order], atoms[order]


def _ragged(rows: np.ndarray, atoms: np.ndarray, keys: np.ndarray) -> Ragged:
    """Lists for ``keys`` (row numbers) from row-sorted (row, atom) pairs."""
    return Ragged(np.searchsorted(rows, keys, "left"), np.searchsorted(rows, keys, "right"), atoms)


def dedup(rows: np.ndarray, atoms: np.ndarray, n: int) -> Ragged:
    """Each row's atoms without repeats, first occurrence kept (the scalar's ``_dedup``)."""
    pos = np.arange(len(rows))
    order = np.lexsort((pos, atoms, rows))
    r, a = rows[order], atoms[order]
    first = np.ones(len(r), bool)
    first[1:] = (r[1:] != r[:-1]) | (a[1:] != a[:-1])
    keep = np.sort(order[first])
    return _ragged(rows[keep], atoms[keep], np.arange(n))


@dataclass
class _Memo:
    """Predicate calls already made, per (row, member...): their value and recorded reads."""

    keys: list[np.ndarray] = field(default_factory=list)
    t: list[np.ndarray] = field(default_factory=list)
    f: list[np.ndarray] = field(default_factory=list)
    reads: list[Ragged] = field(default_factory=list)

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        batch = np.full(len(keys), -1, np.int64)
        pos = np.zeros(len(keys), np.int64)
        for b, bk in enumerate(self.keys):
            p = np.minimum(np.searchsorted(bk, keys), len(bk) - 1)
            hit = (bk[p] == keys) & (batch < 0)
            batch[hit], pos[hit] = b, p[hit]
        return batch, pos

    def add(self, keys: np.ndarray, value: B, reads: Ragged) -> None:
        order = np.argsort(keys)
        self.keys.append(keys[order])
        self.t.append(_arr(value.t, len(keys))[order])
        self.f.append(_arr(value.f, len(keys))[order])
        self.reads.append(Ragged(reads.start[order], reads.end[order], reads.atoms))


def _arr(m: O.Mask, n: int) -> np.ndarray:
    return np.full(n, m) if isinstance(m, bool) else np.asarray(m)


@dataclass
class TFrame:
    """Rows of the traced population (``row``), the child each reads, and its bound members' names."""

    row: np.ndarray
    hh: np.ndarray
    vars: dict[str, np.ndarray]
    names: dict[str, np.ndarray]

    def sub(self, rows: np.ndarray) -> TFrame:
        return TFrame(self.row[rows], self.hh[rows], {k: v[rows] for k, v in self.vars.items()},
                      {k: v[rows] for k, v in self.names.items()})  # fmt: skip


class Tracer:
    """Replays a population's evaluation in the scalar order, writing every unknown read to a tape."""

    def __init__(self, pack: Pack, atoms: Atoms, cols: Columns, on: date) -> None:
        self.pack, self.atoms, self.cols = pack, atoms, cols
        self.env = Env(pack, cols, on)
        self.tape = Tape()
        self.memo: dict[str, _Memo] = {}
        self.results: dict[tuple[str, str], B] = {}
        self.lists: dict[tuple[str, str], Ragged] = {}

    def run(self) -> dict[tuple[str, str], Ragged]:
        """The deduplicated unknown reads of the exit rule, of each category and of each factor."""
        pack, on, n = self.pack, self.env.on, self.cols.n
        fr = TFrame(np.arange(n), self.cols.child_hh, {}, {})
        every = np.ones(n, bool)
        if pack.exited.applies_on(on):
            mark = len(self.tape.rows)
            self.ev(pack.exited.node, fr, every)
            self.lists[("roster", pack.exited.id)] = dedup(*self.tape.since(mark), n)
        for kind, name in pack.order:
            mark = len(self.tape.rows)
            if kind == "category":
                rule = pack.categories[name]
                b = O.as_b(self.ev(rule.node, fr, every)) if rule.applies_on(on) else B(False, True)
                value = B(_arr(b.t, n), _arr(b.f, n))
            else:
                reached, held, unknown = every, np.zeros(n, bool), np.zeros(n, bool)
                f = pack.factors[name]
                for lv in sorted(f.levels, key=lambda r: -pack.severity_rank[r.severity or ""]):
                    if not lv.applies_on(on):
                        continue
                    v = O.as_b(self.ev(lv.node, fr, reached))
                    t = reached & _arr(v.t, n)
                    held |= t
                    unknown |= reached & ~_arr(v.t, n) & ~_arr(v.f, n)
                    reached = reached & ~t
                value = B(held, ~held & ~unknown)
            self.results[(kind, name)] = value
            self.lists[(kind, name)] = dedup(*self.tape.since(mark), n)
        return self.lists

    # --- reads -------------------------------------------------------------------------------
    def head(self, fr: TFrame, root: str, idx: np.ndarray) -> np.ndarray | int:
        """How a data gap names a root: by role, by the name its predicate argument had, or by member id."""
        if root in HEADS:
            return HEADS.index(root)
        if root in fr.names:
            return fr.names[root]
        return MEMBER_HEAD + idx.astype(np.int64)

    def emit(self, fr: TFrame, mask: O.Mask, head: np.ndarray | int, path: tuple[str, ...]) -> None:
        if mask is False:
            return
        rows = np.flatnonzero(_arr(mask, len(fr.row)))
        pid = self.atoms.paths[path]
        atoms = (head[rows] if isinstance(head, np.ndarray) else head) * self.atoms.width + pid
        self.tape.emit(fr.row[rows], atoms)

    def fact(self, n: A.Fact, fr: TFrame, rc: np.ndarray) -> Val:
        root, path, cols = n.root, n.path, self.cols
        if root == "on":
            return V("date", self.env.on_packed)
        if root == "child":
            table, idx = cols.children, fr.row
        elif root == "household":
            table, idx = cols.households, fr.hh
        else:
            table, idx = cols.members, cols.roles[root][fr.row] if root in ROLES else fr.vars[root]
        head = self.head(fr, root, idx)
        stopped: O.Mask = False
        if root in ROLES:
            stopped = idx == cols.m
            self.emit(fr, rc & stopped, head, ())
        if not path:
            return MRef(idx, root)
        val = read(self.env, table, idx, path)
        if path == ("age",):
            self.emit(fr, rc & O.andnot(table.cols[("birth_date",)][idx] < 0, stopped), head, ("birth_date",))
            return val
        for i in range(1, len(path)):
            state = table.cols[path[:i]][idx]
            gone = O.andnot(state == 0, stopped)
            self.emit(fr, rc & gone, head, path[:i])
            stopped = O.or2(stopped, gone | (state == 1) if table.leaves[path[:i]].kind == "cert" else gone)
        unk = O.and2(O.neg(val.t), O.neg(val.f)) if isinstance(val, B) else val.unk  # type: ignore[union-attr]
        self.emit(fr, O.and2(rc, O.andnot(unk, stopped)), head, path)
        return val

    # --- nodes -------------------------------------------------------------------------------
    def ev(self, n: A.Node, fr: TFrame, rc: np.ndarray) -> Val:
        strings = self.cols.strings
        match n:
            case A.Const(value=v):
                return O.constant(v)
            case A.Param(name=name):
                return O.constant(self.env.params[name])
            case A.Fact():
                return self.fact(n, fr, rc)
            case A.Not(operand=o):
                return O.not_(O.as_b(self.ev(o, fr, rc)))
            case A.BoolOp(op=op, operands=ops):
                bs: list[B] = []
                reached = rc
                for o in ops:
                    b = O.as_b(self.ev(o, fr, reached))
                    bs.append(b)
                    reached = _arr(O.andnot(reached, b.f if op == "and" else b.t), len(fr.row))
                return O.and_(bs) if op == "and" else O.or_(bs)
            case A.Compare(op=op, left=left, right=right):
                return O.compare(op, self.ev(left, fr, rc), self.ev(right, fr, rc), strings)
            case A.In(container=c) if c is not None:
                box = O.as_v(self.ev(c, fr, rc))
                return O.contains(box, [self.ev(n.item, fr, rc)], n.negate)
            case A.In():
                item = self.ev(n.item, fr, rc)
                return O.isin(item, [self.ev(i, fr, rc) for i in n.items], n.negate, strings)
            case A.Arith(op=op, left=left, right=right):
                return O.arith(op, O.as_v(self.ev(left, fr, rc)), O.as_v(self.ev(right, fr, rc)))
            case A.Call(fn=fn, args=args):
                return O.call(fn, [self.ev(a, fr, rc) for a in args], self.env.mar_1)
            case A.Agg():
                return self.agg(n, fr, rc)
            case A.Ref(kind="predicate"):
                return self.predicate(n, fr, rc)
            case A.Ref(kind=kind, name=name):
                got = S.gather_rows(self.results[(kind, name)], fr.row)
                assert isinstance(got, B)
                rows = np.flatnonzero(rc & ~got.t & ~got.f)
                self.tape.replay(fr.row[rows], self.lists[(kind, name)], fr.row[rows])
                return got
        raise TypeError(f"cannot trace {type(n).__name__}")

    def predicate(self, n: A.Ref, fr: TFrame, rc: np.ndarray) -> B:
        rule = self.pack.predicates[n.name]
        memo = self.memo.setdefault(n.name, _Memo())
        size, m = len(fr.row), self.cols.m
        refs: list[MRef] = []
        keys = fr.row.astype(np.int64)
        ok = rc
        for a in n.args:
            ref = self.ev(a, fr, rc)
            assert isinstance(ref, MRef) and ref.idx is not None
            refs.append(ref)
            ok = ok & (ref.idx != m)
            if int(keys.max(initial=0)) >= 2**62 // (m + 1):
                raise NotImplementedError("too many members to trace a predicate of this many arguments")
            keys = keys * (m + 1) + ref.idx
        t, f = np.zeros(size, bool), np.zeros(size, bool)
        batch, pos = memo.find(keys)
        hit = ok & (batch >= 0)
        for b in np.unique(batch[hit]):
            rows = np.flatnonzero(hit & (batch == b))
            p = pos[rows]
            t[rows], f[rows] = memo.t[b][p], memo.f[b][p]
            unknown = ~t[rows] & ~f[rows]
            self.tape.replay(fr.row[rows[unknown]], memo.reads[b], p[unknown])
        fresh = np.flatnonzero(ok & (batch < 0))
        if len(fresh):
            sub = fr.sub(fresh)
            for param, ref in zip(rule.args, refs, strict=True):
                assert ref.idx is not None
                shown = self.head(fr, ref.root, ref.idx)
                sub.vars[param] = ref.idx[fresh]
                sub.names[param] = shown[fresh] if isinstance(shown, np.ndarray) else np.full(len(fresh), shown)
            mark = len(self.tape.rows)
            value = O.as_b(self.ev(rule.node, sub, np.ones(len(fresh), bool)))
            memo.add(keys[fresh], value, _ragged(*self.tape.since(mark), sub.row))
            t[fresh], f[fresh] = value.t, value.f
        return B(t, f)

    def agg(self, n: A.Agg, fr: TFrame, rc: np.ndarray) -> Val:
        """The members one position at a time, as the scalar loop visits them."""
        cols = self.cols
        first = cols.hh_start[fr.hh]
        sizes = cols.hh_start[fr.hh + 1] - first
        size = len(fr.row)
        unlisted = cols.households.cols[MEMBERS][fr.hh] == 0
        self.emit(fr, rc & unlisted, HEADS.index("household"), MEMBERS)
        rc = rc & ~unlisted
        tc, fc = np.zeros(size, np.int64), np.zeros(size, np.int64)
        total, unk = np.zeros(size), np.zeros(size, bool)
        for k in range(int(sizes[rc].max(initial=0))):
            rows = np.flatnonzero(rc & (sizes > k))
            sub = fr.sub(rows)
            sub.vars[n.var] = first[rows] + k
            sub.names.pop(n.var, None)
            every = np.ones(len(rows), bool)
            c = O.as_b(self.ev(n.cond, sub, every)) if n.cond is not None else None
            v = self.ev(n.body, sub, every if c is None else ~_arr(c.f, len(rows)))
            x = S.contribution(n.fn, c, v)
            if isinstance(x, V):
                total[rows] += np.where(_arr(x.unk, len(rows)), 0, x.val)
                unk[rows] |= _arr(x.unk, len(rows))
            else:
                assert isinstance(x, B)
                tc[rows] += _arr(x.t, len(rows))
                fc[rows] += _arr(x.f, len(rows))
        if n.fn == "sum":
            return V("num", total, unk=~rc | unk)
        if n.fn == "count":
            hi = sizes - fc
            return S.unknown_rows(V("num", tc, unk=sizes - tc - fc > 0, hi=hi), ~rc)
        if n.fn == "any":
            return B(rc & (tc > 0), rc & (fc == sizes))
        return B(rc & (tc == sizes), rc & (fc > 0))  # rows not reached (or whose adults are unknown): unknown


def trace(pack: Pack, atoms: Atoms, cols: Columns, on: date) -> dict[tuple[str, str], Ragged]:
    """The unknown reads of every rule for every child of ``cols`` (row order kept)."""
    return Tracer(pack, atoms, cols, on).run()
