"""Results and visit plans built without a second validation equal the validated models, field for field."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel

import riskeval
from riskeval._assess import child_result, evaluate
from riskeval._build import trusted
from riskeval.facts import Household
from riskeval.overrides import Override
from riskeval.results import FactorResult
from riskeval.testing import ASSESSMENT_DATE, households

ON = date(2025, 12, 1)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "households"


def shape(value: Any) -> Any:
    """Every type and value of a result, in order: models with their field order and fields set."""
    if isinstance(value, BaseModel):
        fields = tuple((k, shape(v)) for k, v in value.__dict__.items())
        return type(value), fields, frozenset(value.model_fields_set), value.__pydantic_extra__
    if isinstance(value, list | tuple):
        return type(value), tuple(shape(v) for v in value)
    if isinstance(value, dict):
        return dict, tuple((k, shape(v)) for k, v in value.items())
    return type(value), value


def validated(value: Any) -> Any:
    """The same result rebuilt the ordinary way: every model validated from its (rebuilt) field values."""
    if isinstance(value, BaseModel):
        return type(value).model_validate({k: validated(v) for k, v in value.__dict__.items()})
    if isinstance(value, list | tuple):
        return type(value)(validated(v) for v in value)
    if isinstance(value, dict):
        return {k: validated(v) for k, v in value.items()}
    return value


def same_as_validated(result: riskeval.HouseholdAssessment) -> None:
    """A result is its validated rebuild, in every type, value, field order and fields set."""
    assert shape(result) == shape(validated(result))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_example_results_equal_their_validated_rebuild(path: Path) -> None:
    """The assessment of each example household is what validating every model would have built."""
    same_as_validated(riskeval.assess(json.loads(path.read_text(encoding="utf-8")), on=ON))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(households())
def test_generated_results_equal_their_validated_rebuild(household: Household) -> None:
    """Generated households (exited children, first visits, gaps, factors) build the validated result."""
    same_as_validated(riskeval.assess(household, on=ASSESSMENT_DATE))


def test_a_result_with_an_override_equals_its_validated_rebuild() -> None:
    """The override travels into the result unchanged, and the final tier follows it."""
    household = {
        "id": "h",
        "members": [{"id": "m", "relation": "mother", "status": "present"}],
        "children": [{"id": "c1", "birth_date": "2015-05-01", "mother": "m", "disability": {"type": "physical",
                      "grade": 3}, "identified_on": "2025-11-20"}],
    }  # fmt: skip
    moved = Override(child_id="c1", tier="special", reason_code="R-07", approver="staff-17", date=ON)
    result = riskeval.assess(household, on=ON, overrides=[moved])
    assert result.children[0].override == moved and result.children[0].tier == "special"
    same_as_validated(result)


def test_results_do_not_share_lists_with_the_evaluation_record() -> None:
    """A result holds its own lists and dicts, as a validated model would: changing one leaves the record be."""
    household = json.loads((EXAMPLES / "letter-2-dropout.json").read_text(encoding="utf-8"))
    _hh, pack, (record,) = evaluate(household, on=ON)
    result = child_result(record, pack)
    assert result.categories == record.categories and result.categories is not record.categories
    assert result.factors[0].values == record.factors[0].values
    assert result.factors[0].values is not record.factors[0].values
    assert result.data_gaps[0].facts is not record.gaps[0].facts


def test_trusted_refuses_a_missing_or_misspelt_field() -> None:
    """A caller that forgets a field or misspells one gets a TypeError, not a half-built model."""
    with pytest.raises(TypeError, match="FactorResult"):
        trusted(FactorResult, {"code": "x", "severity": "high", "points": 1})
    with pytest.raises(TypeError, match="FactorResult"):
        trusted(FactorResult, {"code": "x", "severity": "high", "point": 1, "values": {}})


def test_trusted_validates_a_model_it_cannot_build_directly() -> None:
    """A model with private attributes is validated instead (and so still checked)."""

    class WithPrivate(BaseModel):
        x: int
        _seen: int = 0

    assert trusted(WithPrivate, {"x": "3"}).x == 3
