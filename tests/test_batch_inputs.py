"""Bad input to assess_batch: every problem is a record, bad rows are left out, the counts always add up."""

from __future__ import annotations

import copy
import math
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskeval
from riskeval.batch import BatchResult
from riskeval.facts import Child, Household, Hukou, Member
from riskeval.population import Population, columns, to_tables
from riskeval.population._cells import CROSS_CHECKS
from riskeval.testing import ASSESSMENT_DATE, households

ON = ASSESSMENT_DATE
PACK = riskeval.load_pack()
NAME = "王小明"


def tables() -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Two households, three children, four members: all valid."""
    kids = {
        "household_id": ["h1", "h1", "h2"],
        "child_id": ["c1", "c2", "c3"],
        "name": [NAME, NAME, NAME],
        "birth_date": ["2015-03-02", "2012-07-30", "2019-01-15"],
        "father": ["m1", "m1", "m3"],
        "mother": ["m2", "m2", None],
        "caregiver": ["m2", "m2", "m4"],
        "school": ["enrolled", "enrolled", "not_school_age"],
        "safety": ["[]", "abuse", None],
        "disability": [False, None, True],
        "disability.grade": [None, None, 2],
        "household.housing": ["adequate", "adequate", "poor"],
        "household.economy.income_per_capita": [1200.0, 1200.0, None],
    }
    members = {
        "household_id": ["h1", "h1", "h2", "h2"],
        "member_id": ["m1", "m2", "m3", "m4"],
        "name": [NAME, NAME, NAME, NAME],
        "relation": ["father", "mother", "father", "grandmother"],
        "status": ["away_for_work", "present", "imprisoned", "present"],
        "status_since": ["2024-01-01", None, "2025-01-01", None],
        "lives_with_children": [False, True, False, True],
    }
    return kids, members


def run(kids: Any, members: Any = None) -> BatchResult:
    """assess_batch over two tables, with the invariants every result keeps."""
    result = riskeval.assess_batch(Population(kids, members), on=ON, pack=PACK)
    assert result.rows_in == result.assessed + result.rejected
    n = result.rows_in
    assert sorted(result.row.tolist()) == result.row.tolist() and len(set(result.row.tolist())) == result.assessed
    rejected = set(range(n)) - set(result.row.tolist())
    recorded = {e.row for e in result.errors if e.loc.startswith("children.")}
    assert rejected <= recorded, f"rejected rows without a record: {rejected - recorded}"
    for e in result.errors:
        assert NAME not in str(e.value) and NAME not in e.message, e
    return result


def codes(result: BatchResult) -> set[tuple[str, str, int | None]]:
    return {(e.loc, e.code, e.row) for e in result.errors}


def test_valid_tables_are_assessed_whole() -> None:
    """Clean tables: every row assessed, no record."""
    result = run(*tables())
    assert (result.assessed, result.rejected, result.errors) == (3, 0, [])


CELLS = [
    ("children", "birth_date", 1, 12345, "invalid_date"),
    ("children", "birth_date", 1, "2016-02-30", "invalid_date"),
    ("children", "birth_date", 1, "2099-01-01", "future_date"),
    ("children", "birth_date", 1, "1850-01-01", "impossible_date"),
    ("children", "school", 1, "enroled", "enum"),
    ("children", "school", 1, 3, "enum"),
    ("children", "safety", 1, "abuse;nope", "enum"),
    ("children", "safety", 1, 7, "enum"),
    ("children", "disability", 1, "maybe", "bool_parsing"),
    ("children", "disability.grade", 2, 2.5, "int_parsing"),
    ("children", "disability.grade", 2, 9, "out_of_range"),
    ("children", "disability.grade", 2, "two", "number_parsing"),
    ("children", "child_id", 1, "bad id!", "invalid_id"),
    ("children", "child_id", 1, None, "missing"),
    ("children", "household_id", 1, None, "missing"),
    ("children", "father", 1, "nobody", "unknown_member"),
    ("children", "caregiver", 2, "m1", "unknown_member"),
]


@pytest.mark.parametrize(("table", "column", "row", "value", "code"), CELLS)
def test_a_bad_child_cell_rejects_that_row_with_a_record(
    table: str, column: str, row: int, value: Any, code: str
) -> None:
    """One bad cell of a child row: that row alone is rejected, with a record naming the cell and the code."""
    kids, members = tables()
    kids[column][row] = value
    result = run(kids, members)
    assert (f"{table}.{column}", code, row) in codes(result)
    assert row not in result.row.tolist()
    assert result.assessed == 2


MEMBER_CELLS = [
    ("status", 0, "gone", "enum"),
    ("status_since", 2, "yesterday", "invalid_date"),
    ("lives_with_children", 1, "2", "bool_parsing"),
    ("member_id", 1, "m1", "duplicate_id"),
    ("member_id", 0, None, "missing"),
    ("medical_spending_12m", 0, -5.0, "out_of_range"),
    ("medical_spending_12m", 0, math.inf, "finite_number"),
]


@pytest.mark.parametrize(("column", "row", "value", "code"), MEMBER_CELLS)
def test_a_bad_member_row_rejects_its_household(column: str, row: int, value: Any, code: str) -> None:
    """A bad member cell, or two members with one id: the household's children are rejected, never guessed."""
    kids, members = tables()
    household = members["household_id"][row]
    members.setdefault(column, [None] * 4)[row] = value
    result = run(kids, members)
    assert (f"members.{column}", code, row) in codes(result)
    theirs = [i for i, h in enumerate(kids["household_id"]) if h == household]
    assert result.row.tolist() == [i for i in range(3) if i not in theirs]
    if column != "member_id":  # a member with a bad id is not found by its id: the children name no member
        assert {("children.household_id", "household_rejected", r) for r in theirs} <= codes(result)


