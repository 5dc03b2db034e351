"""Ages and durations are counted alike by the scalar and the numpy forms, month ends included.

民法典 Art. 202: a period ends on the month's last day when that month has no corresponding day, so a
child born on Feb 29 turns 18 on Feb 28 of a common year, and Aug 31 + 6 months is Feb 28.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import riskeval
from riskeval.evaluate.vector import _ops as O
from riskeval.population.layout import pack_date
from riskeval.schedule.dates import add_months, months_between, years_between, years_between_mar_1

DATES = st.dates(date(1990, 1, 1), date(2040, 12, 31))


def _month_end(d: date) -> date:
    """The last day of the date's month (Feb 28 even in leap years: Feb 29 itself is drawn by DATES)."""
    return d.replace(day=28 if d.month == 2 else 30 if d.month in (4, 6, 9, 11) else 31)


MONTH_ENDS = DATES.map(_month_end)


@given(st.lists(st.tuples(st.one_of(DATES, MONTH_ENDS), st.one_of(DATES, MONTH_ENDS)), min_size=1, max_size=20))
def test_the_numpy_date_helpers_count_as_the_scalar_ones(pairs: list[tuple[date, date]]) -> None:
    x = np.array([pack_date(min(a, b)) for a, b in pairs])
    y = np.array([pack_date(max(a, b)) for a, b in pairs])
    assert O.packed_years(x, y).tolist() == [years_between(min(p), max(p)) for p in pairs]
    assert O.packed_months(x, y).tolist() == [months_between(min(p), max(p)) for p in pairs]


@given(st.lists(st.tuples(st.one_of(DATES, MONTH_ENDS), st.integers(-60, 60)), min_size=1, max_size=20))
def test_numpy_add_months_lands_where_the_scalar_one_does(pairs: list[tuple[date, int]]) -> None:
    x = np.array([pack_date(a) for a, _ in pairs])
    n = np.array([k for _, k in pairs])
    assert O.packed_add_months(x, n).tolist() == [pack_date(add_months(a, k)) for a, k in pairs]


@given(st.one_of(DATES, MONTH_ENDS), st.one_of(DATES, MONTH_ENDS), st.integers(0, 60))
def test_n_months_are_complete_exactly_from_add_months(a: date, b: date, n: int) -> None:
    """The two month helpers agree: months_between(a, b) >= n exactly when b is on or after a + n months."""
    a, b = min(a, b), max(a, b)
    assert (months_between(a, b) >= n) == (b >= add_months(a, n))


def test_a_child_born_on_feb_29_exits_at_18_on_feb_28_in_both_forms() -> None:
    on = date(2026, 2, 28)
    hh = {
        "id": "h",
        "members": [],
        "children": [{"id": "c", "birth_date": "2008-02-29", "identified_on": "2015-01-01"}],
    }
    assert riskeval.assess(hh, on=on, explain=False, schedule=False).children[0].status == "exited"
    assert next(iter(riskeval.assess_batch([hh], on=on).to_records()))["status"] == "exited"


@given(st.lists(st.one_of(DATES, MONTH_ENDS), min_size=1, max_size=20), st.one_of(DATES, MONTH_ENDS), st.booleans())
def test_a_column_of_dates_to_one_date_counts_as_the_scalar_helpers(born: list[date], on: date, mar_1: bool) -> None:
    """What the rules read most (an age, the months since a date: a table's int32 column to ``on``) counts as
    the scalar helpers do."""
    x = np.array([pack_date(min(d, on)) for d in born], np.int32)
    count = years_between_mar_1 if mar_1 else years_between
    assert O.packed_years(x, pack_date(on), mar_1).tolist() == [count(min(d, on), on) for d in born]
    assert O.packed_months(x, pack_date(on)).tolist() == [months_between(min(d, on), on) for d in born]


@given(st.integers(1900, 2100), st.one_of(DATES, MONTH_ENDS, st.sampled_from([date(2024, 2, 29), date(2000, 2, 29)])),
       st.booleans())  # fmt: skip
def test_every_month_and_day_of_a_column_counts_as_with_a_date_on_every_row(year: int, on: date, mar_1: bool) -> None:
    """A column to one date is counted through a table of the 512 month-and-day bits: every one of them (bits
    no date has, and an unknown date's -1, too) counts as the same column to ``on`` repeated on every row."""
    x = np.array([*((year << 9) | np.arange(512)), -1], np.int32)
    each = np.full(len(x), pack_date(on), np.int64)
    years, months = O.packed_years(x, each, mar_1).tolist(), O.packed_months(x, each).tolist()
    assert O.packed_years(x, pack_date(on), mar_1).tolist() == years
    assert O.packed_months(x, pack_date(on)).tolist() == months
    both = each.astype(np.int32)  # two columns of a table: counted in int32
    assert O.packed_years(x, both, mar_1).tolist() == years and O.packed_years(x, both).dtype == np.int64
    assert O.packed_months(x, both).tolist() == months and O.packed_months(x, both).dtype == np.int64


@given(st.integers(1900, 2100), st.integers(-150, 150))
def test_a_column_plus_one_number_of_months_lands_as_with_the_number_on_every_row(year: int, n: int) -> None:
    """A column plus one n is read from a table of the 512 month-and-day bits (a leap year's Feb 29 checked
    apart): every one of them, in four years running (a leap year among them) and unknown (-1), lands where
    the same column plus n repeated on every row does."""
    x = np.array([*((np.arange(year, year + 4)[:, None] << 9) | np.arange(512)).ravel(), -1], np.int32)
    assert O.packed_add_months(x, n).tolist() == O.packed_add_months(x.astype(np.int64), np.full(len(x), n)).tolist()


def test_the_month_length_table_holds_the_leap_year_rule() -> None:
    """Every (year, month bits) the table of month lengths holds, an unknown date's year -1 included, is what
    the leap-year rule gives; a year past it is computed by the rule."""
    at = np.arange(-16, O._YEARS * 16, dtype=np.int64)
    assert O._month_len(at >> 4, at & 15).tolist() == O._month_len_of(at >> 4, at & 15).tolist()
    assert O._month_len(np.array([O._YEARS, 20000]), np.array([2, 2])).tolist() == [29, 29]
