"""Ids and joins of a population's two tables: ids checked, households numbered, members found by id.

Every function works on whole columns: ids as given (whole numbers, or text objects), households as dense
codes, members grouped by household; a member is found for a child by comparing the ids of its
household's members one position at a time, or through a table when member ids are whole numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from riskeval._privacy import REDACTED, is_resident_id, shown
from riskeval.errors import ErrorRecord
from riskeval.population._raw import as_raw, objects
from riskeval.population._tables import ID_PATTERN

# A whole number int64 holds, written as its digits (no sign, no leading zero): the text and the number
# are one id, so such ids are compared as numbers (and shown as their digits in the results).
WHOLE_NUMBER = r"^(0|[1-9][0-9]{0,17})$"


def id_array(column: Any, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """An id column as comparable values (int64, or objects), its unknown cells, and the rows already known
    to be well formed (None: not checked yet)."""
    if column is None:
        return np.zeros(n, np.int64), np.ones(n, bool), None
    text = _arrow_ids(column)
    if text is not None:
        return text
    values = _plain_objects(column)
    if values is not None:  # ids as Python objects: compared as they are, never hashed one column at a time
        return _text_ids(values), _missing(values), None
    raw = as_raw(column, n)
    if raw.kind == "num":
        assert raw.values is not None and raw.null is not None
        v = raw.values
        if v.dtype.kind == "f":
            whole = ~raw.null & (v == np.floor(v)) & (np.abs(v) < 2**53)
            if (whole | raw.null).all():
                return np.where(whole, v, 0).astype(np.int64), raw.null.copy(), None
            out = np.where(whole, v, 0).astype(np.int64).astype(str).astype(object)
            out[~whole & ~raw.null] = v[~whole & ~raw.null]  # not an id: reported as it is
            return out, raw.null, None
        return v.astype(np.int64), raw.null.copy(), None
    if raw.kind == "cat":
        assert raw.codes is not None
        uniq = np.empty(len(raw.uniques) + 1, object)
        uniq[1:] = raw.uniques
        numbers = [] if raw.all_text else [i for i, u in enumerate(raw.uniques) if type(u) is not str]
        for i in numbers:
            u = raw.uniques[i]
            if isinstance(u, int | np.integer) and not isinstance(u, bool):
                uniq[i + 1] = str(u)
        return uniq[raw.codes + 1], raw.codes < 0, None
    return np.full(n, None, object), np.ones(n, bool), None


def _arrow_ids(column: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
    """Ids held by Arrow as text: Python strings (they are compared, not hashed), the empty cells, and a
    note of the rows Arrow's regex already found well formed (``check_ids`` then skips them)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return None
    if not isinstance(column, pa.Array | pa.ChunkedArray):
        dtype = getattr(column, "dtype", None)
        if getattr(dtype, "kind", None) != "O" or not hasattr(getattr(column, "array", None), "__arrow_array__"):
            return None
        try:
            column = pa.array(column.array)
        except (TypeError, ValueError, pa.ArrowException):
            return None
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.array([], column.type)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return None
    digits = whole_numbers(column)
    if digits is not None:
        return digits, column.is_null().to_numpy(zero_copy_only=False), None
    null = pc.or_(column.is_null(), pc.equal(column, "").fill_null(True)).to_numpy(zero_copy_only=False)
    whole = pc.match_substring_regex(column, WHOLE_NUMBER).fill_null(False).to_numpy(zero_copy_only=False)
    if whole.any() and bool((whole | null).all()):  # digits a CSV holds as text: joined as whole numbers
        digits = pc.if_else(pa.array(whole.astype(bool)), column, "0")
        return np.asarray(digits.cast(pa.int64()).to_numpy(zero_copy_only=False)), null.astype(bool), None
    good = pc.match_substring_regex(column, ID_PATTERN.pattern).fill_null(True).to_numpy(zero_copy_only=False)
    return np.asarray(column.to_numpy(zero_copy_only=False), object), null.astype(bool), good.astype(bool)


