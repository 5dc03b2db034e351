"""Household dicts read by Arrow's converter, one pass per entity, once every key and cell type is canonical.

``pa.array(dicts, type=struct)`` walks the dicts in C, but it ignores unknown keys and coerces what the fact
models refuse (``True`` as a number, ``2.5`` as a whole number, bytes or a ``str`` subclass as text, a string as a
list of letters). So the keys and the exact Python type of every cell are checked first, per dict in one C-level
pass (the dict's (key, type) pairs against the pairs its entity allows); a dict that fails is left out of the
conversion and its row marked ``bad`` (the models say why). Anything the converter still refuses, or a list
holding anything but text, makes the caller read the entity the way ``_record_cells.entity`` does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain, repeat
from typing import Any

import numpy as np

from riskeval.population._cells import PRESENT
from riskeval.population._raw import Raw
from riskeval.population._record_cells import Spec, iso_days, not_canonical, scatter

_NONE, _DICT, _BOOL = type(None), dict, bool  # compared with an array of types, element by element
# The exact Python types a canonical cell of each kind holds (None aside), as ``_record_cells`` has them.
_PY: dict[str, tuple[type, ...]] = {
    "enum": (str,),
    "str": (str,),
    "ref": (str,),
    "text": (str,),
    "bool": (bool,),
    "num": (int, float),
    "int": (int,),
    "date": (str, date),  # a date object makes the converter refuse the entity: read it the other way
    "list": (list,),
}
_SEPARATOR = "\x1f"  # joins a list's codes into one text to number the distinct lists; never inside a code


@dataclass(frozen=True)
class _Plan:
    pairs: frozenset[tuple[str, type]]
    struct: Any  # the pyarrow struct type of the leaves read (names are not)


_PLANS: dict[int, tuple[Spec, _Plan | None]] = {}


def _plan(spec: Spec, pa: Any) -> _Plan | None:
    held = _PLANS.get(id(spec))
    if held is not None and held[0] is spec:
        return held[1]
    arrow = {"bool": pa.bool_(), "num": pa.float64(), "int": pa.int64(), "list": pa.list_(pa.string())}
    pairs: set[tuple[str, type]] = {(key, _NONE) for key in spec.keys}
    fields = []
    for key, (_, kind, _) in spec.leaves.items():
        pairs |= {(key, t) for t in _PY[kind]}
        if kind != "text":
            fields.append(pa.field(key, arrow.get(kind, pa.string())))
    for key, (_, _inner, cert) in spec.records.items():
        pairs |= {(key, dict), (key, bool)} if cert else {(key, dict)}
    for key in spec.keys - set(spec.leaves) - set(spec.records):  # a household's children and members
        pairs.add((key, list))
    nested_ok = all(not inner.records for _, inner, _ in spec.records.values())
    plan = _Plan(frozenset(pairs), pa.struct(fields)) if nested_ok else None
    _PLANS[id(spec)] = (spec, plan)
    return plan


def _typed_keys(dicts: Sequence[Any] | np.ndarray) -> Iterator[Iterator[tuple[str, type]]]:
    return map(zip, map(dict.keys, dicts), map(map, repeat(type), map(dict.values, dicts)))


def read_entity(
    dicts: Sequence[Any] | np.ndarray, spec: Spec, out: dict[str, Raw], bad: np.ndarray, checked: bool = False
) -> bool:
    """The columns of a list of dicts into ``out`` (rows not canonical marked ``bad``); False, with nothing
    written, when Arrow cannot read them as the models would (pyarrow missing, a value it refuses).
    ``checked``: msgspec has seen every key and the JSON type of every cell (``_record_gate``), so the
    per-dict (key, type) pass is skipped."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return False
    plan = _plan(spec, pa)
    if plan is None:
        return False
    n = len(dicts)
    ok = np.ones(n, bool) if checked else np.fromiter(map(plan.pairs.issuperset, _typed_keys(dicts)), bool, n)
    mine: dict[str, Raw] = {}
    local = ~ok
    try:
        table = pa.array(dicts, plan.struct, mask=local).flatten()
    except (TypeError, ValueError, OverflowError, pa.ArrowException):
        return False
    read = [(key, leaf) for key, leaf in spec.leaves.items() if leaf[1] != "text"]
    for col, (key, (column, kind, codes_of)) in zip(table, read, strict=True):
        raw = _column(col, kind, codes_of, local, pa, pc)
        if kind == "list" and not checked and not _all_text(dicts, key, ok):
            return False
        if kind == "ref" and not ok.all():  # a row left out still has its id, as the cell-by-cell reader gives it
            ids = raw.to_numpy(zero_copy_only=False)
            for i in np.flatnonzero(~ok).tolist():
                v = dicts[i].get(key)
                ids[i] = v if type(v) is str else None
            raw = pa.array(ids, pa.string())
        mine[column] = raw
    for key, (column, inner, cert) in spec.records.items():
        values = np.fromiter(map(dict.get, dicts, repeat(key)), object, n)
        kinds = np.fromiter(map(type, values), object, n)
        present = (kinds == _DICT) & ok
        none = kinds == _NONE
        if cert:
            no = kinds == _BOOL
            no[no] = values[no] == False  # noqa: E712 - elementwise
            held = np.where(present, 1, np.where(no, 0, -1)).astype(np.int8)
            mine[column] = Raw("bool", values=held)
            local |= ~(present | none | no)
        else:
            mine[PRESENT + column] = Raw("bool", values=present.astype(np.int8))
            local |= ~(present | none)
        rows = np.flatnonzero(present)
        sub: dict[str, Raw] = {}
        sub_bad = np.zeros(len(rows), bool)
        if not read_entity(values[rows], inner, sub, sub_bad, checked):
            return False
        local[rows[sub_bad]] = True
        mine.update((c, scatter(raw, rows, n)) for c, raw in sub.items())
    out.update(mine)
    bad |= local
    return True


