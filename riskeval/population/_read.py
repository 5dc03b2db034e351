"""Populations as two tables: their documented columns, households turned into tables, and reading files."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from riskeval._csv_rows import read_pandas, read_rows
from riskeval._extras import need
from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts import Household, line_entry, read_problem
from riskeval.population._chunks import table_files
from riskeval.population.layout import Leaf, layout

CHILD_KEYS = ("household_id", "child_id")
MEMBER_KEYS = ("household_id", "member_id")
HOUSEHOLD_PREFIX = "household."


@dataclass(frozen=True)
class Population:
    """Two tables keyed by ``household_id``: children (household facts repeated) and members (optional)."""

    children: Any
    members: Any = None


@dataclass(frozen=True)
class Column:
    """A documented column: its name, the kind of its cells, and the codes an enum or list allows."""

    name: str
    kind: str
    values: tuple[str, ...] = ()


def _column(leaf: Leaf, prefix: str = "") -> Column:
    kind = {"cert": "bool", "ref": "member id", "text": "text (never read, never echoed)"}.get(leaf.kind, leaf.kind)
    values = tuple(e.value for e in leaf.enum) if leaf.enum is not None else ()
    return Column(prefix + leaf.column, kind, values)


def columns() -> dict[str, list[Column]]:
    """The columns of each table, derived from the fact models (records have no column of their own)."""
    lay = layout()
    kids = [Column("household_id", "id"), Column("child_id", "id")]
    kids += [_column(lf) for lf in lay["child"] if lf.kind != "record"]
    kids += [_column(lf, HOUSEHOLD_PREFIX) for lf in lay["household"] if lf.kind != "record"]
    kids.append(Column(HOUSEHOLD_PREFIX + "members", "[] if the household has no adults (else: its member rows)"))
    members = [Column("household_id", "id"), Column("member_id", "id")]
    members += [_column(lf) for lf in lay["member"] if lf.kind != "record"]
    return {"children": kids, "members": members}


def _cell(value: Any) -> Any:
    """A fact value as a table cell: dates as ISO text, lists as ``a;b`` (``[]`` when empty)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(getattr(v, "value", v)) for v in value) if value else "[]"
    return getattr(value, "value", value)


def _flatten(obj: Any, leaves: Sequence[Leaf], prefix: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {}
    for lf in leaves:
        if lf.kind == "record":
            continue
        v: Any = obj
        for part in lf.path:
            v = None if v is None or v is False else getattr(v, part)
        if lf.kind == "cert":
            v = None if v is None else v is not False
        row[prefix + lf.column] = _cell(v)
    return row


def to_tables(households: Sequence[Household]) -> Population:
    """Households as the two tables (dicts of lists, one key per documented column; names are dropped)."""
    cols = columns()
    kids: dict[str, list[Any]] = {c.name: [] for c in cols["children"]}
    members: dict[str, list[Any]] = {c.name: [] for c in cols["members"]}
    lay = layout()
    for hh in households:
        home = _flatten(hh, lay["household"], HOUSEHOLD_PREFIX)
        home[HOUSEHOLD_PREFIX + "members"] = "[]" if hh.members == [] else None
        for c in hh.children:
            row = {"household_id": hh.id, "child_id": c.id, **_flatten(c, lay["child"]), **home, "name": None}
            for k in kids:
                kids[k].append(row.get(k))
        for m in hh.members or []:
            row = {"household_id": hh.id, "member_id": m.id, **_flatten(m, lay["member"]), "name": None}
            for k in members:
                members[k].append(row.get(k))
    return Population(kids, members)


def _read_csv(path: Path) -> Any:
    """A CSV table as text cells; a file that is empty, not UTF-8 or not CSV is a record naming it."""
    try:
        import pandas as pd
    except ImportError:
        pd = None
    try:
        return read_rows(path) if pd is None else read_pandas(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise read_problem(path, exc) from None
    except (ValueError, csv.Error) as exc:  # pandas' EmptyDataError and ParserError are ValueErrors
        if not path.read_bytes().strip():
            raise FactsError([ErrorRecord(str(path), "empty_input", f"{path} is empty (no header row)")]) from None
        raise FactsError([ErrorRecord(str(path), "invalid_csv", f"{path} is not valid CSV: {exc}")]) from None


def _read_table(path: Path) -> Any:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".parquet", ".pq"):
        pq = need("pyarrow.parquet", "reading Parquet")
        try:
            return pq.read_table(path)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise read_problem(path, exc) from None
    message = f"{path}: expected a .csv or .parquet table"
    raise FactsError([ErrorRecord(str(path), "format", message)], message)


def read_population(path: str | Path, members: str | Path | None = None) -> Population | list[Any]:
    """Read a population from files.

    Args:
        path: a folder holding ``children.csv`` and ``members.csv`` (or ``.parquet``, or ``children/`` and
            ``members/`` folders of parts, read in the order of their names); a children table
            (its ``members`` table is found beside it when ``members`` is not given); or a JSON lines
            file (``.jsonl``/``.ndjson``), one household per line.
        members: the members table, when it is not beside the children table.

    Returns:
        A :class:`Population`, or for JSON lines the households (a line that is not a JSON object is kept
        as :class:`~riskeval.facts._input.Unparsed`, so that ``assess_batch`` rejects it with a record
        naming the line instead of losing it).

    Raises:
        FactsError: a file that cannot be read (missing, empty, not UTF-8, not CSV), named in the record.
    """
    p = Path(path)
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise read_problem(p, exc) from None
        return [line_entry(line, n) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    kids, theirs = table_files(p, members)  # a folder of parts (children/part-*.parquet) is read part by part
    return Population(_read_parts(kids), _read_parts(theirs) if theirs is not None else None)


def _read_parts(files: list[Path]) -> Any:
    """A table from its file, or from its parts one after another (their columns unified)."""
    if len(files) == 1:
        return _read_table(files[0])
    pa = need("pyarrow", "reading a folder of parts")
    parts = [_read_table(f) for f in files]
    parts = [t if isinstance(t, pa.Table) else pa.Table.from_pandas(t, preserve_index=False) for t in parts]
    return pa.concat_tables(parts, promote_options="permissive")
