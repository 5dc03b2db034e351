"""Which facts each rule depends on, and which facts an event changed: to re-evaluate only what it touched.

A dependency is a token: ``("child", field)``, ``("household", field)``, ``("member", field)`` (of any
member: through a role or an aggregation), ``("child", role)`` (which member a role names), or
``("rule", kind, name)`` (another category or factor). A rule none of whose tokens changed keeps its value;
the date is not a token, so the caller reuses results only on the date (or an equivalent one) they were
computed for.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from riskeval.facts import Child, Household, Member
from riskeval.pack import Pack, Rule
from riskeval.pack.expr import nodes as A
from riskeval.schedule.dates import DEFAULT_LEAP_DAY, LeapDay

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


ROLES = ("child", "father", "mother", "caregiver", "household")


MEMBERS = "members"  # role_facts' root for the facts an aggregation reads of each member


Reads = list[tuple[str, str, tuple[str, ...]]]


def role_facts(node: A.Node, pack: Pack, binding: dict[str, str], depth: int = 0) -> list[tuple[str, tuple[str, ...]]]:
    """The facts a rule reads through a role (child, father...) or, as root ``members``, of every member an
    aggregation visits, following predicates; static."""
    out: list[tuple[str, tuple[str, ...]]] = []
    binding = {**binding, **{n.var: MEMBERS for n in A.walk(node) if isinstance(n, A.Agg)}}
    for n in A.walk(node):
        if isinstance(n, A.Fact) and n.path:
            root = binding.get(n.root, n.root)
            if (root in ROLES or root == MEMBERS) and (root, n.path) not in out:
                out.append((root, n.path))
        elif isinstance(n, A.Ref) and n.kind == "predicate" and depth < 8:
            pred = pack.predicates[n.name]
            inner = {
                p: binding.get(a.root, a.root) for p, a in zip(pred.args, n.args, strict=True) if isinstance(a, A.Fact)
            }
            for item in role_facts(pred.node, pack, inner, depth + 1):
                if item not in out:
                    out.append(item)
    return out


def member_key(member_id: str, path: tuple[str, ...]) -> str:
    """How a fact an aggregation read of one member is keyed in a rule's values (the id, never a name)."""
    return ".".join((f"household.members[{member_id}]", *path))


def keyed(facts: list[tuple[str, tuple[str, ...]]]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each fact with its key in the values: the dotted path, or for members the part after the id."""
    return [(".".join(("", *path)) if root == MEMBERS else ".".join((root, *path)), root, path) for root, path in facts]


def edges(pack: Pack) -> list[date]:
    """The days on which some rule or parameter value starts to apply, or stops (the day after its end)."""
    rules = [*pack.predicates.values(), *pack.categories.values(), *pack.tier_rows, pack.exited, pack.on_roster]
    rules += [lv for f in pack.factors.values() for lv in f.levels]
    periods: list[Any] = [r.effective for r in rules if r.effective is not None]
    periods += [v for p in pack.parameters.values() for v in p.values]
    days = {p.from_ for p in periods if p.from_ is not None}
    days |= {p.to + timedelta(days=1) for p in periods if p.to is not None}
    return sorted(days)


def constant_parts(node: A.Node, pack: Pack) -> list[A.Node]:
    """The largest parts of a tier-table condition that read the child's facts and neither a tier input nor
    a category or factor (through predicates too): each has one value per child, whatever the what-if."""
    inside = list(A.walk(node))
    moving = any(isinstance(x, A.TierInput) for x in inside) or any(
        kind in ("category", "factor") for kind, _ in reach([node], pack)
    )
    if moving and isinstance(node, A.Agg):
        return []  # its parts read the member it binds: one value per member, not per child
    if not moving:
        reads = any(isinstance(x, A.Fact | A.Agg) or (isinstance(x, A.Ref) and x.kind == "predicate") for x in inside)
        return [node] if reads else []
    return [part for child in A.children(node) for part in constant_parts(child, pack)]


def duties_by_factor(pack: Pack) -> dict[str, list[Rule]]:
    """For each factor, the pack's duties that read it (through predicates too), in the pack's order."""
    out: dict[str, list[Rule]] = {}
    for duty in pack.duties:
        for kind, name in sorted(reach([duty.node], pack)):
            if kind == "factor":
                out.setdefault(name, []).append(duty)
    return out


def open_duties(by_factor: dict[str, list[Rule]], factor: str, held: list[Rule], on: date) -> list[Rule]:
    """The duties reading a factor that are in force on a date and do not hold (``held``): what its gap may hide."""
    return [d for d in by_factor.get(factor, ()) if d.applies_on(on) and all(d is not h for h in held)]


def reach(roots: list[A.Node], pack: Pack) -> set[tuple[str, str]]:
    """The rules (category, factor, predicate) some expression reads, through predicates' bodies too."""
    seen: set[tuple[str, str]] = set()
    stack = list(roots)
    while stack:
        for n in A.walk(stack.pop()):
            if isinstance(n, A.Ref) and (n.kind, n.name) not in seen:
                seen.add((n.kind, n.name))
                if n.kind == "predicate":
                    stack.append(pack.predicates[n.name].node)
    return seen


def leap_day(pack: Pack) -> LeapDay:
    """The pack's rule for a Feb 29 birthday in a common year (its schedule's), which every age follows."""
    schedule = pack.schedule
    return DEFAULT_LEAP_DAY if schedule is None else schedule.milestones.leap_day_birthday
