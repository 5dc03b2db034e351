"""Fuzz: populations as tables (dicts of lists, CSV bytes, Parquet) with mutated cells, rows and bytes: a
result whose counts add up (every rejected row has a record), or a located record for the file; never a raw
exception or a leak; the same input gives the same bytes."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

from _fuzz import NAME, NASTY, NUMBER, as_json, budget, check_records, outcome, tried
from hypothesis import given
from hypothesis import strategies as st

import riskeval
from riskeval.population import to_tables
from riskeval.testing import ASSESSMENT_DATE, households

ON = ASSESSMENT_DATE
CELLS = [c for c in NASTY if not isinstance(c, dict | list)] + [{"a": NAME}, [NUMBER], ("x",)]


def _check(result: Any) -> None:
    assert result.rows_in == result.assessed + result.rejected
    if result.errors:
        check_records(result.errors)
    rows = {e.row for e in result.errors if e.row is not None}
    files = [e for e in result.errors if e.row is None]
    rejected = set(range(result.rows_in)) - {int(r) for r in result.row}
    # a rejected child row has a record with its row, unless a record names the whole table or file
    assert rejected <= rows or files, (sorted(rejected - rows), [e.as_dict() for e in result.errors])
    assert len(list(result.to_records())) == result.assessed


def _tables(hhs: list[riskeval.Household]) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    pop = to_tables(hhs)
    return dict(pop.children), dict(pop.members)


def _mutate_table(data: st.DataObject, table: dict[str, list[Any]]) -> dict[str, list[Any]]:
    table = {k: list(v) for k, v in table.items()}
    n = len(next(iter(table.values()), []))
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        op = data.draw(st.sampled_from(["cell", "cell", "cell", "rename", "drop", "add"]), label="op")
        if op == "cell" and n:
            column = data.draw(st.sampled_from(sorted(table)), label="column")
            table[column][data.draw(st.integers(0, n - 1), label="row")] = data.draw(st.sampled_from(CELLS))
        elif op == "rename" and table:
            column = data.draw(st.sampled_from(sorted(table)), label="column")
            table[data.draw(st.sampled_from([NAME, NUMBER, column.upper(), column + " "]))] = table.pop(column)
        elif op == "drop" and table:
            table.pop(data.draw(st.sampled_from(sorted(table)), label="column"))
        elif op == "add":
            table[data.draw(st.sampled_from([NAME, "x", "household.x"]))] = [NAME] * n
    return table


@budget(ci=25)
@given(st.lists(households(), min_size=1, max_size=3), st.data())
def test_a_mutated_dict_of_lists_population(hhs: list[riskeval.Household], data: st.DataObject) -> None:
    """Dicts of lists with any Python value in a cell: counts add up, records located, same bytes twice."""
    tried("tables_dicts")
    kids, members = _tables(hhs)
    kids = _mutate_table(data, kids)
    if data.draw(st.booleans(), label="members too"):
        members = _mutate_table(data, members)
    kind, result = outcome(lambda: riskeval.assess_batch({"children": kids, "members": members}, on=ON))
    if kind == "ok":
        _check(result)
        again = riskeval.assess_batch({"children": kids, "members": members}, on=ON)
        assert as_json(list(again.to_records())) == as_json(list(result.to_records()))


def _csv_bytes(table: dict[str, list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table)
    n = len(next(iter(table.values()), []))
    writer.writerows([["" if v is None else v for v in (table[c][i] for c in table)] for i in range(n)])
    return out.getvalue().encode("utf-8")


BYTES = [b",EXTRA", b",", b'"', b"\xff\xfe", b"\x00", b"\r\n", b"\n\n", "\ufeff".encode(), NAME.encode(),
         NUMBER.encode(), b"\\", b";", b'"a""b"', b"\n" + NUMBER.encode() + b"," + NAME.encode()]  # fmt: skip


def _mutate_bytes(data: st.DataObject, raw: bytes) -> bytes:
    for _ in range(data.draw(st.integers(1, 3), label="byte mutations")):
        op = data.draw(st.sampled_from(["insert", "insert", "eol", "delete", "truncate", "header"]), label="op")
        lines = raw.split(b"\n")
        if op == "eol":  # an extra or missing cell at the end of one line (the ragged rows of issue 14)
            i = data.draw(st.integers(0, max(len(lines) - 1, 0)), label="line")
            lines[i] += data.draw(st.sampled_from([b",EXTRA", b",x,y", b""]))
            raw = b"\n".join(lines)
        elif op == "insert":
            at = data.draw(st.integers(0, len(raw)), label="at")
            raw = raw[:at] + data.draw(st.sampled_from(BYTES)) + raw[at:]
        elif op == "delete" and raw:
            at = data.draw(st.integers(0, len(raw) - 1), label="at")
            raw = raw[:at] + raw[at + data.draw(st.integers(1, 20)) :]
        elif op == "truncate":
            raw = raw[: data.draw(st.integers(0, len(raw)), label="at")]
        elif op == "header":
            raw = b"\n".join(lines[1:])  # no header row: the first child's cells become column names
    return raw


@budget(ci=30)
@given(st.lists(households(), min_size=1, max_size=3), st.data())
def test_mutated_csv_bytes(hhs: list[riskeval.Household], data: st.DataObject) -> None:
    """CSV files with bytes inserted, deleted, cut, cells added: counts add up or one record for the file."""
    tried("tables_csv")
    kids, members = _tables(hhs)
    raw_kids, raw_members = _csv_bytes(kids), _csv_bytes(members)
    if data.draw(st.booleans(), label="children"):
        raw_kids = _mutate_bytes(data, raw_kids)
    else:
        raw_members = _mutate_bytes(data, raw_members)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "children.csv").write_bytes(raw_kids)
        (folder / "members.csv").write_bytes(raw_members)
        kind, result = outcome(lambda: riskeval.assess_batch(riskeval.read_population(folder), on=ON))
        if kind == "ok":
            _check(result)
            again = riskeval.assess_batch(riskeval.read_population(folder), on=ON)
            assert as_json(list(again.to_records())) == as_json(list(result.to_records()))
            assert as_json([e.as_dict() for e in again.errors]) == as_json([e.as_dict() for e in result.errors])


@budget(ci=20)
@given(st.lists(households(), min_size=1, max_size=3), st.data())
def test_mutated_parquet(hhs: list[riskeval.Household], data: st.DataObject) -> None:
    """Parquet with columns of other types (numbers, booleans, mixed text): counts add up, records located."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tried("tables_parquet")
    kids, members = _tables(hhs)
    kids = _mutate_table(data, kids)

    def column(values: list[Any]) -> Any:
        try:
            return pa.array(values)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            return pa.array([None if v is None else str(v).encode("utf-8", "replace").decode() for v in values])

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        try:
            table = pa.table({k: column(v) for k, v in kids.items()})
        except (pa.ArrowException, ValueError):
            return  # a table pyarrow itself cannot build is not an input riskeval can be given
        pq.write_table(table, folder / "children.parquet")
        pq.write_table(pa.table({k: column(v) for k, v in members.items()}), folder / "members.parquet")
        kind, result = outcome(lambda: riskeval.assess_batch(riskeval.read_population(folder), on=ON))
        if kind == "ok":
            _check(result)
