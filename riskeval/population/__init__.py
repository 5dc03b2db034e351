"""Populations as tables: the layout of the children and members tables, and reading them from files.

A population is two tables keyed by ``household_id`` (see ``docs/batch.md`` and the templates in
``examples/population/``):

- **children**: one row per child. ``household_id``, ``child_id``, then one column per fact, named by
  its path in the fact schema (``birth_date``, ``hukou.county``, ``disability.grade``...), and the
  household's facts as ``household.<path>`` (``household.economy.dibao``), the same on every row of a
  household.
- **members**: one row per adult. ``household_id``, ``member_id``, then the member's facts (``status``,
  ``status_since``, ``disability.type``...). A child's ``father``, ``mother`` and ``caregiver`` are
  member ids of its own household.

An empty cell is unknown, never false or zero. A certificate is ``disability`` (true: held, false: not
held) with ``disability.type``, ``.grade`` and ``.components``; a list (``safety``, ``behaviour``) is
codes separated by ``;``, and ``[]`` is the known empty list. Tables may be pandas DataFrames, pyarrow
Tables or dicts of numpy arrays (or lists); files are CSV, Parquet, or JSON lines of households.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from typing import Any

from riskeval.facts import Household
from riskeval.population._chunks import TABLE_SUFFIXES, TableChunk, shift_records, table_chunks, table_files
from riskeval.population._frames import frame_chunks, is_frame
from riskeval.population._intake import Intake, Progress, intake_households
from riskeval.population._passed import COLUMN_CODES, RESULT_NAMES, RESULT_PREFIXES
from riskeval.population._read import Column, Population, columns, read_population, to_tables
from riskeval.population._records import intake_records
from riskeval.population._table_intake import intake as _intake_columns

__all__ = [
    "COLUMN_CODES",
    "RESULT_NAMES",
    "RESULT_PREFIXES",
    "TABLE_SUFFIXES",
    "Column",
    "Intake",
    "Population",
    "Progress",
    "TableChunk",
    "columns",
    "frame_chunks",
    "intake",
    "intake_households",
    "intake_records",
    "intake_tables",
    "is_frame",
    "read_population",
    "shift_records",
    "table_chunks",
    "table_files",
    "to_tables",
]


def intake_tables(population: Population, on: date) -> Intake:
    """Validate and join the two tables into columns, every bad cell a record."""
    return _intake_columns(population.children, population.members, on)


def intake(population: Any, on: date, progress: Progress | None = None) -> Intake:
    """Turn any population ``assess_batch`` takes into columns: two tables, or households (models, dicts, JSON).

    Households in canonical JSON form are flattened into the two tables column by column
    (:func:`intake_records`); the rest, and any household the tables find a problem in, are validated by the
    fact models (:func:`intake_households`), so the records are those ``assess()`` gives.
    """
    if isinstance(population, os.PathLike):  # a file or folder: read_population says which
        population = read_population(os.fspath(population))
    tables = isinstance(population, Mapping) and "id" not in population and set(population) <= {"children", "members"}
    if isinstance(population, Population) or tables:
        if not isinstance(population, Population):
            population = Population(population.get("children"), population.get("members"))
        return intake_tables(population, on)
    if isinstance(population, Household | Mapping | str | bytes):
        population = [population]
    return intake_records(population, on, progress)
