"""The values of the scalar form: unknown (``None``), ``ABSENT``, a count's bounds, Kleene's tables.

``ABSENT`` stands for a fact that is known not to exist (a field of a certificate the person does not
hold): comparisons with it are false (``!=`` true), never unknown. Dates are counted by
:mod:`riskeval.schedule.dates`, the one date arithmetic.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
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
