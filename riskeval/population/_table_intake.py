"""Two tables into a validated population: cells checked, households formed, ids joined, nothing guessed.

A child row is rejected for a bad cell of its own, a missing or duplicated id, or a father/mother/
caregiver id that names no member of its household. A whole household's children are rejected when a
member row of it is bad, two members share an id, a member shares a child's id, its household
columns disagree between its children or hold a bad cell, or it says ``household.members`` is ``[]`` (no
adults) while the members table lists some. A member row whose household has no child is
reported and left out. Every rejected child row has at least one record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np

from riskeval._extras import need
from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts import RAGGED
from riskeval.population._cells import PRESENT, Entity, cross_checks, declared_empty
from riskeval.population._intake import Intake
from riskeval.population._joins import (
    check_ids,
    duplicates,
    first_rows,
    group_starts,
    household_codes,
    id_array,
    match,
    same_space,
    show,
    stable_order,
)
from riskeval.population._passed import carried, sort_extra
from riskeval.population._tables import Converter
from riskeval.population.layout import MEMBERS, ROLES, Columns, Strings, add_members_state, add_refs, layout

HOUSEHOLD_PREFIX = "household."


def _table(t: Any, name: str) -> tuple[int, dict[str, Any]]:
    """Rows and columns of a pandas DataFrame, a pyarrow Table or a mapping of arrays."""
    if t is None:
        return 0, {}
    if hasattr(t, "__arrow_c_stream__") and not hasattr(t, "column_names") and not hasattr(t, "iloc"):
        t = _from_capsule(t, name)  # polars, DuckDB, ... through the Arrow PyCapsule protocol
    if hasattr(t, "column_names") and hasattr(t, "num_rows"):  # pyarrow: column by column, text stays Arrow
        return t.num_rows, {str(c): t.column(c) for c in t.column_names}
    if hasattr(t, "columns") and hasattr(t, "__len__") and not isinstance(t, Mapping):
        return len(t), {str(c): t[c] for c in t.columns}
    if isinstance(t, Mapping):
        cols = {str(k): v for k, v in t.items()}
        lengths = {len(v) for v in cols.values()}
        if len(lengths) > 1:
            rec = ErrorRecord(name, "ragged", f"the columns of {name} have different lengths: {sorted(lengths)}")
            raise FactsError([rec], f"{name}: columns of different lengths")
        return (lengths.pop() if lengths else 0), cols
    raise FactsError([ErrorRecord(name, "type", f"{name}: expected a table, found {type(t).__name__}")])


def _from_capsule(t: Any, name: str) -> Any:
    """A table that speaks the Arrow PyCapsule protocol, as a pyarrow Table (read once, no copy of the buffers)."""
    pa = need("pyarrow", f"{name}: reading a {type(t).__name__} (through Arrow)")
    return pa.table(t)


def intake(children: Any, members: Any, on: date) -> Intake:
    """Validate two tables and join them into columns; every rejected row has a record."""
    n, kids = _table(children, "children")
    m, mems = _table(members, "members")
    ragged = kids.pop(RAGGED, None), mems.pop(RAGGED, None)
    check = _Checks(kids, mems, n, m)
    check.unknown_columns()
    check.household_ids()
    check.own_ids()
    check.ragged_rows(*ragged)
    check.role_ids()
    check.convert_cells(on)
    check.cross_check_fields()
    check.household_columns_agree()
    check.attach_members()
    check.member_ids_unique()
    check.no_adults_means_no_member_rows()
    check.index_members()
    check.child_ids_not_member_ids()
    check.child_ids_unique()
    check.roles_name_members()
    check.reject_spoiled_households()
    valid = np.flatnonzero(~check.bad_c)
    cols = _columns(valid, check)
    passed = {}
    for c in check.passed:
        passed[c], records = carried(c, kids[c], valid)
        check.errors += records
    check.errors.sort(key=lambda e: (e.row is not None, e.loc.split(".")[0], e.row or 0))
    return Intake(cols, valid, n, check.errors, passed=passed)


class _Checks:
    """The checks across rows and tables, and the state they share; ``intake`` runs them in order.

    The order is part of the result: records keep it within a row, and a household rejected for
    several reasons names the first.
    """

    errors: list[ErrorRecord]
    bad_c: np.ndarray  # child rows rejected so far
    bad_m: np.ndarray  # member rows with a problem (their household's children are rejected)
    named_c: np.ndarray  # rows whose own ids are good, whatever their other cells hold
    named_m: np.ndarray
    hh_c: np.ndarray  # each row's household code (-1: none)
    hh_m: np.ndarray
    hh_names: np.ndarray  # each code's household id
    u: int  # the number of households; as a code, no household
    cid: np.ndarray  # after role_ids, in one space with mid and the role ids
    mid: np.ndarray
    refs: dict[str, tuple[np.ndarray, np.ndarray]]  # per role: the ids named, and where none is
    ref_values: list[np.ndarray]  # per role, the ids in one space with mid
    conv_c: Converter
    conv_m: Converter
    child: Entity
    home: Entity
    member: Entity
    attached: np.ndarray  # member rows whose household has a child row
    group: np.ndarray  # per member row: its household if it is attached and named, else u
    order: np.ndarray  # the member rows of group < u, sorted by household
    starts: np.ndarray
    sorted_ids: np.ndarray
    lookup: dict[str, Any]  # match()'s table of member ids, built once for all the lookups
    found: dict[str, np.ndarray]  # per role, the position in order of the member it names
    spoiled: dict[int, str]  # household code -> the first reason its children are rejected
    passed: list[str]  # the children table's extra columns carried into the results

    def __init__(self, kids: dict[str, Any], mems: dict[str, Any], n: int, m: int) -> None:
        self.kids, self.mems, self.n, self.m = kids, mems, n, m
        self.lay = layout()
        self.strings = Strings()
        self.errors = []
        self.spoiled = {}

    def _ids(
        self, source: dict[str, Any], size: int, table: str, column: str, required: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values, null, well_formed = id_array(source.get(column), size)
        bad, records = check_ids(values, null, table, column, required, well_formed)
        self.errors.extend(records)
        return values, null, bad

    def _spoil(self, codes: np.ndarray, why: str) -> None:
        for c in np.unique(codes):
            self.spoiled.setdefault(int(c), why)

    def _report(self, rows: Any, loc: str, code: str, say: Any, value: Any = lambda r: None) -> None:
        """One located record per rejected row (``say`` and ``value`` read the row)."""
        self.errors.extend(ErrorRecord(loc, code, say(r), value(r), row=int(r)) for r in rows)

    def _households(self, codes: np.ndarray) -> np.ndarray:
        """Codes with -1 (no household) as ``u``, to index per-household arrays of ``u + 1``."""
        return np.where(codes >= 0, codes, self.u)

    def unknown_columns(self) -> None:
        lay = self.lay
        fields = {"household_id", "name"} | {lf.column for lf in lay["child"] if lf.kind != "record"}
        home_fields = {HOUSEHOLD_PREFIX + lf.column for lf in lay["household"] if lf.kind != "record"}
        home_fields.add(HOUSEHOLD_PREFIX + "members")
        known = {
            "children": fields | {"child_id"} | home_fields,
            "members": {"household_id", "member_id", "name"}
            | {lf.column for lf in lay["member"] if lf.kind != "record"},
        }
        extra = [c for c in self.kids if c not in known["children"] and not c.startswith(PRESENT)]
        ids = "household_id" in self.kids and "child_id" in self.kids
        self.passed, records = sort_extra(extra, known["children"], ids)  # carried into the results
        self.errors += records
        extra = [c for c in self.mems if c not in known["members"] and not c.startswith(PRESENT)]
        ids = "household_id" in self.mems and "member_id" in self.mems
        self.errors += sort_extra(extra, known["members"], ids, "members")[1]  # a result row is a child

    def household_ids(self) -> None:
        """Households coded across both tables; a row whose household id is bad joins none."""
        hv_c, hn_c, self.bad_c = self._ids(self.kids, self.n, "children", "household_id", True)
        hv_m, hn_m, self.bad_m = self._ids(self.mems, self.m, "members", "household_id", True)
        self.hh_c, self.hh_m, self.hh_names = household_codes(hv_c, hn_c | self.bad_c, hv_m, hn_m | self.bad_m)
        self.u = len(self.hh_names)

    def ragged_rows(self, kids: Any, mems: Any) -> None:
        """Rows of a CSV file with more cells than its header (riskeval._csv_rows): each is rejected with one
        record; a member's rejects its household, as any bad member row does. A child's joins no household:
        its empty cells must not stand for its household's columns."""
        for marks, table, bad in ((kids, "children", self.bad_c), (mems, "members", self.bad_m)):
            for r, line in enumerate(marks or ()):
                if line is not None:
                    message = f"{line}: the row is not read (which cell belongs to which column is a guess)"
                    self.errors.append(ErrorRecord(table, "ragged_row", message, row=r))
                    bad[r] = True
                    if table == "children":
                        self.hh_c[r] = -1

    def own_ids(self) -> None:
        self.cid, _, b = self._ids(self.kids, self.n, "children", "child_id", True)
        self.bad_c |= b
        self.mid, _, b = self._ids(self.mems, self.m, "members", "member_id", True)
        self.bad_m |= b
        self.named_c, self.named_m = ~self.bad_c, ~self.bad_m

    def role_ids(self) -> None:
        """Father, mother and caregiver ids, optional; a bad one rejects the child row."""
        self.refs = {}
        for role in ROLES:
            v, null, b = self._ids(self.kids, self.n, "children", role, False)
            self.refs[role], self.bad_c = (v, null), self.bad_c | b
        # a child id and a role id are both looked up among member ids: all text or all whole numbers
        self.cid, self.mid, *self.ref_values = same_space(self.cid, self.mid, *(self.refs[r][0] for r in ROLES))

    def convert_cells(self, on: date) -> None:
        n, m, lay, strings = self.n, self.m, self.lay, self.strings
        self.conv_c, self.conv_m = Converter("children", n, strings, on), Converter("members", m, strings, on)
        self.child = Entity(self.conv_c, lay["child"], self.kids, n)
        home_conv = Converter("children", n, strings, on, HOUSEHOLD_PREFIX)
        self.home = Entity(home_conv, lay["household"], self.kids, n, HOUSEHOLD_PREFIX)
        self.member = Entity(self.conv_m, lay["member"], self.mems, m)
        declared_empty(self.home, self.kids.get(HOUSEHOLD_PREFIX + "members"), n, self.errors)
        self.errors += self.child.records + self.home.records + self.member.records

    def cross_check_fields(self) -> None:
        """The fact models' validators across fields (CROSS_CHECKS), as ``assess()`` would run them."""
        bad = cross_checks(self.child, self.member, self.refs, self.conv_c, self.conv_m, self.errors)
        self.bad_c |= bad | self.child.bad
        self.bad_m |= self.member.bad  # after cross_checks, which marks member rows in place

    def household_columns_agree(self) -> None:
        """A household's columns are given on each of its child rows: the first row's are kept, so the
        household is rejected when a later row says otherwise or any row holds a bad cell."""
        hh_c, home = self.hh_c, self.home
        self._spoil(hh_c[home.bad & (hh_c >= 0)], "a household column of one of its children has a bad cell")
        first = first_rows(hh_c, self.u)
        on_file = np.flatnonzero(hh_c >= 0)
        heads = first[hh_c[on_file]]
        later = on_file != heads  # a household's first row agrees with itself: only the others are compared
        on_file, heads = on_file[later], heads[later]
        for path, col in home.cols.items():
            if home.leaves[path].kind == "record":
                continue
            mine, theirs = col[on_file], col[heads]
            differ = mine != theirs
            if col.dtype.kind == "f":  # unknown on both rows (NaN) agrees
                differ &= ~((mine != mine) & (theirs != theirs))
            if path in home.counts:
                differ |= home.counts[path][on_file] != home.counts[path][heads]
            column = HOUSEHOLD_PREFIX + ".".join(path)
            self._report(on_file[differ], f"children.{column}", "household_conflict",
                         lambda r, c=column: f"{c} differs from the household's first child row "
                         f"({int(first[hh_c[r]])})")  # fmt: skip
            self._spoil(hh_c[on_file[differ]], f"its children disagree on {column}")

    def attach_members(self) -> None:
        """A member row whose household has no child row is reported and left out; the others join a
        household that is assessed, so a bad one rejects it."""
        hh_m, hh_names = self.hh_m, self.hh_names
        has_child = np.zeros(self.u + 1, bool)
        has_child[self.hh_c[self.hh_c >= 0]] = True
        joins = has_child[self._households(hh_m)]
        stray = np.flatnonzero((hh_m >= 0) & ~joins)
        self._report(stray, "members.household_id", "member_without_child",
                     lambda r: f"household {show(hh_names[hh_m[r]])!r} has no child row; the member is left out",
                     lambda r: show(hh_names[hh_m[r]]))  # fmt: skip
        self.attached = (hh_m >= 0) & joins
        self._spoil(hh_m[self.attached & self.bad_m], "a member row of it has errors")

    def member_ids_unique(self) -> None:
        hh_m, hh_names, mid = self.hh_m, self.hh_names, self.mid
        dup = duplicates(np.where(self.attached & self.named_m, hh_m, -1), mid)
        self._report(np.flatnonzero(dup), "members.member_id", "duplicate_id",
                     lambda r: f"member id {show(mid[r])!r} is used twice in household {show(hh_names[hh_m[r]])!r}",
                     lambda r: show(mid[r]))  # fmt: skip
        self._spoil(hh_m[dup], "two of its members share an id")

    def no_adults_means_no_member_rows(self) -> None:
        """``household.members: []`` says there are no adults: member rows of that household contradict it."""
        with_rows = np.zeros(self.u + 1, bool)
        with_rows[self.hh_m[self.attached]] = True
        hh_c = self.hh_c
        said_empty = np.flatnonzero((self.home.cols[MEMBERS] == 1) & (hh_c >= 0) & with_rows[self._households(hh_c)])
        message = "household.members is [] (no adults) but the members table lists some"
        self._report(said_empty, "children.household.members", "conflict", lambda r: message, lambda r: "[]")
        self._spoil(hh_c[said_empty], "household.members says it has no adults, yet it has member rows")

    def index_members(self) -> None:
        """The attached, named members sorted by household, for looking ids up within a household."""
        u = self.u
        # bad rows too: a child naming one is in a rejected household, not naming nobody
        self.group = np.where(self.attached & self.named_m, self.hh_m, u)
        order = stable_order(self.group)
        self.order = order[self.group[order] < u]
        self.starts = group_starts(self.group[self.order], u)
        self.sorted_ids = self.mid[self.order]
        self.lookup = {}

    def _find(self, want: np.ndarray, skip: np.ndarray) -> np.ndarray:
        """Per child row: the position in ``order`` of its household's member with id ``want`` (-1: none)."""
        return match(self.hh_c, want, skip, self.starts, self.sorted_ids, self.lookup)

    def child_ids_not_member_ids(self) -> None:
        cid = self.cid
        clash = self._find(cid, self.bad_c) >= 0
        self._report(np.flatnonzero(clash), "children.child_id", "duplicate_id",
                     lambda r: f"child id {show(cid[r])!r} is also a member id of its household",
                     lambda r: show(cid[r]))  # fmt: skip
        self._spoil(self.hh_c[clash], "a child and a member share an id")

    def child_ids_unique(self) -> None:
        """Every copy of a child id repeated in a household is rejected: which one is right would be a guess."""
        cid = self.cid
        dup = duplicates(np.where(self.named_c, self.hh_c, -1), cid)
        self._report(np.flatnonzero(dup), "children.child_id", "duplicate_id",
                     lambda r: f"child id {show(cid[r])!r} is used by more than one row of its household",
                     lambda r: show(cid[r]))  # fmt: skip
        self.bad_c |= dup

    def roles_name_members(self) -> None:
        """A role names a member of the child's own household, never one elsewhere (``found`` keeps it)."""
        hh_c, hh_names = self.hh_c, self.hh_names
        self.found = {}
        for role, want in zip(ROLES, self.ref_values, strict=True):
            null = self.refs[role][1]
            pos = self.found[role] = self._find(want, self.bad_c | null)
            lost = np.flatnonzero(~self.bad_c & ~null & (pos < 0))
            self._report(lost, f"children.{role}", "unknown_member",
                         lambda r, role=role, want=want: f"{role} {show(want[r])!r} names no member of household "
                         f"{show(hh_names[hh_c[r]])!r}", lambda r, want=want: show(want[r]))  # fmt: skip
            self.bad_c[lost] = True

    def reject_spoiled_households(self) -> None:
        """The children still standing in a spoiled household get the one record that says why."""
        if not self.spoiled:
            return
        hh_c, hh_names, spoiled = self.hh_c, self.hh_names, self.spoiled
        gone = np.zeros(self.u + 1, bool)
        gone[list(spoiled)] = True
        rejected = np.flatnonzero(~self.bad_c & (hh_c >= 0) & gone[self._households(hh_c)])
        self._report(rejected, "children.household_id", "household_rejected",
                     lambda r: f"household {show(hh_names[hh_c[r]])!r} is rejected: {spoiled[int(hh_c[r])]}",
                     lambda r: show(hh_names[hh_c[r]]))  # fmt: skip
        self.bad_c[rejected] = True


