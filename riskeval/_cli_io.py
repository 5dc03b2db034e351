"""What every ``riskeval`` subcommand shares: dates from arguments, households from JSON input, error
records on stderr (one JSON object per line), and :func:`dumps`, the strict JSON of every output.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from riskeval.errors import ErrorRecord, EvaluationError, FactsError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def read_households(source: str, stdin: TextIO | None = None) -> list[Any]:
    """The households of a file (``-``: stdin): one JSON object, a JSON list of them, or JSON lines."""
    try:
        text = (stdin or sys.stdin).read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FactsError([ErrorRecord(source, "file_not_found", f"no such file: {source}")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FactsError([ErrorRecord(source, "unreadable", f"cannot read {source}: {exc}")]) from None
    name = "<stdin>" if source == "-" else source
    body = text.strip()
    if not body:
        raise FactsError([ErrorRecord(name, "empty_input", "the input holds no household")])
    try:
        data = json.loads(body)
    except json.JSONDecodeError as whole:
        if body[0] != "{" or not _first_line_parses(body):
            loc = f"{name}:{whole.lineno}:{whole.colno}"
            raise FactsError([ErrorRecord(loc, "invalid_json", whole.msg)]) from None
        return list(_json_lines(text, name))
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise FactsError(
        [ErrorRecord(name, "not_a_household", f"expected an object or a list, found {type(data).__name__}")]
    )


def _first_line_parses(body: str) -> bool:
    try:
        json.loads(body.splitlines()[0])
    except json.JSONDecodeError:
        return False
    return True


def _json_lines(text: str, name: str) -> Iterator[Any]:
    records = []
    items = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                records.append(ErrorRecord(f"{name}:{n}:{exc.colno}", "invalid_json", exc.msg))
    if records:
        raise FactsError(records)
    yield from items


# --- output --------------------------------------------------------------------------------------


def dumps(data: Any, indent: int | None = None) -> str:
    """Every JSON the command line writes: strict JSON (no bare NaN or Infinity, which JSON has not; error
    records name them as text), non-ASCII text as itself."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=indent)


def _errors(records: Sequence[ErrorRecord], row: int | None = None) -> None:
    for r in records:
        out = r.as_dict()
        if row is not None:
            out = {"row": row, **out}
        print(dumps(out), file=sys.stderr)


def _records_of(exc: BaseException) -> list[ErrorRecord]:
    records = getattr(exc, "records", None)
    if isinstance(records, list) and records:
        return records
    code = "evaluation" if isinstance(exc, EvaluationError) else "invalid"
    return [ErrorRecord("<input>", code, str(exc))]