def test_a_grade_on_a_certificate_not_held_is_a_conflict() -> None:
    """disability false with a grade: a contradiction in the row, which is rejected."""
    kids, members = tables()
    kids["disability.grade"][0] = 3
    result = run(kids, members)
    assert ("children.disability", "conflict", 0) in codes(result)
    assert result.row.tolist() == [1, 2]


def test_duplicate_child_ids_reject_every_copy() -> None:
    """Two rows of one household with the same child id: both are rejected (which one is right is a guess)."""
    kids, members = tables()
    kids["child_id"][1] = "c1"
    result = run(kids, members)
    assert {("children.child_id", "duplicate_id", 0), ("children.child_id", "duplicate_id", 1)} <= codes(result)
    assert result.row.tolist() == [2]


def test_a_child_id_that_is_also_a_member_id_rejects_the_household() -> None:
    """A child and a member of one household sharing an id: the household is rejected, as the model does."""
    kids, members = tables()
    kids["child_id"][0] = "m1"
    result = run(kids, members)
    assert ("children.child_id", "duplicate_id", 0) in codes(result)
    assert result.row.tolist() == [2]


def test_household_columns_that_disagree_reject_the_household() -> None:
    """Children of one household giving different household facts: the household is rejected."""
    kids, members = tables()
    kids["household.housing"][1] = "poor"
    result = run(kids, members)
    assert ("children.household.housing", "household_conflict", 1) in codes(result)
    assert result.row.tolist() == [2]


def test_a_member_whose_household_has_no_child_is_reported_and_left_out() -> None:
    """A member row of a household with no child row: a record, and no household is invented for it."""
    kids, members = tables()
    for k, v in {"household_id": "ghost", "member_id": "g1", "name": NAME}.items():
        members[k].append(v)
    for k in members:
        if len(members[k]) < 5:
            members[k].append(None)
    result = run(kids, members)
    assert ("members.household_id", "member_without_child", 4) in codes(result)
    assert result.assessed == 3 and "ghost" not in set(result.household_id)


