"""Table cells into fact columns, every bad cell a record: the vectorised half of a population's intake.

Each input column is first normalised (``as_raw``): distinct values and a code per row for text and
categories (so a value is checked once, however many rows hold it), or a numeric, boolean or date array.
Each kind of fact then has a converter that returns the encoded column (as ``Table.cols`` holds it), the
rows it rejects, and one record per rejected cell. Empty cells (and NaN/None/NaT) are unknown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from pydantic_core import PydanticCustomError

from riskeval._privacy import scrubbed
from riskeval.errors import ErrorRecord
from riskeval.facts import RECORDED_DATES, county_code, province_code, validation_today
from riskeval.population._raw import Raw, numbers, pack_days, pack_epoch
from riskeval.population.layout import Leaf, Strings, empty_column, pack_date

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
EMPTY_LIST = "[]"
LIST_SEPARATOR = ";"
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


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

    def __init__(self, table: str, n: int, strings: Strings, on: date, prefix: str = "") -> None:
        self.table, self.n, self.strings, self.on, self.prefix = table, n, strings, on, prefix
        # The fact models' bound for a birth date (assess() validates against the same), then ``on`` for
        # every recorded date (RECORDED_DATES), as assess() checks after validating.
        self.today = validation_today(on)

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
        elif isinstance(value, dict | list | tuple | set | np.ndarray):
            value = f"<{type(value).__name__}>"  # its text would be shown as a place field's, Han and all
        elif not isinstance(value, str | int | float | bool | type(None)):
            value = repr(value)
        message, value = scrubbed(message, value, column.rsplit(".", 1)[-1])  # an identity number, a name
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
            parsed[1:] = numbers(raw.uniques, raw.all_text)
            bad = {
                int(i): ("number_parsing", f"expected a number, found {raw.uniques[i]!r}")
                for i in np.flatnonzero(np.isnan(parsed[1:]))
            }
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
            if raw.epoch is not None:  # Arrow's dates: whole days already
                cells.data = pack_epoch(raw.epoch, raw.null)
            else:
                days = raw.days if raw.days is not None else raw.values.astype("M8[D]")
                timed = ~raw.null & (days != raw.values)
                self.reject_rows(
                    cells, raw, column, np.flatnonzero(timed), "invalid_date", "expected a date without a time of day"
                )
                cells.data = np.where(raw.null | timed, -1, pack_days(days)).astype(np.int32)
        elif raw.kind == "cat":
            assert raw.codes is not None
            lut = np.full(len(raw.uniques) + 1, -1, np.int32)
            bad: dict[int, tuple[str, str]] = {}
            iso = _iso_days(raw.uniques) if raw.all_text else None
            rest: Any = range(len(raw.uniques))
            if iso is not None:  # plain YYYY-MM-DD text read by Arrow at once; the rest one by one below
                read = ~np.isnat(iso)
                lut[1:][read] = pack_days(iso[read])
                rest = np.flatnonzero(~read)
            for i in rest:
                u = raw.uniques[i]
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
        if len(leaf.path) == 1 and leaf.path[0] in RECORDED_DATES:
            late = np.flatnonzero(~cells.bad & (cells.data > pack_date(self.on)))
            self.reject_rows(cells, raw, column, late, "date_after_as_of",
                             lambda v: f"{v} is after the assessment date {self.on}")  # fmt: skip
            cells.data[cells.bad] = -1
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
        """Text shared with the rules' string literals: places are resolved to their GB/T 2260 codes."""
        cells = Cells(np.full(self.n, -1, np.int32), np.zeros(self.n, bool))
        if leaf.place is not None and raw.kind == "num":
            raw = _distinct_numbers(raw)  # a code a CSV reader took for a number
        if raw.kind != "cat":
            return self._not_text(leaf, raw, "text")
        assert raw.codes is not None
        lut = np.full(len(raw.uniques) + 1, -1, np.int32)
        bad: dict[int, tuple[str, str]] = {}
        resolve = _RESOLVE.get(leaf.place or "")
        for i, u in enumerate(raw.uniques):
            if resolve is not None:
                try:
                    lut[i + 1] = self.strings.code(resolve(u))
                except PydanticCustomError as exc:
                    bad[i] = (exc.type, exc.message())
            elif isinstance(u, str):
                lut[i + 1] = self.strings.code(u)
            else:
                bad[i] = ("string_type", f"expected text, found {type(u).__name__}")
        cells.data = lut[raw.codes + 1]
        self.reject(cells, raw, leaf.column, bad)
        cells.data[cells.bad] = -1
        return cells


def _place_value(resolve: Callable[[Any], str]) -> Callable[[Any], str]:
    """A place resolver that also takes a whole number held as a float (a CSV column with empty cells)."""

    def run(u: Any) -> str:
        if isinstance(u, np.integer) or (isinstance(u, float | np.floating) and float(u).is_integer()):
            u = int(u)
        return resolve(u)

    return run


_RESOLVE = {"county": _place_value(county_code), "province": _place_value(province_code)}


def _distinct_numbers(raw: Raw) -> Raw:
    """A numeric column as distinct values with a code per row, as text columns are held."""
    assert raw.values is not None
    null = raw.null if raw.null is not None else np.zeros(len(raw.values), bool)
    uniques, inverse = np.unique(raw.values[~null], return_inverse=True)
    codes = np.full(len(raw.values), -1, np.int64)
    codes[~null] = inverse
    return Raw("cat", codes=codes, uniques=[u.item() for u in uniques])


def _split(u: Any) -> list[str] | None:
    if isinstance(u, tuple | list | np.ndarray):
        return [str(x) for x in u]
    if not isinstance(u, str):
        return None
    text = u.strip()
    if text == EMPTY_LIST:
        return []
    return [x.strip() for x in text.split(LIST_SEPARATOR)]


def _iso_days(texts: list[Any]) -> np.ndarray | None:
    """Text cells of the form YYYY-MM-DD (blanks around allowed) as days, NaT for any other (None: no pyarrow);
    a day that does not exist (2015-02-30) is NaT too, for ``_as_date`` to refuse."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return None
    text = pc.utf8_trim_whitespace(pa.array(texts, pa.string()))
    plain = pc.match_substring_regex(text, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    days = pc.strptime(pc.if_else(plain, text, None), format="%Y-%m-%d", unit="s", error_is_null=True)
    out: np.ndarray = days.cast(pa.date32()).to_numpy(zero_copy_only=False).astype("M8[D]")
    # strptime rolls a day over (2015-02-30 is read as 2015-03-02): only a date written back as read stands
    same = pc.equal(pc.strftime(days, format="%Y-%m-%d"), text).fill_null(False).to_numpy(zero_copy_only=False)
    out[~same.astype(bool) | (out < np.datetime64("0001-01-01"))] = np.datetime64("NaT")
    return out


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
