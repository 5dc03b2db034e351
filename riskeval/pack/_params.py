"""Dated parameters: a value per period, each with its source, resolved on the assessment date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from riskeval.errors import EvaluationError
from riskeval.pack._files import Parameter
from riskeval.pack.expr.types import BOOL, LIST, NUMBER, STR, Type


def value_on(name: str, param: Parameter, on: date) -> Any:
    """The value of a parameter on a date; EvaluationError names the parameter and date when there is none."""
    best = None
    for v in param.values:
        if v.from_ <= on and (v.to is None or on <= v.to) and (best is None or v.from_ > best.from_):
            best = v
    if best is None:
        periods = ", ".join(f"{v.from_}..{v.to or ''}" for v in param.values)
        raise EvaluationError(f"parameter {name!r} has no value on {on} (its periods: {periods})")
    return best.value


def type_of(param: Parameter) -> Type | None:
    """The one type all of a parameter's values share, or None when they disagree."""
    kinds: set[Type] = set()
    for v in param.values:
        x = v.value
        kinds.add(
            BOOL if isinstance(x, bool) else LIST if isinstance(x, list) else STR if isinstance(x, str) else NUMBER
        )
    return kinds.pop() if len(kinds) == 1 else None


def gaps(param: Parameter, start: date, end: date | None) -> list[date]:
    """Dates in [start, end] on which the parameter has no value (the first day of each gap)."""
    candidates = {start} | {v.from_ for v in param.values} | {v.to + timedelta(days=1) for v in param.values if v.to}
    out: list[date] = []
    for d in sorted(candidates):
        if d < start or (end is not None and d > end):
            continue
        if not any(v.from_ <= d and (v.to is None or d <= v.to) for v in param.values):
            out.append(d)
    return out
