"""The committed JSON Schemas of the facts are the ones the models generate."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskeval._schemafiles import schema_text
from riskeval.facts._schema import json_schemas, main, write_schemas

FOLDER = Path(__file__).resolve().parent.parent / "docs" / "schema"
REGENERATE = "stale schema: regenerate with `python -m riskeval.facts._schema docs/schema` and commit it"


@pytest.mark.parametrize("name", ["household", "event"])
def test_committed_schema_matches_the_models(name: str) -> None:
    """docs/schema/<name>.schema.json is byte-for-byte what the models generate now."""
    path = FOLDER / f"{name}.schema.json"
    assert path.is_file(), REGENERATE
    assert path.read_text(encoding="utf-8") == schema_text(json_schemas()[name]), REGENERATE


def test_schemas_carry_an_id_a_title_and_the_unknown_rule() -> None:
    """Each schema names itself ($id, title) and tells integrators that null means unknown."""
    for name, schema in json_schemas().items():
        assert schema["$id"] == f"urn:riskeval:facts:{name}"
        assert schema["title"].startswith("riskeval ")
        assert "unknown" in schema["description"]
        assert schema["additionalProperties"] is False


def test_write_schemas_writes_the_committed_bytes(tmp_path: Path) -> None:
    """write_schemas (and the command line) produce files equal to the committed ones."""
    assert main([str(tmp_path)]) == 0
    written = sorted(p.name for p in write_schemas(tmp_path))
    assert written == ["event.schema.json", "household.schema.json"]
    for name in written:
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes()


def test_the_command_line_wants_one_directory(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a directory argument the command prints its usage and exits with status 2."""
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err
