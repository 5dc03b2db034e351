"""Facts as columns: the layout derived from the fact models, and households turned into arrays.

One row per child, per member and per household, each table with its own columns keyed by fact path
(``("hukou", "county")``). Unknown is a sentinel, never false or zero: code ``-1`` for enums, strings,
booleans, dates and list lengths, NaN for numbers. Records (``hukou``, ``economy``...) carry a state
column: 0 unknown, 2 present; a disability certificate also has 1, ``false`` (known not to be held).
The member and household tables end with one extra row where everything is unknown: the row a missing
father or mother points at.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal, get_args, get_origin

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel

from riskeval.facts import Child, Household, Member, PlaceKind

IntArray = NDArray[np.int32]
ROLES = ("father", "mother", "caregiver")
UNKNOWN_STATE, ABSENT_STATE, PRESENT_STATE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Leaf:
    """One column of a table: a fact path, its kind, and the checks its values must pass.

    Kinds: ``id`` (the row's key), ``ref`` (a member id: father, mother, caregiver), ``text`` (free text
    never read by rules, e.g. ``name``), ``enum``, ``bool``, ``num``, ``int``, ``date``, ``str``, ``list``
    (of enum codes), ``record`` (the state of a nested record) and ``cert`` (a disability certificate:
    held, not held, unknown).
    """

    path: tuple[str, ...]
    kind: str
    enum: type[StrEnum] | None = None
    ge: float | None = None
    le: float | None = None
    place: str | None = None  # a GB/T 2260 place (county, province): cells are resolved to codes

    @property
    def column(self) -> str:
        return ".".join(self.path)


def _constraints(annotation: Any) -> tuple[float | None, float | None]:
    ge = le = None
    for meta in getattr(annotation, "__metadata__", ()):
        for m in getattr(meta, "metadata", [meta]):
            ge = getattr(m, "ge", ge)
            le = getattr(m, "le", le)
    return ge, le


def _leaves(model: type[BaseModel], prefix: tuple[str, ...]) -> list[Leaf]:
    out: list[Leaf] = []
    hints = typing.get_type_hints(model, include_extras=True)
    for name in model.model_fields:
        path = (*prefix, name)
        hint = hints[name]
        args = [a for a in get_args(hint) if a is not type(None)] if get_origin(hint) in (
            typing.Union, types.UnionType) else [hint]  # fmt: skip
        cert = any(get_origin(a) is Literal for a in args)
        args = [a for a in args if get_origin(a) is not Literal]
        inner = args[0]
        base = get_args(inner)[0] if get_origin(inner) is Annotated else inner
        ge, le = _constraints(inner)
        if name in ("id", "name", "members", "children"):
            if name == "name":
                out.append(Leaf(path, "text"))
            continue
        if isinstance(base, type) and issubclass(base, BaseModel):
            out.append(Leaf(path, "cert" if cert else "record"))
            out.extend(_leaves(base, path))
        elif get_origin(base) is list:
            out.append(Leaf(path, "list", enum=get_args(base)[0]))
        elif isinstance(base, type) and issubclass(base, StrEnum):
            out.append(Leaf(path, "enum", enum=base))
        elif base is bool:
            out.append(Leaf(path, "bool"))
        elif base is int:
            out.append(Leaf(path, "int", ge=ge, le=le))
        elif base is float:
            out.append(Leaf(path, "num", ge=ge, le=le))
        elif base is date:
            out.append(Leaf(path, "date"))
        elif base is str:
            place = next((m.level for m in getattr(inner, "__metadata__", ()) if isinstance(m, PlaceKind)), None)
            out.append(Leaf(path, "ref" if name in ROLES else "str", place=place))
    return out


@cache
def layout() -> dict[str, tuple[Leaf, ...]]:
    """The leaves of each entity (child, member, household), derived from the fact models."""
    return {
        "child": tuple(_leaves(Child, ())),
        "member": tuple(_leaves(Member, ())),
        "household": tuple(_leaves(Household, ())),
    }


def pack_date(d: date) -> int:
    """A date as one sortable int32: year << 9 | month << 5 | day."""
    return d.year << 9 | d.month << 5 | d.day


def unpack_date(p: int) -> date:
    return date(p >> 9, (p >> 5) & 15, p & 31)


class Strings:
    """The vocabulary of free-text facts (counties, provinces): every string column shares its codes."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.index: dict[str, int] = {}

    def code(self, s: str) -> int:
        c = self.index.get(s)
        if c is None:
            c = self.index[s] = len(self.values)
            self.values.append(s)
        return c

    def lookup(self, s: str) -> int:
        """The code of a string, or -2 (matches nothing) when no row holds it."""
        return self.index.get(s, -2)


@dataclass
class Table:
    """One entity's columns, each an array of ``n`` rows (plus the unknown row for members, households)."""

    n: int
    cols: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)
    counts: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)  # list lengths
    raw: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)  # list items as given (objects)
    leaves: dict[tuple[str, ...], Leaf] = field(default_factory=dict)


