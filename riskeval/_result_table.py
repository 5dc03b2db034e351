"""Results as a table whose unknown cells stay unknown: pyarrow nulls, pandas NA, empty CSV cells.

A rule's cell is true (known to hold), false (known not to) or null (unknown: the scalar form's
``rule_values`` None); tiers, statuses, visit frequencies and severities are ordered categoricals in the
order their list declares (the pack's, or the engine's for statuses), so a new value (a status
``undetermined``) is one more label, never a null.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import numpy as np

from riskeval._extras import need

__all__ = ["Col", "arrow_table", "json_values", "pandas_frame", "stamp_metadata"]


@dataclass(frozen=True)
class Col:
    """One output column. Kinds: ``text`` (objects or whole numbers, written as text), ``int``, ``bool``
    (``unknown`` marks the nulls), ``nint`` (whole numbers, nulls where ``unknown``), ``cat`` (codes into
    ``labels``, -1 null) and ``pass`` (an input column
    passed through as it came, an Arrow array or a numpy array)."""

    name: str
    kind: str
    values: Any
    unknown: np.ndarray | None = None
    labels: tuple[str, ...] = ()


def _arrow_array(c: Col, pa: Any) -> Any:
    if c.kind == "bool":
        return _arrow_bool(np.asarray(c.values, bool), c.unknown, pa)
    if c.kind == "cat":
        codes = np.ascontiguousarray(c.values, np.int8)  # handed to Arrow as its buffer
        known = codes >= 0
        valid = None if known.all() else pa.py_buffer(np.packbits(known, bitorder="little"))
        indices = pa.Array.from_buffers(pa.int8(), len(codes), [valid, pa.py_buffer(codes)])
        return pa.DictionaryArray.from_arrays(indices, pa.array(list(c.labels), pa.string()), ordered=True)
    if c.kind == "text":
        v = c.values
        if isinstance(v, pa.Array | pa.ChunkedArray):
            return v.cast(pa.string())
        if v.dtype.kind in "iu":
            return pa.array(v).cast(pa.string())
        return pa.array(v, pa.string())
    if c.kind == "nint":  # whole numbers, null where ``unknown``
        return pa.array(c.values, pa.int64(), mask=c.unknown)
    if c.kind == "pass":
        return c.values if isinstance(c.values, pa.Array | pa.ChunkedArray) else pa.array(c.values)
    return pa.array(c.values)


def _arrow_bool(values: np.ndarray, unknown: np.ndarray | None, pa: Any) -> Any:
    """Booleans as Arrow's two bitmaps packed by numpy: ``pa.array(values, mask=...)`` took about 60 times
    as long (a hundred such columns per chunk, labels' codes alike); a value under a null is read by none."""
    valid = None
    if unknown is not None and unknown.any():
        valid = pa.py_buffer(np.packbits(~np.asarray(unknown, bool), bitorder="little"))
    held = pa.py_buffer(np.packbits(values, bitorder="little"))
    return pa.Array.from_buffers(pa.bool_(), len(values), [valid, held])


def arrow_table(cols: Sequence[Col], metadata: Mapping[str, str] | None = None) -> Any:
    """The columns as a pyarrow Table (bool nulls, ordered dictionaries), the stamp in its schema metadata."""
    pa = need("pyarrow", "a table of results")
    table = pa.table({c.name: _arrow_array(c, pa) for c in cols})
    return table.replace_schema_metadata(dict(metadata)) if metadata else table


def pandas_frame(cols: Sequence[Col], metadata: Mapping[str, str] | None = None) -> Any:
    """The columns as a pandas DataFrame: ``boolean`` (NA unknown), ordered ``category``, text, numbers.

    Built from numpy directly, not through Arrow: a nullable boolean is the values and the mask as they are.
    """
    pd = need("pandas", "BatchResult.to_pandas")
    data: dict[str, Any] = {}
    for c in cols:
        if c.kind == "bool":
            mask = c.unknown if c.unknown is not None else np.zeros(len(c.values), bool)
            data[c.name] = pd.arrays.BooleanArray(np.asarray(c.values, bool), mask)
        elif c.kind == "cat":
            codes = np.asarray(c.values, np.int64)
            data[c.name] = pd.Categorical.from_codes(codes, categories=list(c.labels), ordered=True)
        elif c.kind == "text" and len(c.values) == 0:  # the dtype text gets, not object: chunks concatenate
            data[c.name] = pd.Series(["text"], dtype=None).iloc[:0]
        elif c.kind == "text":
            v = c.values
            data[c.name] = v.astype(str).astype(object) if getattr(v, "dtype", None) is not None and (
                v.dtype.kind in "iu") else v  # fmt: skip
        elif c.kind == "nint":
            data[c.name] = pd.arrays.IntegerArray(np.asarray(c.values, np.int64), np.asarray(c.unknown, bool))
        elif c.kind == "pass" and hasattr(c.values, "to_pandas"):
            # whole numbers and booleans as pandas' nullable dtypes, with or without an empty cell: NA stays
            # NA (not NaN in floats, not None among objects), and every chunk of a stream has one dtype
            data[c.name] = c.values.to_pandas(types_mapper=_nullable(pd, c.values.type))
        else:
            data[c.name] = c.values
    frame = pd.DataFrame(data)
    if metadata:
        frame.attrs.update({k: json.loads(v) for k, v in metadata.items()})
    return frame


def _nullable(pd: Any, kind: Any) -> Any:
    """Arrow's whole numbers and booleans to pandas' nullable dtypes (``Int64``, ``boolean``); else its default."""
    pa = need("pyarrow", "a table of results")
    if pa.types.is_integer(kind):
        return {kind: pd.api.types.pandas_dtype(str(kind).replace("int", "Int").replace("uInt", "UInt"))}.get
    if pa.types.is_boolean(kind):
        return {kind: pd.BooleanDtype()}.get
    return None


def stamp_metadata(stamp: Mapping[str, Any]) -> dict[str, str]:
    """The audit stamp as one key of a table's metadata (``riskeval``: JSON), what Parquet keeps."""
    return {"riskeval": json.dumps(dict(stamp), ensure_ascii=False, sort_keys=True)}


def json_values(values: Any) -> list[Any]:
    """A passed-through column's cells as JSON values, row for row: a null (or NaN, a float column's
    missing value; pandas' NA) stays ``None``, never ``false`` or ``""``; dates and times as ISO text."""
    cells = values.to_pylist() if hasattr(values, "to_pylist") else list(values)
    return [_json_value(v) for v in cells]


def _json_value(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return v if math.isfinite(v) else ("Infinity" if v > 0 else "-Infinity")  # as error records show them
    if isinstance(v, date | time):  # a datetime is a date
        return v.isoformat()
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, list | tuple):
        return [_json_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    if type(v).__name__ in ("NAType", "NaTType"):  # pandas' missing values, read without pyarrow
        return None
    return str(v)  # a Decimal, a duration: its text
