"""Three-valued operations on columns: what each node of the language does to whole arrays at once.

Each function mirrors one closure of the scalar form (``scalar/_compile.py``, ``scalar/_leaves.py``) row for
row: the same Kleene tables, the same precedence of "absent" over "unknown" in comparisons, the same
unknown on division by zero. A mask is a boolean array, or a plain ``bool`` when it holds for every row
(constants stay cheap).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from riskeval.population.layout import Strings

Mask = Any  # np.ndarray of bool, or a Python bool for every row


@dataclass(slots=True)
class B:
    """A condition: ``t`` where it is known true, ``f`` where known false, unknown elsewhere."""

    t: Mask
    f: Mask


@dataclass(slots=True)
class V:
    """A value. ``kind``: num, date (packed ints), code (an enum's index or a string's code),
    list (a bitmask of enum codes, with ``count`` the list's length) or lit (a literal string or list)."""

    kind: str
    val: Any
    unk: Mask = False
    absent: Mask = False
    space: Any = None  # codes and lists: the enum class, or "str" for the shared string vocabulary
    count: Any = None
    # count(...) with unknown members: ``val`` counts the known true, ``hi`` adds the unknown (an upper
    # bound), so that a comparison every count in [val, hi] agrees on is decided; only compare reads it.
    hi: Any = None


@dataclass(slots=True)
class MRef:
    """A member named by a role or a bound variable: a member row per frame row (M: none)."""

    idx: np.ndarray | None
    root: str


Val = B | V | MRef


@dataclass(frozen=True, slots=True)
class MemberIds:
    """The code space of member ids a child names: codes are member rows, compared with text by id."""

    ids: Any

    def text(self, codes: Any) -> Any:
        ids = np.asarray(self.ids).astype(str).astype(object)
        return np.where(np.asarray(codes) >= 0, ids[np.maximum(codes, 0)] if len(ids) else None, None)


ZERO = V("num", 0)
OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "+": operator.add, "-": operator.sub, "*": operator.mul,
}  # fmt: skip


def _m(x: Any) -> Mask:
    return bool(x) if isinstance(x, np.bool_ | bool) else x


def neg(a: Mask) -> Mask:
    return (not a) if isinstance(a, bool) else ~a


def or2(a: Mask, b: Mask) -> Mask:
    if a is False:
        return b
    if b is False:
        return a
    if a is True or b is True:
        return True
    return a | b


def and2(a: Mask, b: Mask) -> Mask:
    if a is True:
        return b
    if b is True:
        return a
    if a is False or b is False:
        return False
    return a & b


def andnot(a: Mask, b: Mask) -> Mask:
    if b is False or a is False:
        return a
    if b is True:
        return False
    return a & ~b if a is not True else ~b


def constant(v: Any) -> Val:
    if isinstance(v, bool):
        return B(v, not v)
    if isinstance(v, int | float):
        return V("num", v)
    return V("lit", v)


def as_b(x: Val) -> B:
    if isinstance(x, B):
        return x
    raise TypeError(f"expected a condition, found {x!r}")


def as_v(x: Val) -> V:
    if isinstance(x, V):
        return x
    if isinstance(x, B):
        return V("num", x.t, unk=and2(neg(x.t), neg(x.f)))
    raise TypeError(f"expected a value, found a member ({x.root})")


def not_(b: B) -> B:
    return B(b.f, b.t)


def and_(bs: Sequence[B]) -> B:
    t: Mask = True
    f: Mask = False
    for b in bs:
        t, f = and2(t, b.t), or2(f, b.f)
    return B(t, f)


def or_(bs: Sequence[B]) -> B:
    t: Mask = False
    f: Mask = True
    for b in bs:
        t, f = or2(t, b.t), and2(f, b.f)
    return B(t, f)


def _code(lit: Any, space: Any, strings: Strings) -> int:
    if space == "str":
        return strings.lookup(lit) if isinstance(lit, str) else -2
    values = [e.value for e in space]
    return values.index(lit) if lit in values else -2


