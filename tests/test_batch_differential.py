"""The law of the numpy form: assess_batch equals assess, child by child, on every core field."""

from __future__ import annotations

import inspect
from datetime import date
from typing import Any

import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskeval
from riskeval.facts import Household
from riskeval.population import Population, to_tables
from riskeval.testing import ASSESSMENT_DATE, households

ON = ASSESSMENT_DATE
# The as-of date too: month ends and a common-year Feb 28 are where counting months and ages is delicate
# (民法典 Art. 202); facts are drawn on or before ASSESSMENT_DATE, so every one of these is valid.
DAYS = st.sampled_from([ON, date(2026, 6, 30), date(2026, 8, 31), date(2027, 2, 28), date(2028, 2, 29)])
PACK = riskeval.load_pack()
CORE = ("child_id", "status", "categories", "factors", "score", "tier", "visit_frequency", "data_gaps", "duties")
CI = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _forget_members(hh: Household, forget: bool) -> Household:
    """Sometimes the adults were not reported (members unknown), when no child names one of them."""
    named = any(getattr(c, r) for c in hh.children for r in ("father", "mother", "caregiver"))
    return hh.model_copy(update={"members": None}) if forget and not named else hh


populations = st.lists(
    st.builds(_forget_members, households(), st.integers(0, 3).map(lambda k: k == 0)),
    min_size=1,
    max_size=6,
    unique_by=lambda h: h.id,
)
_OPTIONS = {k: False for k in ("explain", "schedule") if k in inspect.signature(riskeval.assess).parameters}


def scalar(hhs: list[Household], on: date = ON) -> list[dict[str, Any]]:
    """Every child's core fields by assess(), household by household."""
    out = []
    for hh in hhs:
        result = riskeval.assess(hh, on=on, pack=PACK, **_OPTIONS).model_dump(mode="json")
        out += [{"household_id": hh.id, **{k: c[k] for k in CORE}} for c in result["children"]]
    return out


def batch(population: Any, on: date = ON) -> list[dict[str, Any]]:
    """Every child's core fields by assess_batch; nothing rejected, the counts add up."""
    result = riskeval.assess_batch(population, on=on, pack=PACK)
    assert result.rows_in == result.assessed + result.rejected
    assert result.errors == []
    return [{"household_id": r["household_id"], **{k: r[k] for k in CORE}} for r in result.to_records()]


def tabular(hh: Household) -> Household:
    """The household as the tables can say it: a record whose fields are all unknown is unknown."""
    data = hh.model_dump(mode="json")
    for holder, key in [*((c, k) for c in data["children"] for k in ("hukou", "residence")), (data, "economy")]:
        if holder[key] is not None and all(v is None for v in holder[key].values()):
            holder[key] = None
    return riskeval.parse_household(data)


@CI
@given(populations, DAYS)
def test_batch_of_households_equals_assess_child_by_child(hhs: list[Household], on: date) -> None:
    """Households in: every child's status, categories, factors (with values), score, tier, frequency and data
    gaps (with their facts, in order) are those of assess(), on the same as-of date."""
    assert batch(hhs, on) == scalar(hhs, on)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(populations, st.sampled_from(["lists", "pandas", "pyarrow"]))
def test_batch_of_tables_equals_assess_child_by_child(hhs: list[Household], form: str) -> None:
    """Two tables in (dicts of lists, pandas DataFrames, pyarrow Tables): the same results as assess()."""
    hhs = [tabular(h) for h in hhs]
    tables = to_tables(hhs)
    if form == "pandas":
        tables = Population(pd.DataFrame(tables.children), pd.DataFrame(tables.members))
    elif form == "pyarrow":
        tables = Population(pa.table(tables.children), pa.table(tables.members))
    assert batch(tables) == scalar(hhs)
