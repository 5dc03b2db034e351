"""Writing JSON Schemas to disk the one way the committed files are written (stable, diff-friendly)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

Schemas = Callable[[], dict[str, dict[str, Any]]]


def schema_text(schema: dict[str, Any]) -> str:
    """Render a schema as the committed files are: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_schema_files(schemas: dict[str, dict[str, Any]], directory: str | Path) -> list[Path]:
    """Write ``<name>.schema.json`` for each schema into a directory (created if missing)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas.items():
        path = folder / f"{name}.schema.json"
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written


def schema_main(module: str, schemas: Schemas, argv: list[str] | None = None) -> int:
    """The command line of a schema module: ``python -m MODULE DIRECTORY``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(f"usage: python -m {module} DIRECTORY", file=sys.stderr)
        return 2
    for path in write_schema_files(schemas(), args[0]):
        print(path)
    return 0