@dataclass
class Columns:
    """A population as arrays: children, members (grouped by household, in input order), households."""

    children: Table
    members: Table
    households: Table
    child_hh: IntArray
    member_hh: IntArray
    hh_start: IntArray  # members of household h are rows hh_start[h]:hh_start[h + 1] (H + 2 entries)
    roles: dict[str, IntArray]  # father/mother/caregiver -> member row, or M (the unknown row) if none
    child_ids: np.ndarray  # ids as given: text (objects) or whole numbers
    member_ids: np.ndarray
    household_ids: np.ndarray
    strings: Strings

    @property
    def n(self) -> int:
        return self.children.n

    @property
    def m(self) -> int:
        return self.members.n

    @property
    def h(self) -> int:
        return self.households.n

    def subset(self, rows: NDArray[np.intp]) -> Columns:
        """The same population restricted to some children (members and households kept whole)."""
        c = self.children
        kids = Table(
            len(rows),
            {k: v[rows] for k, v in c.cols.items()},
            {k: v[rows] for k, v in c.counts.items()},
            {k: v[rows] for k, v in c.raw.items()},
            c.leaves,
        )
        roles = {r: v[rows] for r, v in self.roles.items()}
        ids = self.child_ids[rows]
        return Columns(kids, self.members, self.households, self.child_hh[rows], self.member_hh, self.hh_start,
                       roles, ids, self.member_ids, self.household_ids, self.strings)  # fmt: skip


def empty_column(leaf: Leaf, n: int) -> np.ndarray:
    """A column where every row is unknown."""
    if leaf.kind in ("num", "int"):
        return np.full(n, np.nan)
    if leaf.kind in ("record", "cert"):
        return np.zeros(n, np.int8)
    if leaf.kind in ("enum", "bool"):
        return np.full(n, -1, np.int8)
    return np.full(n, -1, np.int32)


class _Builder:
    """Collects one entity's rows as Python lists, then turns them into a Table."""

    def __init__(self, leaves: Iterable[Leaf], strings: Strings) -> None:
        self.leaves = [lf for lf in leaves if lf.kind not in ("text", "ref")]
        self.strings = strings
        self.values: dict[tuple[str, ...], list[Any]] = {lf.path: [] for lf in self.leaves}

    def add(self, obj: BaseModel) -> None:
        for lf in self.leaves:
            v: Any = obj
            for part in lf.path:
                if v is None or v is False:
                    v = None  # under an unknown record, or a certificate not held: read through the state
                    break
                v = getattr(v, part)
            if lf.kind in ("record", "cert"):
                v = UNKNOWN_STATE if v is None else ABSENT_STATE if v is False else PRESENT_STATE
            self.values[lf.path].append(v)

    def table(self, sentinel: bool) -> Table:
        n = len(next(iter(self.values.values()))) if self.values else 0
        t = Table(n, leaves={lf.path: lf for lf in self.leaves})
        for lf in self.leaves:
            vals = self.values[lf.path] + ([None] if sentinel else [])
            t.cols[lf.path] = self.encode(lf, vals)
            if lf.kind == "list":
                items = vals
                t.counts[lf.path] = np.array([-1 if v is None else len(v) for v in items], np.int16)
                t.raw[lf.path] = _objects([None if v is None else [x.value for x in v] for v in items])
        return t

    def encode(self, lf: Leaf, vals: list[Any]) -> np.ndarray:
        kind = lf.kind
        if kind in ("record", "cert"):
            return np.array([UNKNOWN_STATE if v is None else v for v in vals], np.int8)
        if kind == "bool":
            return np.array([-1 if v is None else int(v) for v in vals], np.int8)
        if kind in ("num", "int"):
            return np.array([np.nan if v is None else v for v in vals], np.float64)
        if kind == "date":
            return np.array([-1 if v is None else pack_date(v) for v in vals], np.int32)
        if kind == "enum":
            assert lf.enum is not None
            codes = {e: i for i, e in enumerate(lf.enum)}
            return np.array([-1 if v is None else codes[v] for v in vals], np.int8)
        if kind == "str":
            return np.array([-1 if v is None else self.strings.code(v) for v in vals], np.int32)
        if kind == "list":
            assert lf.enum is not None
            bit = {e: 1 << i for i, e in enumerate(lf.enum)}
            return np.array([-1 if v is None else sum({bit[x] for x in v}) for v in vals], np.int32)
        raise TypeError(kind)


