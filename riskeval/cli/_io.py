"""What every ``riskeval`` subcommand shares: dates, households from JSON, error records, strict JSON.

Dates come from arguments, households from JSON input; error records go to stderr (one JSON object per
line), and :func:`dumps` writes the strict JSON of every output.
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
from riskeval.facts import BOM, LATEST, as_object, loads, read_problem


def _date(text: str) -> date:
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None
    if found > LATEST:
        raise argparse.ArgumentTypeError(f"{text}: too late to plan visits from (at most {LATEST})")
    return found


def read_households(source: str, stdin: TextIO | None = None) -> list[Any]:
    """The households of a file (``-``: stdin): one JSON object, a JSON list of them, or JSON lines.

    An entry that is not a JSON object is kept as :class:`~riskeval.facts._input.Unparsed`, its row then
    reported (a JSON string would otherwise be decoded as JSON text again).
    """
    name = "<stdin>" if source == "-" else source
    try:
        text = (stdin or sys.stdin).read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise read_problem(name, exc) from None
    text = text.removeprefix(BOM)
    body = text.strip()
    if not body:
        raise FactsError([ErrorRecord(name, "empty_input", "the input holds no household")])
    try:
        data = loads(text, name)
    except FactsError:
        if body[0] != "{" or not _first_line_parses(body):
            raise
        return list(_json_lines(text, name))
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return [as_object(item) for item in data]
    raise FactsError(
        [ErrorRecord(name, "not_a_household", f"expected an object or a list, found {type(data).__name__}")]
    )


def _first_line_parses(body: str) -> bool:
    try:
        loads(body.splitlines()[0])
    except FactsError:
        return False
    return True


def _json_lines(text: str, name: str) -> Iterator[Any]:
    records = []
    items = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                items.append(as_object(loads(line, name, n), n))
            except FactsError as exc:
                records += exc.records
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
