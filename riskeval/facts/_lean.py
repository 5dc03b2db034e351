"""A household dict that is plainly valid, checked by msgspec and the models' own checks and built without pydantic.

pydantic validates a household in 25-60 µs, most of it calling back into Python (ids, places, dates, the
cross-field checks). Here msgspec checks keys, types, enum codes, ISO dates and bounds in C (``strict=True``,
unknown fields forbidden), against structs derived from the fact models' annotations; then the checks the
models run in Python (an id's pattern and the resident-identity shape, a place resolved by the same table,
birth dates, the models' validators) run on the converted values; then the models are built directly
(``riskeval._build.trusted``), with the fields the input gave as their fields set. This path only ever
accepts: anything it does not take for certain (a subclass of ``str``, a whole number given as ``2.0``, a
failed check) returns None, and pydantic validates the input as before, so every error record comes from
the same place as before. The law in ``tests/fuzz/test_fuzz_lean.py`` holds it to that: what this path
accepts, pydantic accepts with the same model.
"""

from __future__ import annotations

import re
import sys
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal, get_args, get_origin

import msgspec
from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import AfterValidator, BaseModel, BeforeValidator, WithJsonSchema
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from riskeval._privacy import is_resident_id
from riskeval.facts._models import Child, Household, Hukou, Member, _not_a_resident_id, untraceable_problems
from riskeval.facts._places import PlaceKind, county_code, province_code, province_of

_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")  # the models' Id: pattern ^[A-Za-z0-9_.:-]+$, 1 to 64 characters
_PLACES: dict[str, Callable[[Any], str]] = {"county": county_code, "province": province_code}
_NONE = type(None)
# The validators the models run in Python, by model; each has its counterpart in _CHECKS below. A model that
# gains one makes _shape refuse to build (tests/test_lean_facts.py names them too).
KNOWN_VALIDATORS: dict[str, tuple[str, ...]] = {
    "Household": ("_ids_resolve",),
    "Child": ("_birth", "_untraceable_has_no_parent"),
    "Member": ("_birth", "_dates_in_order"),
    "Hukou": ("_province_of_county",),
}


@dataclass(frozen=True)
class _Shape:
    """How one fact model's dicts are taken: its struct, the value types it may hold, what is checked after."""

    model: type[BaseModel]
    struct: Any
    allowed: frozenset[type]  # the exact types of the converted values (a subclass of str: pydantic's call)
    nested: tuple[tuple[str, _Shape, str], ...]  # key, shape, "one" | "cert" | "list"
    ids: tuple[str, ...]
    places: tuple[tuple[str, Callable[[Any], str]], ...]
    check: Callable[[dict[str, Any], set[str], date], None] | None  # the model's validators, run on the values


def _validators(model: type[BaseModel]) -> tuple[str, ...]:
    found = model.__pydantic_decorators__
    return tuple(sorted([*found.field_validators, *found.model_validators, *found.validators, *found.root_validators]))


@cache
def _shape(model: type[BaseModel]) -> _Shape:
    if _validators(model) != tuple(sorted(KNOWN_VALIDATORS.get(model.__name__, ()))):
        raise TypeError(f"{model.__name__}: validators {_validators(model)} unknown to riskeval.facts._lean")
    hints = typing.get_type_hints(model, include_extras=True)
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    allowed: set[type] = {str, bool, int, float, _NONE, date, list}
    nested: list[tuple[str, _Shape, str]] = []
    ids: list[str] = []
    places: list[tuple[str, Callable[[Any], str]]] = []
    for name, info in model.model_fields.items():
        args = get_args(hints[name]) if get_origin(hints[name]) in (typing.Union, types.UnionType) else (hints[name],)
        optional = _NONE in args
        cert = any(get_origin(a) is Literal for a in args)
        (inner,) = [a for a in args if a is not _NONE and get_origin(a) is not Literal]
        kind, spec = _leaf(inner, info)
        if kind == "id":
            ids.append(name)
        elif kind in _PLACES:
            places.append((name, _PLACES[kind]))
        elif kind in ("one", "list"):
            nested.append((name, spec, "cert" if cert else kind))
            allowed.add(spec.struct)
            spec = list[spec.struct] if kind == "list" else spec.struct  # type: ignore[name-defined]
        elif kind == "enum":
            allowed.add(spec)
        if cert:
            spec = spec | bool
        if optional or info.default_factory is list:
            fields.append((name, spec | None if optional else spec, None if optional else []))
        else:
            fields.append((name, spec))
    struct = msgspec.defstruct(f"Lean{model.__name__}", fields, kw_only=True, forbid_unknown_fields=True, gc=False)
    return _Shape(model, struct, frozenset(allowed), tuple(nested), tuple(ids), tuple(places), _CHECKS.get(model))


