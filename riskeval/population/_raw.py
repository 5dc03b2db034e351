"""Input columns, whatever holds them, as one of four shapes.

The shapes: distinct values with a code per row (text, categories), numbers, booleans, dates. A value is
then checked once, however many rows hold it; text held by Arrow (pyarrow tables, pandas' Arrow-backed
strings) is dictionary-encoded by Arrow itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Raw:
    """One input column: ``cat`` (codes into ``uniques``, -1 unknown), ``num``, ``bool`` or ``date`` arrays."""

    kind: str
    codes: np.ndarray | None = None
    uniques: list[Any] = field(default_factory=list)
    values: np.ndarray | None = None
    null: np.ndarray | None = None
    all_text: bool = False  # every distinct value is a str (known without looking)
    days: np.ndarray | None = None  # dates: the same as datetime64[D] when known to hold no time of day
    epoch: np.ndarray | None = None  # Arrow's dates: days since 1970 as date32 holds them (int32, any at a null)
    text: Any = None  # a pyarrow text column these values were read from: its cells are shown in records

    def __len__(self) -> int:
        held = self.codes if self.codes is not None else self.values
        return 0 if held is None else len(held)

    def cell(self, row: int) -> Any:
        """The value of one cell, for an error record."""
        if self.text is not None:
            return self.text[row].as_py()
        if self.epoch is not None:  # in milliseconds, as pandas reads a table's dates: shown as pandas' were
            assert self.values is not None
            return self.values[row].astype("M8[ms]").item()
        if self.kind == "cat":
            assert self.codes is not None
            c = int(self.codes[row])
            return None if c < 0 else self.uniques[c]
        assert self.values is not None
        v = self.values[row]
        return v.item() if hasattr(v, "item") else v


try:
    import pandas as _pd

    _MISSING: tuple[Any, ...] = (_pd.NA, _pd.NaT)
except ImportError:  # pragma: no cover - pandas is optional
    _MISSING = ()


def is_null(v: Any) -> bool:
    """None, NaN, NaT, pandas' NA, or blank text: an empty cell."""
    t = type(v)
    if t is str:
        return not v or ((v[0].isspace() or v[-1].isspace()) and not v.strip())
    if v is None:
        return True
    if t is float:
        return bool(v != v)
    if isinstance(v, np.datetime64):
        return bool(np.isnat(v))
    return any(v is m for m in _MISSING)


