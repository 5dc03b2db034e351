"""Input as text: JSON decoded into values, or into records that say what was wrong.

Never an exception of the decoder's own; input that could not become a JSON object is kept in its place
as :class:`Unparsed`."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskeval.errors import ErrorRecord, FactsError

ROOT = "<root>"
# The column a table read from CSV marks a row in that had more cells than its header (riskeval._csv_rows);
# no fact has this name, and the intake turns each marked row into a ``ragged_row`` record.
RAGGED = "\x00ragged"
BOM = "\ufeff"
_KINDS = {
    str: "a string",
    int: "a number",
    float: "a number",
    list: "an array",
    bool: "true or false",
    type(None): "null",
}


@dataclass(frozen=True)
class Unparsed:
    """An entry of a file that is not a JSON object (not JSON, nested too deeply, or a string, number or
    array), kept at its place in the input: parsing it raises its records, so its row is reported, not
    lost, and the text is never decoded twice (a JSON string would be read as JSON text again)."""

    records: tuple[ErrorRecord, ...]


def loads(text: str | bytes, where: str | None = None, line: int | None = None) -> Any:
    """JSON text as values, or FactsError with one record: ``invalid_json`` or ``too_deep``.

    A leading byte order mark is skipped (Windows editors write one). The decoder's own failures (depth
    past the interpreter's recursion limit, integers past its digit limit) are records like a syntax error.

    Args:
        where: the file the text comes from: the record's ``loc`` (a syntax error adds ``:line:column``);
            without it the record is at ``<root>``, the position in its message.
        line: the file's line the text is (JSON lines): it stands for the text's own line 1.
    """
    if isinstance(text, str) and text.startswith(BOM):
        text = text[1:]
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        row = exc.lineno + (line or 1) - 1
        if where is not None:
            raise _problem(f"{where}:{row}:{exc.colno}", "invalid_json", exc.msg) from None
        raise _problem(ROOT, "invalid_json", f"line {row} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        code, message = "too_deep", "arrays or objects nested too deeply to read"
    except UnicodeDecodeError as exc:
        code, message = "invalid_json", f"not UTF-8 text: {exc}"
    except ValueError:  # int() refuses more digits than its limit (a guard against quadratic conversion)
        code, message = "invalid_json", f"a number of more than {sys.get_int_max_str_digits()} digits"
    if where is not None:
        raise _problem(where if line is None else f"{where}:{line}", code, message) from None
    raise _problem(ROOT, code, message if line is None else f"line {line}: {message}") from None


def _problem(loc: str, code: str, message: str) -> FactsError:
    return FactsError([ErrorRecord(loc, code, message)], f"not valid JSON: {message}")


def as_object(value: Any, line: int | None = None) -> Any:
    """A decoded entry if it is a JSON object, else an :class:`Unparsed` saying an object was expected (its
    value is not echoed: a bare string may be a name)."""
    if isinstance(value, dict):
        return value
    kind = _KINDS.get(type(value), type(value).__name__)
    message = f"expected a JSON object (a household), found {kind}"
    return Unparsed((ErrorRecord(ROOT, "not_an_object", message if line is None else f"line {line}: {message}"),))


def line_entry(text: str, line: int) -> Any:
    """One line of a JSON lines file as a household entry: the object, or an :class:`Unparsed` naming the line."""
    try:
        return as_object(loads(text, line=line), line)
    except FactsError as exc:
        return Unparsed(tuple(exc.records))


def read_problem(path: str | Path, exc: OSError | ValueError) -> FactsError:
    """A file that cannot be read as UTF-8 text, as a record naming it (``file_not_found``, ``unreadable``)."""
    if isinstance(exc, FileNotFoundError):
        return FactsError([ErrorRecord(str(path), "file_not_found", f"no such file: {path}")])
    if isinstance(exc, UnicodeDecodeError):
        excel = " (in Excel: Save As 'CSV UTF-8')" if str(path).lower().endswith(".csv") else ""
        message = f"{path} is not UTF-8 text (GBK, as Excel saves on a Chinese Windows?): save it as UTF-8{excel}"
        return FactsError([ErrorRecord(str(path), "unreadable", message)])
    return FactsError([ErrorRecord(str(path), "unreadable", f"cannot read {path}: {exc}")])
