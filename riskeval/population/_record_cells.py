"""Household dicts' cells read column by column, in C-level passes, and checked for their canonical form.

The cells of every dict are read in one pass (values and their Python types), then each column becomes what
the table intake reads (``Raw``): enums and booleans by a lookup per cell, numbers as floats, ISO dates by
Arrow, text factorised. A cell that the fact models and the tables would read apart (a blank text, NaN, a
date not written YYYY-MM-DD, a value of another type) marks its row; ``riskeval.population._records``
sends such households to the models.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import chain, repeat
from operator import attrgetter
from typing import Any

import numpy as np

from riskeval._privacy import is_resident_id
from riskeval.population._cells import PRESENT
from riskeval.population._raw import Raw, factorize, objects
from riskeval.population.layout import Leaf, layout

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")  # the fact models' Id
HOUSEHOLD_PREFIX = "household."
_NONE = type(None)
# The Python types a canonical cell of each kind may hold (None aside); values are checked once per distinct value.
_TYPES: dict[str, frozenset[type]] = {
    "enum": frozenset({str}),
    "str": frozenset({str}),
    "ref": frozenset({str}),
    "text": frozenset({str}),
    "bool": frozenset({bool}),
    "num": frozenset({int, float}),
    "int": frozenset({int}),
    "date": frozenset({str, date}),
    "list": frozenset({list}),
}


def canonical_text(v: Any) -> bool:
    # Blank text is an empty cell to the tables but an error to the models: not canonical.
    return type(v) is str and bool(v) and not v.isspace()


def not_canonical(kind: str, uniques: list[Any], only_text: bool) -> list[int]:
    """Which distinct values of a column whose types are right the models and the tables would read apart:
    blank text (an empty cell to the tables, an error to the models) and dates not written YYYY-MM-DD."""
    if kind in ("enum", "str", "ref"):
        blank = np.fromiter(map(str.isspace, uniques), bool, len(uniques))
        off = np.flatnonzero(blank).tolist()
        return off + [i for i, u in enumerate(uniques) if u == ""] if "" in uniques else off
    if kind == "date":
        if only_text:
            found = np.fromiter(map(_DATE.fullmatch, uniques), object, len(uniques))
            return np.flatnonzero(found == None).tolist()  # noqa: E711 - elementwise
        return [i for i, u in enumerate(uniques) if type(u) is not date and _DATE.fullmatch(u) is None]
    return []


@dataclass
class Spec:
    """What a dict of one entity may hold: its leaves (key -> column, kind) and nested records."""

    leaves: dict[str, tuple[str, str, tuple[str, ...]]] = field(default_factory=dict)  # key -> column, kind, codes
    records: dict[str, tuple[str, Spec, bool]] = field(default_factory=dict)  # key -> (column, spec, cert)
    keys: frozenset[str] = frozenset()


def _spec(leaves: tuple[Leaf, ...], prefix: str = "", own: frozenset[str] = frozenset()) -> Spec:
    top = Spec()
    nested: dict[tuple[str, ...], Spec] = {(): top}
    for lf in leaves:
        holder = nested.get(lf.path[:-1])
        if holder is None:
            continue
        key, column = lf.path[-1], prefix + lf.column
        if lf.kind in ("record", "cert"):
            nested[lf.path] = Spec()
            holder.records[key] = (column, nested[lf.path], lf.kind == "cert")
        else:
            holder.leaves[key] = (column, lf.kind, tuple(e.value for e in lf.enum) if lf.enum is not None else ())
    top.leaves["id"] = ("id", "ref", ())
    for path, spec in nested.items():
        spec.keys = frozenset(spec.leaves) | frozenset(spec.records) | (own if not path else frozenset())
    return top


@cache
def specs() -> dict[str, Spec]:
    lay = layout()
    return {
        "child": _spec(lay["child"], own=frozenset({"id"})),
        "member": _spec(lay["member"], own=frozenset({"id"})),
        "household": _spec(lay["household"], HOUSEHOLD_PREFIX, frozenset({"id", "members", "children"})),
    }


def scatter(raw: Any, rows: np.ndarray, n: int) -> Any:
    """A column of some rows as a column of all ``n`` (the others unknown)."""
    if isinstance(raw, np.ndarray):
        out = np.full(n, None, object)
        out[rows] = raw
        return out
    if raw.codes is not None:
        codes = np.full(n, -1, np.int64)
        codes[rows] = raw.codes
        return Raw("cat", codes, raw.uniques, all_text=raw.all_text)
    assert raw.values is not None
    if raw.kind == "bool":
        held = np.full(n, -1, np.int8)
        held[rows] = raw.values
        return Raw("bool", values=held)
    values = np.full(n, np.datetime64("NaT", "D") if raw.kind == "date" else np.nan, raw.values.dtype)
    values[rows] = raw.values
    null = np.ones(n, bool)
    null[rows] = raw.null if raw.null is not None else False
    return Raw(raw.kind, values=values, null=null)


# Each cell's Python type as a small code, computed in the same C pass that reads the cells.
_NONE_T, _STR, _BOOL, _INT, _FLOAT, _DATE_T, _LIST, _DICT, _OTHER = range(9)
_BLOCK = 1024
_TYPE_CODE: dict[type, int] = {_NONE: _NONE_T, str: _STR, bool: _BOOL, int: _INT, float: _FLOAT, date: _DATE_T,
                               list: _LIST, dict: _DICT}  # fmt: skip
_CODES = {kind: np.array(sorted(_TYPE_CODE[t] for t in allowed | {_NONE})) for kind, allowed in _TYPES.items()}


def _cells(dicts: Sequence[Any] | np.ndarray, keys: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Every dict's value of every key (an object array, dicts x keys) and each value's type code: one pass
    over the dicts, all of it in C."""
    size = len(dicts) * len(keys)
    values = np.empty(size, object)
    types = np.empty(size, np.int8)
    step = _BLOCK * len(keys)
    for start in range(0, len(dicts), _BLOCK):  # a block's values are typed while they are still in cache
        block = dicts[start : start + _BLOCK]
        lo, hi = start * len(keys), min(start * len(keys) + step, size)
        flat = chain.from_iterable(map(map, map(attrgetter("get"), block), repeat(keys)))
        values[lo:hi] = np.fromiter(flat, object, hi - lo)
        types[lo:hi] = np.fromiter(map(_TYPE_CODE.get, map(type, values[lo:hi]), repeat(_OTHER)), np.int8, hi - lo)
    return values.reshape(len(dicts), len(keys)), types.reshape(len(dicts), len(keys))


