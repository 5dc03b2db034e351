"""The size limits of one household or event, and the cap on the records one of them may produce.

The limits are riskeval._limits', checked before validation. Only what is cheap is checked up front (the length
of two lists); depth is judged only when validation fails, so a valid household pays nothing for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riskeval._limits import MAX_CHILDREN, MAX_DEPTH, MAX_MEMBERS, MAX_RECORDS_PER_HOUSEHOLD
from riskeval.errors import ErrorRecord

_PEOPLE = (("children", MAX_CHILDREN), ("members", MAX_MEMBERS))


def too_many(data: Any) -> list[ErrorRecord]:
    """A record for each list of people longer than its limit (the household is refused unread)."""
    out: list[ErrorRecord] = []
    if type(data) is dict or isinstance(data, Mapping):  # a dict is the usual input: no ABC check
        for key, limit in _PEOPLE:
            people = data.get(key)
            if isinstance(people, list) and len(people) > limit:
                message = f"{len(people)} {key} in one household; at most {limit} are accepted (riskeval._limits)"
                out.append(ErrorRecord(key, "too_many", message, len(people)))
    return out


def too_deep(data: Any) -> ErrorRecord:
    """The first place where the input nests deeper than MAX_DEPTH, found without recursion."""
    found = deeper_than_limit(data)
    return found or ErrorRecord("<root>", "too_deep", "arrays or objects nested too deeply to validate")


def deeper_than_limit(data: Any) -> ErrorRecord | None:
    """A too_deep record where the input nests deeper than MAX_DEPTH, else None.

    Judged here, not by whether the validator or the JSON decoder ran out of stack: how deep they go before
    they do depends on the Python version (3.13 reads far deeper than 3.11), and the record must not."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if len(path) > MAX_DEPTH:
            where = _loc(path[:MAX_DEPTH])
            return ErrorRecord(where, "too_deep", f"arrays or objects nested more than {MAX_DEPTH} deep")
        if isinstance(value, Mapping):
            stack.extend(((*path, str(k)), v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return None


def format_loc(loc: tuple[str | int, ...] | list[str | int]) -> str:
    """Render a location as a field path: ``children[0].birth_date``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


def _loc(path: tuple[str | int, ...]) -> str:
    return format_loc(path)


def capped(records: list[ErrorRecord], limit: int = MAX_RECORDS_PER_HOUSEHOLD) -> list[ErrorRecord]:
    """The first ``limit`` records, then one ``too_many_errors`` record counting the rest."""
    if len(records) <= limit:
        return records
    rest = len(records) - limit
    more = ErrorRecord("<root>", "too_many_errors", f"{rest} more problem(s) not listed (the first {limit} are)", rest)
    return [*records[:limit], more]
