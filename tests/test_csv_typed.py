"""CSV cells of boolean, number, date and code columns read by Arrow's casts give what the text path gives.

The text path (every cell hashed, each distinct value checked) is the reference: for every column of every
typed kind, whatever its cells hold (junk, blanks, other spellings), the typed conversion gives the same
values, the same rejected rows and the same records, the cell shown as it was written.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskeval
import riskeval.population._cells as cells_module
from riskeval.facts import parse_household
from riskeval.population import to_tables
from riskeval.population._joins import WHOLE_NUMBER, whole_numbers
from riskeval.population._raw import as_raw
from riskeval.population._tables import Converter
from riskeval.population._text_cast import typed_text
from riskeval.population.layout import Leaf, Strings, layout

ROOT = Path(__file__).resolve().parents[1]
ON = datetime.date(2025, 12, 1)
PACK = riskeval.load_pack()
TYPED = ("bool", "cert", "num", "int", "date", "enum")
LEAVES = [(table, lf) for table, leaves in layout().items() for lf in leaves if lf.kind in TYPED]

_WORDS = ["true", "false", "True", "FALSE", "tRuE", "1", "0", "yes", "No", " true", "false ", "t", "01", "2"]
_NUMBERS = ["0", "1", "4", "5", "-1", "+3", "007", "2.5", "2.", ".5", "-.5", "1e3", "1E-2", "1e400", "1e-400",
            "100", "100.0", "1200", "1201", "-0", " 3", "3 ", "nan", "NaN", "inf", "-Infinity", "1_000", "1,5",
            "0x10", "12345678901234567", "9" * 30, "٣", "１", "0.", "-0.0e-0", "1\u00a0", "."]  # fmt: skip
_DATES = ["2019-01-05", "2025-11-30", "2025-12-01", "2025-12-02", "2030-01-01", "1899-12-31", "1900-01-01",
          "0001-01-01", "0000-01-01", "9999-12-31", "2024-02-29", "2025-02-29", "2019-1-5", "2019-01-5",
          "20190105", " 2019-01-05", "2019-01-05 ", "2019-01-05T00:00", "2019-W01-1", "2019/01/05",
          "２０１９-01-05", "0999-01-01", "2000-02-29", "1900-02-29", "2019-01-05Z", "2019-13-01"]  # fmt: skip
_JUNK = st.text(alphabet="0123456789+-.eE TtrufalsyNnoi:/W", max_size=12)
CELL = st.one_of(st.none(), st.sampled_from(["", " ", "\t"]), st.sampled_from(_WORDS + _NUMBERS + _DATES), _JUNK)


def _column(cells: list[str | None], pieces: int) -> Any:
    """The cells as a pyarrow text column, in up to ``pieces`` chunks (as CSV blocks hand them over)."""
    if pieces <= 1 or len(cells) < 2:
        return pa.chunked_array([pa.array(cells, pa.string())], pa.string())
    cut = sorted({len(cells) * k // pieces for k in range(1, pieces)})
    parts = [cells[a:b] for a, b in zip([0, *cut], [*cut, len(cells)], strict=True)]
    return pa.chunked_array([pa.array(p, pa.string()) for p in parts], pa.string())


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is b
    if a.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True)) and bool((np.signbit(a) == np.signbit(b)).all())
    return a.dtype == b.dtype and bool(np.array_equal(a, b))


def _converted(table: str, leaf: Any, raw: Any, n: int) -> Any:
    prefix = "household." if table == "household" else ""
    return Converter("members" if table == "member" else "children", n, Strings(), ON, prefix).convert(leaf, raw)


_CASTS = {  # cells each cast reads: values the intake refuses among them (out of range, NaN, after the as-of date)
    "bool": _WORDS[:7],
    "num": ["0", "1", "4", "5", "-1", "+3", "007", "2.5", "2.", ".5", "-.5", "1e3", "1E-2", "1e-400", "100",
            "100.0", "1200", "1201", "-0", "12345678901234567", "1e400", "nan", "NaN", "inf", "-Infinity", "0.",
            "-0.0e-0"],
    "date": ["2019-01-05", "2025-11-30", "2025-12-01", "2025-12-02", "2030-01-01", "1899-12-31", "1900-01-01",
             "0001-01-01", "9999-12-31", "2024-02-29", "0999-01-01", "2000-02-29"],
}  # fmt: skip
_OWN = {"bool": "bool", "cert": "bool", "num": "num", "int": "num", "date": "date"}


def _own(leaf: Any) -> st.SearchStrategy[str | None]:
    """Spellings the column's cast reads, or (at times) almost: an enum's value in capitals or after a blank."""
    if leaf.kind != "enum":
        return st.sampled_from(_CASTS[_OWN[leaf.kind]])
    values = st.sampled_from([e.value for e in leaf.enum])
    return st.one_of(*[values] * 8, values.map(str.upper), values.map(lambda v: " " + v))


def _cells(leaf: Any, size: int | None = None) -> st.SearchStrategy[list[str | None]]:
    """Cells mostly of spellings the column's cast reads (so that many columns cast whole), junk at times."""
    own = _own(leaf)
    return st.lists(st.one_of(st.none(), *[own] * 6, CELL), min_size=size or 0, max_size=size or 12)