def whole_numbers(text: Any) -> np.ndarray | None:
    """A pyarrow text array whose every cell is empty (null) or a ``WHOLE_NUMBER``, as int64 (0 where empty);
    None otherwise, or when no cell is written. Arrow's cast and the length of each cell stand for the regex
    (a tenth of its time): a whole number written with a sign or a leading zero is longer than its digits."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if text.null_count == len(text):
        return None
    try:
        values = text.cast(pa.int64())  # digits with a "-" or leading zeros; "+7", blanks, "" refused
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    out: np.ndarray = values.fill_null(0).to_numpy(zero_copy_only=False)
    lengths = pc.binary_length(text).fill_null(1).to_numpy(zero_copy_only=False)
    if out.min() < 0 or out.max() >= _TENS[-1] or (np.searchsorted(_TENS, out, side="right") + 1 != lengths).any():
        return None
    return out


_TENS = np.array([10**k for k in range(1, 19)], np.int64)  # below 10**k: at most k digits


def _plain_objects(column: Any) -> np.ndarray | None:
    """A column of Python objects (a list, an object array, a pandas object column), else None."""
    if isinstance(column, list):
        return objects(column)
    if isinstance(column, np.ndarray):
        return column if column.dtype == object else None
    dtype = getattr(column, "dtype", None)
    if dtype is not None and str(dtype) == "object" and hasattr(column, "to_numpy"):
        out: np.ndarray = column.to_numpy(dtype=object)
        return out
    return None


def _missing(values: np.ndarray) -> np.ndarray:
    """Empty cells of an object column: None, NaN, NA, or empty text."""
    try:
        import pandas as pd

        empty: np.ndarray = np.asarray(pd.isna(values), bool) | (values == "")
        return empty
    except ImportError:  # pragma: no cover - pandas is optional
        return np.array([v is None or v == "" or (type(v) is float and v != v) for v in values], bool)


def _text_ids(values: np.ndarray) -> np.ndarray:
    """Whole numbers among object ids as their digits (so they compare with text ids)."""
    try:
        import pandas as pd

        if pd.api.types.infer_dtype(values, skipna=True) == "string":
            return values
    except ImportError:  # pragma: no cover - pandas is optional
        pass
    out = values.copy()
    for i in np.flatnonzero([type(v) is not str for v in values]):
        v = values[i]
        if isinstance(v, int | np.integer) and not isinstance(v, bool):
            out[i] = str(v)
    return out


def show(v: Any) -> str:
    """An id as text, for messages (whole numbers as their digits); one that may be an identity number or a
    name is redacted (riskeval._privacy)."""
    return str(shown(str(int(v)) if isinstance(v, np.integer) else str(v)))


def check_ids(
    values: np.ndarray,
    null: np.ndarray,
    table: str,
    column: str,
    required: bool,
    well_formed: np.ndarray | None = None,
) -> tuple[np.ndarray, list[ErrorRecord]]:
    """Rows whose id is bad (or missing when required), with their records."""
    bad = np.zeros(len(values), bool)
    records: list[ErrorRecord] = []
    if values.dtype == object:
        suspects = np.flatnonzero(~null & ~well_formed) if well_formed is not None else _suspect(values, null)
        for r in suspects:
            v = values[r]
            if not (isinstance(v, str) and ID_PATTERN.match(v)) and not isinstance(v, int):
                bad[r] = True
                records.append(
                    ErrorRecord(
                        f"{table}.{column}",
                        "invalid_id",
                        f"{column}: expected 1-64 characters of A-Z a-z 0-9 _ . : -, found {shown(v)!r}",
                        shown(v) if isinstance(v, str | int | float) else repr(v),
                        row=int(r),
                    )
                )
    for r in _resident_ids(values, null & ~bad):
        bad[r] = True
        message = f"{column}: has the shape of a resident identity number: use a pseudonymous id (not shown)"
        records.append(ErrorRecord(f"{table}.{column}", "id_number_as_id", message, REDACTED, row=int(r)))
    if required:
        for r in np.flatnonzero(null):
            bad[r] = True
            records.append(ErrorRecord(f"{table}.{column}", "missing", f"{column} is required", None, row=int(r)))
    return bad, records


def _resident_ids(values: np.ndarray, skip: np.ndarray) -> list[int]:
    """Rows whose id has the shape of a resident identity number (riskeval._privacy): 18 characters, so
    only those are looked at closely; whole numbers of 18 digits are found by their range alone."""
    if values.dtype.kind == "i":
        rows = np.flatnonzero(~skip & (values >= 10**17) & (values < 10**18))
        return [int(r) for r in rows if is_resident_id(str(int(values[r])))]
    rows = np.flatnonzero(~skip)
    known = values[rows]
    try:
        long = np.fromiter(map(len, known), np.int64, len(known)) == 18  # a C loop: ~0.1 s per million ids
    except TypeError:  # not all text: the rows that are not are already reported
        long = np.array([type(v) is str and len(v) == 18 for v in known], bool)
    return [int(r) for r in rows[long] if is_resident_id(str(values[r]))]


def _suspect(values: np.ndarray, null: np.ndarray) -> np.ndarray:
    """Rows whose id may break the pattern: all known rows, or (with pyarrow) only those its regex refuses."""
    rows: np.ndarray = np.flatnonzero(~null)
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return rows
    try:
        text = pa.array(values[rows], pa.string())
    except (TypeError, ValueError, pa.ArrowException):  # not all text: look at each
        return rows
    ok = pc.match_substring_regex(text, ID_PATTERN.pattern).to_numpy(zero_copy_only=False)
    out: np.ndarray = rows[~ok.astype(bool)]
    return out


def same_space(*arrays: np.ndarray) -> list[np.ndarray]:
    """Ids from several columns made comparable: all ints, or all text."""
    if all(a.dtype.kind == "i" for a in arrays):
        return list(arrays)
    return [a.astype(str).astype(object) if a.dtype.kind == "i" else a for a in arrays]


def household_codes(
    kids: np.ndarray, kid_null: np.ndarray, members: np.ndarray, mem_null: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense household codes for both tables (-1: unknown), and each code's id."""
    a, b = same_space(kids, members)
    both = np.concatenate([a, b])
    null = np.concatenate([kid_null, mem_null])
    if both.dtype.kind == "i":
        uniq, codes = _unique_ints(both)
    else:
        both = both.copy()
        both[null] = None
        try:
            import pandas as pd

            codes, uniq = pd.factorize(both, use_na_sentinel=True)
        except ImportError:  # pragma: no cover - pandas is optional
            index: dict[Any, int] = {}
            codes = np.array([-1 if v is None else index.setdefault(v, len(index)) for v in both])
            uniq = np.array(list(index), object)
    codes = np.where(null, -1, codes).astype(np.int64)
    return codes[: len(kids)], codes[len(kids) :], np.asarray(uniq)


