"""A date that records something that has happened (a birth, a visit) cannot be after the assessment date:
every form rejects it, against that date alone, whatever the system date is."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

import riskeval

ON = date(2025, 12, 1)
# The facts that record something that has happened (the fact schema), written out: the test does not read
# the list the code checks, so a field dropped from it fails here.
RECORDED_DATES = ("birth_date", "identified_on", "last_visit", "last_full_assessment")
PARENTS = [
    {"id": "f", "relation": "father", "status": "deceased"},
    {"id": "m", "relation": "mother", "status": "deceased"},
]


def household(**child: Any) -> dict[str, Any]:
    # Both parents dead: a child who existed would be an orphan on the roster, so acceptance would show.
    kid = {"id": "c1", "birth_date": "2015-06-01", "father": "f", "mother": "m"} | child
    return {"id": "h1", "members": PARENTS, "children": [kid]}


@pytest.mark.parametrize("field", RECORDED_DATES)
@pytest.mark.parametrize("schedule", [True, False])
def test_assess_rejects_a_recorded_date_after_the_assessment_date(field: str, schedule: bool) -> None:
    with pytest.raises(riskeval.FactsError) as caught:
        riskeval.assess(household(**{field: "2025-12-02"}), on=ON, schedule=schedule)
    (record,) = caught.value.records
    assert (record.loc, record.code, record.value) == (f"children[0].{field}", "date_after_as_of", "2025-12-02")
    assert "2025-12-01" in record.message


@pytest.mark.parametrize("field", RECORDED_DATES)
def test_a_recorded_date_on_the_assessment_date_is_accepted(field: str) -> None:
    result = riskeval.assess(household(**{field: "2025-12-01"}), on=ON)
    assert result.children[0].status == "on_roster"


def test_a_member_born_after_the_assessment_date_is_rejected() -> None:
    hh = household()
    hh["members"] = [PARENTS[0], {**PARENTS[1], "birth_date": "2026-01-01"}]
    with pytest.raises(riskeval.FactsError) as caught:
        riskeval.assess(hh, on=ON)
    assert [(r.loc, r.code) for r in caught.value.records] == [("members[1].birth_date", "date_after_as_of")]


def test_assessed_a_year_back_a_child_born_since_is_rejected_not_given_a_tier() -> None:
    """The system date (after both) used to be the bound: a child born since `on` got a tier."""
    hh = household(birth_date=ON.replace(month=6).isoformat())
    earlier = ON.replace(year=ON.year - 1)
    with pytest.raises(riskeval.FactsError):
        riskeval.assess(hh, on=earlier, schedule=False)


@pytest.mark.parametrize("field", RECORDED_DATES)
def test_assess_batch_rejects_the_same_rows_from_households(field: str) -> None:
    result = riskeval.assess_batch([household(**{field: "2025-12-02"}), {**household(id="c2"), "id": "h2"}], on=ON)
    assert [(e.loc, e.code) for e in result.errors] == [(f"households[0].children[0].{field}", "date_after_as_of")]
    assert [r["child_id"] for r in result.to_records()] == ["c2"]


@pytest.mark.parametrize("field", RECORDED_DATES)
def test_assess_batch_rejects_the_same_rows_from_tables(field: str) -> None:
    children = {"household_id": ["h1", "h2"], "child_id": ["c1", "c2"], "birth_date": ["2015-06-01"] * 2}
    children[field] = ["2025-12-02", "2025-12-01"]
    members = {"household_id": ["h1"], "member_id": ["f"], "relation": ["father"]}
    result = riskeval.assess_batch({"children": children, "members": members}, on=ON)
    assert [(e.loc, e.code, e.row, e.value) for e in result.errors] == [
        (f"children.{field}", "date_after_as_of", 0, "2025-12-02")
    ]
    assert [r["child_id"] for r in result.to_records()] == ["c2"]


@pytest.mark.parametrize("on", [datetime(2025, 12, 1, 9, 30), "2025-12-01", None])
def test_an_assessment_date_that_is_not_a_date_is_named(on: Any) -> None:
    """A datetime is refused, not cut to its day: which day it is depends on a time zone."""
    runs = (
        lambda: riskeval.assess(household(), on=on),
        lambda: riskeval.assess_batch([household()], on=on),
        lambda: riskeval.Monitor().due([household()], on=on),
    )
    for run in runs:
        with pytest.raises(TypeError, match=r"^on: expected a datetime\.date"):
            run()


def test_an_assessment_date_too_late_to_plan_from_is_named() -> None:
    """Plans run years ahead: a date in the calendar's last century cannot have one (an internal error before)."""
    with pytest.raises(ValueError, match=r"^on: 9999-12-31 is too late"):
        riskeval.assess(household(), on=date(9999, 12, 31))


def test_a_batch_line_nested_too_deep_is_one_rejected_row() -> None:
    result = riskeval.assess_batch([{**household(), "id": "h2"}, "[" * 50_000], on=ON)
    assert [(e.loc, e.code) for e in result.errors] == [("households[1]", "too_deep")]
    assert result.assessed == 1
