"""One table's cells converted into an entity's columns, and the checks that need only one row.

A bad cell, a certificate said absent with its details given, a contradiction between a row's own
fields: each marks that row bad and leaves a record. Checks across rows and tables are in ``_intake``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from riskeval.errors import ErrorRecord
from riskeval.facts import province_of, untraceable_problems
from riskeval.population._raw import as_raw
from riskeval.population._tables import Converter
from riskeval.population._text_cast import typed_text
from riskeval.population.layout import MEMBERS, Leaf, Table, unpack_date

# A column that says a record is given even when every field of it is unknown (``"hukou": {}`` in a dict):
# tables cannot say so, households can, and the two intakes must give the same facts.
PRESENT = "\x00present:"


class Entity:
    """One entity's fact columns converted from a table (children, members, or the household columns)."""

    def __init__(
        self, conv: Converter, leaves: tuple[Leaf, ...], source: dict[str, Any], n: int, prefix: str = ""
    ) -> None:
        self.cols: dict[tuple[str, ...], np.ndarray] = {}
        self.counts: dict[tuple[str, ...], np.ndarray] = {}
        self.raw: dict[tuple[str, ...], np.ndarray] = {}
        self.bad = np.zeros(n, bool)
        self.records: list[ErrorRecord] = []
        self.leaves = {lf.path: lf for lf in leaves if lf.kind not in ("text", "ref")}
        for lf in self.leaves.values():
            if lf.kind == "record":
                continue
            column = source.get(prefix + lf.column)
            cells = conv.convert(lf, typed_text(column, lf) or as_raw(column, n))
            self.cols[lf.path] = cells.data
            self.bad |= cells.bad
            self.records += cells.records
            if cells.count is not None:
                self.counts[lf.path] = cells.count
                self.raw[lf.path] = cells.raw if cells.raw is not None else np.full(n, None, object)
        for lf in self.leaves.values():
            if lf.kind in ("record", "cert"):
                self._state(lf, conv, prefix, n, source.get(PRESENT + prefix + lf.column))

    def _state(self, lf: Leaf, conv: Converter, prefix: str, n: int, given: np.ndarray | None = None) -> None:
        """A record is there when one of its fields is known (or ``given`` says so); a certificate also says
        so itself."""
        inner = [p for p in self.cols if p[: len(lf.path)] == lf.path and len(p) > len(lf.path)]
        known = np.zeros(n, bool) if given is None else np.asarray(getattr(given, "values", given)) > 0
        for p in inner:
            c = self.cols[p]
            known |= ~np.isnan(c) if c.dtype.kind == "f" else c >= 0
        if lf.kind == "record":
            self.cols[lf.path] = np.where(known, 2, 0).astype(np.int8)
            return
        flag = self.cols[lf.path]
        conflict = np.flatnonzero((flag == 0) & known)
        for r in conflict:
            self.records.append(
                conv.record(
                    lf.column,
                    int(r),
                    "conflict",
                    "false (no certificate) but its type, grade or components are given",
                    False,
                )
            )
        self.bad[conflict] = True
        self.cols[lf.path] = np.where(flag == 0, 1, np.where((flag == 1) | known, 2, 0)).astype(np.int8)

    def table(self, rows: np.ndarray | None, sentinel: bool) -> Table:
        """The entity's table for some of its rows (None: all, in order), with the unknown row if asked."""
        n = len(self.bad) if rows is None else len(rows)
        t = Table(n, leaves=self.leaves)
        states = self._states()

        def pick(c: np.ndarray, unknown: Any) -> np.ndarray:
            if not sentinel:
                return c if rows is None else c[rows]
            out = np.empty(n + 1, c.dtype)  # the rows and the unknown row, copied once
            if rows is None:
                out[:n] = c
            else:
                np.take(c, rows, out=out[:n])
            out[n] = unknown
            return out

        for p, c in self.cols.items():
            t.cols[p] = pick(c, np.nan if c.dtype.kind == "f" else 0 if p in states else -1)
        for p, c in self.counts.items():
            t.counts[p] = pick(c, -1)
            t.raw[p] = pick(self.raw[p], None)
        return t

    def _states(self) -> set[tuple[str, ...]]:
        return {p for p, lf in self.leaves.items() if lf.kind in ("record", "cert")}


CROSS_CHECKS = {"Child": {"_birth", "_untraceable_has_no_parent"}, "Member": {"_birth", "_dates_in_order"},
                "Household": {"_ids_resolve"}, "Hukou": {"_province_of_county"}}  # fmt: skip
"""The fact models' own validators this module re-does over columns (a test keeps the list complete)."""