def compare(op: str, x: Val, y: Val, strings: Strings) -> B:
    a, b = as_v(x), as_v(y)
    if a.hi is not None or b.hi is not None:
        bounded = _compare_bounds(op, a, b, strings)
        if bounded is not None:
            return bounded
    if a.kind == "lit" and b.kind == "lit":
        r = bool(OPS[op](a.val, b.val))
        return B(r, not r)
    if isinstance(a.space, MemberIds) and b.kind == "lit":
        a = V("code", a.space.text(a.val), a.unk, a.absent)
    if isinstance(b.space, MemberIds) and a.kind == "lit":
        b = V("code", b.space.text(b.val), b.unk, b.absent)
    av = a.val if a.kind != "lit" or b.space is None else _code(a.val, b.space, strings)
    bv = b.val if b.kind != "lit" or a.space is None else _code(b.val, a.space, strings)
    res = _m(OPS[op](av, bv))
    ab = or2(a.absent, b.absent)
    unk = andnot(or2(a.unk, b.unk), ab)
    known = neg(or2(unk, ab))
    t, f = and2(res, known), and2(neg(res), known)
    if ab is not False:
        if op == "!=":
            t = or2(t, ab)
        else:
            f = or2(f, ab)
    return B(t, f)


FAR = 2**40  # a count's bounds where it has none: no number is beyond them
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _compare_bounds(op: str, a: V, b: V, strings: Strings) -> B | None:
    """A count with unknown members against a known number: known where every count it may be agrees."""
    if a.hi is None:
        if b.hi is None:
            return None
        a, b, op = b, a, _MIRROR[op]
    if b.kind not in ("num", "lit"):
        return None
    if b.hi is None:
        return _open_against_known(op, a, b, strings)
    # Two counts: on a row where one is exact it is the known number the other's bounds are held against
    # (three known members against a count of at most two is decided); two open counts stay unknown, as in
    # riskeval.evaluate.semantics.bounded.
    one = _open_against_known(op, a, V(b.kind, b.val, b.unk, b.absent), strings)
    two = _open_against_known(_MIRROR[op], b, V(a.kind, a.val, a.unk, a.absent), strings)
    return B(or2(one.t, two.t), or2(one.f, two.f))


def _open_against_known(op: str, a: V, b: V, strings: Strings) -> B:
    plain = compare(op, V(a.kind, a.val, a.unk, a.absent), b, strings)
    lo, hi, c = a.val, a.hi, b.val
    f_op = OPS[op]
    if op == "==":
        t, f = _m((lo == c) & (hi == c)), _m((c < lo) | (c > hi))
    elif op == "!=":
        t, f = _m((c < lo) | (c > hi)), _m((lo == c) & (hi == c))
    else:  # monotone: the two ends decide
        at_lo, at_hi = _m(f_op(lo, c)), _m(f_op(hi, c))
        t, f = and2(at_lo, at_hi), and2(neg(at_lo), neg(at_hi))
    rows = andnot(andnot(a.unk, b.unk), or2(a.absent, b.absent))
    return B(or2(plain.t, and2(rows, t)), or2(plain.f, and2(rows, f)))


def _values(items: Sequence[Val]) -> list[Any]:
    out: list[Any] = []
    for it in items:
        v = it.t if isinstance(it, B) else it.val  # type: ignore[union-attr]
        out.extend(v if isinstance(v, list | tuple) else [v])
    return out


def _decide(base: Mask, unk: Mask, negate: bool) -> B:
    r = neg(base) if negate else base
    return B(andnot(r, unk), andnot(neg(r), unk))


def isin(x: Val, items: Sequence[Val], negate: bool, strings: Strings) -> B:
    """``x in [a, b]`` (or a list parameter): unknown if x is, false (true with ``not in``) if absent."""
    item = as_v(x)
    values = _values(items)
    if item.kind == "lit":
        r = (item.val in values) != negate
        return B(r, not r)
    if isinstance(item.space, MemberIds):
        hit: Mask = np.isin(item.space.text(item.val), np.array(values, object))
        return _decide(andnot(_m(hit), item.absent), item.unk, negate)
    if item.kind == "code":
        codes = [c for c in (_code(v, item.space, strings) for v in values) if c >= 0]
        if len(codes) <= 3 or not isinstance(item.val, np.ndarray):
            hit = False
            for c in codes:
                hit = or2(hit, _m(item.val == c))
        elif item.space != "str":
            lut = np.zeros(len(item.space) + 1, bool)
            lut[np.array(codes, np.int64) + 1] = True
            hit = lut[item.val.astype(np.int16) + 1]
        else:
            hit = np.isin(item.val, codes)
    else:
        hit = np.isin(item.val, [v for v in values if not isinstance(v, str)])
    return _decide(andnot(_m(hit), item.absent), item.unk, negate)


