"""From the numpy program's arrays back to result records, shaped like ``assess()``'s children."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import numpy as np

from riskeval.evaluate.plan import MEMBERS, leap_day, member_key, role_facts
from riskeval.evaluate.vector._gap_facts import Atoms, trace
from riskeval.evaluate.vector._program import Evaluations, VectorProgram
from riskeval.population.layout import ROLES, Columns, Table, unpack_date
from riskeval.schedule.dates import years_counter

_SKIP = object()
Years = Callable[[date, date], int]


def _leaf_value(table: Table, path: tuple[str, ...], r: int, cols: Columns, on: date, years: Years) -> Any:
    """What the scalar form's ``ScalarProgram.values`` shows for one fact of one row (``_SKIP``: nothing)."""
    if path == ("age",):
        born = int(table.cols[("birth_date",)][r])
        if born < 0:
            return _SKIP
        return years(unpack_date(born), on)
    for k in range(1, len(path)):
        state = int(table.cols[path[:k]][r])
        if state == 0:
            return _SKIP
        if state == 1:
            return _SKIP  # a field of a certificate known not to be held: no value to show
    leaf = table.leaves[path]
    v = table.cols[path][r]
    if leaf.kind in ("num", "int"):
        return _SKIP if np.isnan(v) else (int(v) if leaf.kind == "int" else float(v))
    if leaf.kind == "ref":
        return _SKIP if v < 0 else str(cols.member_ids[int(v)])
    if leaf.kind == "list":
        items = table.raw[path][r]
        return _SKIP if items is None else list(items)
    if v < 0:
        return _SKIP
    if leaf.kind == "bool":
        return bool(v)
    if leaf.kind == "date":
        return unpack_date(int(v)).isoformat()
    if leaf.kind == "enum":
        assert leaf.enum is not None
        return list(leaf.enum)[int(v)].value
    return cols.strings.values[int(v)]


class Renderer:
    """Renders the records of one evaluated population, tracing the gaps' facts block by block."""

    def __init__(self, prog: VectorProgram, atoms: Atoms, cols: Columns, out: Evaluations, on: date) -> None:
        self.prog, self.atoms, self.cols, self.out, self.on = prog, atoms, cols, out, on
        pack = prog.pack
        self.years = years_counter(leap_day(pack))
        self.pack_duties = [rule for rule, _ in prog.duties]
        assert out.env is not None
        params = out.env.params
        self.status = ("not_on_roster", pack.on_roster.id, pack.exited.id, "undetermined")  # by STATUS_* code
        self.tiers = [t.id for t in pack.tiers]
        self.frequency = {t.id: t.visit_frequency for t in pack.tiers}
        self.tier_rows = [r.id for r in pack.tier_rows]
        self.levels = [
            [
                (lv.severity or "", pack.points(lv.severity or "", params), role_facts(lv.node, pack, {}))
                for lv, _ in lvs
            ]
            for _, lvs in prog.factors
        ]
        self.factor_ids = [f.id for f, _ in prog.factors]
        self.category_ids = [r.id for r, _ in prog.categories]

    def values(self, facts: list[tuple[str, tuple[str, ...]]], i: int) -> dict[str, Any]:
        cols = self.cols
        out: dict[str, Any] = {}
        for root, path in facts:
            if root == MEMBERS:  # every member of the child's household, in its order
                h = int(cols.child_hh[i])
                for r in range(int(cols.hh_start[h]), int(cols.hh_start[h + 1])):
                    v = _leaf_value(cols.members, path, r, cols, self.on, self.years)
                    if v is not _SKIP:
                        out[member_key(str(cols.member_ids[r]), path)] = v
                continue
            if root == "child":
                table, r = cols.children, i
            elif root == "household":
                table, r = cols.households, int(cols.child_hh[i])
            elif root in ROLES:
                table, r = cols.members, int(cols.roles[root][i])
                if r == cols.m:
                    continue
            else:
                continue
            v = _leaf_value(table, path, r, cols, self.on, self.years)
            if v is not _SKIP:
                out[".".join((root, *path))] = v
        return out

    def records(self, block: int = 20_000) -> Iterator[dict[str, Any]]:
        n = self.cols.n
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            gaps = self.block_gaps(lo, hi)
            for i in range(lo, hi):
                yield self.record(i, gaps.get(i, []))

    def block_gaps(self, lo: int, hi: int) -> dict[int, list[dict[str, Any]]]:
        """The data gaps of children lo..hi, each with its facts (traced for these children only)."""
        found = [(np.flatnonzero(g.mask[lo:hi]) + lo, g) for g in self.out.gaps]
        need = np.unique(np.concatenate([rows for rows, _ in found])) if found else np.zeros(0, np.int64)
        lists = trace(self.prog.pack, self.atoms, self.cols.subset(need), self.on) if len(need) else {}
        texts: dict[int, str] = {}
        out: dict[int, list[dict[str, Any]]] = {}
        for rows, g in found:  # in the order of the gap columns: roster, categories, factors
            if not len(rows):
                continue
            reads = lists[(g.kind, g.rule)]
            at = np.searchsorted(need, rows)
            tiers = g.tier_if_true(rows).tolist()
            statuses = g.status_if_true(rows).tolist()
            severity = self.levels[self.factor_ids.index(g.rule)][g.level][0] if g.kind == "factor" else None
            for i, s, t, code in zip(rows.tolist(), at.tolist(), tiers, statuses, strict=True):
                facts = []
                for atom in reads.atoms[reads.start[s] : reads.end[s]].tolist():
                    text = texts.get(atom)
                    if text is None:
                        text = texts[atom] = self.atoms.text(atom, self.cols.member_ids)
                    facts.append(text)
                status = self.status[code]
                out.setdefault(i, []).append({"kind": g.kind, "rule": g.rule, "facts": facts, "severity": severity,
                                              "tier_if_true": self.tiers[t] if t >= 0 else None,
                                              "status_if_true": status})  # fmt: skip
        return out

    def record(self, i: int, gaps: list[dict[str, Any]]) -> dict[str, Any]:
        out = self.out
        status = self.status[int(out.status[i])]
        t = int(out.tier[i])
        tier = self.tiers[t] if t >= 0 else None
        row = int(out.tier_row[i])
        factors = []
        for k, level in enumerate(out.factors[:, i]):
            if level >= 0:
                sev, pts, facts = self.levels[k][int(level)]
                factors.append({"code": self.factor_ids[k], "severity": sev, "points": pts,
                                "values": self.values(facts, i)})  # fmt: skip
        return {
            "child_id": str(self.cols.child_ids[i]),
            "status": status,
            "categories": [c for c, held in zip(self.category_ids, out.categories[:, i], strict=True) if held],
            "factors": factors,
            "score": int(out.score[i]),
            "tier": tier,
            "visit_frequency": self.frequency[tier] if tier is not None else None,
            "data_gaps": gaps,
            "duties": [
                {"id": d.id, "label": {"zh": d.label.zh, "en": d.label.en}, "source": d.source}
                for d, held in zip(self.pack_duties, out.duties[:, i], strict=True)
                if held
            ],
            "computed_tier": tier,
            "tier_row": self.tier_rows[row] if row >= 0 else None,
        }
