"""Table cells into fact columns, every bad cell a record: the vectorised half of a population's intake.

Each input column is first normalised (``as_raw``): distinct values and a code per row for text and
categories (so a value is checked once, however many rows hold it), or a numeric, boolean or date array.
Each kind of fact then has a converter that returns the encoded column (as ``Table.cols`` holds it), the
rows it rejects, and one record per rejected cell. Empty cells (and NaN/None/NaT) are unknown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np

from riskeval.errors import ErrorRecord
from riskeval.evaluate._columns import Leaf, Strings, empty_column, pack_date

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
EMPTY_LIST = "[]"
LIST_SEPARATOR = ";"
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


@dataclass
class Raw:
    """One input column: ``cat`` (codes into ``uniques``, -1 unknown), ``num``, ``bool`` or ``date`` arrays."""

    kind: str
    codes: np.ndarray | None = None
    uniques: list[Any] = field(default_factory=list)
    values: np.ndarray | None = None
    null: np.ndarray | None = None
    all_text: bool = False  # every distinct value is a str (known without looking)

    def cell(self, row: int) -> Any:
        """The value of one cell, for an error record."""
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


def _is_null(v: Any) -> bool:
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


def _arrow_text(column: Any) -> Raw | None:
    """A pyarrow (or pyarrow-backed pandas) column of text, dictionary-encoded by Arrow: codes and the
    distinct values, without making a Python object of every cell."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return None
    if not isinstance(column, pa.Array | pa.ChunkedArray):
        if not hasattr(getattr(column, "array", None), "__arrow_array__"):
            return None
        try:
            column = pa.array(column.array)
        except (TypeError, ValueError, pa.ArrowException):
            return None
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.array([], column.type)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return None
    encoded = pc.dictionary_encode(column)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    blank = pc.equal(pc.utf8_trim_whitespace(encoded.dictionary), "").to_numpy(zero_copy_only=False)
    raw = _categorical(codes, encoded.dictionary.to_pylist(), blank.astype(bool))
    raw.all_text = True
    return raw


def _factorize(values: Any) -> tuple[np.ndarray, list[Any]]:
    try:
        import pandas as pd

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return np.asarray(codes, np.int64), list(uniques)
    except (ImportError, TypeError):
        index: dict[Any, int] = {}
        out = np.empty(len(values), np.int64)
        for i, v in enumerate(values):
            key = tuple(v) if isinstance(v, list | tuple | np.ndarray) else v
            out[i] = -1 if key is None else index.setdefault(key, len(index))
        return out, list(index)


def _categorical(codes: np.ndarray, uniques: list[Any], null: np.ndarray | None = None) -> Raw:
    if null is None:
        null = np.array([_is_null(u) for u in uniques], bool)
    if null.any():
        lut = np.where(null, -1, np.arange(len(uniques)))
        codes = np.where(codes >= 0, lut[np.maximum(codes, 0)], -1)
    return Raw("cat", codes.astype(np.int64), uniques)


def as_raw(column: Any, n: int) -> Raw:
    """Normalise a pandas Series, pyarrow array, numpy array or list."""
    if column is None:
        return Raw("cat", np.full(n, -1, np.int64), [])
    text = _arrow_text(column)
    if text is not None:
        return text
    if hasattr(column, "to_pandas") and not hasattr(column, "cat"):  # pyarrow, not text
        column = column.to_pandas(date_as_object=False) if hasattr(column, "num_chunks") else column.to_pandas()
    dtype = getattr(column, "dtype", None)
    if dtype is not None and str(dtype) == "category":
        return _categorical(np.asarray(column.cat.codes, np.int64), list(column.cat.categories))
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
    arr = np.asarray(column) if not isinstance(column, list) else _objects(column)
    if arr.dtype.kind == "b":
        return Raw("bool", values=arr.astype(np.int8))
    if arr.dtype.kind in "iu":
        return Raw("num", values=arr.astype(np.int64), null=np.zeros(len(arr), bool))
    if arr.dtype.kind == "f":
        return Raw("num", values=arr.astype(np.float64), null=np.isnan(arr))
    if arr.dtype.kind == "M":
        return Raw("date", values=arr, null=np.isnat(arr))
    return _categorical(*_factorize(arr))


def _objects(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), object)
    for i, v in enumerate(values):
        out[i] = v
    return out


@dataclass
class Cells:
    """A converted column: the encoded values, rejected rows, records, and (lists) lengths and items."""

    data: np.ndarray
    bad: np.ndarray
    records: list[ErrorRecord] = field(default_factory=list)
    count: np.ndarray | None = None
    raw: np.ndarray | None = None  # lists: each row's items (objects)


