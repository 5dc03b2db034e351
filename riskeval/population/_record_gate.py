"""Which household dicts may be read by Arrow's converter: their keys and JSON types checked by msgspec, in C.

Arrow's converter ignores unknown keys and coerces what the fact models refuse (``True`` as a number, ``2.5``
as a whole number, a string as a list of letters). msgspec refuses instead (``strict=True``, unknown fields
forbidden), so one ``msgspec.convert`` of the whole list of households, against structs derived from the
layout (``_record_cells.specs``), settles what a Python pass over every key and type did before. It lets
through what the checks after it look at anyway (a code that is not one of its enum's, a blank text, NaN, a
number past int64, a nested record that is a ``dict`` subclass) and subclasses of ``str``, ``int``,
``float`` and ``list``, which the models take as they take the builtins (the dict path's differential law
draws them). The same structs hold the household's shape (a text id, one to ``MAX_CHILDREN`` children, at
most ``MAX_MEMBERS`` members), and a household must be a ``dict``: one it refuses is validated by the models,
which say why.
"""

from __future__ import annotations

from functools import cache
from itertools import chain
from operator import attrgetter
from typing import Annotated, Any

import msgspec
import numpy as np

from riskeval._limits import MAX_CHILDREN, MAX_MEMBERS
from riskeval.population._record_cells import Spec, specs

_BLOCK = 512
_CHILDREN, _MEMBERS = attrgetter("children"), attrgetter("members")
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


def _struct(spec: Spec, name: str, extra: tuple[tuple[str, Any] | tuple[str, Any, Any], ...] = ()) -> Any:
    own = {field[0] for field in extra}
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = [
        (key, _JSON[kind] | None, None) for key, (_, kind, _) in spec.leaves.items() if key not in own
    ]
    for key, (_, inner, cert) in spec.records.items():
        nested = _struct(inner, f"{name}_{key}")
        fields.append((key, nested | bool | None if cert else nested | None, None))
    # gc=False: the structs are dropped at once, and the collector need not track a million of them
    return msgspec.defstruct(name, [*fields, *extra], forbid_unknown_fields=True, gc=False, kw_only=True)


@cache
def _households() -> Any:
    spec = specs()
    child, member = _struct(spec["child"], "Child"), _struct(spec["member"], "Member")
    people: tuple[tuple[str, Any] | tuple[str, Any, Any], ...] = (
        ("id", Annotated[str, msgspec.Meta(min_length=1)]),  # required; a blank one is refused by good_ids
        ("children", Annotated[list.__class_getitem__(child), msgspec.Meta(min_length=1, max_length=MAX_CHILDREN)]),
        ("members", Annotated[list.__class_getitem__(member), msgspec.Meta(max_length=MAX_MEMBERS)] | None, None),
    )  # fmt: skip
    return list.__class_getitem__(_struct(spec["household"], "Household", people))


def canonical_json(households: list[Any]) -> tuple[np.ndarray, dict[str, dict[str, list[Any]]] | None]:
    """Which households are dicts of the canonical shape holding only known keys, each value of its field's
    JSON type (a bool array); and, when all of them are, each entity's certificate cells as msgspec read them
    (``{"child": {"disability": [...]}, ...}``, in the order of the households' children and members), which
    are read faster from its structs than from the dicts.

    The households are converted ``_BLOCK`` at a time, each block's structs dropped before the next: the
    memory is used again instead of new pages being touched (about a third of the check, measured)."""
    spec = specs()
    certs: dict[str, dict[str, list[Any]]] = {
        entity: {key: [] for key, (_, _, cert) in spec[entity].records.items() if cert} for entity in spec
    }
    fits = np.ones(len(households), bool)
    whole = True
    for start in range(0, len(households), _BLOCK):
        block = households[start : start + _BLOCK]
        held = _checked(block)
        if held is None:  # some household fails (a lone surrogate in a key): which ones
            whole = False
            fits[start : start + len(block)] = [_checked([household]) is not None for household in block]
        elif whole:
            kids = list(chain.from_iterable(map(_CHILDREN, held)))
            members = list(chain.from_iterable(filter(None, map(_MEMBERS, held))))
            for entity, structs in (("child", kids), ("member", members), ("household", held)):
                for key, cells in certs[entity].items():
                    cells += map(attrgetter(key), structs)
    return fits, certs if whole else None


def _checked(households: list[Any]) -> list[Any] | None:
    try:
        held: list[Any] = msgspec.convert(households, _households(), strict=True)
    except (msgspec.ValidationError, UnicodeError):  # a lone surrogate in a key is a UnicodeError
        return None
    # msgspec takes any mapping for a struct: the households must be dicts (a child or member that is not one
    # makes Arrow refuse its entity, and the cell-by-cell reader marks it)
    return held if {dict}.issuperset(map(type, households)) else None
