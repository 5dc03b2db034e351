"""Issue 14, defects 1-7, 14, 15: every bad household or event is a located record that echoes no name or
identity number, never a raw exception. The name and number are fictional (the number has the shape of a
resident identity number of Xi'an, 2011)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval import FactsError, Monitor

ON = date(2025, 12, 1)
NAME, NUMBER = "张三丰", "610103201104101234"
ROOT = Path(__file__).resolve().parents[1]
LETTER_1 = json.loads((ROOT / "examples/households/letter-1-brothers.json").read_text(encoding="utf-8"))


def _refused(household: Any) -> FactsError:
    with pytest.raises(FactsError) as caught:
        riskeval.assess(household, on=ON)
    return caught.value


def _text(records: Any) -> str:
    return json.dumps([r.as_dict() for r in records], ensure_ascii=False)


def _no_leak(text: str) -> None:
    assert NAME not in text and NUMBER not in text and "6.101032011041012e+17" not in text, text


def test_unknown_member_message_does_not_list_a_raw_member_id() -> None:
    """Defect 1: a member id holding a name and an ID number is not listed by a child's unknown_member record."""
    err = _refused({"id": "h", "members": [{"id": f"{NAME} {NUMBER}"}], "children": [{"id": "c", "father": "ghost"}]})
    _no_leak(_text(err.records) + str(err))
    assert {r.loc for r in err.records} >= {"members[0].id"}


def test_unknown_column_does_not_echo_header_cells() -> None:
    """Defect 2: a CSV without a header row does not put the first child's name and ID number in the errors."""
    children = {"h1": ["h2"], "c1": ["c2"], NAME: ["李四"], NUMBER: ["610103201104105678"]}
    result = riskeval.assess_batch({"children": children}, on=ON)
    text = _text(result.errors)
    _no_leak(text)
    assert "unknown_column" in text and result.rejected == 1


@pytest.mark.parametrize("cell", [NUMBER, float(NUMBER)])
def test_household_members_cell_holding_an_id_number_is_redacted(cell: Any) -> None:
    """Defect 3: household.members holding an ID number, as text or as a float, is shown as <redacted>."""
    result = riskeval.assess_batch(
        {"children": {"household_id": ["h"], "child_id": ["c"], "household.members": [cell]}}, on=ON
    )
    _no_leak(_text(result.errors))
    assert [e.value for e in result.errors if e.loc == "children.household.members"] == ["<redacted>"]


def test_a_capitalised_top_level_key_is_an_unknown_field_record_not_an_index_error() -> None:
    """Defect 4: {"id": "h", "Sex": 1} is one unknown_field record at Sex, in assess, a batch and a replay."""
    err = _refused({"id": "h", "Sex": 1})
    assert [(r.loc, r.code) for r in err.records] == [("Sex", "unknown_field")]
    batch = riskeval.assess_batch([{"id": "h", "Sex": 1}, {"id": "h2", "children": [{"id": "c"}]}], on=ON)
    assert (batch.assessed, batch.rejected) == (1, 1)
    replay = Monitor().replay([{"id": "h", "Sex": 1}], [])
    assert [r.code for r in replay.errors] == ["unknown_field"]


@pytest.mark.parametrize(
    "household",
    [
        {"id": "h", "children": [{"id": "c", "sex": "\ud800"}]},
        {"id": "h", "children": [{"id": "c", "hukou": {"province": "\ud800"}}]},
        {"id": "h", "children": [{"id": "c", "residence": {"county": "x\udfff"}}]},
        {"id": "h", "children": [{"id": "c", "\ud800": 1}]},
    ],
)
def test_a_lone_surrogate_is_a_record_that_can_be_written_as_json(household: dict[str, Any]) -> None:
    """Defect 5: a lone surrogate in any string is a FactsError whose records encode as UTF-8 JSON."""
    err = _refused(household)
    json.dumps(err.as_dicts(), ensure_ascii=False).encode("utf-8")
    str(err).encode("utf-8")
    assert err.records[0].loc.startswith("children[0]")


