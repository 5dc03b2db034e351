"""Identity numbers and names never come back, wherever in the input they stand (the project's rule).

The numbers below have the shape of resident identity numbers (GB 11643) and are fictional: the first is
the standard's own sample. The name is made up.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

import riskeval
from riskeval._privacy import REDACTED, is_resident_id, shown

ON = date(2025, 12, 1)
ID_NUMBERS = ["11010519491231002X", "110101196802114321", "110101199003071234"]
NAME = "王小明"


def _leaks(text: str) -> list[str]:
    return [s for s in [*ID_NUMBERS, NAME] if s in text]


def _errors(household: dict[str, Any]) -> str:
    with pytest.raises(riskeval.FactsError) as caught:
        riskeval.assess(household, on=ON)
    return json.dumps(caught.value.as_dicts(), ensure_ascii=False) + str(caught.value)


@pytest.mark.parametrize("number", ID_NUMBERS)
def test_an_id_shaped_like_an_identity_number_is_refused_without_showing_it(number: str) -> None:
    for hh in (
        {"id": number, "children": [{"id": "c1"}]},
        {"id": "h1", "children": [{"id": number}]},
        {"id": "h1", "members": [{"id": number}], "children": [{"id": "c1", "mother": number}]},
    ):
        text = _errors(hh)
        assert "id_number_as_id" in text
        assert _leaks(text) == []


@pytest.mark.parametrize("field", ["birth_date", "sex", "school", "psych"])
@pytest.mark.parametrize("value", [ID_NUMBERS[0], NAME, f"{NAME} {ID_NUMBERS[0]}"])
def test_an_identity_number_or_a_name_in_a_wrong_cell_is_not_echoed(field: str, value: str) -> None:
    text = _errors({"id": "h1", "children": [{"id": "c1", field: value}]})
    assert _leaks(text) == [], text


def test_a_whole_child_given_as_text_is_not_echoed() -> None:
    text = _errors({"id": "h1", "children": [f"{NAME} {ID_NUMBERS[0]}"]})
    assert _leaks(text) == []


def test_a_role_naming_an_identity_number_is_not_echoed_in_its_message() -> None:
    text = _errors({"id": "h1", "members": [{"id": "m1"}], "children": [{"id": "c1", "father": ID_NUMBERS[1]}]})
    assert _leaks(text) == []


def test_the_batch_refuses_the_same_ids_and_echoes_nothing() -> None:
    children = {
        "household_id": ["h1", "h2", ID_NUMBERS[0]],
        "child_id": ["c1", ID_NUMBERS[1], "c3"],
        "birth_date": ["2015-06-01", ID_NUMBERS[2], NAME],
        "sex": [NAME, "female", "female"],
    }
    members = {"household_id": ["h1", "h1"], "member_id": ["m1", ID_NUMBERS[2]], "relation": ["mother", "father"]}
    result = riskeval.assess_batch({"children": children, "members": members}, on=ON)
    text = json.dumps([[e.loc, e.code, e.message, e.value] for e in result.errors], ensure_ascii=False)
    assert _leaks(text) == []
    codes = {(e.loc, e.row) for e in result.errors if e.code == "id_number_as_id"}
    assert codes == {("children.child_id", 1), ("children.household_id", 2), ("members.member_id", 1)}
    assert result.assessed == 0  # h1's member row is refused, so h1 is; h2's and the third's own ids are


def test_whole_number_ids_of_identity_number_shape_are_refused_in_the_batch() -> None:
    children = {"household_id": [1, 2], "child_id": [110101199003071234, 7], "birth_date": ["2015-06-01"] * 2}
    result = riskeval.assess_batch({"children": children, "members": {"household_id": [], "member_id": []}}, on=ON)
    assert [(e.loc, e.code, e.row, e.value) for e in result.errors] == [
        ("children.child_id", "id_number_as_id", 0, REDACTED)
    ]
    assert [r["child_id"] for r in result.to_records()] == ["7"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("110105194902301234", False),  # Feb 30: no birth date, not an identity number
        ("110105184912311234", False),  # born in 1849
        ("01010519491231002X", False),  # no region starts with 0
        ("1101051949123100", False),
        ("c-110105194912310021", False),
    ],
)
def test_the_shape_of_an_identity_number(text: str, expected: bool) -> None:
    assert is_resident_id(text) is expected


def test_place_names_are_shown_and_long_numbers_are_not() -> None:
    assert shown("碑林区", "county") == "碑林区"
    assert shown("碑林区", "school") == REDACTED
    assert shown("13800138000") == REDACTED  # a mobile number
    assert shown(12345678901) == REDACTED
    assert shown("2025-12-01") == "2025-12-01"
    assert shown(1500) == 1500
