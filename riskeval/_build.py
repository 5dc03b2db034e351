"""Models built from values riskeval computed itself: no second validation.

Results and visit plans are assembled from the evaluator's records, the pack and validated facts, so every
value already has its field's type. Validating them again costs a few microseconds per model, more than
the rest of the assembly, and ``model_construct`` is slower still (it looks up aliases and defaults per
field). :func:`trusted` sets the instance state the way ``model_construct`` does, for models whose every
field is given, in declaration order. Each call checks that the right fields are given (a missing one would
leave a model that breaks later); their order, which only shows in ``model_dump``, is left to
tests/test_build.py, which checks every result against the validated model, field order and types included.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_new = object.__new__
_set = object.__setattr__
# The instance state of a pydantic v2 model; anything else and trusted() validates instead.
_STATE = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
_FAST = BaseModel.__slots__ == _STATE
_NAMES: dict[type[BaseModel], frozenset[str] | None] = {}


def _names(cls: type[BaseModel]) -> frozenset[str] | None:
    """The field names of a model that can be built directly, or None when it needs validation."""
    plain = (
        _FAST
        and not cls.__pydantic_root_model__
        and cls.__pydantic_post_init__ is None
        and not cls.__private_attributes__
        and cls.model_config.get("extra") != "allow"
    )
    names = frozenset(cls.model_fields) if plain else None
    _NAMES[cls] = names
    return names


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """Build ``cls`` from ``values`` (every field, in declaration order) without validating them.

    The dict becomes the instance's ``__dict__``: the caller hands it over and keeps no reference.

    Raises:
        TypeError: ``values`` does not name every field in order (a bug in the caller).
    """
    names = _NAMES[cls] if cls in _NAMES else _names(cls)
    if names is None:
        return cls.model_validate(values)
    if values.keys() != names:
        raise TypeError(f"{cls.__name__}: fields {sorted(values)} are not {sorted(names)}")
    model = _new(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(names))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
