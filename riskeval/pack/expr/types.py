"""The types of the rule language, derived from the fact models so the two cannot drift."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel

from riskeval.facts import Child, Household, Member


@dataclass(frozen=True, slots=True)
class Type:
    """A type of the rule language: bool, number, date, str, enum, a list of an enum, a record, members."""

    kind: str
    enum: type[StrEnum] | None = None
    model: type[BaseModel] | None = None

    def __str__(self) -> str:
        if self.kind in {"enum", "enumlist"} and self.enum is not None:
            return f"{self.kind}[{self.enum.__name__}]"
        if self.kind == "record" and self.model is not None:
            return self.model.__name__.lower()
        return self.kind

    def values(self) -> tuple[str, ...]:
        """The allowed literals of an enum type."""
        return tuple(e.value for e in self.enum) if self.enum else ()


BOOL = Type("bool")
NUMBER = Type("number")
DATE = Type("date")
STR = Type("str")
MEMBERS = Type("members", model=Member)
MEMBER = Type("record", model=Member)
LIST = Type("list")  # a literal list (its element types are checked where it is used)

# Facts computed from other facts on the assessment date; documented in docs/rules.md.
DERIVED: dict[type[BaseModel], dict[str, Type]] = {
    Child: {"age": NUMBER},
    Member: {"age": NUMBER},
}


def _type_of(annotation: Any) -> Type | None:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _type_of(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None) and get_origin(a) is not Literal]
        return _type_of(inner[0]) if len(inner) == 1 else None
    if origin is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, StrEnum):
            return Type("enumlist", enum=item)
        if item is Member:
            return MEMBERS
        return None
    if annotation is bool:
        return BOOL
    if annotation in (int, float):
        return NUMBER
    if annotation is date:
        return DATE
    if annotation is str:
        return STR
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return Type("enum", enum=annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Type("record", model=annotation)
    return None


@cache
def fields_of(model: type[BaseModel]) -> dict[str, Type]:
    """The readable fields of a fact model: its own (names and ids excepted) and the derived ones."""
    out: dict[str, Type] = {}
    hints = typing.get_type_hints(model, include_extras=True)
    for name in model.model_fields:
        if name in {"name", "id"} or (model is Household and name == "children"):
            continue
        t = _type_of(hints[name])
        if t is not None:
            out[name] = t
    out.update(DERIVED.get(model, {}))
    return out


# The names an expression may start from, besides params, predicates, categories and factors.
ROOTS: dict[str, Type] = {
    "child": Type("record", model=Child),
    "father": MEMBER,
    "mother": MEMBER,
    "caregiver": MEMBER,
    "household": Type("record", model=Household),
    "on": DATE,
}
