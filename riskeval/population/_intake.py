"""Intake: a population turned into columns, with a record for every rejected household or row."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sized
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts import Household, parse_household, recorded_by, validation_today
from riskeval.population.layout import Columns, from_households

Progress = Callable[[str, int, int], None]


@dataclass
class Intake:
    """A population turned into columns: the valid children, and a record for every rejected row."""

    cols: Columns
    rows: np.ndarray  # the input row of each valid child
    rows_in: int
    errors: list[ErrorRecord] = field(default_factory=list)
    households: list[Household] | None = None  # the validated models, when the input was households
    passed: dict[str, Any] = field(default_factory=dict)  # extra columns of the children, at the valid rows


def count_children(item: Any) -> int:
    """The input rows a household stands for: its children, or 1 when it has no readable list of them."""
    data = item
    if isinstance(item, str | bytes):
        try:
            data = json.loads(item)
        except (ValueError, RecursionError):  # its records come from parse_household
            return 1
    if isinstance(data, Household):
        return len(data.children)
    if isinstance(data, Mapping) and isinstance(data.get("children"), list):
        return len(data["children"])
    return 1


def where(k: int, loc: str) -> str:
    """A record's location in a list of households."""
    return f"households[{k}]" if loc == "<root>" else f"households[{k}].{loc}"


def intake_households(items: Iterable[Any], on: date, progress: Progress | None = None) -> Intake:
    """Validate households one by one; a household that fails is rejected whole, with its records."""
    today = validation_today(on)
    total = len(items) if isinstance(items, Sized) else 0
    parsed: list[tuple[int, int, Household]] = []
    errors: list[ErrorRecord] = []
    row = 0
    for k, item in enumerate(items):
        if progress is not None and k % 1000 == 0:
            progress("validating", k, total)
        try:
            hh = parse_household(item, today=today)
            recorded_by(hh, on)
        except FactsError as exc:
            errors += [ErrorRecord(where(k, r.loc), r.code, r.message, r.value, row=k) for r in exc.records]
            row += count_children(item)
            continue
        parsed.append((k, row, hh))
        row += len(hh.children)
    seen: dict[str, int] = {}
    for _, _, hh in parsed:
        seen[hh.id] = seen.get(hh.id, 0) + 1
    households: list[Household] = []
    rows: list[int] = []
    for k, start, hh in parsed:
        if seen[hh.id] > 1:
            message = f"household id {hh.id!r} is used by {seen[hh.id]} households"
            errors.append(ErrorRecord(f"households[{k}].id", "duplicate_id", message, hh.id, row=k))
            continue
        households.append(hh)
        rows.extend(range(start, start + len(hh.children)))
    errors.sort(key=lambda e: e.row or 0)
    return Intake(from_households(households), np.array(rows, np.int64), row, errors, households)
