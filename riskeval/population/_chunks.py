"""The two tables read from files a household-aligned chunk at a time, never a whole file in memory.

Parquet is read a row group at a time (``pyarrow.parquet``), CSV a block at a time (``pyarrow.csv``'s
streaming reader, every cell as text, as ``read_population`` reads it), and a folder of parts
(``children/part-*.parquet`` beside ``members/part-*.parquet``) part after part, in the order of their
names (numbers in a name counted as numbers).

A chunk ends where a household ends: the rows of the household still being read are carried into the
next chunk. That needs both tables **sorted by household_id**, in one order: whole-number ids (``7``,
``12``) by their value, before other ids, which go by their characters. A row whose household comes before
the row above it is a ``FactsError`` naming the table and the row (never the id): assessing what was read
of its household as a whole one would be a guess. A table that fits in one chunk is read whole, in any
order. The members of a chunk are the member rows up to its last
household, strays (a household without children) included, so each is reported where it stands.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from riskeval._extras import need
from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts import read_problem
from riskeval.population._joins import WHOLE_NUMBER, whole_numbers

__all__ = ["TableChunk", "aligned", "shift_records", "table_chunks", "table_files"]

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")
CSV_BLOCK = 1 << 20  # bytes of CSV parsed at a time
_WHOLE_GROUP = 4  # a Parquet row group of at most this many batches is read in one call
_FIRST_ROW = re.compile(r"first child row \((\d+)\)")  # _table_intake's household_conflict message


@dataclass
class TableChunk:
    """Whole households of the children table, their member rows, and where both start in their files."""

    children: Any  # a pyarrow Table
    members: Any  # a pyarrow Table, or None without a members table
    child_row: int
    member_row: int
    errors: list[ErrorRecord] = field(default_factory=list)  # rows the CSV reader could not split into cells


def _natural(path: Path) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def _parts(folder: Path) -> list[Path]:
    """A folder's table files in the order of their names; Spark's and Hive's markers are skipped."""
    files = [p for p in folder.iterdir() if p.suffix.lower() in TABLE_SUFFIXES and not p.name.startswith((".", "_"))]
    formats = {p.suffix.lower().replace(".pq", ".parquet") for p in files}
    if not files or len(formats) > 1:
        problem = "no .csv or .parquet part" if not files else "parts of more than one format"
        code = "file_not_found" if not files else "format"
        raise FactsError([ErrorRecord(str(folder), code, f"{folder}: {problem}")])
    return sorted(files, key=_natural)


def _files(path: Path) -> list[Path]:
    return _parts(path) if path.is_dir() else [path]


def table_files(path: str | Path, members: str | Path | None = None) -> tuple[list[Path], list[Path] | None]:
    """The children table's files and the members table's (None: no members table), as ``read_population``
    finds them: a folder holding ``children.csv``/``.parquet`` or a ``children/`` folder of parts (the members
    beside them), a children table or folder of parts (``members`` beside it), or ``members`` given."""
    p = Path(path)
    if p.is_dir() and not p.name.startswith("children"):
        found = [p / f"children{s}" for s in (".parquet", ".csv", "")]
        kids = next((k for k in found if k.exists()), None)
        if kids is None:
            message = f"{p}: no children.csv, children.parquet or children/ folder in this folder"
            raise FactsError([ErrorRecord(str(p), "file_not_found", message)], message)
        p = kids
    if not p.exists():
        raise FactsError([ErrorRecord(str(p), "file_not_found", f"no such file or folder: {p}")])
    if members is None:
        beside = p.with_name(p.name.replace("children", "members")) if "children" in p.name else None
        members = beside if beside is not None and beside.exists() else None
    return _files(p), (_files(Path(members)) if members is not None else None)


def _need_pyarrow() -> Any:
    pa = need("pyarrow", "streaming CSV or Parquet tables")
    return pa


