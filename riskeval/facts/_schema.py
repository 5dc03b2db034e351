"""The JSON Schemas of the facts, generated from the pydantic models.

The schema files under ``docs/schema/`` are what integrators read; a test keeps them equal to
what the models say, so regenerate them after a change to the models::

    python -m riskeval.facts._schema docs/schema
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from riskeval._schemafiles import schema_main, write_schema_files
from riskeval.facts._event import Event
from riskeval.facts._models import Household

# A URN, not a URL: the schemas must not depend on where the docs happen to be hosted.
_ID = "urn:riskeval:facts:{name}"
_UNKNOWN = "A null or absent field means unknown, never false or zero."
_MODELS: dict[str, type[BaseModel]] = {"household": Household, "event": Event}


def json_schemas() -> dict[str, dict[str, Any]]:
    """Return the JSON Schemas (draft 2020-12) of the facts, by name.

    Returns:
        ``{"household": {...}, "event": {...}}``, each with ``$schema``, ``$id`` and ``title``.

    Example:
        >>> json_schemas()["household"]["$id"]
        'urn:riskeval:facts:household'
    """
    out: dict[str, dict[str, Any]] = {}
    for name, model in _MODELS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = _ID.format(name=name)
        schema["title"] = f"riskeval {model.__name__}"
        schema["description"] = f"{schema.get('description', '').strip()} {_UNKNOWN}".strip()
        out[name] = schema
    return out


def write_schemas(directory: str | Path) -> list[Path]:
    """Write ``<name>.schema.json`` for every schema into a directory (created if missing).

    Args:
        directory: where to write, e.g. ``docs/schema``.

    Returns:
        The paths written.
    """
    return write_schema_files(json_schemas(), directory)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m riskeval.facts._schema DIRECTORY``."""
    return schema_main("riskeval.facts._schema", json_schemas, argv)


if __name__ == "__main__":
    sys.exit(main())
