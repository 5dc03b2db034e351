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
from riskeval.schedule.dates import add_months, months_between, years_between

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