def _column(values: np.ndarray, types: np.ndarray, kind: str, codes_of: tuple[str, ...], bad: np.ndarray) -> Any:
    """One column of cells in the form the table intake reads (a ``Raw``; for ids the cells themselves); rows
    whose cell is not canonical are marked ``bad``."""
    wrong = ~np.isin(types, _CODES[kind])
    if wrong.any():
        bad |= wrong
        values = values.copy()
        values[wrong] = None
    n = len(values)
    if kind == "ref":  # numbered with the other ids of its table (``_Flat._whole_number_ids``)
        return values
    if kind in ("enum", "bool"):  # a dict lookup per cell, in C: the codes at once, anything else refused
        lut: dict[Any, int] = {None: -1, True: 1, False: 0} if kind == "bool" else {None: -1}
        if kind == "enum":
            lut.update((c, i) for i, c in enumerate(codes_of))
        found = np.fromiter(map(lut.get, values, repeat(-2)), np.int16, n)
        bad |= found == -2
        found[found == -2] = -1
        if kind == "bool":
            return Raw("bool", values=found.astype(np.int8))
        return Raw("cat", found.astype(np.int64), list(codes_of), all_text=True)
    if kind in ("num", "int"):
        null = types == _NONE_T
        number = np.where(null, np.nan, values).astype(np.float64)
        bad |= ~null & ~np.isfinite(number)  # NaN is an empty cell to the tables, a number the models refuse
        return Raw("num", values=np.where(np.isfinite(number), number, np.nan), null=~np.isfinite(number))
    if kind == "date" and not (types == _DATE_T).any():
        days = _iso_dates(values, bad)
        if days is not None:
            return Raw("date", values=days, null=np.isnat(days))
    if kind == "list":
        bad |= np.fromiter((v is not None and not all(type(x) is str for x in v) for v in values), bool, n)
        codes, uniques = factorize(objects([None if v is None else tuple(v) for v in values]))
        return Raw("cat", codes, [list(u) for u in uniques])
    codes, uniques = factorize(np.ascontiguousarray(values))
    only_text = not ((types != _STR) & (types != _NONE_T)).any()
    off = not_canonical(kind, uniques, only_text)
    if off:
        bad[np.isin(codes, off)] = True
    return Raw("cat", codes, uniques, all_text=only_text)


