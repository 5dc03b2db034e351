"""What every ``riskeval`` subcommand shares: dates, households from JSON, error records, strict JSON.

Dates come from arguments, households from JSON input; error records go to stderr (one JSON object per
line), and :func:`dumps` writes the strict JSON of every output.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any, TextIO

from riskeval.errors import ErrorRecord, EvaluationError, safe_record
from riskeval.facts import LATEST, read_entries


def _date(text: str) -> date:
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None
    if found > LATEST:
        raise argparse.ArgumentTypeError(f"{text}: too late to plan visits from (at most {LATEST})")
    return found


def read_households(source: str, stdin: TextIO | None = None) -> list[Any]:
    """The households of a file (``-``: stdin): one JSON object, a JSON list of them, or JSON lines, read
    within riskeval._limits.MAX_DOCUMENT_BYTES per document or line (riskeval.facts._sources).

    An entry that is not a JSON object (or a JSON line that is not JSON) is kept as
    :class:`~riskeval.facts._input.Unparsed`, its row then reported and the other entries read.
    """
    return read_entries(source, stdin)


# --- output --------------------------------------------------------------------------------------


def dumps(data: Any, indent: int | None = None) -> str:
    """Every JSON the command line writes: strict JSON (no bare NaN or Infinity, which JSON has not; error
    records name them as text), non-ASCII text as itself."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=indent)


def _errors(records: Sequence[ErrorRecord], row: int | None = None) -> None:
    for r in records:
        out = safe_record(r).as_dict()  # whoever built it: an argument or a path may hold a name
        if row is not None:
            out = {"row": row, **out}
        print(dumps(out), file=sys.stderr)


def _records_of(exc: BaseException) -> list[ErrorRecord]:
    records = getattr(exc, "records", None)
    if isinstance(records, list) and records:
        return records
    code = "evaluation" if isinstance(exc, EvaluationError) else "invalid"
    return [ErrorRecord("<input>", code, str(exc))]
