"""The audit stamp (pack, riskeval version, as-of date, input digest), determinism, and the result schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import riskeval
from riskeval._schemafiles import schema_text
from riskeval.audit import canonical_json, input_sha256, result_schema, write_result_schema
from riskeval.results import HouseholdAssessment

ON = date(2025, 12, 1)
SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "schema" / "result.schema.json"
REGENERATE = "stale schema: regenerate with `riskeval rules schema result > docs/schema/result.schema.json`"
HOUSEHOLD: dict[str, Any] = {
    "id": "h-audit",
    "parents_relationship": "divorced",
    "economy": {"child_support_unpaid_months": 4, "income_per_capita": 900},
    "members": [
        {"id": "m", "name": "李秀英", "relation": "mother", "status": "present", "lives_with_children": True,
         "civil_capacity": "full", "employment": "unemployed"},
        {"id": "f", "relation": "father", "status": "away_for_work", "status_since": "2024-01-10"},
    ],
    "children": [
        {"id": "c1", "birth_date": "2012-02-29", "mother": "m", "father": "f", "caregiver": "m",
         "school": "dropped_out", "identified_on": "2025-11-20", "last_full_assessment": "2024-12-15"},
        {"id": "c2", "birth_date": "2007-01-01", "mother": "m", "father": "f"},
    ],
}  # fmt: skip


def test_the_stamp_names_the_pack_the_version_the_date_and_the_input() -> None:
    """Every household result carries pack id/version/sha256, riskeval's version, as_of and input_sha256."""
    result = riskeval.assess(HOUSEHOLD, on=ON)
    assert result.pack is not None and result.pack.model_dump() == riskeval.load_pack().identity()
    assert result.riskeval == riskeval.__version__
    assert result.as_of == ON
    assert result.input_sha256 == input_sha256(riskeval.parse_household(HOUSEHOLD))
    assert len(result.input_sha256) == 64 and int(result.input_sha256, 16) >= 0


def test_the_input_digest_ignores_spelling_but_not_facts() -> None:
    """null and absent fields, key order, and dict vs JSON text give one digest; a changed fact another."""
    spelled = dict(reversed(list(HOUSEHOLD.items()))) | {"housing": None}
    base = riskeval.assess(HOUSEHOLD, on=ON).input_sha256
    assert riskeval.assess(spelled, on=ON).input_sha256 == base
    assert riskeval.assess(json.dumps(HOUSEHOLD), on=ON).input_sha256 == base
    changed = json.loads(json.dumps(HOUSEHOLD))
    changed["economy"]["child_support_unpaid_months"] = 5
    assert riskeval.assess(changed, on=ON).input_sha256 != base


def test_canonical_json_is_sorted_compact_utf8() -> None:
    """The canonical bytes are sorted, without spaces, UTF-8 (Chinese unescaped), unknowns left out."""
    text = canonical_json(riskeval.parse_household({"id": "h", "members": [{"id": "m", "name": "李"}]})).decode()
    assert text == '{"children":[],"id":"h","members":[{"id":"m","name":"李"}]}'


def test_results_are_json_and_round_trip() -> None:
    """model_dump(mode='json') is plain JSON, and parsing it back gives the same result."""
    result = riskeval.assess(HOUSEHOLD, on=ON)
    text = json.dumps(result.model_dump(mode="json"), ensure_ascii=False)
    assert HouseholdAssessment.model_validate_json(text) == result
    data = json.loads(text)
    assert list(data)[:2] == ["household_id", "children"]
    assert {"child_id", "status", "categories", "factors", "score", "tier", "visit_frequency", "data_gaps"} <= set(
        data["children"][0]
    )


_RUN = """
import datetime, json, sys, riskeval
pack = riskeval.load_pack(sys.argv[1])
result = riskeval.assess(json.loads(sys.stdin.read()), on=datetime.date(2025, 12, 1), pack=pack)
sys.stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, sort_keys=False))
"""


def test_results_are_identical_across_processes() -> None:
    """Two fresh interpreters with different hash seeds produce byte-identical JSON for the same facts."""
    outputs = []
    for seed in ("1", "4242"):
        env = os.environ | {"PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _RUN, str(riskeval.load_pack().path)],
            input=json.dumps(HOUSEHOLD),
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=120,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0]) == riskeval.assess(HOUSEHOLD, on=ON).model_dump(mode="json")


def test_the_committed_result_schema_matches_the_models() -> None:
    """docs/schema/result.schema.json is byte-for-byte what the result models generate now."""
    assert SCHEMA.is_file(), REGENERATE
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(result_schema()), REGENERATE


def test_the_schema_describes_every_field_of_a_result(tmp_path: Path) -> None:
    """Every key of a result's JSON is a property of the schema (household, child, plan), and it writes out."""
    schema = result_schema()
    assert schema["$id"] == "urn:riskeval:results:household-assessment"
    data = riskeval.assess(HOUSEHOLD, on=ON).model_dump(mode="json")
    assert set(data) == set(schema["properties"])
    assert set(data["children"][0]) == set(schema["$defs"]["ChildAssessment"]["properties"])
    assert set(data["children"][0]["schedule"]) == set(schema["$defs"]["VisitPlan"]["properties"])
    assert write_result_schema(tmp_path).read_bytes() == SCHEMA.read_bytes()
