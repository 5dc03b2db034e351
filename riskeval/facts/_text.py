"""Text that cannot be written out, found where a writer failed.

A lone surrogate (``"\\ud800"``) is valid in a Python string and in JSON's
``\\u`` escapes, but not in UTF-8, so a fact holding one could be validated and then never stamped, stored or
printed. Validation would pay for a scan of every string of every household; instead the first writer that
fails (the audit digest) asks this module where the bad text is, and the household is refused there."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from pydantic import BaseModel

from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts._guard import format_loc

CODE = "invalid_text"
_encode = msgspec.json.encode
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")  # \ud800-\udfff as JSON escapes it


def _unwritable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unwritable_text(data: Any) -> list[tuple[str | int, ...]]:
    """The paths of every string (value or key) that UTF-8 cannot encode, walked without recursion."""
    found: list[tuple[str | int, ...]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data.model_dump() if isinstance(data, BaseModel) else data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _unwritable(value):
                found.append(path)
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and _unwritable(k):
                    found.append((*path, k))
                stack.append(((*path, str(k)), v))
        elif isinstance(value, list | tuple):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return sorted(found, key=str)


def text_problem(data: Any, what: str = "household") -> FactsError:
    """A FactsError with one ``invalid_text`` record per string that cannot be written as UTF-8."""
    message = "text holding a lone surrogate (\\ud800-\\udfff), which UTF-8 cannot encode (the value is not shown)"
    records = [ErrorRecord(format_loc(p), CODE, message) for p in unwritable_text(data)]
    if not records:
        records = [ErrorRecord("<root>", CODE, message)]
    return FactsError(records, f"{what}: text that cannot be written as UTF-8")


def surely_writable(data: Any) -> bool:
    """Whether raw input (a dict, or JSON text) surely holds no text that UTF-8 cannot encode, told cheaply:
    msgspec's encoder walks a dict in C and refuses a lone surrogate; JSON text holds one only as itself or as
    an escape. False means "not known": a value msgspec does not write (a model, a set) gives False too, and
    the writer, which fails on the facts' text, tells."""
    if type(data) is dict:
        try:
            _encode(data)
        except Exception:  # any refusal, whatever it was, leaves it to the writer
            return False
        return True
    if type(data) is str:
        return _ESCAPED_SURROGATE.search(data) is None and not _unwritable(data)
    return False
