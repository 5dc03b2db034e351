"""Every field of every JSON Schema riskeval publishes says what it means (issue 18 item 2).

The schemas are generated from the pydantic models (facts, events, results, pack files), and read by
integrators and policy analysts who cannot read the models: a field without a description is guesswork.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from riskeval.cli import schemas
from riskeval.pack._jsonschema import json_schemas as pack_schemas

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "docs" / "schema"


def _all_schemas() -> dict[str, dict[str, Any]]:
    return {**schemas(), **{f"pack/{name}": s for name, s in pack_schemas().items()}}


def _properties(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every property of every object in a schema, with its path (``$defs`` included)."""
    if isinstance(node, dict):
        for name, value in (node.get("properties") or {}).items():
            yield f"{path}.properties.{name}", value
        for key, value in node.items():
            yield from _properties(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{path}[{i}]")


@pytest.mark.parametrize("name", sorted(_all_schemas()))
def test_every_property_of_a_generated_schema_has_a_description(name: str) -> None:
    """No property of any generated schema lacks a description (facts, events, results, pack files)."""
    bare = [p for p, v in _properties(_all_schemas()[name], name) if not (isinstance(v, dict) and v.get("description"))]
    assert bare == [], f"properties without a description (add Field(description=...) to the model): {bare}"


def test_every_committed_schema_file_has_its_descriptions_too() -> None:
    """The files under docs/schema/ (what integrators download) carry the descriptions as well."""
    files = sorted(SCHEMA_DIR.rglob("*.schema.json"))
    assert len(files) >= 11
    for path in files:
        bare = [
            p
            for p, v in _properties(json.loads(path.read_text(encoding="utf-8")), path.name)
            if not v.get("description")
        ]
        assert bare == [], f"{path}: regenerate docs/schema (see docs/integrators.md): {bare}"


def test_money_fields_say_their_unit() -> None:
    """A field of money says it is yuan, and whether per month or over 12 months (the contract's unit rule)."""
    household = _all_schemas()["household"]
    economy = household["$defs"]["Economy"]["properties"]
    assert "yuan per month" in economy["income_per_capita"]["description"]
    for name in ("medical_spending_12m", "education_spending_12m"):
        assert "12 months" in economy[name]["description"] and "yuan" in economy[name]["description"]
