"""A table's date column converts alike whether Arrow holds it (``date32``, Parquet's) or numpy does.

Arrow's days are packed through a table of days kept between chunks (``pack_epoch``), numpy's through one
made per column (``pack_days``): for any days, unknown cells and dates no check allows (before 1900, after
the assessment date, years 1 and 9999) the two give the same values, rejected rows and records.
"""

from __future__ import annotations

import datetime
import itertools

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from riskeval.population._raw import Raw, arrow_plain
from riskeval.population._tables import Converter
from riskeval.population.layout import Strings, layout

ON = datetime.date(2026, 6, 1)
DATES = [lf for lf in layout()["child"] + layout()["member"] if lf.kind == "date"]
FIRST, LAST = -719162, 2932896  # 0001-01-01 and 9999-12-31, in days since 1970
NEAR = st.integers(-36525, 36525)  # a century either side of 1970
DAYS = st.one_of(st.none(), NEAR, st.integers(FIRST, LAST), st.sampled_from([FIRST, LAST, 20605, 20606]))


def _date32(days: list[int | None], under_nulls: int) -> pa.Array:
    """Days as Arrow's date32, a null's slot holding ``under_nulls`` (Arrow's own readers leave what they like)."""
    held = np.array([under_nulls if d is None else d for d in days], np.int32)
    valid = pa.array([d is not None for d in days], pa.bool_()).buffers()[1]
    return pa.Array.from_buffers(pa.date32(), len(days), [valid, pa.py_buffer(held)], sum(d is None for d in days))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DATES), st.lists(DAYS, max_size=40), st.integers(1, 3), st.integers(-(2**31), 2**31 - 1))
def test_a_date32_column_converts_as_numpy_days_do(
    leaf: object, days: list[int | None], pieces: int, under_nulls: int
) -> None:
    """Values, rejected rows and records (loc, code, row) alike; a cell shows as pandas reads Arrow's date."""
    n = len(days)
    cut = sorted({0, n, *(i * n // pieces for i in range(pieces))})
    column = pa.chunked_array([_date32(days[a:b], under_nulls) for a, b in itertools.pairwise(cut)], pa.date32())
    held = np.array([np.datetime64("NaT") if d is None else np.datetime64(d, "D") for d in days], "M8[D]")
    arrow, plain = arrow_plain(column), Raw("date", values=held, null=np.isnat(held))
    assert arrow is not None
    a = Converter("children", n, Strings(), ON).convert(leaf, arrow)  # type: ignore[arg-type]
    b = Converter("children", n, Strings(), ON).convert(leaf, plain)  # type: ignore[arg-type]
    assert a.data.dtype == b.data.dtype and a.data.tolist() == b.data.tolist()
    assert a.bad.tolist() == b.bad.tolist()
    assert [(r.loc, r.code, r.row) for r in a.records] == [(r.loc, r.code, r.row) for r in b.records]
    for r in a.records:  # as pandas shows a date of Arrow's: with the time of day, never a datetime64's text
        day = datetime.date.fromisoformat(str(r.value)[:10])
        assert r.value == str(datetime.datetime.combine(day, datetime.time()))
