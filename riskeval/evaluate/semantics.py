"""The values of the scalar form: unknown (``None``), ``ABSENT``, a count's bounds, dates, Kleene's tables.

``ABSENT`` stands for a fact that is known not to exist (a field of a certificate the person does not
hold): comparisons with it are false (``!=`` true), never unknown.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "+": operator.add, "-": operator.sub, "*": operator.mul,
}  # fmt: skip


def _last_day(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def years_between(a: date, b: date) -> int:
    """Completed years from a to b (周岁: the birthday itself completes the year).

    A Feb 29 birthday falls on Feb 28 in a common year: a period ends on the month's last day
    when the month has no corresponding day (民法典 Art. 202), as the visit calendar counts it.
    """
    month, day = a.month, a.day
    if day > 28:  # read once per age: the month-end rule costs a call only where it can apply
        day = min(day, _last_day(b.year, month))
    return b.year - a.year - (b.month < month or (b.month == month and b.day < day))


def months_between(a: date, b: date) -> int:
    """Completed months from a to b, with the same month-end rule (Jan 31 + 1 month = Feb 28)."""
    day = a.day
    if day > 28:
        day = min(day, _last_day(b.year, b.month))
    return (b.year - a.year) * 12 + b.month - a.month - (b.day < day)


def add_months(a: date, n: Any) -> date:
    """The date n months after a, on the month's last day when it has no such day (民法典 Art. 202):
    ``on > add_months(x, 12)`` says "more than 12 months", which completed months cannot. The pack's
    checker lets only a whole literal or a parameter whose every value is whole reach n."""
    year, month = divmod(a.year * 12 + a.month - 1 + int(n), 12)
    return date(year, month + 1, min(a.day, _last_day(year, month + 1)))


class Bounds(NamedTuple):
    """A count over members some of whom are unknown: at least ``lo``, at most ``hi``."""

    lo: int
    hi: int


def bounded(op: str, a: Any, b: Any) -> Any:
    """A comparison with a count some members leave open: known when every count it may be agrees."""
    if type(a) is Bounds and type(b) is Bounds:
        return None
    lo, hi = (a.lo, a.hi) if type(a) is Bounds else (b.lo, b.hi)
    if op in ("==", "!="):  # a range of two or more counts is never equal to one number
        return None if lo <= (b if type(a) is Bounds else a) <= hi else op == "!="
    f = OPS[op]
    at_lo, at_hi = (f(lo, b), f(hi, b)) if type(a) is Bounds else (f(a, lo), f(a, hi))
    return bool(at_lo) if at_lo == at_hi else None  # <, <=, >, >= are monotone: the two ends decide


def kleene_and(a: Any, b: Any) -> Any:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def kleene_or(a: Any, b: Any) -> Any:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False