class Converter:
    """Converts the columns of one table (``children`` or ``members``), recording every bad cell."""

    def __init__(self, table: str, n: int, strings: Strings, today: date, prefix: str = "") -> None:
        self.table, self.n, self.strings, self.today, self.prefix = table, n, strings, today, prefix

    def reject(self, cells: Cells, raw: Raw, column: str, bad_unique: dict[int, tuple[str, str]]) -> None:
        """Reject every row whose value is one of the bad distinct values (code and message per value)."""
        if not bad_unique:
            return
        assert raw.codes is not None
        lut = np.zeros(len(raw.uniques) + 1, bool)
        lut[np.array(list(bad_unique)) + 1] = True
        rows = np.flatnonzero(lut[raw.codes + 1])
        cells.bad[rows] = True
        for r in rows:
            code, message = bad_unique[int(raw.codes[r])]
            cells.records.append(self.record(column, int(r), code, message, raw.cell(int(r))))

    def reject_rows(self, cells: Cells, raw: Raw, column: str, rows: np.ndarray, code: str, message: Any) -> None:
        cells.bad[rows] = True
        for r in rows:
            value = raw.cell(int(r))
            text = message(value) if callable(message) else message
            cells.records.append(self.record(column, int(r), code, text, value))

    def record(self, column: str, row: int, code: str, message: str, value: Any) -> ErrorRecord:
        if isinstance(value, float) and math.isnan(value):
            value = None
        elif isinstance(value, np.datetime64 | datetime | date):
            value = str(value)
        elif not isinstance(value, str | int | float | bool | type(None)):
            value = repr(value)
        column = self.prefix + column
        return ErrorRecord(f"{self.table}.{column}", code, f"{column}: {message}", value, row=row)

    def convert(self, leaf: Leaf, raw: Raw) -> Cells:
        kind = leaf.kind
        if kind == "enum":
            return self.enum(leaf, raw)
        if kind in ("bool", "cert"):
            return self.boolean(leaf, raw)
        if kind in ("num", "int"):
            return self.number(leaf, raw)
        if kind == "date":
            return self.date(leaf, raw)
        if kind == "list":
            return self.items(leaf, raw)
        return self.text(leaf, raw)

    def _not_text(self, leaf: Leaf, raw: Raw, expected: str) -> Cells:
        """A numeric, boolean or date column where text codes were expected: every known cell is bad."""
        empty = np.full(self.n, -1, np.int8) if leaf.kind == "cert" else empty_column(leaf, self.n)
        cells = Cells(empty, np.zeros(self.n, bool))
        known = ~raw.null if raw.null is not None else (raw.values != -1) if raw.values is not None else None
        if known is not None:
            self.reject_rows(
                cells, raw, leaf.column, np.flatnonzero(known), "type", lambda v: f"expected {expected}, found {v!r}"
            )
        return cells

    def enum(self, leaf: Leaf, raw: Raw) -> Cells:
        assert leaf.enum is not None
        allowed = [e.value for e in leaf.enum]
        if raw.kind != "cat":
            return self._not_text(leaf, raw, "one of " + ", ".join(allowed))
        assert raw.codes is not None
        lut = np.full(len(raw.uniques) + 1, -1, np.int8)
        bad: dict[int, tuple[str, str]] = {}
        for i, u in enumerate(raw.uniques):
            if isinstance(u, str) and u in allowed:
                lut[i + 1] = allowed.index(u)
            else:
                bad[i] = ("enum", f"{u!r} is not one of: {', '.join(allowed)}")
        cells = Cells(lut[raw.codes + 1], np.zeros(self.n, bool))
        self.reject(cells, raw, leaf.column, bad)
        return cells

    def boolean(self, leaf: Leaf, raw: Raw) -> Cells:
        cells = Cells(np.full(self.n, -1, np.int8), np.zeros(self.n, bool))
        if raw.kind == "bool":
            assert raw.values is not None
            cells.data = raw.values.astype(np.int8)
        elif raw.kind == "num":
            assert raw.values is not None and raw.null is not None
            v = raw.values
            ok = raw.null | (v == 0) | (v == 1)
            cells.data = np.where(raw.null, -1, v).astype(np.int8)
            self.reject_rows(cells, raw, leaf.column, np.flatnonzero(~ok), "bool_parsing", "expected true or false")
        elif raw.kind == "cat":
            assert raw.codes is not None
            lut = np.full(len(raw.uniques) + 1, -1, np.int8)
            bad: dict[int, tuple[str, str]] = {}
            for i, u in enumerate(raw.uniques):
                word = str(u).strip().lower() if isinstance(u, str | bool | np.bool_) or u in (0, 1) else None
                if word in _TRUE:
                    lut[i + 1] = 1
                elif word in _FALSE:
                    lut[i + 1] = 0
                else:
                    bad[i] = ("bool_parsing", f"expected true or false, found {u!r}")
            cells.data = lut[raw.codes + 1]
            self.reject(cells, raw, leaf.column, bad)
        else:
            return self._not_text(leaf, raw, "true or false")
        cells.data[cells.bad] = -1
        return cells

    def number(self, leaf: Leaf, raw: Raw) -> Cells:
        cells = Cells(np.full(self.n, np.nan), np.zeros(self.n, bool))
        column = leaf.column
        if raw.kind == "num":
            assert raw.values is not None
            values = raw.values.astype(np.float64)
            if raw.null is not None:
                values[raw.null] = np.nan
        elif raw.kind == "cat":
            assert raw.codes is not None
            parsed = np.full(len(raw.uniques) + 1, np.nan)
            bad: dict[int, tuple[str, str]] = {}
            for i, u in enumerate(raw.uniques):
                try:
                    if isinstance(u, bool | np.bool_) or (
                        isinstance(u, str) and u.strip().lower() in ("nan", "inf", "-inf")
                    ):
                        raise ValueError(u)
                    parsed[i + 1] = float(u)
                except (TypeError, ValueError):
                    bad[i] = ("number_parsing", f"expected a number, found {u!r}")
            values = parsed[raw.codes + 1]
            self.reject(cells, raw, column, bad)
        else:
            return self._not_text(leaf, raw, "a number")
        known = ~np.isnan(values) & ~cells.bad
        checks = [(~np.isfinite(values), "finite_number", "must be a finite number")]
        if leaf.kind == "int":
            checks.append(
                (np.isfinite(values) & (values != np.round(values)), "int_parsing", "expected a whole number")
            )
        if leaf.ge is not None:
            checks.append((values < leaf.ge, "out_of_range", f"must be ≥ {leaf.ge}"))
        if leaf.le is not None:
            checks.append((values > leaf.le, "out_of_range", f"must be ≤ {leaf.le}"))
        for mask, code, message in checks:
            rows = np.flatnonzero(mask & known)
            self.reject_rows(cells, raw, column, rows, code, message)
            known[rows] = False
        values[cells.bad] = np.nan
        cells.data = values
        return cells

    def date(self, leaf: Leaf, raw: Raw) -> Cells:
        cells = Cells(np.full(self.n, -1, np.int32), np.zeros(self.n, bool))
        column = leaf.column
        if raw.kind == "date":
            assert raw.values is not None and raw.null is not None
            days = raw.values.astype("M8[D]")
            timed = ~raw.null & (days != raw.values)
            self.reject_rows(
                cells, raw, column, np.flatnonzero(timed), "invalid_date", "expected a date without a time of day"
            )
            cells.data = np.where(raw.null | timed, -1, _pack(days)).astype(np.int32)
        elif raw.kind == "cat":
            assert raw.codes is not None
            lut = np.full(len(raw.uniques) + 1, -1, np.int32)
            bad: dict[int, tuple[str, str]] = {}
            for i, u in enumerate(raw.uniques):
                d = _as_date(u)
                if d is None:
                    bad[i] = ("invalid_date", f"expected an ISO date (YYYY-MM-DD), found {u!r}")
                else:
                    lut[i + 1] = pack_date(d)
            cells.data = lut[raw.codes + 1]
            self.reject(cells, raw, column, bad)
        else:
            return self._not_text(leaf, raw, "a date")
        if leaf.path == ("birth_date",):
            self._birth_dates(cells, raw, column)
        return cells

    def _birth_dates(self, cells: Cells, raw: Raw, column: str) -> None:
        """The checks of the fact models' birth dates: not after today, not before 1900."""
        today = self.today
        late = np.flatnonzero(cells.data > pack_date(today))
        self.reject_rows(cells, raw, column, late, "future_date", lambda v: f"birth date {v} is after today ({today})")
        early = np.flatnonzero((cells.data >= 0) & (cells.data < pack_date(date(1900, 1, 1))))
        self.reject_rows(cells, raw, column, early, "impossible_date", lambda v: f"birth date {v} is before 1900")
        cells.data[cells.bad] = -1

    def items(self, leaf: Leaf, raw: Raw) -> Cells:
        """A list of codes: ``a;b`` or ``[]`` (known empty), or a list/tuple in the cell."""
        assert leaf.enum is not None
        allowed = [e.value for e in leaf.enum]
        cells = Cells(np.full(self.n, -1, np.int32), np.zeros(self.n, bool), count=np.full(self.n, -1, np.int16))
        if raw.kind != "cat":
            cells = self._not_text(leaf, raw, f"codes separated by '{LIST_SEPARATOR}'")
            cells.count, cells.raw = np.full(self.n, -1, np.int16), np.full(self.n, None, object)
            return cells
        assert raw.codes is not None
        bits = np.full(len(raw.uniques) + 1, -1, np.int32)
        count = np.full(len(raw.uniques) + 1, -1, np.int16)
        parsed: list[Any] = [None]
        bad: dict[int, tuple[str, str]] = {}
        for i, u in enumerate(raw.uniques):
            got = _split(u)
            wrong = [x for x in got if x not in allowed] if got is not None else None
            if got is None or wrong:
                bad[i] = ("enum", f"{(wrong or [u])[0]!r} is not one of: {', '.join(allowed)}")
                parsed.append(None)
                continue
            bits[i + 1] = sum({1 << allowed.index(x) for x in got})
            count[i + 1] = len(got)
            parsed.append(got)
        cells.data, cells.count = bits[raw.codes + 1], count[raw.codes + 1]
        self.reject(cells, raw, leaf.column, bad)
        cells.data[cells.bad], cells.count[cells.bad] = -1, -1
        items = np.empty(len(parsed), object)
        items[:] = parsed
        cells.raw = items[raw.codes + 1]
        return cells

    def text(self, leaf: Leaf, raw: Raw) -> Cells:
        """Free text shared with the rules' string literals (counties, provinces)."""
        cells = Cells(np.full(self.n, -1, np.int32), np.zeros(self.n, bool))
        if raw.kind != "cat":
            return self._not_text(leaf, raw, "text")
        assert raw.codes is not None
        lut = np.full(len(raw.uniques) + 1, -1, np.int32)
        bad: dict[int, tuple[str, str]] = {}
        for i, u in enumerate(raw.uniques):
            if isinstance(u, str):
                lut[i + 1] = self.strings.code(u)
            else:
                bad[i] = ("string_type", f"expected text, found {u!r}")
        cells.data = lut[raw.codes + 1]
        self.reject(cells, raw, leaf.column, bad)
        cells.data[cells.bad] = -1
        return cells


