"""Which household dicts may be read by Arrow's converter: their keys and JSON types checked by msgspec, in C.

Arrow's converter ignores unknown keys and coerces what the fact models refuse (``True`` as a number, ``2.5``
as a whole number, a string as a list of letters). msgspec refuses instead (``strict=True``, unknown fields
forbidden), so one ``msgspec.convert`` of the whole list of households, against structs derived from the
layout (``_record_cells.specs``), settles what a Python pass over every key and type did before. It lets
through what the checks after it look at anyway (a code that is not one of its enum's, a blank text, NaN, a
number past int64, a nested record that is a ``dict`` subclass) and subclasses of ``str``, ``int``,
``float`` and ``list``, which the models take as they take the builtins (the dict path's differential law
draws them). A household it refuses is validated by the models, which say why.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
import numpy as np

from riskeval.population._record_cells import Spec, specs

# The JSON type of a canonical cell of each kind; a date object is left to the models (msgspec would
# take it only in a field of its own type, not beside text).
_JSON: dict[str, Any] = {
    "enum": str,
    "str": str,
    "ref": str,
    "text": str,
    "bool": bool,
    "num": int | float,
    "int": int,
    "date": str,
    "list": list[str],
}


def _struct(spec: Spec, name: str, extra: tuple[tuple[str, Any, Any], ...] = ()) -> Any:
    fields: list[tuple[str, Any, Any]] = [(key, _JSON[kind] | None, None) for key, (_, kind, _) in spec.leaves.items()]
    for key, (_, inner, cert) in spec.records.items():
        nested = _struct(inner, f"{name}_{key}")
        fields.append((key, nested | bool | None if cert else nested | None, None))
    # gc=False: the structs are dropped at once, and the collector need not track a million of them
    return msgspec.defstruct(name, [*fields, *extra], forbid_unknown_fields=True, gc=False)


@cache
def _households() -> Any:
    spec = specs()
    child, member = _struct(spec["child"], "Child"), _struct(spec["member"], "Member")
    people: tuple[tuple[str, Any, Any], ...] = (
        ("children", list.__class_getitem__(child), []),
        ("members", list.__class_getitem__(member) | None, None),
    )
    return list.__class_getitem__(_struct(spec["household"], "Household", people))


def canonical_json(households: list[dict[str, Any]]) -> np.ndarray:
    """Which households hold only known keys, each value of its field's JSON type (a bool array)."""
    shape = _households()
    try:
        msgspec.convert(households, shape, strict=True)
        return np.ones(len(households), bool)
    except (msgspec.ValidationError, UnicodeError):  # some household fails (a lone surrogate in a key): which ones
        pass
    return np.fromiter(map(_fits, households), bool, len(households))


def _fits(household: dict[str, Any]) -> bool:
    try:
        msgspec.convert([household], _households(), strict=True)
    except (msgspec.ValidationError, UnicodeError):
        return False
    return True
