"""Models built from values riskeval computed itself: no second validation.

Results and visit plans are assembled from the evaluator's records, the pack and validated facts, so every
value already has its field's type. Validating them again costs a few microseconds per model, more than
the rest of the assembly, and ``model_construct`` is slower still (it looks up aliases and defaults per
field). :func:`trusted` sets the instance state the way ``model_construct`` does, for models whose every
field is given, in declaration order. Each call checks that the right fields are given (a missing one would
leave a model that breaks later); their order, which only shows in ``model_dump``, is left to
tests/test_build.py, which checks every result against the validated model, field order and types included.

A field may also be given as :class:`Lazy`, a thunk computed on first read (the explanation and the visit plan
of a child's result, which many callers never read): see :func:`lazy_fields`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_new = object.__new__
# The instance state of a pydantic v2 model; anything else and trusted() validates instead.
_STATE = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
_FAST = BaseModel.__slots__ == _STATE
_NAMES: dict[type[BaseModel], frozenset[str] | None] = {}
# The slots' own setters: object.__setattr__ would look each name up on the class first (and go through a
# model's ``__dict__`` property, riskeval's lazy fields), about a third of a trusted() call.
_set_state, _set_fields, _set_extra, _set_private = (BaseModel.__dict__[name].__set__ for name in _STATE)


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


_UNSEEN = frozenset({"not a field name"})  # a class trusted() has not met yet


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """Build ``cls`` from ``values`` (every field, in declaration order) without validating them.

    The dict becomes the instance's ``__dict__``: the caller hands it over and keeps no reference.

    Raises:
        TypeError: ``values`` does not name every field in order (a bug in the caller).
    """
    names = _NAMES.get(cls, _UNSEEN)
    if names is _UNSEEN:
        names = _names(cls)
    if names is None:
        return cls.model_validate(values)
    if values.keys() != names:
        raise TypeError(f"{cls.__name__}: fields {sorted(values)} are not {sorted(names)}")
    model = _new(cls)
    _set_state(model, values)
    _set_fields(model, set(names))
    _set_extra(model, None)
    _set_private(model, None)
    return model


class Lazy:
    """A field value computed when first read: a thunk held in a model's ``__dict__`` until then."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


_dict = BaseModel.__dict__["__dict__"]  # the instance-state slot every pydantic model has
_get_dict, _set_dict = _dict.__get__, _dict.__set__


def _forced(model: BaseModel) -> dict[str, Any]:
    """The instance state with every :class:`Lazy` value computed (in place, so once)."""
    state: dict[str, Any] = _get_dict(model)
    for name, value in state.items():
        if type(value) is Lazy:
            state[name] = value.make()
    return state


# The ``__dict__`` of a model with lazy fields (``__dict__ = forced_state`` in its class body). Everything that
# reads a model's state as a whole reads it through ``__dict__``: pydantic-core's serializer (model_dump, JSON),
# ``==``, ``repr``, copies and pickling. So they all see computed values, the field order unchanged.
forced_state = property(_forced, _set_dict)


class _LazyField:
    """The class attribute of a lazy field: reading it computes the value on first read."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, model: BaseModel | None, owner: type[BaseModel] | None = None) -> Any:
        if model is None:
            return self
        state = _get_dict(model)
        value = state[self.name]
        if type(value) is Lazy:
            value = state[self.name] = value.make()
        return value

    def __set__(self, model: BaseModel, value: Any) -> None:
        model.__setattr__(self.name, value)  # what pydantic does: frozen models refuse


def lazy_fields(cls: type[M], *names: str) -> type[M]:
    """Let these fields of ``cls`` hold a :class:`Lazy` value (given to :func:`trusted`); ``cls`` must set
    ``__dict__ = forced_state`` in its body."""
    if cls.__dict__.get("__dict__") is not forced_state:
        raise TypeError(f"{cls.__name__}: lazy fields need __dict__ = forced_state in the class body")
    for name in names:
        if name not in cls.model_fields:
            raise TypeError(f"{cls.__name__} has no field {name}")
        setattr(cls, name, _LazyField(name))
    return cls
