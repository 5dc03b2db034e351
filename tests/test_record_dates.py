"""ISO dates read from the bytes of an Arrow text column agree with Python's calendar, cell by cell."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskeval.population._record_cells import iso_days

pa = pytest.importorskip("pyarrow")

SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only, as the models' records read them


def expected(text: str | None) -> tuple[date | None, bool]:
    """The day a cell holds and whether it is refused, by Python's own calendar."""
    if text is None:
        return None, False
    if not SHAPE.fullmatch(text):
        return None, True
    try:
        return date.fromisoformat(text), False
    except ValueError:  # 2023-02-29, month 13, year 0
        return None, True


CELLS = st.one_of(
    st.none(),
    st.dates().map(date.isoformat),
    st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    st.text(alphabet="0123456789-", min_size=8, max_size=11),
    st.builds(
        lambda d, i, c: d.isoformat()[:i] + c + d.isoformat()[i + 1 :],
        st.dates(),
        st.integers(0, 9),
        st.sampled_from("0-/ 9a٣"),
    ),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, max_size=30), st.integers(0, 3))
def test_days_read_from_the_bytes_are_pythons_days(cells: list[str | None], skip: int) -> None:
    column = pa.array(["1999-12-31"] * skip + cells, pa.string()).slice(skip)  # a column not at offset 0
    bad = np.zeros(len(cells), bool)
    days = iso_days(column, bad)
    for cell, day, refused in zip(cells, days, bad, strict=True):
        want, wrong = expected(cell)
        assert bool(refused) == wrong, cell
        assert (None if np.isnat(day) else day.item()) == want, cell