def _all_text(dicts: Sequence[Any] | np.ndarray, key: str, ok: np.ndarray) -> bool:
    """Every item of the lists under ``key`` is a ``str`` (Arrow would take bytes, or a string as letters)."""
    lists = np.fromiter(map(dict.get, dicts, repeat(key)), object, len(dicts))[ok]
    return set(map(type, chain.from_iterable(filter(None, lists)))) <= {str}


def _column(col: Any, kind: str, codes_of: tuple[str, ...], bad: np.ndarray, pa: Any, pc: Any) -> Any:
    """One Arrow column in the form the table intake reads, as ``_record_cells._column`` makes it."""
    valid = col.is_valid().to_numpy(zero_copy_only=False)
    if kind == "ref":  # numbered with the other ids of its table, by Arrow
        return col
    if kind == "enum":
        found = pc.index_in(col, value_set=pa.array(codes_of, pa.string()))
        codes = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        bad |= valid & (codes < 0)
        return Raw("cat", codes, list(codes_of), all_text=True)
    if kind == "bool":
        return Raw("bool", values=col.cast(pa.int8()).fill_null(-1).to_numpy(zero_copy_only=False))
    if kind in ("num", "int"):
        number = col.cast(pa.float64()).to_numpy(zero_copy_only=False)
        finite = np.isfinite(number)
        bad |= valid & ~finite  # NaN is an empty cell to the tables, a number the models refuse
        return Raw("num", values=np.where(finite, number, np.nan), null=~finite)
    if kind == "date":
        days = iso_days(col, bad)
        return Raw("date", values=days, null=np.isnat(days))
    if kind == "list":
        items = pc.list_flatten(col)
        unknown = pc.index_in(items, value_set=pa.array(codes_of, pa.string())).is_null()
        parents = pc.list_parent_indices(col).to_numpy(zero_copy_only=False)
        bad[parents[unknown.to_numpy(zero_copy_only=False)]] = True  # refused by the models, the separator never read
        encoded = pc.dictionary_encode(pc.binary_join(col, _SEPARATOR))
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        lists = [u.split(_SEPARATOR) if u else [] for u in encoded.dictionary.to_pylist()]
        return Raw("cat", codes, lists)
    encoded = pc.dictionary_encode(col)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    uniques = encoded.dictionary.to_pylist()
    off = not_canonical(kind, uniques, True)
    if off:
        bad[np.isin(codes, off)] = True
    return Raw("cat", codes, uniques, all_text=True)