def cross_checks(
    child: Entity,
    member: Entity,
    refs: dict[str, tuple[np.ndarray, np.ndarray]],
    conv_c: Converter,
    conv_m: Converter,
    errors: list[ErrorRecord],
) -> np.ndarray:
    """The fact models' checks across fields: untraceable birth parents name no parent; a member's
    status ends after it began. Marks bad member rows in place; returns the bad child rows."""
    contradiction = np.union1d(_untraceable(child, refs, conv_c, errors), _hukou_province(child, conv_c, errors))
    since, until = member.cols[("status_since",)], member.cols[("status_until",)]
    early = np.flatnonzero((since >= 0) & (until >= 0) & (until < since))
    for r in early:
        a, b = unpack_date(int(until[r])), unpack_date(int(since[r]))
        errors.append(
            conv_m.record("status_until", int(r), "date_order", f"status_until {a} is before status_since {b}", str(a))
        )
    member.bad[early] = True
    bad = np.zeros(child.bad.shape[0], bool)
    bad[contradiction] = True
    return bad


def _hukou_province(child: Entity, conv: Converter, errors: list[ErrorRecord]) -> np.ndarray:
    """The fact model's hukou check: a county code says its province, filled in where the province is unknown
    and a contradiction where another is given. Returns the contradicting rows."""
    county, province = child.cols[("hukou", "county")], child.cols[("hukou", "province")]
    known = county >= 0
    if not known.any():
        return np.zeros(0, np.int64)
    values = conv.strings.values
    implied = np.full(len(county), -1, np.int32)
    counties, which = np.unique(county[known], return_inverse=True)
    implied[known] = np.array([conv.strings.code(province_of(values[c])) for c in counties], np.int32)[which]
    fill = (province < 0) & known
    province[fill] = implied[fill]
    wrong = np.flatnonzero((province >= 0) & known & (province != implied))
    for r in wrong:
        given, own = values[province[r]], values[implied[r]]
        message = f"province {given} is not the province of county {values[county[r]]} ({own})"
        errors.append(conv.record("hukou.province", int(r), "contradiction", message, given))
    return wrong


def _untraceable(
    child: Entity, refs: dict[str, tuple[np.ndarray, np.ndarray]], conv: Converter, errors: list[ErrorRecord]
) -> np.ndarray:
    """The rows where ``untraceable_problems`` (the fact model's check) finds a contradiction, with its records."""
    both = child.cols[("birth_parents_untraceable",)]
    flags = {role: child.cols[(f"{role}_untraceable",)] for role in ("father", "mother")}
    named = {role: ~refs[role][1] for role in ("father", "mother")}
    suspect = (both == 1) & (named["father"] | named["mother"] | (flags["father"] == 0) | (flags["mother"] == 0))
    suspect |= (flags["father"] == 1) & named["father"]
    suspect |= (flags["mother"] == 1) & named["mother"]
    suspect |= (both == 0) & (flags["father"] == 1) & (flags["mother"] == 1)
    rows = np.flatnonzero(suspect)

    def flag(col: np.ndarray, r: int) -> bool | None:
        return None if col[r] < 0 else bool(col[r])

    for r in rows:
        i = int(r)
        args = (flag(both, i), flag(flags["father"], i), flag(flags["mother"], i))
        names = (bool(named["father"][i]), bool(named["mother"][i]))
        for loc, code, message, value in untraceable_problems(*args, *names):
            errors.append(conv.record(str(loc[0]), i, code, message, value))
    return rows


def declared_empty(home: Entity, column: Any, n: int, errors: list[ErrorRecord]) -> None:
    """``household.members``: ``[]`` says the household has no adults; empty leaves it to the member rows
    (none: the adults are unknown, never "no adults")."""
    raw = as_raw(column, n)
    said = np.full(n, -1, np.int8)
    if raw.kind == "cat":
        assert raw.codes is not None
        empty = np.array([isinstance(u, str) and u.strip() == "[]" for u in raw.uniques] + [False])
        said[empty[raw.codes]] = 1
        wrong = np.flatnonzero((raw.codes >= 0) & ~empty[raw.codes])
    else:
        wrong = np.flatnonzero(~raw.null) if raw.null is not None else np.zeros(0, np.int64)
    message = "household.members: write [] for a household without adults, or leave it empty"
    errors += [
        ErrorRecord("children.household.members", "enum", message, str(raw.cell(int(r))), row=int(r)) for r in wrong
    ]
    home.bad[wrong] = True
    home.cols[MEMBERS] = said
    home.leaves[MEMBERS] = Leaf(MEMBERS, "bool")