def test_model_cross_checks_are_records() -> None:
    """Untraceable birth parents with a named father, a status ending before it began: records, as the model."""
    kids, members = tables()
    kids["birth_parents_untraceable"] = [True, None, None]
    members["status_until"] = [None, None, "2024-06-01", None]
    result = run(kids, members)
    assert ("children.birth_parents_untraceable", "contradiction", 0) in codes(result)
    assert ("members.status_until", "date_order", 2) in codes(result)
    assert result.row.tolist() == [1]


def test_per_parent_untraceable_contradictions_are_records_as_in_the_model() -> None:
    """An untraceable father the child names, or each parent untraceable while not both: the model's records."""
    kids, members = tables()
    kids["father_untraceable"] = [True, None, None]
    kids["birth_parents_untraceable"] = [None, False, None]
    kids["mother_untraceable"] = [None, True, None]
    result = run(kids, members)
    assert ("children.father_untraceable", "contradiction", 0) in codes(result)
    assert ("children.mother_untraceable", "contradiction", 1) in codes(result)
    assert result.row.tolist() == [2]


def test_every_model_validator_is_redone_over_columns() -> None:
    """The table intake re-does every validator of the fact models (a new one fails here until it is added)."""
    for model in (Child, Member, Household, Hukou):
        names = {n for n, _ in model.__pydantic_decorators__.field_validators.items()}
        names |= {n for n, _ in model.__pydantic_decorators__.model_validators.items()}
        assert names <= CROSS_CHECKS[model.__name__], (model.__name__, names - CROSS_CHECKS[model.__name__])


def test_nan_is_unknown_in_facts_and_missing_in_ids() -> None:
    """NaN in a fact is unknown, as an empty cell (never false or zero); NaN as a household id is missing."""
    kids, members = tables()
    kids["school"][0] = math.nan
    kids["household.economy.income_per_capita"] = [math.nan, math.nan, math.nan]
    kids["household_id"][2] = math.nan
    result = run(pd.DataFrame(kids), pd.DataFrame(members))
    assert ("children.household_id", "missing", 2) in codes(result)
    assert result.assessed == 2
    kids["school"][0] = None
    kids["household.economy.income_per_capita"] = [None, None, None]
    assert list(result.to_records()) == list(run(kids, members).to_records())


@pytest.mark.parametrize("form", ["dict", "pandas", "pyarrow"])
def test_empty_tables_give_empty_results(form: str) -> None:
    """Empty tables (no rows, or no columns at all): nothing assessed, nothing lost, no exception."""
    kids, members = tables()
    empty_kids = {k: [] for k in kids}
    empty_members = {k: [] for k in members}
    if form == "pandas":
        result = run(pd.DataFrame(empty_kids), pd.DataFrame(empty_members))
    elif form == "pyarrow":
        result = run(pa.table({k: pa.array([], pa.string()) for k in kids}), None)
    else:
        result = run(empty_kids, empty_members)
    assert (result.rows_in, result.assessed, result.errors) == (0, 0, [])
    assert list(result.to_records()) == []
    assert run({}).rows_in == 0


def test_missing_id_columns_reject_every_row() -> None:
    """No child_id column: every row is rejected, each with its record."""
    kids, members = tables()
    del kids["child_id"]
    result = run(kids, members)
    assert result.assessed == 0 and result.rejected == 3


def test_unknown_columns_are_reported_and_ignored() -> None:
    """A column that is no fact (a typo, an extra field): one record, no row rejected, the value not echoed."""
    kids, members = tables()
    kids["hukou.contry"] = ["x", "y", "z"]
    result = run(kids, members)
    assert ("children.hukou.contry", "unknown_column", None) in codes(result)
    assert result.assessed == 3


