"""When a household's evaluation on one date still holds on another.

An evaluation reads the date in three ways only: the parameters in force, the rules in force, and the
rule trees' own date reads (``on``, and the derived ``age``). When every such read sits inside a
comparison that reads one person besides the date (``child.age < params.adult_age``,
``months_between(m.status_since, on) >= params.away_min_months``), the household's *outlook* on a
date (the parameters, which rules are in force, and every such comparison for every person it could
be read for) decides the date's whole effect: two dates with equal outlooks give equal evaluations.
A pack whose trees read the date any other way has no outlook, and nothing is reused across dates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from riskeval.evaluate.plan import Token, rule_deps
from riskeval.evaluate.scalar import Compiler, Ctx, Fn, generate_scoped
from riskeval.facts import Household
from riskeval.pack import Pack, Rule
from riskeval.pack.expr import nodes as A

_PERSONS = ("child", "father", "mother", "caregiver")
# The nodes a date comparison may hold: reads of one person and the date, arithmetic, numbers.
_PLAIN = (A.Fact, A.Call, A.Arith, A.Param, A.Const)


def _reads_date(n: A.Node) -> bool:
    return isinstance(n, A.Fact) and (n.root == "on" or "age" in n.path)


def date_comparisons(pack: Pack) -> list[tuple[str, A.Compare]] | None:
    """Every comparison through which the date reaches an evaluation, with the one root it reads besides
    the date (child, a role, or a member variable); None when the date reaches one some other way."""
    found: dict[tuple[str, A.Compare], None] = {}

    def visit(n: A.Node) -> bool:
        if isinstance(n, A.Compare) and any(_reads_date(x) for x in A.walk(n)):
            inner = [x for x in A.walk(n) if x is not n]
            roots = {x.root for x in inner if isinstance(x, A.Fact)} - {"on"}
            if len(roots) != 1 or not all(isinstance(x, _PLAIN) for x in inner):
                return False
            found[(roots.pop(), n)] = None
            return True
        return not _reads_date(n) and all(visit(c) for c in A.children(n))

    for rule in _rules(pack):
        if not visit(rule.node):
            return None
    for pred in pack.predicates.values():
        if not visit(pred.node):
            return None
    return list(found)


def _rules(pack: Pack) -> list[Rule]:
    out = [*pack.categories.values(), *pack.tier_rows, pack.exited, pack.on_roster]
    return out + [level for f in pack.factors.values() for level in f.levels]


class Outlook:
    """A household's outlook on a date (see the module): equal outlooks, equal evaluations."""

    def __init__(self, pack: Pack, comparisons: list[tuple[str, A.Compare]]) -> None:
        self.pack = pack
        # Generated like the rules (an outlook is computed for nearly every event the monitor re-assesses),
        # one function per root giving its comparisons' values: a role is bound in the context, any other
        # root but the child and the household is a member variable, the function's argument.
        groups: dict[str, list[A.Node]] = {}
        for root, n in comparisons:
            groups.setdefault(root, []).append(n)
        roots = sorted(groups)
        bound = [None if root in _PERSONS or root == "household" else root for root in roots]
        fns = dict(zip(roots, generate_scoped(pack, [(groups[r], v) for r, v in zip(roots, bound, strict=True)],
                                             Compiler(pack).years), strict=True))  # fmt: skip
        self.of_child: Fn | None = fns.get("child")
        self.of_household: Fn | None = fns.get("household")
        self.of_role = [(root, fns[root]) for root in roots if root in _PERSONS and root != "child"]
        self.of_variable = [fns[root] for root, var in zip(roots, bound, strict=True) if var is not None]
        self.windowed = [r for r in _rules(pack) if r.effective is not None]
        # The facts the comparisons read (evaluate.plan's tokens): an event that changes none of them leaves
        # a household's outlook on a date as it was.
        # A comparison of a member itself (no field) reads what no token names: then nothing carries over.
        reads = rule_deps([n for _, n in comparisons], pack)
        self.reads: frozenset[Token] | None = None if any(t[-1] == "*" for t in reads) else reads

    @classmethod
    def of(cls, pack: Pack) -> Outlook | None:
        """The pack's outlook, or None when its trees read the date other than through comparisons."""
        comparisons = date_comparisons(pack)
        return None if comparisons is None else cls(pack, comparisons)

    def on(self, household: Household, day: date) -> tuple[Any, ...]:
        """The household's outlook on a date."""
        params = self.pack.params_on(day)
        values: list[Any] = []
        if not household.children:
            return params, tuple(r.applies_on(day) for r in self.windowed), ()
        ctx = Ctx(household, household.children[0], day, params)
        roles = ctx.roles
        if self.of_child is not None:
            for child in household.children:
                ctx.child = roles["child"] = child
                values.append(self.of_child(ctx))
        if self.of_household is not None:
            values.append(self.of_household(ctx))
        for member in household.members or ():
            for root, fn in self.of_role:
                roles[root] = member
                values.append(fn(ctx))
            values += [fn(ctx, member, None) for fn in self.of_variable]
        return params, tuple(r.applies_on(day) for r in self.windowed), tuple(values)
