"""assess_stream over the two tables (Parquet row groups, CSV blocks, folders of parts): one batch's results."""

from __future__ import annotations

import datetime
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

import riskeval
from riskeval.cli import main
from riskeval.errors import FactsError
from riskeval.facts import parse_household
from riskeval.population import RESULT_NAMES, RESULT_PREFIXES, Population, table_chunks, to_tables

ROOT = Path(__file__).resolve().parents[1]
ON = datetime.date(2025, 12, 1)
PACK = riskeval.load_pack()


def _households(copies: int) -> list[Any]:
    """The example households copied under new ids (several have two children and a few adults)."""
    out = []
    for path in sorted((ROOT / "examples" / "households").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        for k in range(copies):
            out.append(parse_household({**data, "id": f"{data['id']}-{k}"}))
    return out


def _frames(copies: int = 4, dirty: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two tables sorted by household id, with two extra columns, and (``dirty``) a bad cell, a bad
    member row and a household whose children disagree on a household column."""
    population = to_tables(_households(copies))
    kids = pd.DataFrame(population.children).sort_values("household_id", kind="stable", ignore_index=True)
    members = pd.DataFrame(population.members).sort_values("household_id", kind="stable", ignore_index=True)
    kids = kids.astype(object).where(kids.notna(), None)
    members = members.astype(object).where(members.notna(), None)
    if dirty:
        kids.loc[3, "school"] = "nope"  # a bad cell: the row is rejected
        members.loc[5, "status"] = "gone"  # a bad member row: its household is rejected
        twice = kids.index[kids["household_id"].duplicated(keep=False)]
        kids.loc[twice[1], "household.housing"] = "homeless"  # the children of a household disagree
    kids["district"] = [f"d{k % 3}" for k in range(len(kids))]
    kids["street"] = [f"s{k}" for k in range(len(kids))]
    return kids, members


def _write(folder: Path, kids: pd.DataFrame, members: pd.DataFrame, form: str) -> Path:
    """The tables as files: Parquet with row groups of 3 rows, CSV, or the households as JSON lines."""
    folder.mkdir(parents=True, exist_ok=True)
    if form == "parquet":
        for name, frame in (("children", kids), ("members", members)):
            table = pa.Table.from_pandas(frame, preserve_index=False)
            pq.write_table(table, folder / f"{name}.parquet", row_group_size=3)
    else:
        kids.to_csv(folder / "children.csv", index=False)
        members.to_csv(folder / "members.csv", index=False)
    return folder


def _together(chunks: list[Any]) -> pd.DataFrame:
    return pd.concat([c.to_pandas() for c in chunks], ignore_index=True)


def _said(errors: list[Any]) -> list[tuple[Any, ...]]:
    return sorted((e.loc, e.code, e.row, e.message, json.dumps(e.value)) for e in errors)


@pytest.mark.parametrize("form", ["parquet", "csv"])
@pytest.mark.parametrize("chunk_size", [2, 5, 11, 10_000])
def test_streamed_tables_give_one_batch(tmp_path: Path, form: str, chunk_size: int) -> None:
    """Households straddle the row groups, CSV blocks and chunk sizes: each is assessed whole, and the
    chunks' frames, rows, records (rows of the whole tables) and counts are those of one assess_batch."""
    folder = _write(tmp_path, *_frames(), form)
    whole = riskeval.assess_batch(riskeval.read_population(folder), on=ON, pack=PACK)
    chunks = list(riskeval.assess_stream(folder, on=ON, pack=PACK, chunk_size=chunk_size))
    assert len(chunks) > 1 or chunk_size == 10_000
    seen = [set(c.household_id) for c in chunks]
    assert sum(len(s) for s in seen) == len(set().union(*seen))  # no household in two chunks
    pd.testing.assert_frame_equal(_together(chunks), whole.to_pandas())
    assert _said([e for c in chunks for e in c.errors]) == _said(whole.errors)
    assert {e.code for e in whole.errors} >= {"enum", "household_rejected", "household_conflict"}
    assert sum(c.rows_in for c in chunks) == whole.rows_in


def test_small_csv_blocks_and_parquet_row_groups_split_households(tmp_path: Path) -> None:
    """The readers hand out pieces that cut households in two (3-row groups, 1 KiB CSV blocks): the chunks
    still hold whole households, the same as one batch."""
    kids, members = _frames()
    for form in ("parquet", "csv"):
        folder = _write(tmp_path / form, kids, members, form)
        pieces = list(table_chunks(folder, chunk_size=4, block_size=1024))
        assert len(pieces) > 3
        ends = [(p.children.column("household_id")[-1], q.children.column("household_id")[0])
                for p, q in itertools.pairwise(pieces)]  # fmt: skip
        assert all(a != b for a, b in ends)
        whole = riskeval.assess_batch(riskeval.read_population(folder), on=ON, pack=PACK)
        parts = [riskeval.assess_batch(Population(p.children, p.members), on=ON, pack=PACK) for p in pieces]
        assert sum(p.assessed for p in parts) == whole.assessed
        assert [h for p in parts for h in p.household_id] == list(whole.household_id)


def test_json_lines_stream_like_the_tables(tmp_path: Path) -> None:
    """The same households as JSON lines give the frame the tables give (the extra columns aside)."""
    households = _households(3)
    source = tmp_path / "households.jsonl"
    source.write_text("".join(h.model_dump_json(exclude_none=True) + "\n" for h in households), "utf-8")
    population = to_tables(households)
    one = riskeval.assess_batch(population, on=ON, pack=PACK).to_pandas().drop(columns="row")
    streamed = _together(list(riskeval.assess_stream(source, on=ON, pack=PACK, chunk_size=3))).drop(columns="row")
    key = ["household_id", "child_id"]
    pd.testing.assert_frame_equal(
        streamed.sort_values(key, ignore_index=True), one.sort_values(key, ignore_index=True), check_like=True
    )


@pytest.mark.parametrize("table", ["children", "members"])
def test_a_table_out_of_household_order_is_refused_by_row(tmp_path: Path, table: str) -> None:
    """A household that comes back after the chunk that closed it would be assessed as two: refused with
    a record naming the table and the row, never the id; read in one chunk, the same table is fine."""
    kids, members = _frames()
    frame = kids if table == "children" else members
    late = len(frame) - 2
    moved = pd.concat([frame.iloc[[late]], frame.drop(index=late)], ignore_index=True)  # a late household first
    folder = _write(tmp_path, moved if table == "children" else kids, moved if table == "members" else members, "csv")
    out = tmp_path / "results.parquet"
    with pytest.raises(FactsError) as caught:
        list(riskeval.assess_stream(folder, on=ON, pack=PACK, chunk_size=4, out=out))
    (record,) = caught.value.records
    assert (record.loc, record.code, record.row) == (f"{table}.household_id", "unsorted", 1)
    assert not any(h in record.message for h in frame["household_id"])
    assert not out.exists()  # no file passes for the whole population's results
    whole = riskeval.assess_batch(riskeval.read_population(folder), on=ON, pack=PACK)
    once = list(riskeval.assess_stream(folder, on=ON, pack=PACK, chunk_size=10_000))
    pd.testing.assert_frame_equal(_together(once), whole.to_pandas())


def test_a_late_problem_is_raised_where_its_chunk_comes(tmp_path: Path) -> None:
    """Chunks are read and taken in ahead, in threads: a row out of household order near the end of the
    table is still raised where its chunk comes, after every chunk before it, each as the sorted table's."""
    kids, members = _frames()
    starts = [r for r in range(1, len(kids)) if kids["household_id"][r] != kids["household_id"][r - 1]]
    last_of_p = starts[-1] - 1  # the rows: ..., household P, household Q, then P's last row
    moved = pd.concat([kids.drop(index=last_of_p), kids.iloc[[last_of_p]]], ignore_index=True)
    sorted_chunks = list(riskeval.assess_stream(_write(tmp_path / "a", kids, members, "parquet"), on=ON, pack=PACK,
                                                chunk_size=4))  # fmt: skip
    stream = riskeval.assess_stream(_write(tmp_path / "b", moved, members, "parquet"), on=ON, pack=PACK, chunk_size=4)
    before: list[Any] = []
    with pytest.raises(FactsError) as caught:
        before.extend(stream)  # the chunks are kept as they come, up to the error
    assert caught.value.records[0].code == "unsorted"
    assert len(sorted_chunks) >= 8 and len(before) == len(sorted_chunks) - 1  # the last chunk holds P and Q
    for mine, theirs in zip(before, sorted_chunks, strict=False):
        pd.testing.assert_frame_equal(mine.to_pandas(), theirs.to_pandas())


def test_whole_numbers_are_ordered_by_value(tmp_path: Path) -> None:
    """Whole-number household ids in a CSV (text to the reader) sorted as numbers (9 before 10) stream."""
    kids, members = _frames(2)
    codes = {h: str(k * 7 + 1) for k, h in enumerate(sorted(set(kids["household_id"])))}
    kids["household_id"] = kids["household_id"].map(codes)
    members["household_id"] = members["household_id"].map(codes)
    folder = _write(tmp_path, kids, members, "csv")
    whole = riskeval.assess_batch(riskeval.read_population(folder), on=ON, pack=PACK)
    chunks = list(riskeval.assess_stream(folder, on=ON, pack=PACK, chunk_size=3))
    assert any(len(h) == 1 for h in whole.household_id) and any(len(h) == 2 for h in whole.household_id)
    pd.testing.assert_frame_equal(_together(chunks), whole.to_pandas())


def test_folders_of_parts_are_read_in_order(tmp_path: Path) -> None:
    """`children/part-*.parquet` beside `members/part-*.parquet`: parts in the order of their numbers (part-2
    before part-10), households cut between parts carried over, the same as one batch (and as read_population
    reads the folder)."""
    kids, members = _frames()
    for name, frame, size in (("children", kids, 4), ("members", members, 5)):
        (tmp_path / name).mkdir()
        for k, start in enumerate(range(0, len(frame), size)):
            part = pa.Table.from_pandas(frame.iloc[start : start + size], preserve_index=False)
            pq.write_table(part, tmp_path / name / f"part-{k}.parquet")
        (tmp_path / name / "_SUCCESS").write_text("")
    assert len(list((tmp_path / "children").glob("part-*"))) > 10
    whole = riskeval.assess_batch(Population(kids, members), on=ON, pack=PACK)
    chunks = list(riskeval.assess_stream(tmp_path, on=ON, pack=PACK, chunk_size=6))
    pd.testing.assert_frame_equal(_together(chunks), whole.to_pandas(), check_dtype=False)
    by_folder = list(riskeval.assess_stream(tmp_path / "children", on=ON, pack=PACK, chunk_size=6))
    pd.testing.assert_frame_equal(_together(by_folder), _together(chunks))
    read = riskeval.assess_batch(riskeval.read_population(tmp_path), on=ON, pack=PACK)  # read whole, part by part
    pd.testing.assert_frame_equal(read.to_pandas(), _together(chunks))


def test_extra_columns_ride_along_to_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`district` and `street` pass through `riskeval batch` to Parquet and CSV as they came (exit 0); the
    files carry the audit stamp (Parquet metadata, CSV sidecar)."""
    kids, members = _frames(dirty=False)
    folder = _write(tmp_path / "in", kids, members, "csv")
    for suffix in (".parquet", ".csv"):
        out = tmp_path / f"results{suffix}"
        args = ["batch", str(folder), "--on", str(ON), "--out", str(out), "--errors", str(tmp_path / "e.jsonl")]
        assert main([*args, "--chunk-size", "5"]) == 0, capsys.readouterr()
        got = pq.read_table(out) if suffix == ".parquet" else pcsv.read_csv(out)
        assert got.column("district").to_pylist() == kids["district"].tolist()
        assert got.column("street").to_pylist() == kids["street"].tolist()
        meta = got.schema.metadata or {} if suffix == ".parquet" else {}
        stamp = json.loads(meta[b"riskeval"]) if suffix == ".parquet" else json.loads(
            (tmp_path / "results.csv.riskeval.json").read_text("utf-8"))  # fmt: skip
        assert stamp["pack"]["sha256"] == PACK.sha256 and stamp["as_of"] == str(ON) and stamp["riskeval"]
        assert not Path(str(out) + ".partial").exists()


def test_extra_columns_that_cannot_ride_along_are_said_once(tmp_path: Path) -> None:
    """A result column's name (`status`), a fact's name misspelt (`birth_dat`) or personal data (`phone`)
    is not carried, with one record for the whole stream; an identity number in a carried column is
    emptied with a record naming its row, never shown."""
    kids, members = _frames()
    kids["status"], kids["birth_dat"], kids["phone"] = "x", "2015-01-01", "555"
    number = "610103201104105678"
    kids.loc[7, "district"] = number
    folder = _write(tmp_path, kids, members, "parquet")
    chunks = list(riskeval.assess_stream(folder, on=ON, pack=PACK, chunk_size=4))
    records = [e for c in chunks for e in c.errors]
    column = {(e.loc, e.code) for e in records if e.row is None}
    assert column == {("children.status", "column_clash"), ("children.birth_dat", "unknown_column"),
                      ("children.phone", "unknown_column")}  # fmt: skip
    assert len([e for e in records if e.row is None]) == 3
    (hidden,) = [e for e in records if e.code == "id_number_in_column"]
    assert hidden.row == 7 and number not in json.dumps(hidden.as_dict())
    frame = _together(chunks)
    assert "phone" not in frame and "birth_dat" not in frame and list(frame.columns).count("status") == 1
    assert number not in frame["district"].dropna().tolist() and len(frame["district"].dropna()) > 0


def test_result_names_cover_every_result_column() -> None:
    """The names an input column may not take are the result table's (the clash check cannot go stale)."""
    result = riskeval.assess_batch(Population(*_frames(1)), on=ON, pack=PACK)
    names = [c.name for c in result.columns() if c.kind != "pass"]
    assert all(n in RESULT_NAMES or n.startswith(RESULT_PREFIXES) for n in names)
    assert {n for n in names if "." not in n} == set(RESULT_NAMES)


def test_parquet_out_without_pyarrow_says_so_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`riskeval batch --out x.parquet` without the extra: a missing_extra record, and nothing read or written."""
    folder = _write(tmp_path / "in", *_frames(1), "csv")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    out, errors = tmp_path / "x.parquet", tmp_path / "e.jsonl"
    assert main(["batch", str(folder), "--on", str(ON), "--out", str(out), "--errors", str(errors)]) == 1
    (record,) = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    assert record["code"] == "missing_extra" and "riskeval[pandas]" in record["message"]
    assert not out.exists() and not Path(str(out) + ".partial").exists() and not errors.exists()


def test_a_csv_row_with_other_cells_than_the_header_is_named_by_its_line(tmp_path: Path) -> None:
    """A row with a cell too many is left out with a `ragged_row` record naming its line (its cells unshown);
    the other rows are assessed."""
    kids, members = _frames(1, dirty=False)
    folder = _write(tmp_path, kids, members, "csv")
    lines = (folder / "children.csv").read_text("utf-8").splitlines()
    lines[3] += ",张三丰"
    (folder / "children.csv").write_text("\n".join(lines) + "\n", "utf-8")
    chunks = list(riskeval.assess_stream(folder, on=ON, pack=PACK, chunk_size=4))
    records = [e for c in chunks for e in c.errors if e.code == "ragged_row"]
    assert [(e.loc, e.row) for e in records] == [("children", None)] and "line 4" in records[0].message
    assert "张三丰" not in json.dumps([e.as_dict() for c in chunks for e in c.errors], ensure_ascii=False)
    assert sum(c.rows_in for c in chunks) == len(kids) - 1