def _csv_batches(path: Path, block_size: int, skipped: list[ErrorRecord], table: str) -> Iterator[Any]:
    """A CSV file a block at a time, every cell text (an empty cell null); a row with another number of
    cells than the header is left out with a ``ragged_row`` record naming its line."""
    pa = _need_pyarrow()
    import pyarrow.csv as pcsv

    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), None)
    except (OSError, UnicodeDecodeError) as exc:
        raise read_problem(path, exc) from None
    if not header:
        raise FactsError([ErrorRecord(str(path), "empty_input", f"{path} is empty (no header row)")])

    unclosed: list[bool] = []

    def ragged(row: Any) -> str:
        if (row.text or "").count('"') % 2:  # a quote never closed: the rest of the file is one cell
            unclosed.append(True)
            return "error"
        where = f"line {row.number}" if row.number is not None and row.number >= 0 else "a line"
        message = f"{path.name}, {where}: {row.actual_columns} cells, the header has {row.expected_columns}; not read"
        skipped.append(ErrorRecord(table, "ragged_row", message))
        return "skip"

    options = pcsv.ConvertOptions(column_types={h: pa.string() for h in header}, null_values=[""],
                                  strings_can_be_null=True, quoted_strings_can_be_null=True)  # fmt: skip
    try:
        read = pcsv.ReadOptions(block_size=block_size, use_threads=False)
        parse = pcsv.ParseOptions(newlines_in_values=True, invalid_row_handler=ragged)  # a quoted cell may hold one
        reader = pcsv.open_csv(path, read_options=read, parse_options=parse, convert_options=options)
        yield from reader
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        why = "EOF inside a quoted cell (a quote is never closed)" if unclosed else str(exc)
        raise FactsError([ErrorRecord(str(path), "invalid_csv", f"{path} is not valid CSV: {why}")]) from None


def _parquet_batches(path: Path, rows: int) -> Iterator[Any]:
    pa = _need_pyarrow()
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)
        # a reader per row group: one reader over the whole file keeps what it decoded, growing with the file.
        # A row group of a few batches is read whole, on this thread (a thread of its own reads ahead):
        # Arrow's batch reader and its column threads cost a third more CPU for the same columns.
        for group in range(file.metadata.num_row_groups):
            if file.metadata.row_group(group).num_rows <= _WHOLE_GROUP * rows:
                yield from file.read_row_group(group, use_threads=False).to_batches()
            else:
                yield from file.iter_batches(batch_size=rows, row_groups=[group], use_threads=False)
    except (OSError, pa.ArrowInvalid) as exc:
        raise read_problem(path, exc) from None


def _batches(files: list[Path], table: str, rows: int, block_size: int, skipped: list[ErrorRecord]) -> Iterator[Any]:
    for path in files:
        if path.suffix.lower() == ".csv":
            yield from _csv_batches(path, block_size, skipped, table)
        else:
            yield from _parquet_batches(path, rows)