def _deep(n: int) -> dict[str, Any]:
    d: dict[str, Any] = {"a": 1}
    for _ in range(n):
        d = {"a": d}
    return d


def test_a_dict_nested_2000_deep_is_a_too_deep_record_in_assess_and_batch() -> None:
    """Defect 6: a 2,000-deep value is one too_deep record; in a batch the other households are assessed."""
    bad = {"id": "h", "children": [{"id": "c", "sex": _deep(2000)}]}
    assert [r.code for r in _refused(bad).records] == ["too_deep"]
    result = riskeval.assess_batch([bad, {"id": "h2", "children": [{"id": "c"}]}], on=ON)
    assert (result.assessed, result.rejected) == (1, 1)


def test_a_dict_in_a_table_cell_is_a_record() -> None:
    """Defect 6: a dict in a dict-of-lists cell is a record for its row, not a TypeError."""
    children = {"household_id": ["h", "h2"], "child_id": ["c", "c"], "sex": [{"a": NAME}, "female"]}
    result = riskeval.assess_batch({"children": children}, on=ON)
    assert (result.assessed, result.rejected) == (1, 1)
    _no_leak(_text(result.errors))


def test_a_folder_without_a_children_table_has_a_record(tmp_path: Path) -> None:
    """Defect 6: read_population on a folder with no children table names it in a record."""
    with pytest.raises(FactsError) as caught:
        riskeval.read_population(tmp_path)
    assert [r.code for r in caught.value.records] == ["file_not_found"]


def test_replay_of_bytes_that_are_not_json_is_a_record() -> None:
    """Defect 7: Monitor().replay([], [b"{bad"]) is one invalid_json record for row 0."""
    replay = Monitor().replay([], [b"{bad"])
    assert [(r.code, r.row) for r in replay.errors] == [("invalid_json", 0)]
    assert (replay.events, replay.rejected) == (1, 1)


def test_an_event_dated_9999_12_31_is_a_record_and_the_replay_goes_on() -> None:
    """Defect 7: an event dated 9999-12-31 is one out_of_range record; the other events are applied."""
    late = {"id": "e1", "household": LETTER_1["id"], "date": "9999-12-31", "type": "parent_returned",
            "member": "letter-1-father"}  # fmt: skip
    good = {**late, "id": "e2", "date": "2025-12-08"}
    replay = Monitor().replay([LETTER_1], [late, good])
    assert [(r.code, r.row) for r in replay.errors] == [("out_of_range", 0)]
    assert replay.applied == 1


def test_children_null_is_a_children_unknown_record_and_absent_is_none() -> None:
    """Defect 14: "children": null is unknown, which cannot be assessed (a record); absent means none."""
    err = _refused({"id": "h", "children": None})
    assert [(r.loc, r.code) for r in err.records] == [("children", "children_unknown")]
    assert "unknown" in err.records[0].message
    assert riskeval.assess({"id": "h"}, on=ON).children == []


@pytest.mark.parametrize(
    ("child", "loc"),
    [
        ({"id": "c", "Name": "x"}, "children[0].Name"),
        ({"id": "c", "hukou": {"Province": "x"}}, "children[0].hukou.Province"),
        ({"id": "c", "disability": {"Grade": 1}}, "children[0].disability.Grade"),
    ],
)
def test_an_unknown_nested_key_is_blamed_on_itself(child: dict[str, Any], loc: str) -> None:
    """Defect 15: a key not starting with a lower-case letter is named, not "field 0" or its parent."""
    records = _refused({"id": "h", "children": [child]}).records
    assert [(r.loc, r.code) for r in records] == [(loc, "unknown_field")]


def test_an_unknown_han_key_is_blamed_on_itself_without_echoing_it() -> None:
    """Defect 15: a Han key under hukou is an unknown field below hukou, the key itself redacted."""
    records = _refused({"id": "h", "children": [{"id": "c", "hukou": {NAME: "x"}}]}).records
    assert [(r.loc, r.code) for r in records] == [("children[0].hukou.<redacted>", "unknown_field")]
