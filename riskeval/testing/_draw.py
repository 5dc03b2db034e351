"""The primitives the strategies are drawn with: cached strategies, unknowns, dates, places."""

from __future__ import annotations

import calendar
import functools
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypeVar, cast

from hypothesis import strategies as st

T = TypeVar("T")
Data = dict[str, Any]

ASSESSMENT_DATE = date(2026, 6, 1)
"""The default assessment date: fixed, so that runs repeat, and in the past, so birth dates validate."""

BOOL = (True, False)
# (province, county), as integrators write them: GB/T 2260 codes, or names the code table resolves (full,
# short, or qualified by the city). The first two are where the default pack's district children live; 莲湖区 is
# another district of the same central urban area (moving from it is no migration), 长安区 one outside it.
PLACES = (
    ("陕西省", "碑林区"),
    ("610000", "610113"),
    ("陕西", "商州区"),
    ("河南省", "郸城县"),
    ("甘肃省", "秦州区"),
    ("四川", "511322"),
    ("陕西省", "莲湖区"),
    ("610000", "西安市长安区"),
)
HOME_COUNTIES = tuple(county for _, county in PLACES[:2])


# Building and validating a strategy costs more than drawing from it, and a household takes
# hundreds of draws: each distinct strategy is built once.
@functools.cache
def pick(values: tuple[T, ...] | type[T]) -> st.SearchStrategy[T]:
    return st.sampled_from(cast("Sequence[T]", values))


@functools.cache
def maybe(values: tuple[T, ...] | type[T]) -> st.SearchStrategy[T | None]:
    """One of the values or unknown, in a single draw; unknown is what it shrinks to."""
    return st.sampled_from((None, *cast("Sequence[T]", values)))


@functools.lru_cache(maxsize=4096)
def dates(low: date, high: date) -> st.SearchStrategy[date]:
    return st.dates(low, high)


@functools.cache
def ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


unknown = st.integers(0, 3).map(lambda n: n == 0)  # shrinks to "unknown", the simplest fact
money = st.integers(0, 200_000_00).map(lambda fen: fen / 100)
income = st.integers(0, 10_000_00).map(lambda fen: fen / 100)
pct = st.one_of(st.integers(0, 100).map(float), st.floats(0, 100, allow_nan=False))


def opt(draw: st.DrawFn, strategy: st.SearchStrategy[T]) -> T | None:
    return None if draw(unknown) else draw(strategy)


def shift(day: date, *, years: int = 0, months: int = 0, days: int = 0) -> date:
    """Calendar arithmetic; the 29th-31st fall back to the month's last day (29 February included)."""
    index = day.year * 12 + day.month - 1 + years * 12 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last)) + timedelta(days=days)


def latest(on: date) -> date:
    # Birth dates are checked against the real today; a caller's `on` in the future must not break that.
    return min(on, date.today())
