"""The audit stamp (pack, riskeval version, as-of date, input digest), determinism, and the result schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

import riskeval
from riskeval._schemafiles import schema_text
from riskeval.audit import canonical_json, input_sha256, result_schema, write_result_schema
from riskeval.facts import Household
from riskeval.results import HouseholdAssessment
from riskeval.testing import ASSESSMENT_DATE, households

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


def _respelt(value: Any) -> Any:
    """The same facts spelt otherwise: keys reversed, at every depth."""
    if isinstance(value, dict):
        return {k: _respelt(v) for k, v in reversed(value.items())}
    return [_respelt(v) for v in value] if isinstance(value, list) else value


def test_the_input_digest_ignores_key_order_inside_members_and_children() -> None:
    """Nested objects given with their keys in another order give the same digest."""
    base = input_sha256(riskeval.parse_household(HOUSEHOLD))
    assert input_sha256(riskeval.parse_household(_respelt(HOUSEHOLD))) == base


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(households())
def test_the_input_digest_of_any_household_survives_respelling(household: Household) -> None:
    """A generated household dumped with its nulls written out and its keys reversed, as a dict or JSON text."""
    base = input_sha256(household)
    spelled = _respelt(household.model_dump(mode="json"))
    assert input_sha256(riskeval.parse_household(spelled, today=ASSESSMENT_DATE)) == base
    assert input_sha256(riskeval.parse_household(json.dumps(spelled), today=ASSESSMENT_DATE)) == base


def test_canonical_json_is_in_field_order_compact_utf8() -> None:
    """The canonical bytes follow the fact models' field order, without spaces, UTF-8, unknowns left out."""
    facts = {"members": [{"name": "李", "id": "m", "status": None}], "id": "h"}
    text = canonical_json(riskeval.parse_household(facts)).decode()
    assert text == '{"id":"h","members":[{"id":"m","name":"李"}],"children":[]}'


def test_the_input_digest_of_a_known_household_is_pinned() -> None:
    """The digest is part of the audit file: a change of the canonical form (field order, number format) shows."""
    digest = input_sha256(riskeval.parse_household(HOUSEHOLD))
    assert digest == "95bea87c66e2b9e6e374cd88e52683d8cf5bc73394f5a150df8710e09b7d944c"


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
