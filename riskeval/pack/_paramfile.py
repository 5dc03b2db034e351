"""The parameters file (parameters.yaml) at load time: schemas, types and a value on every day.

Each parameter's schema and type, the types as written (also of those that failed their schema), and a
value on every day the pack is in effect.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from riskeval.pack._files import PackFile, Parameter
from riskeval.pack._params import gaps, type_of
from riskeval.pack._read import PackReader
from riskeval.pack._rules import RuleCompiler
from riskeval.pack._yaml import Located, Mark
from riskeval.pack.expr.types import BOOL, LIST, NUMBER, STR, Type


def read_parameters(reader: PackReader, doc: Located | None) -> dict[str, tuple[Type, Parameter]]:
    """Each parameter that fits its schema and whose values share one type, with that type."""
    out: dict[str, tuple[Type, Parameter]] = {}
    if doc is None:
        return out
    if not isinstance(doc.data, dict):
        reader.failed.add("parameters")
        reader.problem(doc.mark(()), "schema", "parameters.yaml must map NAME to {label, source, values}")
        return out
    for name in doc.data:
        p = reader.model(doc, Parameter, (name,), f"parameter {name}")
        if p is None:
            continue
        t = type_of(p)
        if t is None:
            reader.problem(doc.mark((name, "values")), "type", f"parameter {name!r}: its values have different types")
            continue
        out[name] = (t, p)
    return out


def types_as_written(doc: Located | None) -> dict[str, Type]:
    """The type of every parameter as written, also of those that failed their schema."""
    out: dict[str, Type] = {}
    if doc is None or not isinstance(doc.data, dict):
        return out
    for name, raw in doc.data.items():
        values = raw.get("values") if isinstance(raw, dict) else None
        if isinstance(name, str) and isinstance(values, list):
            kinds = {_kind(v.get("value")) for v in values if isinstance(v, dict)}
            kind = kinds.pop() if len(kinds) == 1 else None
            if kind is not None:
                out[name] = kind
    return out


def check_dates(loader: RuleCompiler, meta: PackFile, params: dict[str, tuple[Type, Parameter]]) -> None:
    """Every parameter has a value on every day the pack is in effect."""
    start = meta.effective.from_ or date.min
    doc = loader.docs.get("parameters")
    period = f"{meta.effective.from_ or ''}..{meta.effective.to or ''}"
    for name, (_, param) in params.items():
        for d in gaps(param, start, meta.effective.to)[:1]:
            periods = ", ".join(f"{v.from_}..{v.to or ''}" for v in param.values)
            users = loader.param_users.get(name, [])
            used = f"; read by {', '.join(users)}" if users else ""
            loader.problem(
                doc.mark((name, "values")) if doc else Mark("parameters.yaml", 1, 1),
                "missing_value",
                f"parameter {name}: no value on {d}, inside the pack's effective period {period}: "
                f"expected a period covering it, found {periods}{used}",
            )


def _kind(value: Any) -> Type | None:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, list):
        return LIST
    if isinstance(value, str):
        return STR
    return NUMBER if isinstance(value, int | float) else None
