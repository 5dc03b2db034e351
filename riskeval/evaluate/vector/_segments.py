"""Values across rows of a population: households to children, members to households.

A household's value read for each of its children, rows made unknown, a predicate's per-member states,
and members aggregated into households (any, all, count, sum) as the scalar loop does, from per-member
contributions and per-segment counts."""

from __future__ import annotations

import numpy as np

from riskeval.evaluate.vector._ops import FAR, B, Mask, MRef, V, Val, and2, andnot, as_b, as_v, neg, or2


def _rows(m: Mask, idx: np.ndarray) -> Mask:
    return m if isinstance(m, bool) else m[idx]


def gather_rows(x: Val, idx: np.ndarray) -> Val:
    """The same value read at other rows (a household's result for each of its children...)."""
    if isinstance(x, B):
        return B(_rows(x.t, idx), _rows(x.f, idx))
    if isinstance(x, V):
        val = x.val[idx] if isinstance(x.val, np.ndarray) else x.val
        count = x.count[idx] if isinstance(x.count, np.ndarray) else x.count
        hi = x.hi[idx] if isinstance(x.hi, np.ndarray) else x.hi
        return V(x.kind, val, _rows(x.unk, idx), _rows(x.absent, idx), x.space, count, hi)
    return MRef(None if x.idx is None else x.idx[idx], x.root)


def unknown_rows(x: Val, unknown: np.ndarray) -> Val:
    """The same value, unknown on some rows."""
    if not unknown.any():
        return x
    if isinstance(x, B):
        return unknown_where(x, unknown)
    assert isinstance(x, V)
    val, hi = x.val, x.hi
    if hi is not None:  # no bound where nothing is known (the household's adults were not reported)
        # int64 first: counts may be narrow ints, where the bounds would wrap round to small numbers
        val = np.where(unknown, -FAR, np.asarray(val, np.int64))
        hi = np.where(unknown, FAR, np.asarray(hi, np.int64))
    return V(x.kind, val, or2(x.unk, unknown), andnot(x.absent, unknown), x.space, x.count, hi)


def unknown_where(b: B, missing: Mask) -> B:
    return B(andnot(b.t, missing), andnot(b.f, missing))


def member_states(per_member: B, m: int) -> np.ndarray:
    """A predicate computed once per member as one int8 per member (1 true, 0 false, -1 unknown); the
    unknown member's row (m, where a missing father points) is unknown whatever the body said."""
    n = m + 1
    t = np.full(n, per_member.t) if isinstance(per_member.t, bool) else per_member.t
    f = np.full(n, per_member.f) if isinstance(per_member.f, bool) else per_member.f
    state = t.view(np.int8) - (~(t | f)).view(np.int8)
    state[m] = -1
    return state


def from_states(state: np.ndarray) -> B:
    return B(state == 1, state == 0)


def contribution(fn: str, c: B | None, v: Val) -> Val:
    """What one member adds to any/all/count/sum, given the ``if`` condition (Kleene, as the scalar)."""
    if fn == "sum":
        x = as_v(v)  # a certificate not held adds nothing
        val = np.where(x.absent, 0, x.val) if x.absent is not False else x.val
        if c is None:
            return V("num", val, unk=x.unk)
        c_unknown = and2(neg(c.t), neg(c.f))
        return V("num", np.where(c.t, val, 0), unk=or2(c_unknown, and2(c.t, x.unk)))
    b = as_b(v)
    if c is None:
        return b
    if fn == "all":
        return B(or2(c.f, b.t), and2(c.t, b.f))
    return B(and2(c.t, b.t), or2(c.f, b.f))


def _seg_count(mask: Mask, starts: np.ndarray, n: int) -> np.ndarray:
    """How many elements of each segment ``starts[i]:starts[i+1]`` (of the first n) are set."""
    sizes = np.diff(starts)
    if isinstance(mask, bool):
        return sizes if mask else np.zeros_like(sizes)
    cs = np.zeros(n + 1, np.int32)
    np.cumsum(mask[:n], out=cs[1:], dtype=np.int32)
    counts: np.ndarray = cs[starts[1:]] - cs[starts[:-1]]
    return counts


def segment_counts(fn: str, x: Val, starts: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """Per segment ``starts[i]:starts[i+1]`` of per-element contributions: (true, false) counts for
    any/all/count; (sum, unknown count) for sum."""
    if fn == "sum":
        s = as_v(x)
        sizes = np.diff(starts)
        seg = np.repeat(np.arange(len(sizes)), sizes)
        known = np.where(s.unk, 0, s.val) if s.unk is not False else s.val
        # A member frame has one row more than the members (the row of "no such member"): count the first n.
        vals = np.broadcast_to(known, (n,)) if np.ndim(known) == 0 else np.asarray(known)[:n]
        total = np.bincount(seg, weights=vals[:n].astype(np.float64), minlength=len(sizes))
        return total, _seg_count(s.unk, starts, n)
    b = as_b(x)
    return _seg_count(b.t, starts, n), _seg_count(b.f, starts, n)


def finish(fn: str, counts: tuple[np.ndarray, ...], sizes: np.ndarray) -> Val:
    """any/all/count/sum of each segment from its counts (Kleene, as the scalar's loop)."""
    if fn == "sum":
        total, unknown = counts
        return V("num", total, unk=unknown > 0)
    tc, fc = counts
    if fn == "any":
        return B(tc > 0, fc == sizes)
    if fn == "all":
        return B(tc == sizes, fc > 0)
    return V("num", tc, unk=(sizes - tc - fc) > 0, hi=sizes - fc)