def test_households_input_rejects_bad_households_with_records() -> None:
    """An iterable of households: bad JSON, a wrong type, a failing household are records; the rest assessed."""
    good = {"id": "h1", "children": [{"id": "c1", "birth_date": "2015-01-01", "name": NAME}]}
    failing = {"id": "h2", "children": [{"id": "c2", "name": NAME, "school": "nope"}, {"id": "c3"}]}
    result = riskeval.assess_batch([good, "{not json", 42, failing, copy.deepcopy(good)], on=ON, pack=PACK)
    assert result.rows_in == result.assessed + result.rejected
    assert (result.assessed, result.rejected) == (0, 6)  # the two copies of h1 share an id: neither is guessed
    assert {e.code for e in result.errors} >= {"invalid_json", "model_type", "enum", "duplicate_id"}
    assert all(NAME not in str(e.value) for e in result.errors)


JUNK = ["¿?", math.inf]
CORRUPTIBLE = [
    c.name for t in ("children",) for c in columns()[t] if c.kind not in ("str", "text (never read, never echoed)")
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.lists(households(), min_size=1, max_size=5, unique_by=lambda h: h.id),
    st.lists(st.tuples(st.sampled_from(CORRUPTIBLE), st.integers(0, 99), st.sampled_from(JUNK)), max_size=4),
)
def test_corrupted_cells_reject_only_their_rows_and_leave_the_rest_as_they_were(
    hhs: list[Household], damage: list[tuple[str, int, Any]]
) -> None:
    """Junk in random cells: never an exception, counts add up, every rejected row has a record, and every
    row still assessed gives exactly the result it gave before the damage."""
    clean = to_tables(hhs)
    before = {(r["household_id"], r["child_id"]): r for r in run(clean.children, clean.members).to_records()}
    kids = {k: list(v) for k, v in clean.children.items()}
    n = len(kids["child_id"])
    for column, row, junk in damage:
        kids[column][row % n] = junk
    after = run(kids, clean.members)
    for r in after.to_records():
        assert r == before[(r["household_id"], r["child_id"])]


@pytest.mark.parametrize(("table", "column", "row", "value", "code"), CELLS)
def test_pandas_and_arrow_tables_give_the_same_records_as_lists(
    table: str, column: str, row: int, value: Any, code: str
) -> None:
    """The same bad cell in a DataFrame or a pyarrow Table (text held by Arrow) gives the same records."""
    kids, members = tables()
    kids[column][row] = value
    want = codes(run(kids, members))
    frame = pd.DataFrame(kids).astype(object).where(pd.DataFrame(kids).notna(), None)
    assert codes(run(frame, pd.DataFrame(members))) == want
    if all(isinstance(v, str | type(None)) for v in kids[column]):
        arrow = pa.table({k: pa.array(v, pa.string() if all(isinstance(x, str | type(None)) for x in v) else None)
                          for k, v in kids.items()})  # fmt: skip
        assert codes(run(arrow, pa.table(members))) == want


def test_places_in_tables_are_resolved_to_codes_as_in_the_model() -> None:
    """Counties and provinces in a table: names the table resolves and codes (also read as numbers) become
    GB/T 2260 codes; an ambiguous or unknown name, or a province that is not the county's, is a record."""
    kids, members = tables()
    kids["hukou.county"] = ["西安市碑林区", 610104, "朝阳区"]
    kids["hukou.province"] = [None, "陕西", None]
    kids["residence.county"] = ["610103", "碑林区", "no-such-county"]
    result = run(pd.DataFrame(kids), pd.DataFrame(members))
    assert ("children.hukou.county", "ambiguous_place", 2) in codes(result)
    assert ("children.residence.county", "unknown_place", 2) in codes(result)
    assert result.row.tolist() == [0, 1]
    kids["hukou.province"] = ["河南省", None, None]
    result = run(kids, members)
    assert ("children.hukou.province", "contradiction", 0) in codes(result)


def test_a_county_code_read_as_a_float_column_is_the_code() -> None:
    """A CSV column of codes with an empty cell comes as floats (610103.0): still the county 610103."""
    kids, members = tables()
    kids["hukou.county"] = [610104.0, math.nan, 610103.0]
    kids["residence.county"] = [610103.0, 610103.0, math.nan]
    result = run(pd.DataFrame(kids), pd.DataFrame(members))
    assert result.errors == [] and result.assessed == 3
