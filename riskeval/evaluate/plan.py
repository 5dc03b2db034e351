"""Which facts each rule depends on, and which facts an event changed: to re-evaluate only what it touched.

A dependency is a token: ``("child", field)``, ``("household", field)``, ``("member", field)`` (of any
member: through a role or an aggregation), ``("child", role)`` (which member a role names), or
``("rule", kind, name)`` (another category or factor). A rule none of whose tokens changed keeps its value;
the date is not a token, so the caller reuses results only on the date (or an equivalent one) they were
computed for.
"""

from __future__ import annotations

from typing import Any

from riskeval.facts import Child, Household, Member
from riskeval.pack._model import Pack
from riskeval.pack.expr import nodes as A

Token = tuple[str, ...]
_ROLES = ("father", "mother", "caregiver")
_CHILD_FIELDS = tuple(Child.model_fields)
_HOUSEHOLD_FIELDS = tuple(f for f in Household.model_fields if f not in ("children", "members"))
_MEMBER_FIELDS = tuple(Member.model_fields)


def rule_deps(roots: list[A.Node], pack: Pack) -> frozenset[Token]:
    """The tokens some expressions read, through the bodies of the predicates they call."""
    out: set[Token] = set()
    stack, seen = list(roots), set()
    while stack:
        for n in A.walk(stack.pop()):
            if isinstance(n, A.Fact) and n.root != "on":
                field = ("birth_date" if n.path[0] == "age" else n.path[0]) if n.path else "*"
                if n.root in ("child", "household"):
                    out.add((n.root, field))
                else:  # a role (which member it names matters too), or a member bound by an aggregation
                    out.add(("member", field))
                    if n.root in _ROLES:
                        out.add(("child", n.root))
            elif isinstance(n, A.Agg):
                out.add(("household", "members"))
            elif isinstance(n, A.Ref) and n.kind == "predicate":
                if n.name not in seen:
                    seen.add(n.name)
                    stack.append(pack.predicates[n.name].node)
            elif isinstance(n, A.Ref):
                out.add(("rule", n.kind, n.name))
    return frozenset(out)


def changed(before: Household, after: Household, was: Child, now: Child) -> frozenset[Token] | None:
    """The tokens whose facts differ for one child; None when the members themselves changed (added,
    removed, reordered, or their list became known or unknown): then everything is re-evaluated."""
    out: set[Token] = set()
    if was is not now:
        out.update(("child", f) for f in _CHILD_FIELDS if _differs(getattr(was, f), getattr(now, f)))
    out.update(("household", f) for f in _HOUSEHOLD_FIELDS if _differs(getattr(before, f), getattr(after, f)))
    old, new = before.members, after.members
    if old is not new:
        if old is None or new is None or len(old) != len(new):
            return None
        if any(a.id != b.id for a, b in zip(old, new, strict=True)):
            return None
        for a, b in zip(old, new, strict=True):
            if a is not b:
                out.update(("member", f) for f in _MEMBER_FIELDS if _differs(getattr(a, f), getattr(b, f)))
    return frozenset(out)


def _differs(a: Any, b: Any) -> bool:
    return a is not b and a != b