@settings(max_examples=400, deadline=None)
@given(which=st.sampled_from(LEAVES), data=st.data(), pieces=st.integers(1, 3))
def test_a_typed_column_converts_as_its_text_does(which: tuple[str, Any], data: st.DataObject, pieces: int) -> None:
    """Per column of every typed kind: values, rejected rows and records are those of the text path."""
    table, leaf = which
    cells = data.draw(_cells(leaf))
    column, n = _column(cells, pieces), len(cells)
    typed = typed_text(column, leaf)
    text = _converted(table, leaf, as_raw(column, n), n)
    if typed is None:  # refused: the intake takes the text path, the same call as the reference
        return
    got = _converted(table, leaf, typed, n)
    assert _same(got.data, text.data)
    assert _same(got.bad, text.bad)
    assert [e.as_dict() for e in got.records] == [e.as_dict() for e in text.records]


@pytest.mark.parametrize(
    ("kind", "cells", "values"),
    [
        ("bool", ["true", None, "FALSE", "1", "0", "True"], [1, -1, 0, 1, 0, 1]),
        ("cert", ["false", "true"], [0, 1]),
        ("num", ["2.5", None, "1e3", "-0", "007"], [2.5, math.nan, 1000.0, -0.0, 7.0]),
        ("int", ["3", "12345678901234567"], [3.0, 12345678901234567.0]),
    ],
)
def test_clean_columns_are_read_typed(kind: str, cells: list[str | None], values: list[float]) -> None:
    """Clean cells are read by the cast (the text path is not taken), with the values their words say."""
    raw = typed_text(_column(cells, 2), Leaf(("x",), kind))
    assert raw is not None and raw.values is not None
    assert _same(raw.values.astype(np.float64), np.array(values, np.float64))


def test_clean_dates_are_read_typed() -> None:
    """ISO dates are read by the cast, as the days they name; an empty cell is unknown."""
    raw = typed_text(_column(["2019-01-05", None, "2024-02-29"], 2), Leaf(("x",), "date"))
    assert raw is not None and raw.days is not None and raw.null is not None
    assert [str(d) for d in raw.days] == ["2019-01-05", "NaT", "2024-02-29"] and raw.null.tolist() == [0, 1, 0]


@pytest.mark.parametrize(
    ("kind", "cell"),
    [("bool", "yes"), ("bool", " true"), ("bool", " "), ("num", "nan"), ("num", "inf"), ("num", " 3"),
     ("int", "1e400"), ("date", "2019-1-5"), ("date", "2025-02-29"), ("date", "0000-01-01"), ("date", "")],
)  # fmt: skip
def test_cells_the_cast_would_read_otherwise_leave_the_column_to_the_text_path(kind: str, cell: str) -> None:
    """One cell the cast refuses, or reads as the text path would not (NaN, infinity), anywhere in the column."""
    clean = {"bool": "true", "num": "1", "int": "1", "date": "2019-01-05"}[kind]
    assert typed_text(_column([clean] * 50, 3), Leaf(("x",), kind)) is not None
    assert typed_text(_column([clean] * 50 + [cell] + [None, clean] * 25, 3), Leaf(("x",), kind)) is None


# End to end: CSV files streamed, the typed path against the text path on the same files.