def _leaf(annotation: Any, info: FieldInfo) -> tuple[str, Any]:
    """What msgspec checks for one field, and what is checked after it: ``id``, a place level, ``one`` or
    ``list`` (a nested model's shape), ``enum`` or ``plain``."""
    base, metadata = annotation, list(info.metadata)
    if get_origin(annotation) is Annotated:
        base, *extra = get_args(annotation)
        for m in extra:
            metadata += m.metadata if isinstance(m, FieldInfo) else [m]
    bounds: dict[str, Any] = {}
    kind = "plain"
    for m in metadata:
        if isinstance(m, Ge):
            bounds["ge"] = m.ge
        elif isinstance(m, Le):
            bounds["le"] = m.le
        elif isinstance(m, MinLen | MaxLen) or getattr(m, "pattern", None) is not None:
            kind = "id"  # the one pattern in the models, checked after msgspec with its length (_ID)
        elif isinstance(m, PlaceKind):
            kind = m.level
        elif getattr(m, "allow_inf_nan", None) is False:
            bounds.setdefault("le", sys.float_info.max)  # inf refused; NaN fails any bound
            bounds.setdefault("ge", -sys.float_info.max)
        elif isinstance(m, AfterValidator) and m.func is _not_a_resident_id:
            continue  # checked with the pattern, after msgspec (_ID)
        elif (isinstance(m, BeforeValidator) and m.func in _PLACES.values()) or isinstance(m, WithJsonSchema):
            continue  # the place resolver, run after msgspec
        elif getattr(m, "strict", None) is True:
            continue  # msgspec is strict throughout
        else:
            raise TypeError(f"riskeval.facts._lean does not know the constraint {m!r}")
    if isinstance(base, type) and issubclass(base, BaseModel):
        return "one", _shape(base)
    if get_origin(base) is list:
        (item,) = get_args(base)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return "list", _shape(item)
        return "plain", base
    if isinstance(base, type) and issubclass(base, StrEnum):
        return "enum", base
    if base not in (str, bool, int, float, date):
        raise TypeError(f"riskeval.facts._lean does not know the type {base!r}")
    return kind, Annotated[base, msgspec.Meta(**bounds)] if bounds else base


class _RefusedError(Exception):
    """This path does not take the input: pydantic validates it."""


def lean_household(data: Mapping[str, Any], today: date | None) -> Household | None:
    """The household model of a dict that is plainly valid, built without pydantic; None for pydantic to judge."""
    shape = _shape(Household)
    try:
        converted = msgspec.convert(data, shape.struct, strict=True)
        built = _build(converted, data, shape, today or date.today())
    except (msgspec.ValidationError, _RefusedError, PydanticCustomError, UnicodeError):  # a surrogate in a key
        return None
    assert isinstance(built, Household)
    return built


_RESOLVED: dict[tuple[Callable[[Any], str], str], str] = {}  # place text -> code, as its resolver gave it


def _place(resolve: Callable[[Any], str], text: str) -> str:
    code = _RESOLVED.get((resolve, text))
    if code is None:
        code = resolve(text)
        if len(_RESOLVED) > 4096:  # bounded: a population's places are few, a fuzzer's are many
            _RESOLVED.clear()
        _RESOLVED[resolve, text] = code
    return code


_new = object.__new__
_set = object.__setattr__


def _build(value: Any, given: Mapping[str, Any], shape: _Shape, today: date) -> BaseModel:
    values = msgspec.structs.asdict(value)
    if not shape.allowed.issuperset(map(type, values.values())):
        raise _RefusedError
    for key, inner, kind in shape.nested:
        v = values[key]
        if v is None or v is False:  # unknown, or a certificate not held
            continue
        if kind == "list":
            if v:
                values[key] = [_build(item, raw, inner, today) for item, raw in zip(v, given[key], strict=True)]
        elif v is True:  # a certificate is a record or false
            raise _RefusedError
        else:
            values[key] = _build(v, given[key], inner, today)
    for key in shape.ids:
        v = values[key]
        # the resident-identity shape is 18 characters long: only those are looked at
        if v is not None and (_ID.fullmatch(v) is None or (len(v) == 18 and is_resident_id(v))):
            raise _RefusedError
    for key, resolve in shape.places:
        if values[key] is not None:
            values[key] = _place(resolve, values[key])
    fields = set(given)
    if shape.check is not None:
        shape.check(values, fields, today)
    model = _new(shape.model)  # as riskeval._build.trusted, with the fields the input gave as the fields set
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", fields)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def _born(values: dict[str, Any], today: date) -> None:
    born = values["birth_date"]
    if born is not None and (born > today or born.year < 1900):
        raise _RefusedError


def _child(values: dict[str, Any], fields: set[str], today: date) -> None:
    _born(values, today)
    if untraceable_problems(
        values["birth_parents_untraceable"],
        values["father_untraceable"],
        values["mother_untraceable"],
        values["father"] is not None,
        values["mother"] is not None,
    ):
        raise _RefusedError


def _member(values: dict[str, Any], fields: set[str], today: date) -> None:
    _born(values, today)
    since, until = values["status_since"], values["status_until"]
    if since and until and until < since:
        raise _RefusedError


def _hukou(values: dict[str, Any], fields: set[str], today: date) -> None:
    county = values["county"]
    if county is not None:
        province = province_of(county)
        if values["province"] is None:
            values["province"] = province
            fields.add("province")  # the model's validator sets it, which marks it set
        elif values["province"] != province:
            raise _RefusedError


def _household(values: dict[str, Any], fields: set[str], today: date) -> None:
    members, children = values["members"] or (), values["children"]
    member_ids = {m.id for m in members}
    child_ids = {c.id for c in children}
    if not (
        len(member_ids) == len(members)
        and len(child_ids) == len(children)
        and member_ids.isdisjoint(child_ids)
        and all(
            (c.father is None or c.father in member_ids)
            and (c.mother is None or c.mother in member_ids)
            and (c.caregiver is None or c.caregiver in member_ids)
            for c in children
        )
    ):
        raise _RefusedError


_CHECKS: dict[type[BaseModel], Callable[[dict[str, Any], set[str], date], None]] = {
    Household: _household,
    Child: _child,
    Member: _member,
    Hukou: _hukou,
}
