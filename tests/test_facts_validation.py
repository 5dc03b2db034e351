"""Bad facts are refused with located records: one bad input per validation rule."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, NamedTuple

import pytest

from riskeval import FactsError, RiskevalError, parse_event, parse_household

# Fictional names: they must never come back in an error message or record.
NAMES = ("王小明", "李小红")


def household() -> dict[str, Any]:
    """A valid household; each case below breaks exactly one rule of it."""
    return {
        "id": "hh-1",
        "members": [
            {
                "id": "m-father",
                "name": NAMES[0],
                "relation": "father",
                "status": "imprisoned",
                "status_since": "2025-03-01",
                "status_until": "2028-03-01",
                "disability": {"type": "intellectual", "grade": 2},
            },
            {"id": "m-mother", "relation": "mother", "status": "present"},
            {"id": "m-grandma", "relation": "grandmother"},
        ],
        "children": [
            {
                "id": "c-1",
                "name": NAMES[1],
                "birth_date": "2014-05-20",
                "father": "m-father",
                "mother": "m-mother",
                "caregiver": "m-grandma",
            },
            {"id": "c-2", "birth_date": "2018-09-01"},
        ],
        "economy": {"dibao": "dibao", "income_per_capita": 900},
        "housing": "poor",
    }


def event(**details: Any) -> dict[str, Any]:
    """A valid parent_detained event, or another type when `details` says so."""
    base = {"id": "ev-1", "household": "hh-1", "date": "2025-11-15", "type": "parent_detained"}
    return {**base, "member": "m-father", "kind": "imprisoned", "until": "2028-11-15", **details}


def changed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """The valid household with the value at `path` replaced (or appended, one past a list's end)."""
    data = household()
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    if path[-1] == len(target):
        target.append(value)
    else:
        target[path[-1]] = value
    return data


def without(data: dict[str, Any], key: str) -> dict[str, Any]:
    """A copy of `data` without `key`."""
    return {k: v for k, v in data.items() if k != key}


class Case(NamedTuple):
    id: str
    parse: Callable[..., Any]
    data: dict[str, Any]
    loc: str
    code: str


TOMORROW = (date.today() + timedelta(days=1)).isoformat()
CASES = [
    Case("typo in a field name", parse_household, changed(("children", 0, "birth_dat"), "2014-05-20"),
         "children[0].birth_dat", "unknown_field"),
    Case("value outside an enum", parse_household, changed(("members", 0, "status"), "in_prison"),
         "members[0].status", "enum"),
    Case("impossible date", parse_household, changed(("children", 0, "birth_date"), "2020-02-30"),
         "children[0].birth_date", "invalid_date"),
    Case("birth date in the future", parse_household, changed(("children", 1, "birth_date"), TOMORROW),
         "children[1].birth_date", "future_date"),
    Case("negative money", parse_household, changed(("economy", "income_per_capita"), -1),
         "economy.income_per_capita", "out_of_range"),
    Case("disability grade 0", parse_household, changed(("members", 0, "disability", "grade"), 0),
         "members[0].disability.grade", "out_of_range"),
    Case("disability grade 5", parse_household, changed(("members", 0, "disability", "grade"), 5),
         "members[0].disability.grade", "out_of_range"),
    Case("duplicate member id", parse_household, changed(("members", 3), {"id": "m-mother"}),
         "members[3].id", "duplicate_id"),
    Case("duplicate child id", parse_household, changed(("children", 1, "id"), "c-1"),
         "children[1].id", "duplicate_id"),
    Case("member id used by a child", parse_household, changed(("children", 1, "id"), "m-grandma"),
         "children[1].id", "duplicate_id"),
    Case("father names no member", parse_household, changed(("children", 0, "father"), "m-nobody"),
         "children[0].father", "unknown_member"),
    Case("mother names no member", parse_household, changed(("children", 0, "mother"), "m-nobody"),
         "children[0].mother", "unknown_member"),
    Case("caregiver names no member", parse_household, changed(("children", 0, "caregiver"), "c-2"),
         "children[0].caregiver", "unknown_member"),
    Case("status_until before status_since", parse_household,
         changed(("members", 0, "status_until"), "2025-02-28"), "members[0].status_until", "date_order"),
    Case("untraceable birth parents, yet a father is named", parse_household,
         changed(("children", 0, "birth_parents_untraceable"), True),
         "children[0].birth_parents_untraceable", "contradiction"),
    Case("untraceable father, yet a father is named", parse_household,
         changed(("children", 0, "father_untraceable"), True), "children[0].father_untraceable", "contradiction"),
    Case("untraceable mother, yet a mother is named", parse_household,
         changed(("children", 0, "mother_untraceable"), True), "children[0].mother_untraceable", "contradiction"),
    Case("both untraceable, yet the mother is said traceable", parse_household,
         changed(("children", 1), {"id": "c-2", "birth_parents_untraceable": True, "mother_untraceable": False}),
         "children[1].mother_untraceable", "contradiction"),
    Case("each parent untraceable, yet not both", parse_household,
         changed(("children", 1), {"id": "c-2", "birth_parents_untraceable": False, "father_untraceable": True,
                                   "mother_untraceable": True}),
         "children[1].birth_parents_untraceable", "contradiction"),
    Case("unknown event type", parse_event, event(type="parent_jailed"), "type", "enum"),
    Case("typo in an event detail", parse_event, {**without(event(), "until"), "untill": "2028-11-15"},
         "untill", "unknown_field"),
    Case("detail not allowed for the type", parse_event, event(months=3), "months", "not_allowed"),
    Case("required detail missing", parse_event, event(type="child_support_stopped", kind=None, until=None),
         "months", "missing"),
    Case("kind outside the type's kinds", parse_event, event(kind="divorced"), "kind", "enum"),
    Case("event without its required member", parse_event, without(event(), "member"), "member", "missing"),
    Case("event naming a child it does not take", parse_event,
         event(type="home_disaster", member=None, kind=None, until=None, child="c-1"), "child", "not_allowed"),
    Case("until before the event date", parse_event, event(until="2025-11-14"), "until", "date_order"),
]  # fmt: skip


def test_the_base_inputs_are_valid() -> None:
    """The household and event the cases start from validate, so each case fails for its one change only."""
    assert parse_household(household()).children[0].caregiver == "m-grandma"
    assert parse_event(event()).until == date(2028, 11, 15)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_rule_rejects_its_bad_input_at_its_field_path(case: Case) -> None:
    """The bad input raises FactsError with exactly one record, at the field path, with the rule's code."""
    with pytest.raises(FactsError) as caught:
        case.parse(copy.deepcopy(case.data))
    assert [(r.loc, r.code) for r in caught.value.records] == [(case.loc, case.code)]
    assert case.loc in str(caught.value)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_no_error_echoes_a_name(case: Case) -> None:
    """Neither the message nor the records of any rejection contain a person's name."""
    with pytest.raises(FactsError) as caught:
        case.parse(copy.deepcopy(case.data))
    shown = str(caught.value) + json.dumps(caught.value.as_dicts(), ensure_ascii=False)
    assert not [name for name in NAMES if name in shown]


def test_a_bad_name_is_redacted_not_echoed() -> None:
    """A name that is itself invalid (not a string) is reported at its path, with the value redacted."""
    with pytest.raises(FactsError) as caught:
        parse_household(changed(("members", 0, "name"), {"surname": NAMES[0]}))
    (record,) = caught.value.records
    assert record.loc == "members[0].name"
    assert NAMES[0] not in str(caught.value) + repr(record)


def test_an_enum_error_lists_the_allowed_values() -> None:
    """A value outside an enum gets a message naming every allowed value."""
    with pytest.raises(FactsError) as caught:
        parse_household(changed(("members", 0, "status"), "in_prison"))
    message = caught.value.records[0].message
    for allowed in ("present", "away_for_work", "imprisoned", "lost_contact", "deported"):
        assert f"'{allowed}'" in message


def test_every_problem_is_reported_not_just_the_first() -> None:
    """Bad fields in different parts of a household each get their record, in one error."""
    data = changed(("children", 1, "birth_date"), "2020-02-30")
    data["economy"]["income_per_capita"] = -5
    data["members"][1]["status"] = "in_prison"
    with pytest.raises(FactsError) as caught:
        parse_household(data)
    locs = {r.loc for r in caught.value.records}
    assert locs == {"children[1].birth_date", "economy.income_per_capita", "members[1].status"}


def test_all_cross_reference_problems_are_reported_together() -> None:
    """Every broken id reference and duplicate id of a household comes back in one error."""
    data = changed(("children", 0, "father"), "m-nobody")
    data["children"][1]["id"] = "c-1"
    with pytest.raises(FactsError) as caught:
        parse_household(data)
    assert {r.loc for r in caught.value.records} == {"children[0].father", "children[1].id"}


def test_field_errors_and_id_problems_are_reported_together() -> None:
    """A broken reference is not held back until the bad fields are fixed: both come in one error."""
    data = changed(("children", 0, "father"), "m-nobody")
    data["children"][1]["birth_date"] = "2020-02-30"
    data["members"][1]["status"] = "in_prison"
    with pytest.raises(FactsError) as caught:
        parse_household(data)
    records = {r.loc: r.code for r in caught.value.records}
    assert records == {"children[1].birth_date": "invalid_date", "members[1].status": "enum",
                       "children[0].father": "unknown_member"}  # fmt: skip


def test_a_reference_to_a_member_whose_id_is_bad_is_not_judged() -> None:
    """When a member's own id is invalid, which member a child names cannot be told: only the id's error."""
    data = changed(("members", 0, "id"), 17)
    with pytest.raises(FactsError) as caught:
        parse_household(data)
    assert all(r.code != "unknown_member" for r in caught.value.records)
    assert any(r.loc == "members[0].id" for r in caught.value.records)


def test_facts_error_is_a_value_error_and_a_riskeval_error() -> None:
    """Callers can catch bad facts as ValueError or as RiskevalError."""
    with pytest.raises(FactsError) as caught:
        parse_event(event(type="parent_jailed"))
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, RiskevalError)


