"""The known facts a holding rule read, for its result's ``values`` and its explanation: through a role
(``father.status``), or, for what an aggregation read, of each member (``household.members[<id>].status``)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from riskeval.evaluate.scalar._compile import Ctx
from riskeval.evaluate.semantics import ABSENT, years_between
from riskeval.pack._model import Pack
from riskeval.pack.expr import nodes as A

ROLES = ("child", "father", "mother", "caregiver", "household")
MEMBERS = "members"  # role_facts' root for the facts an aggregation reads of each member
Reads = list[tuple[str, str, tuple[str, ...]]]


def read_values(ctx: Ctx, reads: Reads) -> dict[str, Any]:
    """The known facts a rule read, for the result and the explanation (members by role)."""
    out: dict[str, Any] = {}
    roles = ctx.roles
    for key, root, path in reads:
        if root != MEMBERS:
            _show(out, key, roles.get(root), path, ctx.on)
            continue
        # every member the aggregation visited, in the household's order; most paths are one field
        if len(path) == 1 and path[0] != "age":
            field = path[0]
            for m in ctx.household.members or ():
                v = getattr(m, field)
                if v is not None:
                    out[f"household.members[{m.id}]{key}"] = v if type(v) in _SCALARS else _plain(v)
        else:
            for m in ctx.household.members or ():
                _show(out, f"household.members[{m.id}]{key}", m, path, ctx.on)
    return out


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


_SCALARS = frozenset((bool, int, float, str))


def _show(out: dict[str, Any], key: str, obj: Any, path: tuple[str, ...], on: date) -> None:
    """Put one known fact into a rule's values (an unknown one, or a field of a certificate the person
    does not hold, shows nothing)."""
    for i, part in enumerate(path):
        if obj is None or (obj is False and i > 0):
            return
        if part == "age":
            bd = getattr(obj, "birth_date", None)
            obj = None if bd is None else years_between(bd, on)
        else:
            obj = getattr(obj, part, None)
    if obj is not None and obj is not ABSENT:
        out[key] = obj if type(obj) in _SCALARS else _plain(obj)


def keyed(facts: list[tuple[str, tuple[str, ...]]]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each fact with its key in the values: the dotted path, or for members the part after the id."""
    return [(".".join(("", *path)) if root == MEMBERS else ".".join((root, *path)), root, path) for root, path in facts]


def _plain(v: Any) -> Any:
    if isinstance(v, Enum):  # the most common: _value_ is a plain attribute, .value a Python property
        return v._value_
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if hasattr(v, "model_dump"):
        return v.model_dump(mode="json")
    return v.value if hasattr(v, "value") else v
