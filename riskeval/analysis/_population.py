"""The children table of a population, read column by column for the children a batch result assessed.

Analyses need what the rules do not read (a street, a child director) and the dates of the visit plan. They
are taken from the population as given, matched to the result's children by household and child id (the
result keeps input order, but a household that was rejected leaves a gap in it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from riskeval.batch import BatchResult
from riskeval.errors import FactsError
from riskeval.facts import parse_household
from riskeval.population import Population, to_tables


def children_table(population: Any) -> Any:
    """The children table of any population ``assess_batch`` takes (households become tables)."""
    if isinstance(population, Population):
        return population.children
    if isinstance(population, Mapping) and "children" in population and "id" not in population:
        return population["children"]
    households = []
    for item in [population] if isinstance(population, Mapping | str | bytes) else population:
        try:
            households.append(parse_household(item))
        except FactsError:
            continue  # rejected by the batch too: it has no child in the result
    return to_tables(households).children


def column_names(table: Any) -> list[str]:
    """The column names of a table (DataFrame, pyarrow Table or dict of columns)."""
    if isinstance(table, Mapping):
        return [str(k) for k in table]
    names = getattr(table, "column_names", None)
    if names is not None:
        return [str(n) for n in names]
    return [str(c) for c in getattr(table, "columns", [])]


def _column(table: Any, name: str) -> list[Any]:
    if isinstance(table, Mapping):
        return list(table[name])
    if hasattr(table, "column_names"):  # pyarrow
        return list(table.column(name).to_pylist())
    return list(table[name].tolist())


def aligned(result: BatchResult, table: Any, name: str) -> list[Any]:
    """Column ``name`` of the children table, one value per child of ``result`` (None where unknown).

    Raises:
        KeyError: the table has no such column (its message lists the columns it has).
    """
    names = column_names(table)
    if name not in names:
        raise KeyError(f"the children table has no column {name!r}; it has: {', '.join(names)}")
    keys = list(zip(_ids(_column(table, "household_id")), _ids(_column(table, "child_id")), strict=True))
    where = {k: i for i, k in enumerate(keys)}
    values = _column(table, name)
    out: list[Any] = []
    for hh, child in zip(result.household_id, result.child_id, strict=True):
        i = where.get((str(hh), str(child)))
        out.append(None if i is None else _known(values[i]))
    return out


def dates(values: Sequence[Any]) -> list[dt.date | None]:
    """Cells as dates (ISO text, dates, timestamps); an empty or unreadable cell is unknown."""
    out: list[dt.date | None] = []
    for v in values:
        if isinstance(v, dt.datetime):
            out.append(v.date())
        elif isinstance(v, dt.date):
            out.append(v)
        elif isinstance(v, str) and v.strip():
            try:
                out.append(dt.date.fromisoformat(v.strip()[:10]))
            except ValueError:
                out.append(None)
        else:
            out.append(None)
    return out


def groups(result: BatchResult, population: Any, by: str | Sequence[Any] | None) -> np.ndarray:
    """The group of each child: a column of the population, values given one per child, or one group."""
    if by is None:
        return np.full(len(result), "all", object)
    if isinstance(by, str):
        values = aligned(result, children_table(population), by)
    else:
        values = list(by)
        if len(values) != len(result):
            raise ValueError(f"by: {len(values)} values for {len(result)} assessed children")
    return np.array(["(unknown)" if v is None else str(v) for v in values], object)


def _ids(values: list[Any]) -> list[str]:
    out = []
    for v in values:
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append(str(v).strip())
    return out


def _known(value: Any) -> Any:
    """None for the cells that mean unknown (empty, NaN, None, NaT)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    return value
