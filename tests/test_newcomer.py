"""What a newcomer hits first (issue 18 item 7): a misspelt field gets a "did you mean", a date error shows
the form expected, --help shows the defaults, and the demo explains its factor codes."""

from __future__ import annotations

import pytest

import riskeval
from riskeval.cli import main


def _messages(data: dict[str, object], parse: object = riskeval.parse_household) -> dict[str, str]:
    with pytest.raises(riskeval.FactsError) as info:
        parse(data)  # type: ignore[operator]
    return {r.loc: r.message for r in info.value.records}


@pytest.mark.parametrize(
    ("data", "loc", "meant"),
    [
        ({"id": "h1", "children": [{"id": "c1", "birth_dat": "2015-01-01"}]}, "children[0].birth_dat", "birth_date"),
        ({"id": "h1", "members": [{"id": "m1", "relaton": "father"}]}, "members[0].relaton", "relation"),
        (
            {"id": "h1", "children": [{"id": "c1", "hukou": {"countyy": "610103"}}]},
            "children[0].hukou.countyy",
            "county",
        ),
        ({"id": "h1", "children": [{"id": "c1", "disability": {"grde": 2}}]}, "children[0].disability.grde", "grade"),
        ({"id": "h1", "economy": {"dibau": "none"}}, "economy.dibau", "dibao"),
        ({"id": "h1", "houseing": "poor"}, "houseing", "housing"),
    ],
)
def test_a_misspelt_household_field_gets_did_you_mean(data: dict[str, object], loc: str, meant: str) -> None:
    """An unknown field close to a field of the model it sits in names that field, as rule files do."""
    assert f"did you mean {meant!r}?" in _messages(data)[loc]


def test_a_misspelt_event_field_gets_did_you_mean() -> None:
    """Events too: a detail misspelt is named with the field meant."""
    event = {"id": "e1", "household": "h1", "date": "2026-01-05", "type": "school_dropout", "child": "c1", "kidn": 1}
    assert "did you mean 'kind'?" in _messages(event, riskeval.parse_event)["kidn"]


def test_an_unknown_field_far_from_any_points_to_the_schema() -> None:
    """With no close field, the message points to the fact schema instead of guessing."""
    assert "see the fact schema" in _messages({"id": "h1", "zzz": 1})["zzz"]


@pytest.mark.parametrize("value", ["2015-1-01", "01/02/2015", "2015-02-30", "yesterday"])
def test_a_date_error_shows_the_form_expected(value: str) -> None:
    """A date that is not YYYY-MM-DD says so, whatever pydantic's own words were."""
    message = _messages({"id": "h1", "children": [{"id": "c1", "birth_date": value}]})["children[0].birth_date"]
    assert "YYYY-MM-DD" in message


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["assess", "--help"], "(default: json)"),
        (["batch", "--help"], "(default:"),
        (["triggers", "replay", "--help"], "(default:"),
    ],
)
def test_help_shows_the_defaults(argv: list[str], shown: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--help says each option's default, so a newcomer sees what happens without it."""
    assert main(argv) == 0
    assert shown in capsys.readouterr().out


def test_the_demo_prints_a_legend_of_the_factor_codes(capsys: pytest.CaptureFixture[str]) -> None:
    """The demo's factor codes (G7, C6, E6, ...) are explained in a legend, with their names from the pack."""
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Factor codes" in out
    pack = riskeval.load_pack()
    for code in ("G7", "C6", "E6"):
        assert f"{code.ljust(3)}  {pack.factors[code].label.en}" in out
