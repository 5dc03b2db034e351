"""Two tables into a validated population: cells checked, households formed, ids joined, nothing guessed.

A child row is rejected for a bad cell of its own, a missing or duplicated id, or a father/mother/
caregiver id that names no member of its household. A whole household's children are rejected when a
member row of it is bad, two members share an id, a member shares a child's id, or its household
columns disagree between its children or hold a bad cell. A member row whose household has no child is
reported and left out. Every rejected child row has at least one record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np

from riskeval.batch import Intake
from riskeval.errors import ErrorRecord, FactsError
from riskeval.evaluate._columns import MEMBERS, ROLES, Columns, Strings, add_members_state, add_refs, layout
from riskeval.evaluate._intake_cells import Entity, cross_checks, declared_empty
from riskeval.evaluate._joins import (
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
from riskeval.evaluate._tables import Converter

HOUSEHOLD_PREFIX = "household."


def _table(t: Any, name: str) -> tuple[int, dict[str, Any]]:
    """Rows and columns of a pandas DataFrame, a pyarrow Table or a mapping of arrays."""
    if t is None:
        return 0, {}
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


def intake(children: Any, members: Any, on: date) -> Intake:
    """Validate two tables and join them into columns; every rejected row has a record."""
    today = max(on, date.today())
    n, kids = _table(children, "children")
    m, mems = _table(members, "members")
    lay = layout()
    strings = Strings()
    errors: list[ErrorRecord] = []
    fields = {"household_id", "name"} | {lf.column for lf in lay["child"] if lf.kind != "record"}
    home_fields = {HOUSEHOLD_PREFIX + lf.column for lf in lay["household"] if lf.kind != "record"}
    home_fields.add(HOUSEHOLD_PREFIX + "members")
    known = {
        "children": fields | {"child_id"} | home_fields,
        "members": {"household_id", "member_id", "name"} | {lf.column for lf in lay["member"] if lf.kind != "record"},
    }
    for table, source in (("children", kids), ("members", mems)):
        for c in source:
            if c not in known[table]:
                message = f"unknown column {c!r}, ignored (the columns: riskeval.population.columns())"
                errors.append(ErrorRecord(f"{table}.{c}", "unknown_column", message))

    def ids(
        source: dict[str, Any], size: int, table: str, column: str, required: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values, null, well_formed = id_array(source.get(column), size)
        bad, records = check_ids(values, null, table, column, required, well_formed)
        errors.extend(records)
        return values, null, bad

    hv_c, hn_c, bad_c = ids(kids, n, "children", "household_id", True)
    hv_m, hn_m, bad_m = ids(mems, m, "members", "household_id", True)
    hh_c, hh_m, hh_names = household_codes(hv_c, hn_c | bad_c, hv_m, hn_m | bad_m)
    cid, _, b = ids(kids, n, "children", "child_id", True)
    bad_c |= b
    mid, _, b = ids(mems, m, "members", "member_id", True)
    bad_m |= b
    named_c, named_m = ~bad_c, ~bad_m  # rows whose ids are good, whatever their other cells hold
    refs = {}
    for role in ROLES:
        v, null, b = ids(kids, n, "children", role, False)
        refs[role], bad_c = (v, null), bad_c | b
    cid, mid, *ref_values = same_space(cid, mid, *(refs[r][0] for r in ROLES))
    conv_c, conv_m = Converter("children", n, strings, today), Converter("members", m, strings, today)
    child = Entity(conv_c, lay["child"], kids, n)
    home = Entity(
        Converter("children", n, strings, today, HOUSEHOLD_PREFIX), lay["household"], kids, n, HOUSEHOLD_PREFIX
    )
    member = Entity(conv_m, lay["member"], mems, m)
    declared_empty(home, kids.get(HOUSEHOLD_PREFIX + "members"), n, errors)
    errors += child.records + home.records + member.records
    bad_c |= cross_checks(child, member, refs, conv_c, conv_m, errors) | child.bad
    bad_m |= member.bad

    u = len(hh_names)
    has_child = np.zeros(u + 1, bool)
    has_child[hh_c[hh_c >= 0]] = True
    spoiled: dict[int, str] = {}

    def spoil(codes: np.ndarray, why: str) -> None:
        for c in np.unique(codes):
            spoiled.setdefault(int(c), why)

    def report(rows: Any, loc: str, code: str, say: Any, value: Any = lambda r: None) -> None:
        """One located record per rejected row (``say`` and ``value`` read the row)."""
        errors.extend(ErrorRecord(loc, code, say(r), value(r), row=int(r)) for r in rows)

    spoil(hh_c[home.bad & (hh_c >= 0)], "a household column of one of its children has a bad cell")
    first = first_rows(hh_c, u)
    on_file = np.flatnonzero(hh_c >= 0)
    for path, col in home.cols.items():
        if home.leaves[path].kind == "record":
            continue
        mine, theirs = col[on_file], col[first[hh_c[on_file]]]
        differ = (mine != theirs) & ~((mine != mine) & (theirs != theirs))
        if path in home.counts:
            differ |= home.counts[path][on_file] != home.counts[path][first[hh_c[on_file]]]
        column = HOUSEHOLD_PREFIX + ".".join(path)
        report(on_file[differ], f"children.{column}", "household_conflict",
               lambda r, c=column: f"{c} differs from the household's first child row "
               f"({int(first[hh_c[r]])})")  # fmt: skip
        spoil(hh_c[on_file[differ]], f"its children disagree on {column}")
    stray = np.flatnonzero((hh_m >= 0) & ~has_child[np.where(hh_m >= 0, hh_m, u)])
    report(stray, "members.household_id", "member_without_child",
           lambda r: f"household {show(hh_names[hh_m[r]])!r} has no child row; the member is left out",
           lambda r: show(hh_names[hh_m[r]]))  # fmt: skip
    attached = (hh_m >= 0) & has_child[np.where(hh_m >= 0, hh_m, u)]
    spoil(hh_m[attached & bad_m], "a member row of it has errors")
    dup = duplicates(np.where(attached & named_m, hh_m, -1), mid)
    report(np.flatnonzero(dup), "members.member_id", "duplicate_id",
           lambda r: f"member id {show(mid[r])!r} is used twice in household {show(hh_names[hh_m[r]])!r}",
           lambda r: show(mid[r]))  # fmt: skip
    spoil(hh_m[dup], "two of its members share an id")

    group = np.where(attached & named_m, hh_m, u)  # bad rows too: a child naming one is in a rejected household
    with_rows = np.zeros(u + 1, bool)
    with_rows[hh_m[attached]] = True
    said_empty = np.flatnonzero((home.cols[MEMBERS] == 1) & (hh_c >= 0) & with_rows[np.where(hh_c >= 0, hh_c, u)])
    message = "household.members is [] (no adults) but the members table lists some"
    report(said_empty, "children.household.members", "conflict", lambda r: message, lambda r: "[]")
    spoil(hh_c[said_empty], "household.members says it has no adults, yet it has member rows")
    order = stable_order(group)
    order = order[group[order] < u]
    starts = group_starts(group[order], u)
    sorted_ids = mid[order]
    lookup: dict[str, Any] = {}
    clash = match(hh_c, cid, bad_c, starts, sorted_ids, lookup) >= 0
    report(np.flatnonzero(clash), "children.child_id", "duplicate_id",
           lambda r: f"child id {show(cid[r])!r} is also a member id of its household",
           lambda r: show(cid[r]))  # fmt: skip
    spoil(hh_c[clash], "a child and a member share an id")
    dup = duplicates(np.where(named_c, hh_c, -1), cid)
    report(np.flatnonzero(dup), "children.child_id", "duplicate_id",
           lambda r: f"child id {show(cid[r])!r} is used by more than one row of its household",
           lambda r: show(cid[r]))  # fmt: skip
    bad_c |= dup
    found: dict[str, np.ndarray] = {}
    for role, want in zip(ROLES, ref_values, strict=True):
        null = refs[role][1]
        pos = found[role] = match(hh_c, want, bad_c | null, starts, sorted_ids, lookup)
        lost = np.flatnonzero(~bad_c & ~null & (pos < 0))
        report(lost, f"children.{role}", "unknown_member",
               lambda r, role=role, want=want: f"{role} {show(want[r])!r} names no member of household "
               f"{show(hh_names[hh_c[r]])!r}", lambda r, want=want: show(want[r]))  # fmt: skip
        bad_c[lost] = True
    if spoiled:
        gone = np.zeros(u + 1, bool)
        gone[list(spoiled)] = True
        rejected = np.flatnonzero(~bad_c & (hh_c >= 0) & gone[np.where(hh_c >= 0, hh_c, u)])
        report(rejected, "children.household_id", "household_rejected",
               lambda r: f"household {show(hh_names[hh_c[r]])!r} is rejected: {spoiled[int(hh_c[r])]}",
               lambda r: show(hh_names[hh_c[r]]))  # fmt: skip
        bad_c[rejected] = True
    cols = _columns(np.flatnonzero(~bad_c), hh_c, hh_names, cid, mid, found, child, home, member, order, group, strings)
    errors.sort(key=lambda e: (e.row is not None, e.loc.split(".")[0], e.row or 0))
    return Intake(cols, np.flatnonzero(~bad_c), n, errors)


def _columns(
    valid: np.ndarray,
    hh_c: np.ndarray,
    hh_names: np.ndarray,
    cid: np.ndarray,
    mid: np.ndarray,
    found: dict[str, np.ndarray],
    child: Entity,
    home: Entity,
    member: Entity,
    order: np.ndarray,
    group: np.ndarray,
    strings: Strings,
) -> Columns:
    """The valid children, their households (numbered by first appearance) and those households' members.

    ``found``: for each role, the position in ``order`` (the household-sorted members) it names.
    """
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
        children=add_refs(child.table(None if everyone else valid, sentinel=False), roles, len(kept)),
        members=member.table(None if in_order else kept, sentinel=True),
        households=add_members_state(home.table(heads, sentinel=True), listed),
        child_hh=child_hh,
        member_hh=np.concatenate([member_hh, [h]]).astype(np.int32),
        hh_start=starts.astype(np.int32),
        roles=roles,
        child_ids=cid[valid],
        member_ids=mid[kept],
        household_ids=hh_names[present],
        strings=strings,
    )
