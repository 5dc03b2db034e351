"""The law of the numpy form: assess_batch equals assess, child by child, on every core field."""

from __future__ import annotations

import inspect
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskeval
from riskeval.facts import Household
from riskeval.testing import ASSESSMENT_DATE, households

ON = ASSESSMENT_DATE
PACK = riskeval.load_pack()
CORE = ("child_id", "status", "categories", "factors", "score", "tier", "visit_frequency", "data_gaps")
CI = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
populations = st.lists(households(), min_size=1, max_size=6, unique_by=lambda h: h.id)
_OPTIONS = {k: False for k in ("explain", "schedule") if k in inspect.signature(riskeval.assess).parameters}


def scalar(hhs: list[Household]) -> list[dict[str, Any]]:
    """Every child's core fields by assess(), household by household."""
    out = []
    for hh in hhs:
        result = riskeval.assess(hh, on=ON, pack=PACK, **_OPTIONS).model_dump(mode="json")
        out += [{"household_id": hh.id, **{k: c[k] for k in CORE}} for c in result["children"]]
    return out


def batch(population: Any) -> list[dict[str, Any]]:
    """Every child's core fields by assess_batch."""
    result = riskeval.assess_batch(population, on=ON, pack=PACK)
    assert result.rows_in == result.assessed + result.rejected
    return [{"household_id": r["household_id"], **{k: r[k] for k in CORE}} for r in result.to_records()]


@CI
@given(populations)
def test_batch_of_households_equals_assess_child_by_child(hhs: list[Household]) -> None:
    """Households in: every child's status, categories, factors (with values), score, tier, frequency and data
    gaps (with their facts, in order) are those of assess()."""
    assert batch(hhs) == scalar(hhs)