@dataclass
class _Keys:
    """Household ids in the streaming order: whole numbers (``num``, by ``value``) before text (``text``)."""

    num: np.ndarray
    value: np.ndarray
    text: Any  # a pyarrow string array (its whole-number cells unused)
    null: np.ndarray

    @classmethod
    def of(cls, column: Any) -> _Keys:
        pa = _need_pyarrow()
        import pyarrow.compute as pc

        if pa.types.is_dictionary(column.type):  # before combining: the chunks' dictionaries may differ
            column = column.cast(column.type.value_type)
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks() if column.num_chunks else pa.array([], column.type)
        if pa.types.is_floating(column.type):  # whole numbers with a gap (NaN) among them
            f = column.to_numpy(zero_copy_only=False)
            whole = np.isfinite(f) & (f == np.floor(f))
            column = pa.array(np.where(whole, f, 0).astype(np.int64), mask=~whole)
        if pa.types.is_integer(column.type):
            null = column.is_null().to_numpy(zero_copy_only=False)
            value = column.fill_null(0).cast(pa.int64()).to_numpy()
            return cls(~null, value, pa.nulls(len(column), pa.string()), null)
        text = column.cast(pa.string())
        digits = whole_numbers(text)
        if digits is not None:  # the usual CSV: whole-number ids, no regex
            null = text.is_null().to_numpy(zero_copy_only=False)
            return cls(~null, digits, text, null)
        null = pc.or_(text.is_null(), pc.equal(text, "")).fill_null(True).to_numpy(zero_copy_only=False)
        num = pc.match_substring_regex(text, WHOLE_NUMBER).fill_null(False).to_numpy(zero_copy_only=False)
        value = np.zeros(len(text), np.int64)
        if num.any():
            value[num] = pc.filter(text, pa.array(num)).cast(pa.int64()).to_numpy()
        return cls(num & ~null, value, text, null)

    def then(self, more: _Keys) -> _Keys:
        """These keys followed by ``more`` (the text as chunks: nothing is copied)."""
        import pyarrow as pa

        text = pa.chunked_array([*_chunks_of(self.text), *_chunks_of(more.text)], pa.string())
        join = np.concatenate
        return _Keys(join([self.num, more.num]), join([self.value, more.value]), text, join([self.null, more.null]))

    def scalar(self, i: int) -> tuple[int, Any]:
        return (0, int(self.value[i])) if self.num[i] else (1, self.text[i].as_py())

    def before(self, key: tuple[int, Any]) -> np.ndarray:
        """Per row: its household comes before ``key`` (null rows: False)."""
        import pyarrow.compute as pc

        if key[0] == 0:
            earlier: np.ndarray = self.num & (self.value < key[1])
            return earlier
        less = np.asarray(pc.less(self.text, key[1]).fill_null(False).to_numpy(zero_copy_only=False), bool)
        earlier = self.num | (~self.num & ~self.null & less)
        return earlier

    def pairs(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For rows a[i] and b[i] (both known): a before b, a the same household as b."""
        import pyarrow as pa
        import pyarrow.compute as pc

        na, nb = self.num[a], self.num[b]
        va, vb = self.value[a], self.value[b]
        if na.all() and nb.all():  # whole-number ids (the usual case): no text to compare
            return va < vb, va == vb
        ta, tb = self.text.take(pa.array(a)), self.text.take(pa.array(b))
        lt = pc.less(ta, tb).fill_null(False).to_numpy(zero_copy_only=False)
        eq = pc.equal(ta, tb).fill_null(False).to_numpy(zero_copy_only=False)
        before = (na & nb & (va < vb)) | (na & ~nb) | (~na & ~nb & lt)
        same = (na & nb & (va == vb)) | (~na & ~nb & eq)
        return before, same


def _chunks_of(text: Any) -> list[Any]:
    return list(text.chunks) if hasattr(text, "chunks") else [text]


class _Side:
    """One table read a batch at a time: the rows read and not yet handed out, its order checked."""

    def __init__(self, batches: Iterator[Any], table: str) -> None:
        self.batches, self.table = batches, table
        self.buffer: Any = None
        self.keys: _Keys | None = None
        self.unkeyed = 0  # the buffer's last rows whose keys are not read yet (read when asked for: _settle)
        self.keyless = False  # a batch without a household_id column was read: no keys from then on
        self.handed = 0  # rows handed out so far: the buffer's first row is this row of the table
        self.last: tuple[int, Any] | None = None  # the last known household read
        self.done = False
        self.unsorted: ErrorRecord | None = None  # the first row out of order: fatal unless read whole

    def __len__(self) -> int:
        return 0 if self.buffer is None else self.buffer.num_rows

    def pull(self) -> bool:
        """Read one more batch (False at the end), refusing it when a household comes before the one above."""
        pa = _need_pyarrow()
        if self.done:
            return False
        batch = next(self.batches, None)
        if batch is None:
            self.done = True
            return False
        table = pa.Table.from_batches([batch])
        if "household_id" not in table.column_names:  # its rows are rejected wherever they go
            self._settle()
            self.keyless, self.keys = True, None
        if self.buffer is None:
            self.buffer = table
        else:
            try:
                self.buffer = pa.concat_tables([self.buffer, table], promote_options="permissive")
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                message = f"the {self.table} table's parts do not agree on their columns' types: {exc}"
                raise FactsError([ErrorRecord(self.table, "format", message)]) from None
        self.unkeyed += table.num_rows
        return True

    def _settle(self) -> None:
        """Read the household ids of the rows pulled since the last call, and check their order: once for
        all the batches of a chunk (a CSV block is about 4,000 rows: per block, the Python around Arrow's
        calls held the GIL for a fifth of the reading)."""
        at, self.unkeyed = len(self) - self.unkeyed, 0
        if at == len(self) or "household_id" not in self.buffer.column_names:
            return
        keys = _Keys.of(self.buffer.slice(at).column("household_id"))
        self._check(keys, at)
        if not self.keyless:
            self.keys = keys if self.keys is None else self.keys.then(keys)

    def _check(self, keys: _Keys, at: int) -> None:
        known = np.flatnonzero(~keys.null)
        if not len(known):
            return
        before, _ = keys.pairs(known[1:], known[:-1])
        bad = [int(known[1:][i]) for i in np.flatnonzero(before)[:1]]
        if self.last is not None and keys.scalar(int(known[0])) < self.last:
            bad = [int(known[0])]
        if bad and self.unsorted is None:
            row = self.handed + at + bad[0]
            message = (f"row {row} of the {self.table} table belongs to a household that comes before the one "
                       "of the row above it: a table read in chunks must be sorted by household_id (whole "
                       "numbers by value, then other ids by their characters), so that no household is split "
                       "between chunks; sort it, or give a chunk size above its number of rows (it is then "
                       "assessed whole)")  # fmt: skip
            self.unsorted = ErrorRecord(f"{self.table}.household_id", "unsorted", message, row=row)
        last = keys.scalar(int(known[-1]))
        self.last = last if self.last is None else max(self.last, last)

    def cut(self, size: int) -> int | None:
        """Where the first household starting at or after row ``size`` of the buffer starts (None: not read yet)."""
        if len(self) <= size:
            return None
        self._settle()
        if self.keys is None:
            return None
        known = np.flatnonzero(~self.keys.null)
        known = known[max(int(np.searchsorted(known, size)) - 1, 0) :]  # the known row before row size on
        if len(known) < 2:
            return None
        _, same = self.keys.pairs(known[1:], known[:-1])
        starts = known[1:][~same]
        starts = starts[starts >= size]
        return int(starts[0]) if len(starts) else None

    def upto(self, key: tuple[int, Any]) -> int | None:
        """The rows of the buffer whose household comes before ``key`` (None: all, and more may follow)."""
        if self.buffer is None:
            return None
        self._settle()
        if self.keys is None:  # no household_id column: every row is rejected wherever it goes
            return len(self)
        later = np.flatnonzero(~self.keys.null & ~self.keys.before(key))
        return int(later[0]) if len(later) else None

    def first_key(self) -> tuple[int, Any]:
        self._settle()
        assert self.keys is not None
        known = np.flatnonzero(~self.keys.null)
        return self.keys.scalar(int(known[0]))

    def take(self, n: int) -> Any:
        self._settle()  # every row handed out has its order checked
        head = self.buffer.slice(0, n)
        self.buffer = self.buffer.slice(n)
        if self.keys is not None:
            k = self.keys
            self.keys = _Keys(k.num[n:], k.value[n:], k.text.slice(n), k.null[n:])
        self.handed += n
        return head

    def rest(self) -> Any:
        while self.pull():
            pass
        return self.take(len(self)) if self.buffer is not None else None


def table_chunks(
    path: str | Path, members: str | Path | None = None, *, chunk_size: int = 20_000, block_size: int = CSV_BLOCK
) -> Iterator[TableChunk]:
    """The population's two tables, whole households at a time (about ``chunk_size`` children a chunk).

    Raises:
        FactsError: a file missing or unreadable, or a table not sorted by household_id (the record names
            the table and the row).
    """
    kid_files, member_files = table_files(path, members)
    skipped: list[ErrorRecord] = []
    batch_rows = max(1024, min(chunk_size, 1 << 16))
    kid_batches = _batches(kid_files, "children", batch_rows, block_size, skipped)
    member_batches = _batches(member_files, "members", batch_rows, block_size, skipped) if member_files else None
    yield from aligned(kid_batches, member_batches, chunk_size, skipped)


def aligned(
    kid_batches: Iterator[Any], member_batches: Iterator[Any] | None, chunk_size: int, skipped: list[ErrorRecord]
) -> Iterator[TableChunk]:
    """Two tables read as Arrow record batches, whole households at a time (``skipped``: the records of rows
    the readers left out, handed on with the next chunk)."""
    kids = _Side(kid_batches, "children")
    mems = _Side(member_batches, "members") if member_batches is not None else None
    while True:
        cut = kids.cut(chunk_size)
        while cut is None and kids.pull():
            cut = kids.cut(chunk_size)
        last = cut is None
        if last and kids.buffer is None:  # no child row at all
            if skipped or mems is not None:  # the records of rows not read, the member rows without a child
                yield TableChunk(None, mems.rest() if mems is not None else None, 0, 0, list(skipped))
            return
        whole = last and kids.handed == 0  # one chunk holds the whole input: its order does not matter
        child_row = kids.handed
        children = kids.take(cut if cut is not None else len(kids))
        member_row = mems.handed if mems is not None else 0
        theirs = None
        if mems is not None:
            if last:
                theirs = mems.rest()
            else:
                key = kids.first_key()
                upto = mems.upto(key)
                while upto is None and mems.pull():
                    upto = mems.upto(key)
                theirs = mems.take(upto if upto is not None else len(mems)) if mems.buffer is not None else None
        for side in (kids, mems):
            if side is not None and side.unsorted is not None and not whole:
                raise FactsError([side.unsorted])
        errors, skipped[:] = list(skipped), []
        yield TableChunk(children, theirs, child_row, member_row, errors)
        if last:
            return


def shift_records(records: list[ErrorRecord], children: int, members: int) -> list[ErrorRecord]:
    """A chunk's records with their rows as rows of the whole tables (``children.*`` and ``members.*``)."""
    out = []
    for e in records:
        table = e.loc.split(".")[0]
        by = children if table == "children" else members if table == "members" else 0
        if e.row is None or not by:
            out.append(e)
            continue
        message = e.message
        if e.code == "household_conflict":
            message = _FIRST_ROW.sub(lambda m: f"first child row ({int(m[1]) + children})", message)
        out.append(dataclasses.replace(e, row=e.row + by, message=message))
    return out
