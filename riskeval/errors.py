"""The exception tree of riskeval.

This module imports nothing from riskeval so that every other module can import it.
Each error also inherits the builtin it refines, so callers that catch ``ValueError``
keep working.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


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
        out: dict[str, Any] = {"loc": self.loc, "code": self.code, "message": self.message}
        if self.row is not None:
            out["row"] = self.row
        out["value"] = _json_safe(self.value)
        return out


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        # JSON has no token for these: the names JavaScript gives them, as text
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(value)


class RiskevalError(Exception):
    """The root of every error riskeval raises on purpose."""


class _RecordsError(RiskevalError):
    """An error that carries one or more structured records."""

    def __init__(self, records: list[ErrorRecord], summary: str | None = None) -> None:
        self.records = list(records)
        head = summary or f"{len(self.records)} problem(s)"
        lines = [head] + [f"  {r.loc}: {r.message} [{r.code}]" for r in self.records[:20]]
        if len(self.records) > 20:
            lines.append(f"  ... and {len(self.records) - 20} more")
        super().__init__("\n".join(lines))

    def as_dicts(self) -> list[dict[str, Any]]:
        """Return the records as JSON-ready dicts."""
        return [r.as_dict() for r in self.records]


class FactsError(_RecordsError, ValueError):
    """Input facts (a household, a member, a child, an event) failed validation."""


class PackError(_RecordsError, ValueError):
    """A rule pack failed to load: every problem found, each located as file:line:col."""


class EvaluationError(RiskevalError, RuntimeError):
    """A pack could not be evaluated on a date (e.g. a parameter has no value then)."""


class TriggerError(RiskevalError, RuntimeError):
    """An executor of trigger rules failed on an event; names the event."""
