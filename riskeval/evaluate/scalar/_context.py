"""Ctx: what one child's evaluation reads (the household, the roles, the date) and remembers as it goes."""

from __future__ import annotations

from datetime import date
from typing import Any

from riskeval.facts import Child, Household


class Ctx:
    """Everything one child's evaluation reads and remembers."""

    __slots__ = ("child", "household", "memo", "names", "on", "params", "results", "roles", "tier", "unknown", "vars")

    def __init__(self, household: Household, child: Child, on: date, params: dict[str, Any]) -> None:
        self.household = household
        self.child = child
        self.on = on
        self.params = params
        by_id = {m.id: m for m in household.members or []}
        self.roles: dict[str, Any] = {
            "child": child,
            "household": household,
            "father": by_id.get(child.father) if child.father else None,
            "mother": by_id.get(child.mother) if child.mother else None,
            "caregiver": by_id.get(child.caregiver) if child.caregiver else None,
            "on": on,
        }
        # Bound member variables live in the same table as the roles (the checker keeps their names apart
        # from the roots), so that a compiled read is one dict lookup whichever it is.
        self.vars = self.roles
        self.names: dict[str, str] = {}  # bound variable -> how a data gap names it (father, members[m2])
        self.memo: dict[tuple[Any, ...], tuple[Any, list[str]]] = {}
        self.results: dict[tuple[str, str], tuple[Any, list[str]]] = {}
        self.unknown: list[str] = []
        self.tier: dict[str, Any] = {}
