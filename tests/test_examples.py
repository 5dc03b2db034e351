"""The example households validate, and say what DOMAIN.md says about ages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from riskeval import parse_household

FOLDER = Path(__file__).resolve().parent.parent / "examples" / "households"
ASSESSED_ON = date(2025, 12, 1)
# The children's ages on ASSESSED_ON: DOMAIN.md §6 for the letter's four, examples/README.md for the rest.
AGES = {
    "letter-1-brothers.json": [14, 10],
    "letter-2-dropout.json": [15],
    "letter-3-aged-out.json": [18],
    "letter-4-migrant.json": [8],
    "orphan.json": [9],
    "de-facto-unsupported.json": [12],
    "in-difficulty.json": [11],
    "left-behind.json": [9],
    "migrant.json": [9],
    "extreme-poverty.json": [13],
}
FILES = sorted(FOLDER.glob("*.json"))


def completed_years(born: date, on: date) -> int:
    """Age in completed years (周岁) on a date."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_the_ten_expected_example_files_are_there() -> None:
    """The letter's four households and one household per category are all present."""
    assert set(AGES) <= {path.name for path in FILES}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_example_validates(path: Path) -> None:
    """Every example file is a valid household and round-trips through JSON unchanged."""
    household = parse_household(path.read_text(encoding="utf-8"))
    assert parse_household(household.model_dump_json()) == household


@pytest.mark.parametrize("name", sorted(AGES))
def test_children_have_the_stated_ages_on_the_assessment_date(name: str) -> None:
    """Birth dates give the ages of DOMAIN.md §6 (and of the README) on 2025-12-01."""
    household = parse_household((FOLDER / name).read_text(encoding="utf-8"))
    ages = [completed_years(c.birth_date, ASSESSED_ON) for c in household.children if c.birth_date]
    assert ages == AGES[name]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_names_are_made_up_nicknames_only(path: Path) -> None:
    """A name, when an example has one, is a 小-nickname, never a full name that could be someone's."""
    data = json.loads(path.read_text(encoding="utf-8"))
    people = data.get("members", []) + data.get("children", [])
    names = [p["name"] for p in people if p.get("name") is not None]
    assert all(len(name) == 2 and name.startswith("小") for name in names), names