def _columns(valid: np.ndarray, check: _Checks) -> Columns:
    """The valid children, their households (numbered by first appearance) and those households' members."""
    hh_c, hh_names, cid, mid, found = check.hh_c, check.hh_names, check.cid, check.mid, check.found
    order, group, home = check.order, check.group, check.home
    codes = hh_c[valid]
    firsts = first_rows(codes, len(hh_names))  # per household code: its first valid child (-1: none)
    present = np.flatnonzero(firsts >= 0)
    present = present[stable_order(firsts[present])]  # the households in order of their first child
    dense = np.full(len(hh_names) + 1, -1, np.int64)
    dense[present] = np.arange(len(present))
    h = len(present)
    child_hh = dense[codes].astype(np.int32)
    sel = np.flatnonzero(dense[np.minimum(group[order], len(hh_names))] >= 0)  # positions in order
    sel = sel[stable_order(dense[group[order[sel]]])]
    kept = order[sel]
    member_hh = dense[group[kept]]
    starts = group_starts(member_hh, h)
    final = np.full(len(order) + 1, len(kept), np.int64)  # position in order -> row of the members table
    final[sel] = np.arange(len(kept))
    roles = {r: final[found[r][valid]].astype(np.int32) for r in ROLES}  # -1 (none) reads the last slot
    heads = valid[firsts[present]]  # each household's first child row: its household columns
    listed = np.zeros(h + 1, np.int8)  # the last: the unknown household
    listed[:h] = np.where((np.diff(starts)[:h] > 0) | (home.cols[MEMBERS][heads] == 1), 2, 0)
    everyone = len(valid) == len(hh_c)
    in_order = len(kept) == len(mid) and bool((kept[1:] > kept[:-1]).all())
    return Columns(
        children=add_refs(check.child.table(None if everyone else valid, sentinel=False), roles, len(kept)),
        members=check.member.table(None if in_order else kept, sentinel=True),
        households=add_members_state(home.table(heads, sentinel=True), listed),
        child_hh=child_hh,
        member_hh=np.concatenate([member_hh, [h]]).astype(np.int32),
        hh_start=starts.astype(np.int32),
        roles=roles,
        child_ids=cid[valid],
        member_ids=mid[kept],
        household_ids=hh_names[present],
        strings=check.strings,
    )