def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    households = []
    for path in sorted((ROOT / "examples" / "households").glob("*.json")):
        households.append(parse_household(json.loads(path.read_text("utf-8"))))
    population = to_tables(households)
    kids = pd.DataFrame(population.children).sort_values("household_id", kind="stable", ignore_index=True)
    members = pd.DataFrame(population.members).sort_values("household_id", kind="stable", ignore_index=True)
    return kids.astype(object).where(kids.notna(), None), members.astype(object).where(members.notna(), None)


KIDS, MEMBERS = _tables()
CSV_LEAVES = [(t, lf) for t, lf in LEAVES if (lf.column if t != "household" else "household." + lf.column)
              in (MEMBERS.columns if t == "member" else KIDS.columns)]  # fmt: skip


def _said(errors: list[Any]) -> list[tuple[Any, ...]]:
    return sorted((e.loc, e.code, e.row, e.message, json.dumps(e.value, ensure_ascii=False)) for e in errors)


def _stream(folder: Path, typed: bool) -> tuple[pd.DataFrame, list[tuple[Any, ...]]]:
    with pytest.MonkeyPatch.context() as mp:
        if not typed:
            mp.setattr(cells_module, "typed_text", lambda column, leaf: None)
        chunks = list(riskeval.assess_stream(folder, on=ON, pack=PACK, chunk_size=3))
    frame = pd.concat([c.to_pandas() for c in chunks], ignore_index=True)
    return frame, _said([e for c in chunks for e in c.errors])


def _write(folder: Path, kids: pd.DataFrame, members: pd.DataFrame) -> Path:
    kids.to_csv(folder / "children.csv", index=False)
    members.to_csv(folder / "members.csv", index=False)
    return folder


@settings(max_examples=8, deadline=None)
@given(which=st.sampled_from(CSV_LEAVES), data=st.data())
def test_a_csv_file_streams_to_the_same_results_and_records(which: tuple[str, Any], data: st.DataObject) -> None:
    """A typed column of a CSV file holding drawn cells: the results and records of the text path."""
    table, leaf = which
    kids, members = KIDS.copy(), MEMBERS.copy()
    frame = members if table == "member" else kids
    column = "household." + leaf.column if table == "household" else leaf.column
    frame[column] = data.draw(_cells(leaf, len(frame)))
    with tempfile.TemporaryDirectory() as tmp:
        folder = _write(Path(tmp), kids, members)
        typed, text = _stream(folder, True), _stream(folder, False)
    pd.testing.assert_frame_equal(typed[0], text[0])
    assert typed[1] == text[1]


def test_one_bad_cell_in_a_typed_column_is_reported_as_before(tmp_path: Path) -> None:
    """A grade out of range in a column the cast reads, and a date written otherwise in one it cannot: each
    is one record naming the row, the rule and the cell as written; the other rows are assessed."""
    kids, members = KIDS.copy(), MEMBERS.copy()
    kids["disability.grade"] = [None] * len(kids)
    kids.loc[2, "disability"], kids.loc[2, "disability.grade"] = "true", "7"
    kids.loc[4, "birth_date"] = "2019-1-5"
    _, errors = _stream(_write(tmp_path, kids, members), True)
    assert ("children.disability.grade", "out_of_range", 2, "disability.grade: must be ≤ 4", '"7"') in errors
    bad_date = "birth_date: expected an ISO date (YYYY-MM-DD), found '2019-1-5'"
    assert ("children.birth_date", "invalid_date", 4, bad_date, '"2019-1-5"') in errors
    assert not [e for e in errors if e[2] not in (2, 4) and e[1] not in ("household_rejected",)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.from_regex(r"\A[+-]?0?[0-9]{1,20}\Z"), st.text("0123456789 -+a", max_size=4))))
def test_whole_number_ids_are_found_as_the_regex_finds_them(cells: list[str | None]) -> None:
    """An id column is read as whole numbers exactly when every written cell is one (no sign, no leading
    zero, at most 18 digits), with their values."""
    column = pa.array(cells, pa.string())
    written = [c for c in cells if c is not None]
    whole = bool(written) and all(re.fullmatch(WHOLE_NUMBER, c) for c in written)
    got = whole_numbers(column)
    assert (got is not None) == whole
    if got is not None:
        assert got.tolist() == [0 if c is None else int(c) for c in cells]