def contains(c: V, items: Sequence[Val], negate: bool) -> B:
    """``'a' in child.safety`` and ``has_any(child.safety, [...])``: bit tests on the list's mask."""
    values = [e.value for e in c.space]
    mask = 0
    for v in _values(items):
        if v in values:
            mask |= 1 << values.index(v)
    has = (c.val & mask) != 0
    return _decide(andnot(_m(has), c.absent), c.unk, negate)


def arith(op: str, a: V, b: V) -> V:
    unk = or2(a.unk, b.unk)
    absent = andnot(or2(a.absent, b.absent), unk)
    if op == "/":
        with np.errstate(divide="ignore", invalid="ignore"):
            val = np.divide(a.val, b.val)
        zero = andnot(andnot(_m(np.equal(b.val, 0)), unk), absent)
        return V("num", val, unk=or2(unk, zero), absent=absent)
    return V("num", OPS[op](a.val, b.val), unk=unk, absent=absent)


def known(x: Val) -> B:
    if isinstance(x, B):
        t = or2(x.t, x.f)
        return B(t, neg(t))
    v = as_v(x)
    return B(neg(v.unk), v.unk)


def length(c: V) -> V:
    count = np.where(c.absent, 0, c.count) if c.absent is not False else c.count
    return V("num", count, unk=c.unk)


def _days(p: Any) -> Any:
    y = np.asarray(p >> 9, np.int64) - 1970
    m = np.asarray((p >> 5) & 15, np.int64) - 1
    months = (y * 12 + m).astype("M8[M]")
    return (months.astype("M8[D]") - np.datetime64(0, "D")).astype(np.int64) + (np.asarray(p & 31) - 1)


def packed_years(x: Any, y: Any, mar_1: bool = False) -> Any:
    """Completed years from packed dates x to y, as ``riskeval.schedule.dates`` counts them: a Feb 29
    birthday falls on Feb 28 in a common year (民法典 Art. 202), or on Mar 1 when the pack says so."""
    if _one_date(x, y):  # x's year counts whole; what its month and day take off, from a table of the 512
        out: np.ndarray = np.subtract(_years(_MONTH_DAYS, int(y), mar_1)[x & 511], x >> 9, dtype=np.int64)
        return out
    return _years(x, y, mar_1)


def _years(x: Any, y: Any, mar_1: bool) -> Any:
    x, y, wide = _widths(x, y)
    ma, mb, db = (x >> 5) & 15, (y >> 5) & 15, y & 31
    day = x & 31 if mar_1 else np.minimum(x & 31, _month_len(y >> 9, ma))
    return wide((y >> 9) - (x >> 9) - ((mb < ma) | ((mb == ma) & (db < day))))


def _widths(x: Any, y: Any) -> tuple[Any, Any, Callable[[Any], Any]]:
    """Two packed dates to compute with, and what gives the result its int64: two int32 columns (a table's)
    are counted in int32, half the memory to stream (a year or month count of int32 dates fits in int32)."""
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.dtype == y.dtype == np.int32:
        return x, y, lambda out: out.astype(np.int64)
    return np.asarray(x, np.int64), np.asarray(y, np.int64), lambda out: out


def packed_months(x: Any, y: Any) -> Any:
    """Completed months from packed dates x to y, with the same month-end rule (Jan 31 + 1 month = Feb 28)."""
    if _one_date(x, y):  # as in packed_years: x's year, and a table of what its month and day take off
        out: np.ndarray = np.subtract(_months(_MONTH_DAYS, int(y))[x & 511], (x >> 9) * 12, dtype=np.int64)
        return out
    return _months(x, y)


def _months(x: Any, y: Any) -> Any:
    x, y, wide = _widths(x, y)
    yb, mb = y >> 9, (y >> 5) & 15
    return wide((yb - (x >> 9)) * 12 + mb - ((x >> 5) & 15) - ((y & 31) < np.minimum(x & 31, _month_len(yb, mb))))


# A packed date's month and day bits (x & 511): from x to a date y, the years and months of packed_years
# and packed_months are y's less x's year (in years, or twelve months each) and a function of these bits.
_MONTH_DAYS = np.arange(512, dtype=np.int64)