_NOT_NUMBERS = ["nan", "inf", "-inf", "+inf", "infinity", "-infinity"]


def _numbers(values: list[Any]) -> np.ndarray:
    """Distinct cells as numbers, NaN where a cell is no number (text such as "nan" or "inf" included)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        return np.array([_number(u) for u in values], np.float64)
    cells = pd.Series(values, dtype=object)
    out: np.ndarray = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.infer_dtype(cells, skipna=True) == "string":
        out[cells.str.strip().str.lower().isin(_NOT_NUMBERS).to_numpy(bool)] = np.nan
        return out
    return np.array([_number(u) for u in values], np.float64)


def _number(u: Any) -> float:
    if isinstance(u, bool | np.bool_) or (isinstance(u, str) and u.strip().lower() in _NOT_NUMBERS):
        return math.nan
    try:
        return float(u)
    except (TypeError, ValueError):
        return math.nan


def _split(u: Any) -> list[str] | None:
    if isinstance(u, tuple | list | np.ndarray):
        return [str(x) for x in u]
    if not isinstance(u, str):
        return None
    text = u.strip()
    if text == EMPTY_LIST:
        return []
    return [x.strip() for x in text.split(LIST_SEPARATOR)]


def _as_date(u: Any) -> date | None:
    if isinstance(u, datetime):
        return u.date() if (u.hour, u.minute, u.second, u.microsecond) == (0, 0, 0, 0) else None
    if isinstance(u, date):
        return u
    if isinstance(u, np.datetime64):
        return _as_date(u.astype("M8[us]").item())
    if isinstance(u, str) and len(u.strip()) == 10:
        try:
            return date.fromisoformat(u.strip())
        except ValueError:
            return None
    return None


def _pack(days: np.ndarray) -> np.ndarray:
    """datetime64[D] as packed ints (year << 9 | month << 5 | day): through a table of the days the column
    spans (a few thousand, however many rows), each computed once."""
    n = days.astype(np.int64)
    known = ~np.isnat(days)
    if not known.any():
        return np.full(len(days), -1, np.int64)
    lo, hi = int(n[known].min()), int(n[known].max())
    if hi - lo > 4 * len(days) + 100_000:
        return _civil(n)
    table = _civil(np.arange(lo, hi + 1, dtype=np.int64))
    out: np.ndarray = table[np.where(known, n - lo, 0)]
    return out


def _civil(z: np.ndarray) -> np.ndarray:
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
