"""Household dicts read by Arrow's converter in one pass, once msgspec has checked every key and cell type.

``pa.array(dicts, type=struct)`` walks the dicts in C, but it ignores unknown keys and coerces what the fact
models refuse (``True`` as a number, ``2.5`` as a whole number, bytes as text, a string as a list of letters),
so only dicts ``_record_gate`` has let through are read here. The households are read with their children and
members as lists of structs (``read_households``); a nested record that is a dict or nothing (a child's hukou
and residence, a household's economy) is read in the same pass, as a struct in its holder's; a certificate
(``false`` or a dict) is read apart, from the dicts present. Anything the converter refuses (an int past
int64, a mapping that is not a dict) makes the caller read entity by entity (``read_entity``), and an entity
still refused the way ``_record_cells.entity`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import is_
from typing import Any

import numpy as np

from riskeval.population._cells import PRESENT
from riskeval.population._raw import Raw
from riskeval.population._record_cells import Spec, filled, iso_days, not_canonical, pool, scatter

_NONE, _DICT, _BOOL = type(None), dict, bool  # compared with an array of types, element by element
_SEPARATOR = "\x1f"  # joins a list's codes into one text to number the distinct lists; never inside a code
_PLANS: dict[int, tuple[Spec, Any]] = {}
_CODES: dict[tuple[str, ...], Any] = {}


def _plan(spec: Spec, pa: Any) -> Any:
    """The pyarrow struct of the leaves read (names are not), a record that is a dict or nothing as a struct
    of its own leaves (read in the same pass); None when a nested record holds records."""
    held = _PLANS.get(id(spec))
    if held is not None and held[0] is spec:
        return held[1]
    arrow = {"bool": pa.bool_(), "num": pa.float64(), "int": pa.int64(), "list": pa.list_(pa.string())}

    def struct(of: Spec) -> list[Any]:
        return [pa.field(key, arrow.get(kind, pa.string())) for key, (_, kind, _) in _leaves(of)]

    fields = struct(spec)
    fields += [pa.field(key, pa.struct(struct(inner))) for key, (_, inner, cert) in spec.records.items() if not cert]
    nested_ok = all(not inner.records for _, inner, _ in spec.records.values())
    plan = pa.struct(fields) if nested_ok else None
    _PLANS[id(spec)] = (spec, plan)
    return plan


def read_households(households: Sequence[Any], spec: dict[str, Spec]) -> Any:
    """The households as one Arrow struct array, their children's and members' records as lists of structs
    (one converter pass, in the order the dicts lie in memory, and the lists' offsets instead of Python
    passes over the households); None without pyarrow, or when Arrow refuses a value (the caller then reads
    entity by entity, which says which)."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is optional
        return None
    plans = [_plan(spec[entity], pa) for entity in ("household", "child", "member")]
    if any(plan is None for plan in plans):
        return None
    own, kids, adults = plans
    whole = pa.struct([*own, pa.field("children", pa.list_(kids)), pa.field("members", pa.list_(adults))])
    try:
        return pa.array(households, whole, memory_pool=pool(pa))
    except Exception:  # a mapping that is not a dict is read as a sequence: its own code may raise anything
        return None


def _leaves(spec: Spec) -> list[tuple[str, tuple[str, str, tuple[str, ...]]]]:
    return [(key, leaf) for key, leaf in spec.leaves.items() if leaf[1] != "text"]


