"""assess_stream over tables held in memory (pandas, pyarrow, polars, columns): one batch's results, chunk by chunk."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from _tables import example_frames

import riskeval
from riskeval.errors import FactsError
from riskeval.population import Population

ON = datetime.date(2025, 12, 1)
PACK = riskeval.load_pack()


def _frames(copies: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The example households copied under new ids (several have two or three children), sorted by household,
    with a bad cell, a bad member row, a household whose children disagree, and extra columns with empty cells."""
    kids, members = example_frames(copies)
    kids.loc[3, "school"] = "nope"  # a bad cell: the row is rejected
    members.loc[5, "status"] = "gone"  # a bad member row: its household is rejected
    twice = kids.index[kids["household_id"].duplicated(keep=False)]
    kids.loc[twice[1], "household.housing"] = "homeless"  # the children of a household disagree
    kids["district"] = [None if k % 4 == 1 else f"d{k % 3}" for k in range(len(kids))]
    members["note"] = "x"  # not carried: one record for the whole stream
    return kids, members


def _form(frame: pd.DataFrame, form: str) -> Any:
    if form == "pyarrow":
        return pa.Table.from_pandas(frame, preserve_index=False)
    if form == "polars":
        pl = pytest.importorskip("polars", reason="polars is in the dev extra; install it to run this case")
        return pl.from_arrow(pa.Table.from_pandas(frame, preserve_index=False))
    if form == "columns":
        return {c: frame[c].to_numpy() for c in frame.columns}
    return frame


def _together(chunks: list[Any]) -> pd.DataFrame:
    return pd.concat([c.to_pandas() for c in chunks], ignore_index=True)


def _said(errors: list[Any]) -> list[tuple[Any, ...]]:
    return sorted((e.loc, e.code, e.row, e.message, json.dumps(e.value)) for e in errors)


@pytest.mark.parametrize("form", ["pandas", "pyarrow", "polars", "columns"])
@pytest.mark.parametrize("chunk_size", [2, 5, 11, 10_000])
def test_tables_in_memory_stream_as_one_batch(form: str, chunk_size: int) -> None:
    """Households of two and three children straddle every chunk size: each is assessed whole, and the
    chunks' frames, rows, records (rows of the whole tables, a whole column's once) and counts are those of
    one assess_batch over the same tables."""
    kids, members = _frames()
    children, adults = _form(kids, form), _form(members, form)
    whole = riskeval.assess_batch(Population(children, adults), on=ON, pack=PACK)
    if form == "columns":  # a mapping of columns is a table inside a Population, as assess_batch takes it
        chunks = list(riskeval.assess_stream(Population(children, adults), on=ON, pack=PACK, chunk_size=chunk_size))
    else:
        chunks = list(riskeval.assess_stream(children, members=adults, on=ON, pack=PACK, chunk_size=chunk_size))
    assert len(chunks) > 2 or chunk_size == 10_000
    seen = [set(c.household_id) for c in chunks]
    assert sum(len(s) for s in seen) == len(set().union(*seen))  # no household in two chunks
    pd.testing.assert_frame_equal(_together(chunks), whole.to_pandas())
    assert _said([e for c in chunks for e in c.errors]) == _said(whole.errors)
    assert {e.code for e in whole.errors} >= {"enum", "household_rejected", "household_conflict", "not_carried"}
    assert sum(c.rows_in for c in chunks) == whole.rows_in == len(kids)
    assert [r for c in chunks for r in c.to_records()] == list(whole.to_records())


def test_a_population_and_a_mapping_of_tables_stream_alike() -> None:
    """`Population(children, members)` and `{"children": ..., "members": ...}` are the tables given apart."""
    kids, members = _frames(2)
    apart = _together(list(riskeval.assess_stream(kids, members=members, on=ON, pack=PACK, chunk_size=3)))
    for source in (Population(kids, members), {"children": kids, "members": members}):
        pd.testing.assert_frame_equal(_together(list(riskeval.assess_stream(source, on=ON, chunk_size=3))), apart)


@pytest.mark.parametrize("table", ["children", "members"])
def test_a_table_in_memory_out_of_household_order_is_refused_by_row(table: str) -> None:
    """As for files: a household that comes back after its chunk closed is refused with a record naming the
    table and the row (never the id); read in one chunk, the same tables give assess_batch's results."""
    kids, members = _frames()
    frame = kids if table == "children" else members
    late = len(frame) - 2
    moved = pd.concat([frame.iloc[[late]], frame.drop(index=late)], ignore_index=True)
    kids, members = (moved, members) if table == "children" else (kids, moved)
    with pytest.raises(FactsError) as caught:
        list(riskeval.assess_stream(kids, members=members, on=ON, pack=PACK, chunk_size=4))
    (record,) = caught.value.records
    assert (record.loc, record.code, record.row) == (f"{table}.household_id", "unsorted", 1)
    assert not any(h in record.message for h in frame["household_id"])
    whole = riskeval.assess_batch(Population(kids, members), on=ON, pack=PACK)
    once = list(riskeval.assess_stream(kids, members=members, on=ON, pack=PACK, chunk_size=10_000))
    pd.testing.assert_frame_equal(_together(once), whole.to_pandas())


def test_whole_number_ids_in_memory_stream_by_value() -> None:
    """Household ids held as whole numbers (int64, 9 before 10) in both tables stream like one batch."""
    kids, members = _frames(2)
    codes = {h: k * 7 + 1 for k, h in enumerate(sorted(set(kids["household_id"])))}
    kids["household_id"] = kids["household_id"].map(codes).astype("int64")
    members["household_id"] = members["household_id"].map(codes).astype("int64")
    whole = riskeval.assess_batch(Population(kids, members), on=ON, pack=PACK)
    chunks = list(riskeval.assess_stream(kids, members=members, on=ON, pack=PACK, chunk_size=3))
    assert len(chunks) > 2
    pd.testing.assert_frame_equal(_together(chunks), whole.to_pandas())


def test_members_given_twice_or_as_a_file_name_is_refused(tmp_path: Path) -> None:
    """A source that holds its members table takes no `members=`; a children table in memory takes its
    members in memory, not a file name."""
    kids, members = _frames(1)
    with pytest.raises(ValueError, match="holds its members"):
        next(riskeval.assess_stream(Population(kids, members), members=members, on=ON))
    with pytest.raises(ValueError, match="not a file"):
        next(riskeval.assess_stream(kids, members=tmp_path / "members.csv", on=ON))
