"""Extra columns of the children table carried into the results as they came (a district, a street).

A real extract carries more than facts: the district, the street, the grid a caseworker covers. Such a
column rides along with each assessed child, untouched, unless it cannot be told from a mistake or a leak:

- a name close to a fact column (``birth_dat``, ``hukou.contry``) is a typo until renamed: reported as
  ``unknown_column`` and not carried, for a fact silently left unknown would change assessments;
- a name that a result column has (``status``, ``tier``, ``category.*``...) is ``column_clash``;
- a column meant for personal data (``id_number``, ``phone``, ``address``) or a name that is not plain
  ASCII (a table without a header row has a child's name for one) is not carried either (``unknown_column``):
  results never echo them;
- a cell with the shape of a resident identity number is emptied, with an ``id_number_in_column`` record.

A result row is a child, so an extra column of the members table has no row to ride on: it is sorted the
same way, and one that would have been carried gets a ``not_carried`` record saying how to carry it (on the
children table), for a column a user thinks is in the results must not go missing without a word.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import numpy as np

from riskeval._privacy import REDACTED, is_resident_id
from riskeval.errors import ErrorRecord
from riskeval.facts import SENSITIVE

__all__ = ["COLUMN_CODES", "RESULT_NAMES", "RESULT_PREFIXES", "carried", "sort_extra"]

# The result table's own columns (riskeval.batch.BatchResult.columns; tests/test_stream_tables.py holds them
# to it): an input column with one of these names would be two columns of one name.
RESULT_NAMES = frozenset({"household_id", "child_id", "row", "status", "tier", "visit_frequency", "score", "data_gaps"})
RESULT_PREFIXES = ("category.", "factor.", "duty.", "gap.")
# The codes of records about a whole column (row none): a stream or a partition says each once.
COLUMN_CODES = frozenset({"unknown_column", "column_clash", "not_carried"})
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")
_ID_SHAPE = r"^[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]$"


def sort_extra(
    extra: list[str], facts: set[str], ids: bool, table: str = "children"
) -> tuple[list[str], list[ErrorRecord]]:
    """A table's columns that are no fact: those carried into the results, and a record for each of the
    others. ``ids``: the table has its id columns (without them it may have no header row). Of the members
    table none is carried: each that could be gets a ``not_carried`` record."""
    carried_names: list[str] = []
    records: list[ErrorRecord] = []
    heads = {f.split(".")[0] for f in facts if "." in f}
    for c in extra:
        loc = f"{table}.{c}"
        if table == "children" and (c in RESULT_NAMES or c.startswith(RESULT_PREFIXES)):
            message = f"column {c!r} has the name of a result column: not carried into the results (rename it)"
            records.append(ErrorRecord(loc, "column_clash", message))
        elif c.split(".")[0] in heads or difflib.get_close_matches(c, sorted(facts), n=1, cutoff=0.8):
            message = f"unknown column {c!r}, ignored (the columns: riskeval.population.layout())"
            records.append(ErrorRecord(loc, "unknown_column", message))
        elif not ids or c.lower() in SENSITIVE or not _PLAIN.match(c) or is_resident_id(c):
            message = (f"column {c!r} is not carried into the results: personal data, or a name that is not "
                       "plain ASCII letters, digits, _ . - (a table without its header row?)")  # fmt: skip
            records.append(ErrorRecord(loc, "unknown_column", message))
        elif table != "children":
            message = (f"column {c!r} of the {table} table is not carried into the results: a result row is a "
                       "child, not a member; to carry it, give it on the children table (one value per child, "
                       "joined on household_id)")  # fmt: skip
            records.append(ErrorRecord(loc, "not_carried", message))
        else:
            carried_names.append(c)
    return carried_names, records


def carried(name: str, column: Any, rows: np.ndarray) -> tuple[Any, list[ErrorRecord]]:
    """The column's cells at ``rows`` (an Arrow array when pyarrow is there), a cell with the shape of a
    resident identity number emptied and recorded (its value never shown)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return _carried_objects(name, column, rows)
    if not isinstance(column, pa.Array | pa.ChunkedArray):
        column = _arrow(column, pa)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.array([], column.type)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if str(column.type) == "string_view":  # polars' text (pyarrow 16 on): the identity number check reads strings
        column = column.cast(pa.string())
    records: list[ErrorRecord] = []
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type) or pa.types.is_integer(column.type):
        text = column if not pa.types.is_integer(column.type) else column.cast(pa.string())
        shaped = pc.match_substring_regex(text, _ID_SHAPE).fill_null(False).to_numpy(zero_copy_only=False)
        found = [r for r in np.flatnonzero(shaped) if is_resident_id(str(text[int(r)]))]
        if found:
            records = [_id_record(name, int(r)) for r in found]
            mask = np.zeros(len(column), bool)
            mask[found] = True
            column = pc.if_else(pa.array(mask), pa.nulls(len(column), column.type), column)
    return column.take(pa.array(rows, pa.int64())), records


def _arrow(column: Any, pa: Any) -> Any:
    """A column that is not Arrow's as an Arrow array. One of Python objects that are not of one type (whole
    numbers and text) is carried as text, and one with no cell at all as text: Arrow has no type for the
    first, and the second must fit the text the next chunk of a stream may bring."""
    objects = hasattr(column, "iloc") and column.dtype == object
    try:
        out = pa.array(column.to_numpy(dtype=object) if objects else column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        values = np.asarray(column, dtype=object)
        empty = np.asarray(column.isna() if hasattr(column, "isna") else [_empty(v) for v in values], bool)
        out = pa.array([None if gone else str(v) for v, gone in zip(values, empty, strict=True)], pa.string())
    return out.cast(pa.string()) if pa.types.is_null(out.type) else out


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _carried_objects(name: str, column: Any, rows: np.ndarray) -> tuple[Any, list[ErrorRecord]]:
    values = np.asarray(column, object).copy()
    found = [r for r, v in enumerate(values) if isinstance(v, str | int) and is_resident_id(str(v))]
    values[found] = None
    return values[rows], [_id_record(name, r) for r in found]


def _id_record(name: str, row: int) -> ErrorRecord:
    message = f"{name}: a cell has the shape of a resident identity number: emptied in the results (not shown)"
    return ErrorRecord(f"children.{name}", "id_number_in_column", message, REDACTED, row=row)