def read_entity(
    dicts: Sequence[Any] | np.ndarray,
    spec: Spec,
    out: dict[str, Raw],
    bad: np.ndarray,
    certs: Any = None,
    read: list[Any] | None = None,
) -> bool:
    """The columns of a list of dicts, msgspec having seen every key and the JSON type of every cell
    (``_record_gate``), into ``out`` (rows not canonical marked ``bad``); False, with nothing written, when
    Arrow cannot read them as the models would (pyarrow missing, a value it refuses, a mapping not a dict).
    ``certs``: the certificate cells as msgspec read them (key -> a cell per dict), or None; ``read``: the
    dicts' fields as Arrow already read them (the flattened arrays of ``_plan``'s struct), or None."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return False
    plan = _plan(spec, pa)
    if plan is None:
        return False
    n = len(dicts)
    mine: dict[str, Raw] = {}
    local = np.zeros(n, bool)
    try:
        table = pa.array(dicts, plan, memory_pool=pool(pa)).flatten(pool(pa)) if read is None else read
    except Exception:  # a mapping that is not a dict is read as a sequence: its own code may raise anything
        return False
    for col, (_, (column, kind, codes_of)) in zip(table, _leaves(spec), strict=False):
        mine[column] = _column(col, kind, codes_of, local, pa, pc)
    nested = iter(table[len(_leaves(spec)) :])
    for key, (column, inner, cert) in spec.records.items():
        if not cert:  # read with its holder: present when a dict (msgspec let nothing else through but None)
            record = next(nested)
            present = pc.is_valid(record, memory_pool=pool(pa)).to_numpy(zero_copy_only=False)
            mine[PRESENT + column] = Raw("bool", values=present.astype(np.int8))
            for col, (_, (name, kind, codes_of)) in zip(record.flatten(pool(pa)), _leaves(inner), strict=True):
                mine[name] = _column(col, kind, codes_of, local, pa, pc)
            continue
        if certs is None:
            values = np.fromiter(map(dict.get, dicts, repeat(key)), object, n)
            kinds = np.fromiter(map(type, values), object, n)
            present = kinds == _DICT
            none = kinds == _NONE
            no = kinds == _BOOL
            no[no] = values[no] == False  # noqa: E712 - elementwise
            rows = np.flatnonzero(present)
            records = values[rows]
        else:  # msgspec's cells are False, None, True or a record, which is taken from its dict
            cells = certs[key]
            no = np.fromiter(map(is_, cells, repeat(False)), bool, n)
            none = np.fromiter(map(is_, cells, repeat(None)), bool, n)
            other = np.flatnonzero(~(no | none)).tolist()
            found = [dicts[i][key] for i in other]
            present = np.zeros(n, bool)
            present[other] = [type(v) is dict for v in found]
            rows = np.flatnonzero(present)
            records = np.fromiter((v for v in found if type(v) is dict), object, len(rows))
        mine[column] = Raw("bool", values=np.where(present, 1, np.where(no, 0, -1)).astype(np.int8))
        local |= ~(present | none | no)
        sub: dict[str, Raw] = {}
        sub_bad = np.zeros(len(rows), bool)
        if not read_entity(records, inner, sub, sub_bad):
            return False
        local[rows[sub_bad]] = True
        mine.update((c, scatter(raw, rows, n)) for c, raw in sub.items())
    out.update(mine)
    bad |= local
    return True


def _column(col: Any, kind: str, codes_of: tuple[str, ...], bad: np.ndarray, pa: Any, pc: Any) -> Any:
    """One Arrow column in the form the table intake reads, as ``_record_cells._column`` makes it."""
    if kind == "ref":  # numbered with the other ids of its table, by Arrow
        return col
    if kind == "enum":
        found = pc.index_in(col, value_set=_codes(codes_of, pa), memory_pool=pool(pa))
        codes = filled(found, pa, pc)
        if found.null_count > col.null_count:  # a code not of the enum's
            bad |= pc.is_valid(col, memory_pool=pool(pa)).to_numpy(zero_copy_only=False) & (codes < 0)
        return Raw("cat", codes, list(codes_of), all_text=True)
    valid = pc.is_valid(col, memory_pool=pool(pa)).to_numpy(zero_copy_only=False)
    if kind == "bool":
        return Raw("bool", values=_bools(col, valid))
    if kind in ("num", "int"):
        number = col.cast(pa.float64(), memory_pool=pool(pa)).to_numpy(zero_copy_only=False)
        finite = np.isfinite(number)
        bad |= valid & ~finite  # NaN is an empty cell to the tables, a number the models refuse
        return Raw("num", values=np.where(finite, number, np.nan), null=~finite)
    if kind == "date":
        days = iso_days(col, bad)
        return Raw("date", values=days, null=np.isnat(days))
    if kind == "list":
        items = pc.list_flatten(col, memory_pool=pool(pa))
        found = pc.index_in(items, value_set=_codes(codes_of, pa), memory_pool=pool(pa))
        unknown = pc.is_null(found, memory_pool=pool(pa))
        parents = pc.list_parent_indices(col, memory_pool=pool(pa)).to_numpy(zero_copy_only=False)
        bad[parents[unknown.to_numpy(zero_copy_only=False)]] = True  # refused by the models, the separator never read
        joined = pc.binary_join(col, _SEPARATOR, memory_pool=pool(pa))
        encoded = pc.dictionary_encode(joined, memory_pool=pool(pa))
        codes = filled(encoded.indices, pa, pc)
        lists = [u.split(_SEPARATOR) if u else [] for u in encoded.dictionary.to_pylist()]
        return Raw("cat", codes, lists)
    encoded = pc.dictionary_encode(col, memory_pool=pool(pa))
    codes = filled(encoded.indices, pa, pc)
    uniques = encoded.dictionary.to_pylist()
    off = not_canonical(kind, uniques, True)
    if off:
        bad[np.isin(codes, off)] = True
    return Raw("cat", codes, uniques, all_text=True)


def _codes(codes_of: tuple[str, ...], pa: Any) -> Any:
    """An enum's codes as an Arrow array, made once per enum rather than once per column read."""
    held = _CODES.get(codes_of)
    if held is None:
        held = _CODES[codes_of] = pa.array(codes_of, pa.string())
    return held


def _bools(col: Any, valid: np.ndarray) -> np.ndarray:
    """A boolean column as 1, 0 and -1 (unknown), from its bitmap."""
    bits = np.unpackbits(np.frombuffer(col.buffers()[1], np.uint8), bitorder="little")
    held: np.ndarray = np.where(valid, bits[col.offset : col.offset + len(col)], -1).astype(np.int8)
    return held