def _unique_ints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for whole numbers; when they span a range not much
    larger than their number (household ids numbered in order), by a table over the range: no sort."""
    if not len(values):
        return np.unique(values, return_inverse=True)
    lo, hi = int(values.min()), int(values.max())
    if hi - lo > 4 * len(values) + 1024:
        return np.unique(values, return_inverse=True)
    present = np.zeros(hi - lo + 1, bool)
    at = values - lo
    present[at] = True
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present) + lo, rank[at]


def stable_order(keys: np.ndarray) -> np.ndarray:
    """argsort(kind="stable"), skipped when the keys are already in order (tables grouped by household)."""
    if len(keys) < 2 or bool((keys[1:] >= keys[:-1]).all()):
        return np.arange(len(keys))
    return np.argsort(keys, kind="stable")


def all_distinct(values: np.ndarray) -> bool:
    """Whole-number ids that are unique across the table (then they are unique in every household)."""
    if values.dtype.kind != "i" or not len(values):
        return False
    lo, hi = int(values.min()), int(values.max())
    if hi - lo > 4 * len(values) + 1024:
        return False
    return bool(np.bincount(values - lo).max() <= 1)


def duplicates(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Rows whose value repeats inside its group (-1 groups ignored), by comparing rows of a group."""
    if all_distinct(values[group >= 0]):
        return np.zeros(len(group), bool)
    order = stable_order(group)
    g, v = group[order], values[order]
    dup = np.zeros(len(g), bool)
    d = 1
    while d < len(g):
        same = (g[d:] == g[:-d]) & (g[d:] >= 0)
        if not same.any():
            break
        eq = same & (v[d:] == v[:-d])
        dup[d:] |= eq
        dup[:-d] |= eq
        d += 1
    out = np.zeros(len(g), bool)
    out[order] = dup
    return out