def arrow_text(column: Any) -> Raw | None:
    """A pyarrow (or pyarrow-backed pandas) column of text, dictionary-encoded by Arrow: codes and the
    distinct values, without making a Python object of every cell."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return None
    if not isinstance(column, pa.Array | pa.ChunkedArray):
        dtype = getattr(column, "dtype", None)
        if getattr(dtype, "kind", None) != "O" or not hasattr(getattr(column, "array", None), "__arrow_array__"):
            return None  # not text held by Arrow (numbers, booleans and objects go their own ways)
        try:
            column = pa.array(column.array)
        except (TypeError, ValueError, pa.ArrowException):
            return None
    if isinstance(column, pa.ChunkedArray):
        if pa.types.is_dictionary(column.type):
            column = column.unify_dictionaries()
        column = column.combine_chunks() if column.num_chunks else pa.array([], column.type)
    if pa.types.is_dictionary(column.type) and _text_type(column.type.value_type, pa):
        words = column.dictionary
        if words.null_count == 0 and len(pc.unique(words)) == len(words):  # encoded already (a Parquet category)
            return _encoded(column, pc)
        column = column.cast(column.type.value_type)
    if not _text_type(column.type, pa):
        return None
    return _encoded(pc.dictionary_encode(column), pc)


def _text_type(kind: Any, pa: Any) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _encoded(encoded: Any, pc: Any) -> Raw:
    codes = _codes(encoded.indices)
    blank = pc.equal(pc.utf8_trim_whitespace(encoded.dictionary), "").to_numpy(zero_copy_only=False)
    raw = categorical(codes, encoded.dictionary.to_pylist(), blank.astype(bool))
    raw.all_text = True
    return raw


def _codes(indices: Any) -> np.ndarray:
    """A dictionary's indices as int64, -1 where null: read from the buffers (Arrow's fill_null and
    to_numpy took most of the time of reading a Parquet category column)."""
    import pyarrow as pa

    sign = "u" if pa.types.is_unsigned_integer(indices.type) else "i"
    kind = np.dtype(f"{sign}{indices.type.bit_width // 8}")
    n, at = len(indices), indices.offset
    valid, held = indices.buffers()
    if n == 0 or held is None:
        return np.full(n, -1, np.int64)
    codes: np.ndarray = np.frombuffer(held, kind, count=n, offset=at * kind.itemsize).astype(np.int64)
    if valid is not None and indices.null_count:
        codes[_bits(valid, at, n) == 0] = -1
    return codes


def arrow_bool(column: Any) -> Raw | None:
    """A pyarrow boolean column as -1/0/1, without a Python object per cell (pandas makes objects of one
    with nulls)."""
    if not hasattr(column, "type") or str(column.type) != "bool" or not hasattr(column, "is_null"):
        return None
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.array([], pa.bool_())
    # Arrow's two bitmaps unpacked by numpy (a tenth of the time of Arrow's is_null/fill_null/to_numpy):
    # a value's byte is 0 or 1, and a null's validity bit 0 minus 1 sets every bit of it, -1
    n, at = len(column), column.offset
    valid, held = column.buffers()
    values = _bits(held, at, n)
    if valid is not None and column.null_count:
        values |= _bits(valid, at, n) - np.uint8(1)
    return Raw("bool", values=values.view(np.int8))


def arrow_plain(column: Any) -> Raw | None:
    """A pyarrow column of whole numbers, floats or dates (``date32``) read from its buffers: what going
    through pandas gives (whole numbers with a null as floats, NaN there; dates as days, NaT), at a fraction
    of the time."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is optional
        return None
    if not isinstance(column, pa.Array | pa.ChunkedArray):
        return None
    kind = column.type
    whole = pa.types.is_integer(kind) and kind.bit_width == 64 and pa.types.is_signed_integer(kind)
    dates = pa.types.is_date32(kind) and isinstance(column, pa.ChunkedArray)  # as pandas reads a table's
    if not (whole or pa.types.is_float64(kind) or dates):
        return None
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.array([], kind)
    n, at = len(column), column.offset
    valid, held = column.buffers()
    dtype = np.int64 if whole else np.float64 if pa.types.is_float64(kind) else np.int32
    values = np.frombuffer(held, dtype, count=n, offset=at * np.dtype(dtype).itemsize) if n else np.zeros(0, dtype)
    null = np.zeros(n, bool) if valid is None or not column.null_count else _bits(valid, at, n) == 0
    if dates:
        days = values.astype("M8[D]")
        days[null] = np.datetime64("NaT")
        return Raw("date", values=days, null=null, days=days, epoch=values)
    if whole and not null.any():
        return Raw("num", values=values.copy(), null=null)
    floats: np.ndarray = values.astype(np.float64)  # a copy: writable
    floats[null] = np.nan
    return Raw("num", values=floats, null=null if whole else np.isnan(floats))


def _bits(buffer: Any, at: int, n: int) -> np.ndarray:
    if n == 0 or buffer is None:
        return np.zeros(n, np.uint8)
    return np.unpackbits(np.frombuffer(buffer, np.uint8), count=at + n, bitorder="little")[at:]


def factorize(values: Any) -> tuple[np.ndarray, list[Any]]:
    try:
        import pandas as pd

        codes, found = pd.factorize(values, use_na_sentinel=True)
        return np.asarray(codes, np.int64), list(found)
    except (ImportError, TypeError):
        index: dict[Any, int] = {}
        out = np.empty(len(values), np.int64)
        uniques: list[Any] = []
        for i, v in enumerate(values):
            key = tuple(v) if isinstance(v, list | tuple | np.ndarray) else v
            shown = key
            try:
                hash(key)
            except TypeError:  # a dict in a cell (or a list holding one): a value of its own, refused later
                key, shown = ("<unhashable>", i), v
            if key is None:
                out[i] = -1
            else:
                out[i] = index.setdefault(key, len(index))
                if out[i] == len(uniques):
                    uniques.append(shown)
        return out, uniques


