"""Tables held in memory cut into household-aligned chunks, as files are: the same order rule, the same records.

A pandas DataFrame, a pyarrow Table, a table speaking the Arrow PyCapsule protocol (a polars frame) or a
mapping of columns is already in memory; what a chunk bounds is the rest, the validated columns and the
evaluations. Only the ``household_id`` columns are read to find where households end (by the streaming
reader's own rules, ``_chunks.aligned``: a table larger than a chunk must be sorted by household, else an
``unsorted`` record naming the row); each chunk is then a slice of the table as it was given, so its cells
reach the intake exactly as ``assess_batch`` would get them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from riskeval._extras import need
from riskeval.errors import ErrorRecord, FactsError
from riskeval.population._chunks import TableChunk, aligned
from riskeval.population._joins import id_array

__all__ = ["frame_chunks", "is_frame"]


def is_frame(t: Any) -> bool:
    """Whether ``t`` is one table held in memory (not a file, not an iterable of households)."""
    if isinstance(t, Mapping):
        return False
    return hasattr(t, "iloc") or hasattr(t, "column_names") or hasattr(t, "__arrow_c_stream__")


def _pyarrow() -> Any:
    pa = need("pyarrow", "streaming tables held in memory")
    return pa


def _arrow(t: Any) -> Any:
    """A table that speaks only the Arrow PyCapsule protocol as a pyarrow Table (once: slices share it)."""
    if t is not None and hasattr(t, "__arrow_c_stream__") and not hasattr(t, "column_names") and not hasattr(t, "iloc"):
        return _pyarrow().table(t)
    return t


def _columns(t: Any, name: str) -> tuple[int, dict[str, Any]]:
    if hasattr(t, "column_names"):
        return t.num_rows, {str(c): t.column(c) for c in t.column_names}
    if hasattr(t, "iloc"):
        return len(t), {str(c): t[c] for c in t.columns}
    if isinstance(t, Mapping):
        lengths = {len(v) for v in t.values()}
        if len(lengths) > 1:  # what the intake says of it, before any chunk is cut
            rec = ErrorRecord(name, "ragged", f"the columns of {name} have different lengths: {sorted(lengths)}")
            raise FactsError([rec], f"{name}: columns of different lengths")
        return (lengths.pop() if lengths else 0), {str(k): v for k, v in t.items()}
    raise FactsError([ErrorRecord(name, "type", f"{name}: expected a table, found {type(t).__name__}")])


def _keys(column: Any, n: int) -> Any:
    """A household id column as Arrow, the streaming reader's keys: Arrow's own column as it is; another
    as the intake reads its ids (``id_array``: whole numbers, else text), so a chunk's households are
    the intake's."""
    pa = _pyarrow()

    if isinstance(column, pa.Array | pa.ChunkedArray):
        return column
    values, null, _ = id_array(column, n)
    if values.dtype.kind in "iu":
        return pa.array(values.astype(np.int64), pa.int64(), mask=null)
    try:  # text ids, as they mostly are: Arrow reads the strings in one pass
        return pa.array(values, pa.string(), mask=null)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a cell that is no text (the intake reports it)
        return pa.array([None if gone else str(v) for v, gone in zip(values.tolist(), null.tolist(), strict=True)],
                        pa.string())  # fmt: skip


def _batches(t: Any, name: str, rows: int) -> Iterator[Any]:
    """The table's household ids (no other cell) as record batches of ``rows`` rows."""
    pa = _pyarrow()

    n, cols = _columns(t, name)
    if "household_id" in cols:
        keys = pa.table({"household_id": _keys(cols["household_id"], n)})
    else:  # every row is rejected wherever it goes: only the number of rows counts
        keys = pa.table({"row": pa.array(np.arange(n))})
    yield from keys.to_batches(max_chunksize=rows)


def _cut(v: Any, start: int, stop: int) -> Any:
    if hasattr(v, "iloc"):  # a pandas Series or DataFrame: by position, numbered from 0 as a table read whole
        return v.iloc[start:stop].reset_index(drop=True)
    if hasattr(v, "column_names") or hasattr(v, "chunks") or hasattr(v, "offset"):  # Arrow
        return v.slice(start, stop - start)
    if isinstance(v, Mapping):
        return {k: _cut(c, start, stop) for k, c in v.items()}
    return v[start:stop]


def frame_chunks(children: Any, members: Any = None, *, chunk_size: int = 20_000) -> Iterator[TableChunk]:
    """Two tables held in memory, whole households at a time (about ``chunk_size`` children a chunk): each
    chunk slices of the tables as they were given, with the row each slice starts at.

    Raises:
        FactsError: a table larger than a chunk not sorted by household_id (the record names the table and
            the row).
    """
    children, members = _arrow(children), _arrow(members)
    rows = max(1024, min(chunk_size, 1 << 16))
    mine = _batches(members, "members", rows) if members is not None else None
    for part in aligned(_batches(children, "children", rows), mine, chunk_size, []):
        kids = theirs = None
        if part.children is not None:
            kids = _cut(children, part.child_row, part.child_row + part.children.num_rows)
        if members is not None:
            taken = part.members.num_rows if part.members is not None else 0
            theirs = _cut(members, part.member_row, part.member_row + taken)
        yield TableChunk(kids, theirs, part.child_row, part.member_row)
