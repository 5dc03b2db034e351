"""count(...) over members some of whom are unknown: a comparison is known when every possible count agrees.

H1 asks for two or more seriously ill or severely disabled members: two known ones decide it whatever an
unknown third member turns out to be, and two known caring adults decide G12's "no other caregiver" false.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

import riskeval
from riskeval._assess import evaluate
from riskeval.evaluate.vector import _ops as O

ON = date(2025, 12, 1)
ADULT = {
    "status": "present", "lives_with_children": True, "civil_capacity": "full", "disability": False,
    "serious_illness": False, "medical_spending_12m": 0, "substance_abuse": False, "domestic_violence": False,
}  # fmt: skip
UNKNOWN_ADULT = {"id": "u", "relation": "other_relative"}


def household(*members: dict[str, Any], relationship: str = "married") -> dict[str, Any]:
    child = {"id": "c1", "birth_date": "2015-06-15", "father": "f", "mother": "m", "caregiver": "m"}
    return {"id": "h1", "parents_relationship": relationship, "members": list(members), "children": [child]}


def rule_value(hh: dict[str, Any], code: str) -> bool | None:
    _, _, (record,) = evaluate(hh, on=ON)
    return record.rule_values[("factor", code)]


FATHER = {**ADULT, "id": "f", "relation": "father"}
MOTHER = {**ADULT, "id": "m", "relation": "mother"}
ILL_GRANDPA = {**ADULT, "id": "gp", "relation": "grandfather", "serious_illness": True}
GRANDMA = {**ADULT, "id": "gm", "relation": "grandmother"}
DISABLED_GRANDMA = {**ADULT, "id": "gm", "relation": "grandmother", "disability": {"type": "physical", "grade": 1}}


@pytest.mark.parametrize(
    ("members", "want"),
    [
        ((FATHER, MOTHER, ILL_GRANDPA, DISABLED_GRANDMA, UNKNOWN_ADULT), True),  # two known: at least two
        ((FATHER, MOTHER, ILL_GRANDPA, UNKNOWN_ADULT), None),  # one or two: not known
        ((FATHER, MOTHER, ILL_GRANDPA, DISABLED_GRANDMA), True),
        ((FATHER, MOTHER, ILL_GRANDPA), False),
    ],
)
def test_h1_is_decided_by_the_members_known(members: tuple[dict[str, Any], ...], want: bool | None) -> None:
    assert rule_value(household(*members), "H1") is want


@pytest.mark.parametrize(
    ("members", "want"),
    [
        # the single mother works irregular hours; the grandmother also cares: not "no other caregiver"
        ((MOTHER | {"employment": "irregular"}, GRANDMA, UNKNOWN_ADULT), False),
        # the mother alone is known to care: the unknown adult may be a second carer or not
        ((MOTHER | {"employment": "irregular"}, UNKNOWN_ADULT), None),
    ],
)
def test_g12_is_decided_by_the_members_known(members: tuple[dict[str, Any], ...], want: bool | None) -> None:
    father_away = {**FATHER, "lives_with_children": False}
    assert rule_value(household(father_away, *members, relationship="divorced"), "G12") is want


def test_the_numpy_form_decides_the_same_rows() -> None:
    """count >= 2 over rows counting [2, 3], [1, 2] and exactly 1: true, unknown, false."""
    count = O.V("num", np.array([2, 1, 1]), unk=np.array([True, True, False]), hi=np.array([3, 2, 1]))
    got = O.compare(">=", count, O.V("lit", 2), strings=None)  # type: ignore[arg-type]
    assert np.asarray(got.t).tolist() == [True, False, False]
    assert np.asarray(got.f).tolist() == [False, False, True]
    mirrored = O.compare("<=", O.V("lit", 2), count, strings=None)  # type: ignore[arg-type]
    assert np.asarray(mirrored.t).tolist() == [True, False, False]


def test_assess_batch_finds_h1_where_assess_does() -> None:
    hh = household(FATHER, MOTHER, ILL_GRANDPA, DISABLED_GRANDMA, UNKNOWN_ADULT)
    batch = riskeval.assess_batch([hh], on=ON)
    assert bool(batch.factor("H1")[0]) is True
    assert [f.code for f in riskeval.assess(hh, on=ON).children[0].factors] == ["H1"]


def test_no_bounds_when_the_household_adults_are_unknown() -> None:
    """members unknown (not reported): the count is anything, H1 stays a data gap in both forms."""
    child = {"birth_date": "2009-01-01", "birth_parents_untraceable": True}
    children = [{"id": f"c{i}", **child} for i in range(4)]
    hh = {"id": "h1", "members": None, "economy": {"dibao": "dibao"}, "housing": "poor", "children": children}
    on = date(2026, 6, 1)
    scalar = riskeval.assess(hh, on=on, explain=False, schedule=False)
    batch = list(riskeval.assess_batch([hh], on=on).to_records())
    for child, record in zip(scalar.children, batch, strict=True):
        assert "H1" in {g.rule for g in child.data_gaps}
        assert "H1" in {g["rule"] for g in record["data_gaps"]}
