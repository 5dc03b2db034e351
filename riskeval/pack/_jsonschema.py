"""JSON Schemas of the files of a rule pack, for editors, generated from the file models.

An editor that knows JSON Schema (VS Code with the YAML extension, PyCharm) then completes keys and flags
a misspelt one while a policy analyst types; the loader still does every check, schemas or not. The files
under ``docs/schema/pack/`` are kept equal to the models by a test; regenerate them after a change::

    python -m riskeval.pack._jsonschema docs/schema/pack

and point a pack file at its schema with a first line such as
``# yaml-language-server: $schema=../../docs/schema/pack/categories.schema.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from riskeval._schemafiles import schema_main, write_schema_files
from riskeval.pack._files import Category, FactorRow, PackFile, Parameter, Predicate, TiersFile
from riskeval.pack._triggers import TriggersFile
from riskeval.schedule import ScheduleFile

# A URN, not a URL: the schemas must not depend on where the docs happen to be hosted.
_ID = "urn:riskeval:pack:{name}"
_DATES = "Dates are ISO dates (YYYY-MM-DD)."


def _file_types() -> dict[str, tuple[Any, str]]:
    """Each pack file (by stem) and the type its content has, with a one-line description."""
    types: dict[str, tuple[Any, str]] = {
        "pack": (PackFile, "The pack's identity: id, version, label, jurisdiction, effective dates, sources."),
        "parameters": (
            dict[str, Parameter],
            "Every number the rules use: NAME -> {label, source, unit, values: [{from, to, value}]}. "
            "On a date, the value of the period with the latest `from` that covers it applies.",
        ),
        "predicates": (list[Predicate], "Named conditions the other rules share; `args: [m]` for one member."),
        "categories": (list[Category], "The categories of a child; each row a condition with its source."),
        "factors": (list[FactorRow], "Risk factors: `severity` and `when`, or `levels` (the most severe wins)."),
        "tiers": (TiersFile, "Severities, domains, tiers and the tier table (the highest tier wins)."),
    }
    # schedule.yaml and triggers.yaml are read by the modules that own their format (as the loader does).

    types["schedule"] = (ScheduleFile, "The visit calendar: cadences, deadlines, holidays, milestones.")
    types["triggers"] = (TriggersFile, "Re-assessment triggers: event type -> urgency, conditions, correlations.")
    return types


def json_schemas() -> dict[str, dict[str, Any]]:
    """Return the JSON Schema (draft 2020-12) of each pack file, by file stem.

    Example:
        >>> json_schemas()["categories"]["$id"]
        'urn:riskeval:pack:categories'
    """
    out: dict[str, dict[str, Any]] = {}
    for name, (tp, description) in _file_types().items():
        schema = TypeAdapter(tp).json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = _ID.format(name=name)
        schema["title"] = f"riskeval rule pack: {name}.yaml"
        schema["description"] = f"{description} {_DATES}"
        out[name] = schema
    return out


def write_schemas(directory: str | Path) -> list[Path]:
    """Write ``<file>.schema.json`` for every pack file into a directory (created if missing)."""
    return write_schema_files(json_schemas(), directory)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m riskeval.pack._jsonschema DIRECTORY``."""
    return schema_main("riskeval.pack._jsonschema", json_schemas, argv)


if __name__ == "__main__":
    sys.exit(main())
