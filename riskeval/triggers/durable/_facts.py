"""Facts in durable-rules' form: engine keys and values, and the engine's hash of a name.

Pure Python, with no ``durable`` import (``_host`` is the only module with one): facts are checked, and
rules compiled (``_ruleset``), without the extra. What it guards against, measured on 2.0.28:

- **Values.** Only ints (within int64: bigger ones saturate silently), bools and strings reach the engine:
  no floats (their printing is rejected or matches nothing); dates are day numbers, money is integer fen. A
  field has one kind in the rules and the facts (int, money and date are different scales). Strings are
  compared for equality only: the engine orders them with ``strncmp`` over its raw JSON buffer, so
  ``"a" < "a!"`` is false and escaped characters sort wrong; beyond 65,535 bytes even equality is wrong.
- **Names.** Every fact key is prefixed with ``f_``, so a caller's ``sid``, ``id`` or ``$s`` cannot clash
  with the engine's; keys starting with ``$`` are rejected. The engine finds properties by a 32-bit FNV hash
  of the name: a key whose hash is that of a reserved name or of another rule field is rejected too.
- **Limits.** At most 250 known properties per fact (the engine stops at 254 with sid and id).
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TypeAlias

from riskeval.errors import TriggerError

Value: TypeAlias = int | str | bool

MAX_PROPERTIES = 250
MAX_STRING_BYTES = 65_535
_INT64 = (-(2**63), 2**63 - 1)
_SHORT = MAX_STRING_BYTES // 6  # a string this short cannot exceed the limit, even with every char escaped
_PREFIX = "f_"
_ALWAYS = "always"  # internal key, true in every message: the target of ("true",)
_WARM = "warm"  # internal key, only in the warm-up message: the target of the sentinel rule


def _fnv1a32(name: str) -> int:
    """Return the engine's hash of a property name (FNV-1a over the raw JSON bytes, C ``char`` signed)."""
    h = 0x811C9DC5
    for byte in json.dumps(name, ensure_ascii=False)[1:-1].encode():
        h = ((h ^ (byte - 256 if byte > 127 else byte)) & 0xFFFFFFFF) * 16777619 & 0xFFFFFFFF
    return h


_RESERVED_NAMES = (
    "sid id $s $i $m $l $r $forward $lt $lte $gt $gte $eq $neq $ex $nex $or $and $mt $imt $iall $iany "
    "$add $sub $mul $div all any pri count cap dist name m run " + f"{_ALWAYS} {_WARM}"
).split()
_RESERVED_HASHES = {_fnv1a32(n): n for n in _RESERVED_NAMES}


@functools.lru_cache(maxsize=4096)
def _engine_key(key: object) -> str:
    """Return the engine's name for a fact key, or raise if the engine could misread it."""
    if not isinstance(key, str) or not key:
        raise TriggerError(f"field {key!r}: expected a non-empty str")
    if key.startswith("$"):
        raise TriggerError(f"field {key!r}: keys starting with '$' are reserved by durable-rules")
    name = _PREFIX + key
    if len(json.dumps(name, ensure_ascii=False).encode("utf-8", "surrogatepass")) > 1024:
        raise TriggerError(f"field {key[:40]!r}...: longer than 1,022 bytes")
    clash = _RESERVED_HASHES.get(_fnv1a32(name))
    if clash is not None:
        raise TriggerError(f"field {key!r}: its engine hash equals that of the reserved name {clash!r}")
    return name


def _kind_and_value(key: str, value: object) -> tuple[str, Value]:
    """Return the kind (bool, int, str, date, money) and the engine value of one fact value."""
    if type(value) is str and len(value) <= _SHORT:  # the common cases first, by exact type
        try:
            value.encode()
        except UnicodeEncodeError:
            raise TriggerError(f"field {key!r}: string {value!r:.40} is not valid Unicode") from None
        return "str", value
    if type(value) is bool:
        return "bool", value
    if type(value) is int and _INT64[0] <= value <= _INT64[1]:
        return "int", value
    if isinstance(value, enum.Enum):
        return _kind_and_value(key, value.value)
    if isinstance(value, int):  # an int subclass, or an int beyond int64
        if not _INT64[0] <= value <= _INT64[1]:
            raise TriggerError(f"field {key!r}: int {value} is outside int64 (the engine saturates it)")
        return "int", int(value)
    if isinstance(value, str):
        raw = json.dumps(value, ensure_ascii=False)
        try:
            size = len(raw.encode("utf-8")) - 2
        except UnicodeEncodeError:
            raise TriggerError(f"field {key!r}: string {value[:40]!r} is not valid Unicode") from None
        if size > MAX_STRING_BYTES:
            raise TriggerError(f"field {key!r}: a string of {size} bytes; the engine compares 65,535")
        return "str", str(value)
    if isinstance(value, datetime):
        raise TriggerError(f"field {key!r}: datetime {value} is not supported, pass a date")
    if isinstance(value, date):
        return "date", value.toordinal()
    if isinstance(value, float | Decimal):
        amount = _decimal(value)
        if not amount.is_finite():
            raise TriggerError(f"field {key!r}: {value} is not a finite number")
        fen = int((amount * 100).to_integral_value(ROUND_HALF_EVEN))
        if not _INT64[0] <= fen <= _INT64[1]:
            raise TriggerError(f"field {key!r}: {value} is outside int64 once in fen")
        return "money", fen
    raise TriggerError(
        f"field {key!r}: unsupported {type(value).__name__} {value!r:.60}; expected int, str, bool, date, "
        "Decimal, float, an enum of these, or None"
    )


def _decimal(value: object) -> Decimal:
    """Read a float by its shortest repr (``0.1`` is 0.1, not 0.1000000000000000055...)."""
    if isinstance(value, enum.Enum):
        return _decimal(value.value)
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def _items(fact: Mapping[str, object]) -> Iterator[tuple[str, str, Value]]:
    """Yield (engine key, kind, engine value) for every known value of a fact."""
    count = 0
    for key, value in fact.items():
        if value is None:
            continue
        count += 1
        if count > MAX_PROPERTIES:
            raise TriggerError(f"fact has more than {MAX_PROPERTIES} known properties (durable-rules limit)")
        name = _engine_key(key)
        kind, engine_value = _kind_and_value(key, value)
        yield name, kind, engine_value


def normalise_fact(fact: Mapping[str, object]) -> dict[str, Value]:
    """Return the engine form of a flat fact: keys prefixed with ``f_``, unknown (None) values left out.

    Dates become day numbers (``date.toordinal()``), Decimal and float money integer fen (rounded half to
    even), enums their value, bools and ints stay. Anything else (NaN, infinity, containers, datetimes,
    ints beyond int64, keys starting with ``$``, more than 250 known properties) raises TriggerError naming
    the key.

    >>> normalise_fact({"income": Decimal("1500.005"), "status": None, "id": 7})
    {'f_income': 150000, 'f_id': 7}
    """
    return {name: value for name, _, value in _items(fact)}


def _describe(fact: Mapping[str, object]) -> str:
    for key in ("event_id", "id"):
        if fact.get(key) is not None:
            return f"event {fact[key]!r}" if key == "event_id" else f"fact id {fact[key]!r}"
    keys = sorted(str(k) for k in fact)
    return f"fact with keys {keys[:6]}{'...' if len(keys) > 6 else ''}"