def _one_date(x: Any, y: Any) -> bool:
    """x a column of packed dates (int32, as the tables hold them), y one date (``on``)."""
    return isinstance(x, np.ndarray) and x.dtype == np.int32 and np.ndim(y) == 0 and isinstance(y, int | np.integer)


def packed_add_months(x: Any, n: Any) -> Any:
    """Packed date x plus n whole months, clamped to the month's last day as the scalar form's add_months."""
    if isinstance(x, np.ndarray) and x.dtype == np.int32 and np.ndim(n) == 0:  # a column plus one number
        return _add_months_to_column(x, int(np.asarray(n, np.int64)))
    x = np.asarray(x, np.int64)
    total = (x >> 9) * 12 + ((x >> 5) & 15) - 1 + np.asarray(n, np.int64)
    year, month = np.divmod(total, 12)
    month += 1
    return (year << 9) | (month << 5) | np.minimum(x & 31, _month_len(year, month))


def _add_months_to_column(x: np.ndarray, n: int) -> np.ndarray:
    """``packed_add_months`` of int32 dates and one n: the years carried and the month and day reached are a
    function of the month and day bits (x & 511), read from a table; only a day past the 28th that lands in
    February needs its year (a leap year keeps the 29th)."""
    md = _MONTH_DAYS
    total = ((md >> 5) & 15) - 1 + n  # months from January of x's year
    carry, month = np.divmod(total, 12)
    month += 1
    day = np.minimum(md & 31, _DAYS_IN[month])  # a common year's February
    low = (month << 5) | day
    feb_29 = (month == 2) & ((md & 31) > 28)  # the 29th, if the year it lands in is a leap year
    bits = x & 511
    year = (x >> 9) + carry[bits]
    out: np.ndarray = (year << 9) | low[bits]
    rows = np.flatnonzero(feb_29[bits])
    if len(rows):
        y = year[rows]
        out[rows] += (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    return out


_DAYS_IN = np.array([31, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31], np.int64)  # by month 0..13


def _month_len_of(year: Any, month: Any) -> Any:
    """Days in each (year, month); months outside 1..12 (an unknown date's bits) read as 31."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return _DAYS_IN[np.clip(month, 0, 13)] + ((month == 2) & leap)


_YEARS = 1 << 14  # the years (0..16383, and -1: an unknown date's) whose month lengths are in _LENGTHS
# at year * 16 + month + 16: a common year's row of 16 months, or a leap year's
_LENGTHS = np.where(
    _month_len_of(np.arange(-1, _YEARS)[:, None], 2) == 29,
    _month_len_of(2000, np.arange(16))[None, :],
    _month_len_of(1999, np.arange(16))[None, :],
).ravel()


def _month_len(year: Any, month: Any) -> Any:
    """Days in each (year, month), month 0..15 (a packed date's bits); months outside 1..12 read as 31: read
    from a table (the leap-year rule's three divisions per row took a tenth of the evaluation)."""
    at = (np.asarray(year, np.int64) << 4) | month
    if np.ndim(at) and len(at) and (at.min() >= -16 and at.max() < _YEARS * 16):
        return _LENGTHS[at + 16]
    return _month_len_of(year, month)


def between(fn: str, a: V, b: V, mar_1: bool = False) -> V:
    """days/months/years_between on packed dates (year << 9 | month << 5 | day), completed units."""
    unk = or2(a.unk, b.unk)
    absent = andnot(or2(a.absent, b.absent), unk)
    x, y = a.val, b.val
    if fn == "days_between":
        val = _days(y) - _days(x)
    else:
        val = packed_months(x, y) if fn == "months_between" else packed_years(x, y, mar_1)
    return V("num", val, unk=unk, absent=absent)


def add_months(a: V, n: V) -> V:
    unk = or2(a.unk, n.unk)
    return V("date", packed_add_months(a.val, n.val), unk=unk, absent=andnot(or2(a.absent, n.absent), unk))


def call(fn: str, args: Sequence[Val], mar_1: bool = False) -> Val:
    """A helper of the whitelist: known, has_any, len, add_months, days/months/years_between."""
    if fn == "known":
        return known(args[0])
    if fn == "has_any":
        return contains(as_v(args[0]), args[1:], False)
    if fn == "len":
        return length(as_v(args[0]))
    if fn == "add_months":
        return add_months(as_v(args[0]), as_v(args[1]))
    return between(fn, as_v(args[0]), as_v(args[1]), mar_1)
