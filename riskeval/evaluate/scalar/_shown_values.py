"""The known facts a holding rule read, for its result's ``values`` and its explanation.

Through a role (``father.status``), or, for what an aggregation read, of each member
(``household.members[<id>].status``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any

from riskeval.evaluate.plan import MEMBERS, Reads
from riskeval.evaluate.scalar._compile import Ctx
from riskeval.evaluate.scalar._leaves import Years
from riskeval.evaluate.semantics import ABSENT


def read_values(ctx: Ctx, reads: Reads, years: Years) -> dict[str, Any]:
    """The known facts a rule read, for the result and the explanation (members by role)."""
    out: dict[str, Any] = {}
    roles = ctx.roles
    for key, root, path in reads:
        if root != MEMBERS:
            _show(out, key, roles.get(root), path, ctx.on, years)
            continue
        # every member the aggregation visited, in the household's order; most paths are one field
        if len(path) == 1 and path[0] != "age":
            field = path[0]
            for m in ctx.household.members or ():
                v = getattr(m, field)
                if v is not None:
                    out[f"household.members[{m.id}]{key}"] = v if type(v) in SCALARS else plain(v)
        else:
            for m in ctx.household.members or ():
                _show(out, f"household.members[{m.id}]{key}", m, path, ctx.on, years)
    return out


SCALARS = frozenset((bool, int, float, str))


def _show(out: dict[str, Any], key: str, obj: Any, path: tuple[str, ...], on: date, years: Years) -> None:
    """Put one known fact into a rule's values (an unknown one, or a field of a certificate the person
    does not hold, shows nothing)."""
    for i, part in enumerate(path):
        if obj is None or (obj is False and i > 0):
            return
        if part == "age":
            bd = getattr(obj, "birth_date", None)
            obj = None if bd is None else years(bd, on)
        else:
            obj = getattr(obj, part, None)
    if obj is not None and obj is not ABSENT:
        out[key] = obj if type(obj) in SCALARS else plain(obj)


def plain(v: Any) -> Any:
    """A fact's value as JSON shows it: an enum's value, a date's ISO text, a model dumped, a list item by item."""
    convert = _CONVERT.get(type(v))
    if convert is None:
        convert = _CONVERT[type(v)] = _converter(v)
    return convert(v)


def _converter(v: Any) -> Callable[[Any], Any]:
    """How ``plain`` converts a value of ``v``'s type (the facts' types are few: decided once per type)."""
    if isinstance(v, Enum):  # the most common: _value_ is a plain attribute, .value a Python property
        return _enum_value
    if isinstance(v, date):
        return _iso
    if isinstance(v, list):
        return _items
    if hasattr(v, "model_dump"):
        return _dumped
    return _value if hasattr(v, "value") else _itself


def _enum_value(v: Any) -> Any:
    return v._value_


def _iso(v: Any) -> Any:
    return v.isoformat()


def _items(v: Any) -> Any:
    return [plain(x) for x in v]


def _dumped(v: Any) -> Any:
    return v.model_dump(mode="json")


def _value(v: Any) -> Any:
    return v.value if hasattr(v, "value") else v


def _itself(v: Any) -> Any:
    return v


_CONVERT: dict[type, Callable[[Any], Any]] = {}
