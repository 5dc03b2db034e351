"""The tier table (tiers.yaml) at load time: names checked, rows and roster rules compiled.

Its names are checked against the pack, its rows and roster rules compiled, and each severity ranked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

from riskeval.pack._files import Parameter, TiersFile
from riskeval.pack._model import Rule
from riskeval.pack._rules import RuleCompiler, row_rule
from riskeval.pack.expr import Scope, suggest
from riskeval.pack.expr.types import Type


def compile_tiers(
    loader: RuleCompiler, tiers: TiersFile | None, scope: Scope, params: dict[str, tuple[Type, Any]]
) -> tuple[list[Rule], tuple[Rule, Rule] | None, list[Rule]]:
    """The tier table's rows, its (exited, on_roster) rules and its duties; every problem goes to the loader,
    located."""
    doc = loader.docs.get("tiers")
    if tiers is None or doc is None:
        return [], None, []

    def known(loc: tuple[str | int, ...], name: str, names: Collection[str], code: str, what: str) -> bool:
        if name in names:
            return True
        if code == "unknown_param" and "param" in scope.unchecked:
            return False  # parameters.yaml could not be read: its own problem is reported, not each use
        loader.problem(doc.mark(loc), code, f"{what} {name!r}{suggest(name, names)}")
        return False

    ids = [t.id for t in tiers.tiers]
    freqs = {f.id for f in tiers.frequencies}
    for i, t in enumerate(tiers.tiers):
        what = f"tier {t.id}: no visit frequency"
        known(("tiers", i, "visit_frequency"), t.visit_frequency, freqs, "unknown_name", what)
    for name, spec in tiers.severities.items():
        if spec.points:
            what = f"severity {name}: unknown parameter"
            known(("severities", name, "points"), spec.points, params, "unknown_param", what)
    known(("domain_cap",), tiers.domain_cap, params, "unknown_param", "domain_cap: unknown parameter")
    tier_scope = dataclasses.replace(scope, tier_inputs=True)
    rows: list[Rule] = []
    reached: set[str] = set()
    for i, row in enumerate(tiers.rows):
        if not known(("rows", i, "tier"), row.tier, ids, "unknown_name", f"tier row {row.id}: no tier"):
            continue
        node = loader.expr("tier_row", row.id, row.when, doc, ("rows", i, "when"), tier_scope)
        if node is not None:
            rows.append(row_rule("tier_row", row, node, doc.mark(("rows", i)), tier=row.tier, floor=row.floor))
            reached.add(row.tier)
    for i, t in enumerate(tiers.tiers):
        if t.id not in reached:
            loader.problem(
                doc.mark(("tiers", i)),
                "unreachable",
                f"tier {t.id!r} can never be reached: no row of the tier table gives it",
            )
    roster = []
    for key in ("exited", "on_roster"):
        r = getattr(tiers.roster, key)
        if key == "on_roster" and r.effective is not None:
            loader.no_dates(doc.mark(("roster", key, "effective")), f"roster {r.id}")
        node = loader.expr(
            "roster",
            r.id,
            r.when,
            doc,
            ("roster", key, "when"),
            tier_scope if key == "on_roster" else scope,
        )
        if node is not None:
            roster.append(row_rule("roster", r, node, doc.mark(("roster", key))))
    duties = []
    seen: set[str] = set()
    for i, duty in enumerate(tiers.duties):
        if duty.id in seen:
            loader.problem(doc.mark(("duties", i, "id")), "duplicate_id", f"duty {duty.id}: the id is already a duty")
            continue
        seen.add(duty.id)
        node = loader.expr("duty", duty.id, duty.when, doc, ("duties", i, "when"), tier_scope)
        if node is not None:
            duties.append(row_rule("duty", duty, node, doc.mark(("duties", i))))
    return rows, (roster[0], roster[1]) if len(roster) == 2 else None, duties


def severity_rank(tiers: TiersFile, params: dict[str, Parameter]) -> dict[str, int]:
    """The rank of each severity: 100 when it is mandatory, plus the most points its parameter ever gives."""
    rank = {s: (100 if spec.mandatory else 0) for s, spec in tiers.severities.items()}
    for s, spec in tiers.severities.items():
        if spec.points:
            rank[s] += int(
                max(float(v.value) for v in params[spec.points].values if not isinstance(v.value, list | str))
            )
    return rank