def match(
    hh: np.ndarray,
    want: np.ndarray,
    skip: np.ndarray,
    starts: np.ndarray,
    member_ids: np.ndarray,
    table: dict[str, Any] | None = None,
) -> np.ndarray:
    """For each row: the position in the (household-sorted) members of the member with id ``want`` in
    household ``hh`` (-1: none); rows in ``skip`` are not looked up."""
    ok = ~skip & (hh >= 0)
    fast = _match_unique(hh, want, ok, starts, member_ids, {} if table is None else table)
    if fast is not None:
        return fast
    out = np.full(len(hh), -1, np.int64)
    first = np.where(ok, starts[np.maximum(hh, 0)], 0)
    size = np.where(ok, starts[np.maximum(hh, 0) + 1] - first, 0)
    k = 0
    while True:
        rows = np.flatnonzero((size > k) & (out < 0))
        if not len(rows):
            return out
        pos = first[rows] + k
        hit = member_ids[pos] == want[rows]
        out[rows[hit]] = pos[hit]
        k += 1


def _match_unique(
    hh: np.ndarray,
    want: np.ndarray,
    ok: np.ndarray,
    starts: np.ndarray,
    member_ids: np.ndarray,
    cache: dict[str, Any],
) -> np.ndarray | None:
    """The same lookup through a table, when member ids are whole numbers, unique and not too spread out
    (numbered rows, as many registries have); None when they are not. ``cache`` keeps the table between
    the lookups of the same members (one per role)."""
    if member_ids.dtype.kind != "i" or want.dtype.kind != "i" or not len(member_ids):
        return None
    if "table" not in cache:
        lo, hi = int(member_ids.min()), int(member_ids.max())
        if hi - lo > 4 * len(member_ids) + 1024:
            return None
        table = np.full(hi - lo + 2, -1, np.int64)  # the last slot: ids out of range
        table[member_ids - lo] = np.arange(len(member_ids))
        if np.count_nonzero(table >= 0) != len(member_ids):
            return None  # an id is used twice
        group = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
        cache.update(table=table, group=group, lo=lo, hi=hi)
    table, group, lo, hi = cache["table"], cache["group"], cache["lo"], cache["hi"]
    inside = ok & (want >= lo) & (want <= hi)
    pos = table[np.where(inside, want - lo, hi - lo + 1)]
    found = pos >= 0
    found[found] = group[pos[found]] == hh[found]
    out: np.ndarray = np.where(found, pos, -1)
    return out


def first_rows(codes: np.ndarray, size: int) -> np.ndarray:
    """The first row of each code (-1: no row)."""
    first = np.full(size, -1, np.int64)
    rows = np.flatnonzero(codes >= 0)
    order = stable_order(codes[rows])
    c = codes[rows][order]
    head = np.ones(len(c), bool)
    head[1:] = c[1:] != c[:-1]
    first[c[head]] = rows[order][head]
    return first


def group_starts(groups: np.ndarray, size: int) -> np.ndarray:
    starts = np.zeros(size + 2, np.int64)
    np.cumsum(np.bincount(groups, minlength=size), out=starts[1 : size + 1])
    starts[size + 1] = starts[size]
    return starts