def categorical(codes: np.ndarray, uniques: list[Any], null: np.ndarray | None = None) -> Raw:
    if null is None:
        null = np.array([is_null(u) for u in uniques], bool)
    if null.any():
        lut = np.where(null, -1, np.arange(len(uniques)))
        codes = np.where(codes >= 0, lut[np.maximum(codes, 0)], -1)
    return Raw("cat", codes.astype(np.int64, copy=False), uniques)


def as_raw(column: Any, n: int) -> Raw:
    """Normalise a pandas Series, pyarrow array, numpy array or list."""
    if column is None:
        return Raw("cat", np.full(n, -1, np.int64), [])
    if isinstance(column, Raw):  # normalised already (households flattened column by column)
        return column
    text = arrow_text(column)
    if text is not None:
        return text
    flags = arrow_bool(column)
    if flags is not None:
        return flags
    plain = arrow_plain(column)
    if plain is not None:
        return plain
    if hasattr(column, "to_pandas") and not hasattr(column, "cat"):  # pyarrow, not text
        column = column.to_pandas(date_as_object=False) if hasattr(column, "num_chunks") else column.to_pandas()
    dtype = getattr(column, "dtype", None)
    if dtype is not None and str(dtype) == "category":
        return categorical(np.asarray(column.cat.codes, np.int64), list(column.cat.categories))
    if dtype is not None and hasattr(column, "to_numpy") and not isinstance(column, np.ndarray):
        name = str(dtype)
        if name in ("boolean", "bool"):
            v = column.to_numpy(dtype="float64", na_value=np.nan)
            return Raw("bool", values=np.where(np.isnan(v), -1, v).astype(np.int8))
        if name.startswith(("Int", "UInt", "Float", "int", "uint", "float")):
            if name.startswith(("int", "uint", "Int", "UInt")) and not column.isna().any():
                arr = column.to_numpy(dtype="int64")
                return Raw("num", values=arr, null=np.zeros(len(arr), bool))
            v = column.to_numpy(dtype="float64", na_value=np.nan)
            return Raw("num", values=v, null=np.isnan(v))
        column = column.to_numpy() if name.startswith("datetime64") else column.to_numpy(dtype=object)
    arr = np.asarray(column) if not isinstance(column, list) else objects(column)
    if arr.dtype.kind == "b":
        return Raw("bool", values=arr.astype(np.int8))
    if arr.dtype.kind in "iu":
        return Raw("num", values=arr.astype(np.int64), null=np.zeros(len(arr), bool))
    if arr.dtype.kind == "f":
        return Raw("num", values=arr.astype(np.float64), null=np.isnan(arr))
    if arr.dtype.kind == "M":
        return Raw("date", values=arr, null=np.isnat(arr))
    return categorical(*factorize(arr))


def objects(values: Sequence[Any]) -> np.ndarray:
    """Values as an object array, one per cell (a list or tuple stays one cell)."""
    return np.fromiter(values, object, len(values))


_NOT_NUMBERS = ["nan", "inf", "-inf", "+inf", "infinity", "-infinity"]


_PLAIN_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def numbers(values: list[Any], text: bool = False) -> np.ndarray:
    """Distinct cells as numbers, NaN where a cell is no number (text such as "nan" or "inf" included).
    ``text``: every value is a str, so plain decimal numbers are read by Arrow at once, the rest one by one."""
    if text and values:
        try:
            import pyarrow as pa
            import pyarrow.compute as pc
        except ImportError:  # pragma: no cover - pyarrow is optional
            return numbers(values)
        cells = pc.utf8_trim_whitespace(pa.array(values, pa.string()))
        plain = pc.match_substring_regex(cells, _PLAIN_NUMBER).to_numpy(zero_copy_only=False).astype(bool)
        read = np.full(len(values), np.nan)
        read[plain] = pc.filter(cells, pa.array(plain)).cast(pa.float64()).to_numpy(zero_copy_only=False)
        rest = np.flatnonzero(~plain)
        if len(rest):
            read[rest] = numbers([values[i] for i in rest])
        return read
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        return np.array([number(u) for u in values], np.float64)
    cells = pd.Series(values, dtype=object)
    out: np.ndarray = np.array(pd.to_numeric(cells, errors="coerce"), dtype=np.float64)  # a copy: writable
    if pd.api.types.infer_dtype(cells, skipna=True) == "string":
        out[cells.str.strip().str.lower().isin(_NOT_NUMBERS).to_numpy(bool)] = np.nan
        return out
    return np.array([number(u) for u in values], np.float64)