def from_households(households: Sequence[Household], strings: Strings | None = None) -> Columns:
    """Validated households as columns (the scalar models' facts, one row per child, member, household)."""
    strings = strings or Strings()
    lay = layout()
    kids, members, homes = (_Builder(lay[e], strings) for e in ("child", "member", "household"))
    child_hh: list[int] = []
    member_hh: list[int] = []
    roles: dict[str, list[int]] = {r: [] for r in ROLES}
    child_ids: list[str] = []
    member_ids: list[str] = []
    listed: list[int] = []  # whether each household's member list is known
    hh_start = [0]
    for h, hh in enumerate(households):
        homes.add(hh)
        listed.append(UNKNOWN_STATE if hh.members is None else PRESENT_STATE)
        base = len(member_ids)
        where = {m.id: base + i for i, m in enumerate(hh.members or [])}
        for m in hh.members or []:
            members.add(m)
            member_ids.append(m.id)
            member_hh.append(h)
        hh_start.append(len(member_ids))
        for c in hh.children:
            kids.add(c)
            child_ids.append(c.id)
            child_hh.append(h)
            for r in ROLES:
                ref = getattr(c, r)
                roles[r].append(-1 if ref is None else where[ref])
    none = len(member_ids)
    roles_rows = {r: _role_rows(v, none) for r, v in roles.items()}
    return Columns(
        children=add_refs(kids.table(sentinel=False), roles_rows, none),
        members=members.table(sentinel=True),
        households=add_members_state(homes.table(sentinel=True), np.array([*listed, UNKNOWN_STATE], np.int8)),
        child_hh=np.array(child_hh, np.int32),
        member_hh=np.array([*member_hh, len(households)], np.int32),
        hh_start=np.array([*hh_start, len(member_ids)], np.int32),
        roles=roles_rows,
        child_ids=_objects(child_ids),
        member_ids=_objects(member_ids),
        household_ids=_objects([hh.id for hh in households]),
        strings=strings,
    )


MEMBERS = ("members",)


def add_members_state(households: Table, state: np.ndarray) -> Table:
    """Whether each household's list of adults is known (``household.members``): 2 known, 0 unknown."""
    households.cols[MEMBERS] = state
    households.leaves[MEMBERS] = Leaf(MEMBERS, "record")
    return households


def add_refs(children: Table, roles: dict[str, IntArray], none: int) -> Table:
    """The member ids a child names (``child.father``...), readable as facts: a member row, -1 if none."""
    for r in ROLES:
        children.cols[(r,)] = np.where(roles[r] == none, -1, roles[r]).astype(np.int32)
        children.leaves[(r,)] = Leaf((r,), "ref")
    return children


def _objects(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _role_rows(rows: list[int], none: int) -> IntArray:
    a = np.array(rows, np.int32)
    a[a < 0] = none
    return a


def _decode(lf: Leaf, t: Table, i: int, strings: Strings) -> Any:
    v = t.cols[lf.path][i]
    if lf.kind in ("num", "int"):
        return None if np.isnan(v) else (int(v) if lf.kind == "int" else float(v))
    if v < 0:
        return None
    if lf.kind == "bool":
        return bool(v)
    if lf.kind == "date":
        return unpack_date(int(v)).isoformat()
    if lf.kind == "enum":
        assert lf.enum is not None
        return list(lf.enum)[int(v)].value
    if lf.kind == "str":
        return strings.values[int(v)]
    if lf.kind == "list":
        return t.raw[lf.path][i]
    return int(v)


def _record(leaves: Sequence[Leaf], t: Table, i: int, strings: Strings) -> dict[str, Any]:
    """One row back into a fact dict (the inverse of the builder), nested records included."""
    out: dict[str, Any] = {}
    states: dict[tuple[str, ...], int] = {}
    for lf in leaves:
        if lf.kind in ("text", "ref"):
            continue
        parent = lf.path[:-1]
        if parent and states.get(parent) != PRESENT_STATE:
            continue
        if lf.kind in ("record", "cert"):
            state = int(t.cols[lf.path][i])
            states[lf.path] = state
            value: Any = None if state == UNKNOWN_STATE else False if state == ABSENT_STATE else {}
        else:
            value = _decode(lf, t, i, strings)
        target = out
        for part in parent:
            target = target[part]
        target[lf.path[-1]] = value
    return out


def household_dict(cols: Columns, h: int) -> dict[str, Any]:
    """Household ``h`` of a population as the fact dict ``assess`` takes (names are not kept)."""
    lay = layout()
    data = {"id": str(cols.household_ids[h]), **_record(lay["household"], cols.households, h, cols.strings)}
    lo, hi = int(cols.hh_start[h]), int(cols.hh_start[h + 1])
    data["members"] = [
        {"id": str(cols.member_ids[j]), **_record(lay["member"], cols.members, j, cols.strings)} for j in range(lo, hi)
    ]
    if cols.households.cols[MEMBERS][h] == UNKNOWN_STATE:
        data["members"] = None
    kids = []
    for i in np.flatnonzero(cols.child_hh == h):
        kid = {"id": str(cols.child_ids[i]), **_record(lay["child"], cols.children, int(i), cols.strings)}
        for r in ROLES:
            j = int(cols.roles[r][i])
            kid[r] = str(cols.member_ids[j]) if j < cols.m else None
        kids.append(kid)
    data["children"] = kids
    return data