def test_invalid_json_is_a_facts_error() -> None:
    """A JSON string that does not parse is refused as FactsError with code invalid_json."""
    with pytest.raises(FactsError) as caught:
        parse_household('{"id": "hh-1",')
    assert [r.code for r in caught.value.records] == ["invalid_json"]


def test_unknown_known_false_and_known_empty_survive_a_json_round_trip() -> None:
    """None (unknown), False and [] (known no) stay distinct after model_dump_json and parse_household."""
    data = household()
    data["children"][0].update(working=None, adopted=False, behaviour=[], safety=None, disability=False)
    data["children"][1].update(disability=None, acts_as_carer=True)
    parsed = parse_household(parse_household(data).model_dump_json())
    first, second = parsed.children
    assert first.working is None
    assert first.adopted is False
    assert first.behaviour == []
    assert first.safety is None
    assert first.disability is False
    assert second.disability is None
    assert second.acts_as_carer is True
    assert parsed.economy is not None and parsed.economy.assets_over_limit is None


def test_mother_dead_father_never_identified_can_be_entered() -> None:
    """A mother who died and a father never identified (查找不到) is a household the model accepts (it was
    refused as a contradiction while only both parents could be said untraceable), and the child is an orphan."""
    import riskeval

    data = {
        "id": "hh-untraceable-father",
        "members": [
            {"id": "m", "relation": "mother", "status": "deceased"},
            {"id": "g", "relation": "grandmother", "status": "present", "lives_with_children": True},
        ],
        "children": [{"id": "c", "birth_date": "2016-04-02", "mother": "m", "caregiver": "g",
                      "father_untraceable": True, "adopted": False}],
    }  # fmt: skip
    household = parse_household(data)
    assert household.children[0].father_untraceable is True
    result = riskeval.assess(household, on=date(2025, 12, 1))
    assert "orphan" in result.children[0].categories