def number(u: Any) -> float:
    if isinstance(u, bool | np.bool_) or (isinstance(u, str) and u.strip().lower() in _NOT_NUMBERS):
        return math.nan
    try:
        return float(u)
    except (TypeError, ValueError):
        return math.nan


def pack_days(days: np.ndarray) -> np.ndarray:
    """datetime64[D] as packed ints (year << 9 | month << 5 | day): through a table of the days the column
    spans (a few thousand, however many rows), each computed once."""
    n = days.view(np.int64) if days.dtype == np.dtype("M8[D]") else days.astype(np.int64)
    known = ~np.isnat(days)
    if not known.any():
        return np.full(len(days), -1, np.int64)
    lo, hi = int(n[known].min()), int(n[known].max())
    if hi - lo > 4 * len(days) + 100_000:
        return civil(n)
    table = civil(np.arange(lo, hi + 1, dtype=np.int64))
    out: np.ndarray = table[np.where(known, n - lo, 0)]
    return out


_SPAN = (-25567, 47482)  # 1900-01-01 to 2099-12-31, in days since 1970: the usual dates' table, made once
_KEPT = 1 << 20  # days: the most the table kept grows to (4 MB)
_civil_days: list[tuple[int, np.ndarray]] = []  # (first day, packed dates from it): grown when a column needs more


def _days_table(lo: int, hi: int) -> tuple[int, np.ndarray]:
    """Packed int32 dates of the days ``lo..hi`` (or more), from a table kept between calls (threads may
    race to grow it: each makes a whole one, the last kept)."""
    held = _civil_days[-1] if _civil_days else None
    if held is not None and held[0] <= lo and hi < held[0] + len(held[1]):
        return held
    first = min(lo, _SPAN[0] if held is None else held[0])
    last = max(hi, _SPAN[1] if held is None else held[0] + len(held[1]) - 1)
    if last - first > _KEPT:  # far apart: a table for this column alone
        first, last = lo, hi
    # int64 wrapped to int32, as pack_days' callers do
    made = (first, civil(np.arange(first, last + 1, dtype=np.int64)).astype(np.int32))
    if last - first <= _KEPT:
        _civil_days[:] = [made]
    return made


def pack_epoch(days: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Days since 1970 (int32, as Arrow's date32 holds them) as packed int32 dates, -1 where ``null``: what
    ``pack_days`` gives, through a table of days kept between calls (no datetime64, no int64 copies)."""
    n = len(days)
    if null.all():  # no row, or no known day
        return np.full(n, -1, np.int32)
    first, table = _civil_days[-1] if _civil_days else _days_table(*_SPAN)
    lo, hi = int(days.min()), int(days.max())  # a null's slot counted too: Arrow leaves it 0 (1970-01-01)
    if first <= lo and hi < first + len(table):  # the usual: one gather, in int32
        out: np.ndarray = table[days - np.int32(first)]
    else:
        known = days[~null]  # a null's slot holds anything
        lo, hi = int(known.min()), int(known.max())
        if hi - lo > 4 * n + 100_000:
            out = civil(days.astype(np.int64)).astype(np.int32)
        else:
            first, table = _days_table(lo, hi)
            at = np.subtract(days, first, dtype=np.int64)
            at[null] = 0
            out = table[at]
    if null.any():
        out[null] = -1
    return out


def civil(z: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 as packed dates (civil_from_days, H. Hinnant)."""
    z = z + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = yoe + era * 400 + (m <= 2)
    out: np.ndarray = (y << 9) | (m << 5) | d
    return out
