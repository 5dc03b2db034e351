"""The exception tree of riskeval.

This module imports nothing from riskeval so that every other module can import it.
Each error also inherits the builtin it refines, so callers that catch ``ValueError``
keep working.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

# What a record may show of the input lives here, not in riskeval._privacy (which re-exports it), so that
# every FactsError cleans its own records however it was built: a record made anywhere can never carry a
# name or an identity number (the README's promise), and this module still imports nothing from riskeval.
REDACTED = "<redacted>"
# Eleven digits or more in a row: a mobile number (11), an old identity number (15), a resident identity
# number (18), a bank card. No value riskeval checks has that many digits for a good reason.
_LONG_NUMBER = re.compile(r"\d{11,}")
# The same numbers after a float conversion: 610103201104101234.0 prints as 6.101032011041012e+17.
_EXPONENT = re.compile(r"\d(?:\.\d*)?[eE]\+?(\d+)")
# Han characters: names are written in them (extension B holds rare characters of names). Place names too,
# and only the place fields may echo them.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
# A lone surrogate cannot be written as UTF-8: shown as its escape, so that a record can always be printed.
_SURROGATE = re.compile("[\ud800-\udfff]")
PLACE_FIELDS = frozenset({"province", "county"})
_FIELD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\W*$")


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """One located problem: where, what kind, a readable message, and the offending value."""

    loc: str
    code: str
    message: str
    value: Any = None
    row: int | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (a value JSON cannot carry is shown as text: ``"NaN"``, ``"Infinity"``)."""
        out: dict[str, Any] = {"loc": _printable(self.loc), "code": self.code, "message": _printable(self.message)}
        if self.row is not None:
            out["row"] = self.row
        out["value"] = _json_safe(self.value)
        return out


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        # JSON has no token for these: the names JavaScript gives them, as text
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, str):
        return _printable(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(value)


def _printable(text: str) -> str:
    return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text) if not text.isascii() else text


def _big(exponent: re.Match[str]) -> str:
    return REDACTED if int(exponent[1]) >= 10 else exponent[0]


def shown(value: Any, field: str | int | None = None) -> Any:
    """The value as an error may show it: redacted when it may be an identity number or a name."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return REDACTED if abs(value) >= 10**10 else value
    if isinstance(value, float):
        return REDACTED if math.isfinite(value) and abs(value) >= 1e10 else value
    if isinstance(value, str):
        if _LONG_NUMBER.search(value) or _EXPONENT.sub(_big, value) != value:
            return REDACTED
        if field not in PLACE_FIELDS and _HAN.search(value):
            return REDACTED
        return _printable(value)
    if isinstance(value, list | tuple):
        return [_inner(v, field) for v in value]
    if isinstance(value, dict):
        return {str(_inner(str(k))): _inner(v, field) for k, v in value.items()}
    return value


def _inner(value: Any, field: str | int | None = None) -> Any:
    # one level only: a value nested thousands deep must not cost a recursion per level
    return f"<{type(value).__name__}>" if isinstance(value, list | tuple | dict) else shown(value, field)


def scrub_text(text: str, field: str | int | None = None) -> str:
    """A message or location with every run that may be an identity number or a name replaced."""
    if text.isascii():
        return _EXPONENT.sub(_big, _LONG_NUMBER.sub(REDACTED, text)) if any(c.isdigit() for c in text) else text
    out = _EXPONENT.sub(_big, _LONG_NUMBER.sub(REDACTED, text))
    if field not in PLACE_FIELDS:
        out = _HAN.sub(REDACTED, out)
    return _printable(out)


def field_of(loc: str) -> str | None:
    """The last field name of a location (``children[0].hukou.province`` -> ``province``)."""
    m = _FIELD.search(loc)
    return m[1] if m else None


def safe_record(record: ErrorRecord) -> ErrorRecord:
    """The record as it may be shown: its location, message and value scrubbed (the same object if clean)."""
    loc = scrub_text(record.loc)
    # a location that itself held a name (an unknown column "huk张三丰ou.county") names no place field
    field_name = field_of(loc) if loc == record.loc else None
    message = scrub_text(record.message, field_name)
    done = isinstance(record.value, str) and record.value == REDACTED
    value = record.value if done else shown(record.value, field_name)
    if loc == record.loc and message == record.message and value is record.value:
        return record
    return replace(record, loc=loc, message=message, value=value)


class RiskevalError(Exception):
    """The root of every error riskeval raises on purpose."""


class _RecordsError(RiskevalError):
    """An error that carries one or more structured records."""

    def __init__(self, records: list[ErrorRecord], summary: str | None = None) -> None:
        self.records = [safe_record(r) for r in records] if self._scrub else list(records)
        head = (scrub_text(summary) if self._scrub else summary) if summary else f"{len(self.records)} problem(s)"
        if not self.records:  # the promise is a located record: never an error that says nothing
            self.records = [ErrorRecord("<root>", "invalid", head)]
        lines = [head] + [f"  {r.loc}: {r.message} [{r.code}]" for r in self.records[:20]]
        if len(self.records) > 20:
            lines.append(f"  ... and {len(self.records) - 20} more")
        super().__init__(_printable("\n".join(lines)))

    _scrub = False  # whether the records come from input that may hold personal data

    def as_dicts(self) -> list[dict[str, Any]]:
        """Return the records as JSON-ready dicts."""
        return [r.as_dict() for r in self.records]


class FactsError(_RecordsError, ValueError):
    """Input facts (a household, a member, a child, an event) failed validation."""

    _scrub = True


class PackError(_RecordsError, ValueError):
    """A rule pack failed to load: every problem found, each located as file:line:col."""


class EvaluationError(RiskevalError, RuntimeError):
    """A pack could not be evaluated on a date (e.g. a parameter has no value then)."""


class TriggerError(RiskevalError, RuntimeError):
    """An executor of trigger rules failed on an event; names the event."""
