"""Extra columns: the children table's arrive row-aligned in every output, unknown cells null; the members
table's are said not carried, once, with the way to carry them, never a value shown."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from _tables import example_frames

import riskeval
from riskeval.cli import main
from riskeval.population import Population

ON = datetime.date(2025, 12, 1)
PACK = riskeval.load_pack()
NOTE = "王小明的舅舅"  # a fictional name in a member's free-text column: never echoed


def _with_extras(kids: pd.DataFrame) -> pd.DataFrame:
    """Three extra columns, each with empty cells: text, a nullable whole number, a nullable boolean."""
    n = len(kids)
    kids = kids.copy()
    kids["district"] = pd.array([None if k % 4 == 1 else f"d{k % 3}" for k in range(n)], "string")
    kids["grid"] = pd.array([None if k % 5 == 2 else k * 10 for k in range(n)], "Int64")
    kids["visited"] = pd.array([None if k % 3 == 0 else k % 2 == 0 for k in range(n)], "boolean")
    return kids


def _expected(kids: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    """Per child (household id, child id): the extra cells as they came, None where empty."""
    out = {}
    for row in kids.itertuples(index=False):
        cells = {c: getattr(row, c) for c in ("district", "grid", "visited")}
        out[(row.household_id, row.child_id)] = {c: None if pd.isna(v) else getattr(v, "item", lambda v=v: v)()
                                                 for c, v in cells.items()}  # fmt: skip
    return out


def _check(rows: list[dict[str, Any]], want: dict[tuple[str, str], dict[str, Any]], text: bool = False) -> None:
    """Every assessed child's cells are its own (row-aligned), None exactly where the input's were empty."""
    assert rows and len(rows) == len(want)
    for row in rows:
        expected = want[(row["household_id"], row["child_id"])]
        if text:  # a CSV cell: the value's text, booleans as true/false
            expected = {c: None if v is None else str(v).lower() if isinstance(v, bool) else str(v)
                        for c, v in expected.items()}  # fmt: skip
        assert {c: row[c] for c in expected} == expected
    nulls = sum(v is None for row in rows for v in (row["district"], row["grid"], row["visited"]))
    assert nulls > 0 and any(row["visited"] in (False, "false") for row in rows)


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return table.select(["household_id", "child_id", "district", "grid", "visited"]).to_pylist()


def test_extra_columns_arrive_row_aligned_in_every_result_table() -> None:
    """to_arrow, to_pandas and to_records carry each child's own extra cells; an empty cell is null (pandas
    NA, JSON null), never false or empty text."""
    kids, members = example_frames(2)
    kids = _with_extras(kids)
    result = riskeval.assess_batch(Population(kids, members), on=ON, pack=PACK)
    want = _expected(kids)
    assert result.assessed == len(kids) and not result.errors
    _check(_rows(result.to_arrow()), want)
    frame = result.to_pandas()[["household_id", "child_id", "district", "grid", "visited"]]
    assert (frame["grid"].dtype, frame["visited"].dtype) == (pd.Int64Dtype(), pd.BooleanDtype())  # NA, not NaN
    _check([{k: None if pd.isna(v) else v for k, v in r.items()} for r in frame.to_dict("records")], want)
    records = list(result.to_records())
    assert all(list(r)[:3] == ["household_id", "child_id", "extra"] for r in records)
    _check([{"household_id": r["household_id"], "child_id": r["child_id"], **r["extra"]} for r in records], want)
    json.dumps(records, allow_nan=False)  # strict JSON


def test_records_without_extra_columns_have_no_extra_key() -> None:
    """Tables with no extra column give the records assess() gives: no `extra` key."""
    result = riskeval.assess_batch(Population(*example_frames(1)), on=ON, pack=PACK)
    assert all("extra" not in r for r in result.to_records())


def test_extra_dates_and_floats_are_json_in_records() -> None:
    """A date cell is ISO text in a record, a float's NaN (its empty cell) null; an infinite float is text."""
    kids, members = example_frames(1)
    n = len(kids)
    kids["surveyed"] = [datetime.date(2025, 1, 1 + k % 28) if k % 2 else None for k in range(n)]
    kids["share"] = [float("nan") if k % 3 == 0 else float("inf") if k == 1 else k / 2 for k in range(n)]
    result = riskeval.assess_batch(Population(pa.Table.from_pandas(kids), members), on=ON, pack=PACK)
    by_child = {(r["household_id"], r["child_id"]): r["extra"] for r in result.to_records()}
    for k, row in enumerate(kids.itertuples(index=False)):
        got = by_child[(row.household_id, row.child_id)]
        assert got["surveyed"] == (f"2025-01-{1 + k % 28:02d}" if k % 2 else None)
        assert got["share"] == (None if k % 3 == 0 else "Infinity" if k == 1 else k / 2)


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_riskeval_batch_writes_extra_columns_to_every_format(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`riskeval batch --out` (chunks of 5 children) carries the extra cells into Parquet (typed, nulls), CSV
    (empty cells) and JSON lines (`extra`, nulls), row-aligned, exit 0."""
    kids, members = example_frames(2)
    kids = _with_extras(kids)
    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(pa.Table.from_pandas(kids, preserve_index=False), folder / "children.parquet", row_group_size=3)
    pq.write_table(pa.Table.from_pandas(members, preserve_index=False), folder / "members.parquet")
    out = tmp_path / f"results{suffix}"
    args = ["batch", str(folder), "--on", str(ON), "--out", str(out), "--errors", str(tmp_path / "e.jsonl")]
    assert main([*args, "--chunk-size", "5"]) == 0, capsys.readouterr()
    want = _expected(kids)
    if suffix == ".parquet":
        table = pq.read_table(out)
        assert table.schema.field("grid").type == pa.int64() and table.schema.field("visited").type == pa.bool_()
        _check(_rows(table), want)
    elif suffix == ".csv":
        text = pcsv.ConvertOptions(column_types={c: pa.string() for c in ("district", "grid", "visited")},
                                   strings_can_be_null=True)  # fmt: skip
        _check(_rows(pcsv.read_csv(out, convert_options=text)), want, text=True)
    else:
        records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
        _check([{"household_id": r["household_id"], "child_id": r["child_id"], **r["extra"]} for r in records], want)


def test_member_extra_columns_are_said_not_carried_once(tmp_path: Path) -> None:
    """Extra columns of the members table have no row to ride on: each plain one gets one `not_carried`
    record saying to give it on the children table (a typo or personal data: `unknown_column`); every child is
    assessed as without them, and no cell of theirs is shown."""
    kids, members = example_frames(2)
    plain = riskeval.assess_batch(Population(kids, members), on=ON, pack=PACK)
    members = members.copy()
    members["district"] = [f"d{k % 3}" for k in range(len(members))]
    members["note"] = NOTE
    members["stauts"], members["phone"] = "x", "13800000000"
    result = riskeval.assess_batch(Population(kids, members), on=ON, pack=PACK)
    pd.testing.assert_frame_equal(result.to_pandas(), plain.to_pandas())
    said = {(e.loc, e.code, e.row) for e in result.errors}
    assert said == {("members.district", "not_carried", None), ("members.note", "not_carried", None),
                    ("members.stauts", "unknown_column", None), ("members.phone", "unknown_column", None)}  # fmt: skip
    (district,) = [e for e in result.errors if e.loc == "members.district"]
    assert "children table" in district.message
    shown = json.dumps([e.as_dict() for e in result.errors], ensure_ascii=False)
    assert NOTE not in shown and "13800000000" not in shown and "d1" not in shown
    folder = tmp_path / "in"
    folder.mkdir()
    kids.to_csv(folder / "children.csv", index=False)
    members.to_csv(folder / "members.csv", index=False)
    chunks = list(riskeval.assess_stream(folder, on=ON, pack=PACK, chunk_size=4))
    assert len(chunks) > 2
    assert sorted(e.loc for c in chunks for e in c.errors) == sorted(loc for loc, _, _ in said)


def test_polars_text_in_an_extra_column_is_carried_and_an_identity_number_emptied() -> None:
    """A polars frame's text (Arrow string views) rides along like any other, and a cell shaped like a
    resident identity number is emptied with a record naming its row, never shown (regression: string
    views were not checked, and could not be taken by row)."""
    pl = pytest.importorskip("polars", reason="polars is in the dev extra; install it to run this test")
    kids, members = example_frames(1)
    number = "610103201104105678"
    kids["district"] = [number if k == 2 else f"d{k}" for k in range(len(kids))]
    frame = pl.from_arrow(pa.Table.from_pandas(kids, preserve_index=False))
    result = riskeval.assess_batch(Population(frame, members), on=ON, pack=PACK)
    (hidden,) = [e for e in result.errors if e.code == "id_number_in_column"]
    assert hidden.row == 2 and number not in json.dumps([e.as_dict() for e in result.errors])
    got = dict(zip(result.child_id, result.to_arrow().column("district").to_pylist(), strict=True))
    want = {c: None if k == 2 else f"d{k}" for k, c in enumerate(kids["child_id"])}
    assert got == want


def test_an_object_column_of_mixed_cells_is_carried_as_text() -> None:
    """A pandas object column holding whole numbers and text (Arrow has no type for both) is carried as
    text, row-aligned, its empty cells null (regression: the batch stopped with Arrow's TypeError)."""
    kids, members = example_frames(1)
    kids["district"] = pd.Series([None if k % 4 == 3 else k if k % 2 else f"d{k}" for k in range(len(kids))],
                                 dtype=object)  # fmt: skip
    result = riskeval.assess_batch(Population(kids, members), on=ON, pack=PACK)
    want = {c: None if k % 4 == 3 else str(k) if k % 2 else f"d{k}" for k, c in enumerate(kids["child_id"])}
    assert dict(zip(result.child_id, result.to_arrow().column("district").to_pylist(), strict=True)) == want


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_stream_whose_first_chunk_has_an_empty_extra_column_writes_the_rest(tmp_path: Path, suffix: str) -> None:
    """An object column empty in the first chunks of a DataFrame streamed to a file is text from the start,
    so the later chunks' text fits the file (regression: Arrow's null type refused them mid-stream)."""
    kids, members = example_frames(2)
    kids["district"] = pd.Series([None if k < 8 else f"d{k}" for k in range(len(kids))], dtype=object)
    out = tmp_path / f"results{suffix}"
    chunks = list(riskeval.assess_stream(kids, members=members, on=ON, pack=PACK, chunk_size=3, out=out))
    assert len(chunks) > 3
    empty_is_null = pcsv.ConvertOptions(strings_can_be_null=True)
    table = pq.read_table(out) if suffix == ".parquet" else pcsv.read_csv(out, convert_options=empty_is_null)
    ids = zip(kids["household_id"], kids["child_id"], strict=True)
    want = {(h, c): None if k < 8 else f"d{k}" for k, (h, c) in enumerate(ids)}
    got = table.select(["household_id", "child_id", "district"]).to_pylist()
    assert len(got) == len(want) and all(want[(r["household_id"], r["child_id"])] == r["district"] for r in got)