def _iso_dates(values: np.ndarray, bad: np.ndarray) -> np.ndarray | None:
    """Text dates parsed by Arrow, in C (None without pyarrow): a cell that is not a real YYYY-MM-DD date is
    marked ``bad`` (the models say why)."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is optional
        return None
    return iso_days(pa.array(values, pa.string(), from_pandas=False), bad)


def pool(pa: Any) -> Any:
    """The memory pool of the records' Arrow buffers: the C library's allocator, which numpy shares, not
    Arrow's default (mimalloc), whose segments took transparent huge pages on the 2-core VM: 11 huge-page
    faults and 65 ms of system time in one Arrow read of 20k children's households, against 16 ms."""
    return pa.system_memory_pool()


def filled(indices: Any, pa: Any, pc: Any) -> np.ndarray:
    """Arrow's integer indices as int64, -1 where null."""
    out: np.ndarray = (
        pc.coalesce(indices, pa.scalar(-1, indices.type), memory_pool=pool(pa))
        .to_numpy(zero_copy_only=False)
        .astype(np.int64)
    )
    return out


def iso_days(text: Any, bad: np.ndarray) -> np.ndarray:
    """An Arrow column of text dates as days; a cell that is not a real YYYY-MM-DD date is marked ``bad``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if text.type == pa.string():
        return _digits_dates(text, bad)
    shaped = pc.match_substring_regex(text, f"^{_DATE.pattern}$")
    parsed = pc.strptime(pc.if_else(shaped, text, None), "%Y-%m-%d", "s", error_is_null=True)
    same = pc.equal(pc.strftime(parsed, "%Y-%m-%d"), text).fill_null(False)  # strptime rolls 02-30 over
    days = parsed.cast(pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")
    wrong = pc.and_(text.is_valid(), pc.invert(same)).to_numpy(zero_copy_only=False).astype(bool)
    wrong |= days < np.datetime64("0001-01-01")  # no year 0 in Python's calendar: the models refuse it
    bad |= wrong
    days[wrong] = np.datetime64("NaT", "D")
    out: np.ndarray = days
    return out


_MONTH_DAY = np.array([0, 1, 2, 3, 5, 6, 8, 9])  # the digits' places in YYYY-MM-DD
_MONTH_LENGTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])  # of a common year


def _digits_dates(text: Any, bad: np.ndarray) -> np.ndarray:
    """``iso_days`` on the bytes of an Arrow string column: ten ASCII characters, digits and two dashes, making
    a day of Python's calendar (years 1 to 9999, no February 30th), as ``date.fromisoformat`` takes them.
    Days are counted in whole numbers (numpy's month-to-day conversion of datetime64 is slow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset : text.offset + n + 1]
    data = text.buffers()[2]
    valid = pc.is_valid(text, memory_pool=pool(pa)).to_numpy(zero_copy_only=False).astype(bool)
    days = np.full(n, np.datetime64("NaT", "D"))
    shaped = valid & (np.diff(offsets) == 10)
    if data is not None and shaped.any():
        text_bytes = np.frombuffer(data, np.uint8)
        if offsets[-1] - offsets[0] == 10 * np.count_nonzero(shaped):  # the dates back to back: read in place
            chars = text_bytes[offsets[0] : offsets[-1]].reshape(-1, 10)
        else:
            chars = text_bytes[offsets[:-1][shaped][:, None] + np.arange(10)]
        # bytes, not wider numbers: fewer fresh pages (a character below '0' wraps past 9 when 48 is taken)
        d = chars[:, _MONTH_DAY] - np.uint8(48)
        # Each product widened first: numpy 1.x keeps uint8 for a uint8 array times a small scalar (900 wraps).
        wide = d.astype(np.int32)
        year = wide[:, 0] * 1000 + wide[:, 1] * 100 + wide[:, 2] * 10 + wide[:, 3]
        month, day = wide[:, 4] * 10 + wide[:, 5], wide[:, 6] * 10 + wide[:, 7]
        real = (d <= 9).all(1) & (chars[:, 4] == 45) & (chars[:, 7] == 45)  # '-' is 45
        real &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        real &= day <= _MONTH_LENGTH[np.where(real, month, 0)] + (leap & (month == 2))
        y, m, dd = year[real].astype(np.int64), month[real], day[real]
        y -= m <= 2  # the civil calendar counted from March (H. Hinnant's days_from_civil), year 1 onwards
        era = y // 400
        yoe = y - era * 400
        doy = (153 * ((m + 9) % 12) + 2) // 5 + dd - 1
        epoch = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468  # days since 1970-01-01
        days[np.flatnonzero(shaped)[real]] = epoch.astype("datetime64[D]")
        shaped[np.flatnonzero(shaped)[~real]] = False
    bad |= valid & ~shaped
    return days


def entity(
    dicts: Sequence[Any] | np.ndarray, spec: Spec, out: dict[str, Raw], bad: np.ndarray, rows: np.ndarray, n: int
) -> None:
    """The columns of a list of dicts (rows ``rows`` of a table of ``n``), nested records included."""
    fits = np.fromiter(map(spec.keys.issuperset, dicts), bool, len(dicts))
    fits &= np.fromiter(map(isinstance, dicts, repeat(dict)), bool, len(dicts))  # a mapping of another type
    local = ~fits  # an unknown key: the fact models say which, as assess() does
    keys = tuple(spec.leaves) + tuple(spec.records)
    cells, types = _cells(dicts, keys)
    for j, (column, kind, codes_of) in enumerate(spec.leaves.values()):
        if kind == "text":  # a name is never read; only its type is the models' concern
            local |= (types[:, j] != _STR) & (types[:, j] != _NONE_T)
            continue
        raw = _column(cells[:, j], types[:, j], kind, codes_of, local)
        out[column] = raw if len(dicts) == n else scatter(raw, rows, n)
    for j, (column, inner, cert) in enumerate(spec.records.values(), len(spec.leaves)):
        values, kinds = cells[:, j], types[:, j]
        present = kinds == _DICT
        none = kinds == _NONE_T
        if cert:
            no = (kinds == _BOOL) & (values == False)  # noqa: E712 - elementwise
            held = np.full(n, -1, np.int8)
            held[rows[present]] = 1
            held[rows[no]] = 0
            out[column] = Raw("bool", values=held)
            local |= ~(present | none | no)
        else:
            given = np.zeros(n, np.int8)
            given[rows[present]] = 1
            out[PRESENT + column] = Raw("bool", values=given)
            local |= ~(present | none)
        where_present = np.flatnonzero(present)
        entity(values[where_present], inner, out, bad, rows[where_present], n)
    bad[rows[local]] = True


_NOT_ID_BYTE = np.ones(256, bool)  # bytes outside _ID's class: ASCII only, so a text's bytes are its characters
_NOT_ID_BYTE[np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-", np.uint8)] = False


def _id_bytes(text: Any) -> tuple[np.ndarray, np.ndarray]:
    """``_ID`` matched over an Arrow string column's bytes (1 to 64 bytes, each of its class), and which
    texts are 18 long: what Arrow's regex gave, without running it once per text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset : text.offset + n + 1]
    data = text.buffers()[2]
    chars = np.frombuffer(data, np.uint8)[offsets[0] : offsets[-1]] if data is not None else np.zeros(0, np.uint8)
    end = offsets[1:] - offsets[0]
    size = np.diff(offsets)
    foreign = np.zeros(n, bool)  # a byte outside the class; its text is the first ending after it
    foreign[np.searchsorted(end, np.flatnonzero(_NOT_ID_BYTE[chars]), side="right")] = True
    valid = pc.is_valid(text, memory_pool=pool(pa)).to_numpy(zero_copy_only=False).astype(bool)
    good: np.ndarray = valid & (size >= 1) & (size <= 64) & ~foreign
    return good, valid & (size == 18)


def good_ids(ids: list[Any]) -> np.ndarray:
    """Which distinct ids the fact models take: the id pattern, and not the shape of a resident identity number."""
    try:  # Arrow's regex over the whole column, when pyarrow is there
        import pyarrow as pa
        import pyarrow.compute as pc

        text = ids if isinstance(ids, pa.Array) else pa.array(ids, pa.string())
        if text.type == pa.string():
            good, long = _id_bytes(text)
        else:
            matched = pc.match_substring_regex(text, f"^{_ID.pattern}$")
            good = matched.to_numpy(zero_copy_only=False).astype(bool)
            long = pc.equal(pc.utf8_length(text), 18).fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
    except ImportError:  # pragma: no cover - pyarrow is optional
        good = np.fromiter(map(_ID.fullmatch, ids), object, len(ids)) != None  # noqa: E711 - elementwise
        long = np.fromiter(map(len, ids), np.int64, len(ids)) == 18
    for i in np.flatnonzero(good & long):  # the shape of a resident identity number: only those are looked at
        value = ids[i].as_py() if hasattr(ids[i], "as_py") else ids[i]
        if is_resident_id(value):
            good[i] = False
    return good
