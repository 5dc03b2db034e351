"""Places are GB/T 2260 codes: names resolve only where the table says one code, and rules compare codes."""

from __future__ import annotations

import copy
from datetime import date
from importlib.resources import files
from typing import Any

import pytest
from pydantic_core import PydanticCustomError

import riskeval
from riskeval import FactsError, parse_event, parse_household
from riskeval.facts import _places
from riskeval.facts._places import TABLE, county_code, place_name, province_code, table_size
from riskeval.population import to_tables

ON = date(2025, 12, 1)
PACK = riskeval.load_pack()


def child_with(hukou: dict[str, Any] | None, residence: dict[str, Any] | None) -> dict[str, Any]:
    """A household of one 9-year-old living with both parents, with the hukou and residence given."""
    adult = {"status": "present", "lives_with_children": True, "civil_capacity": "full"}
    return {
        "id": "h-place",
        "members": [{"id": "f", "relation": "father", **adult}, {"id": "m", "relation": "mother", **adult}],
        "children": [{"id": "c", "birth_date": "2016-05-01", "father": "f", "mother": "m", "caregiver": "m",
                      "hukou": hukou, "residence": residence, "medical_insurance": False, "school": "enrolled"}],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("given", "code"),
    [("碑林区", "610103"), ("西安市碑林区", "610103"), ("陕西省西安市碑林区", "610103"), (" 碑林区 ", "610103"),
     ("610103", "610103"), (610103, "610103"), ("北京市朝阳区", "110105"), ("东莞市", "441900"),
     ("仙桃市", "429004"), ("郸城县", "411625")],
)  # fmt: skip
def test_a_county_is_a_code_or_a_name_that_resolves_to_one(given: Any, code: str) -> None:
    """A county-level code, or a name (bare, with its city, with its province) the table resolves to one code."""
    assert county_code(given) == code


@pytest.mark.parametrize(("given", "code"), [("陕西", "610000"), ("陕西省", "610000"), ("610000", "610000"),
                                             ("广西", "450000"), ("北京", "110000"), ("河南省", "410000")])  # fmt: skip
def test_a_province_is_its_code_or_its_full_or_short_name(given: str, code: str) -> None:
    """陕西 and 陕西省 are one province: 610000."""
    assert province_code(given) == code


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("county", "朝阳区", "ambiguous_place"), ("county", "长安区", "ambiguous_place"),
     ("county", "henan-county-b", "unknown_place"), ("county", "999999", "unknown_place"),
     ("county", "610100", "place_level"), ("county", "610000", "place_level"), ("county", True, "place_type"),
     ("province", "陕", "unknown_place"), ("province", "610103", "place_level")],
)  # fmt: skip
def test_an_unresolvable_place_is_a_record_naming_the_field(field: str, value: Any, code: str) -> None:
    """An ambiguous or unknown name, or a code of the wrong level, is a FactsError record at the field."""
    hukou = {"province": "610000", "county": "610103"} | {field: value}
    with pytest.raises(FactsError) as err:
        parse_household(child_with(hukou, None))
    assert [(r.loc, r.code) for r in err.value.records] == [(f"children[0].hukou.{field}", code)]


def test_an_ambiguous_name_lists_the_counties_it_could_be() -> None:
    """朝阳区 is in Beijing and in Changchun: the message names both, with their codes."""
    with pytest.raises(FactsError) as err:
        parse_household(child_with({"county": "朝阳区"}, None))
    message = err.value.records[0].message
    assert "110105 北京市朝阳区" in message and "220104 吉林省长春市朝阳区" in message


def test_an_identity_number_typed_as_a_county_is_not_echoed() -> None:
    """A resident identity number in a county cell is refused without showing it."""
    with pytest.raises(FactsError) as err:
        parse_household(child_with(None, {"county": "610103199001011234"}))
    (record,) = err.value.records
    assert "19900101" not in record.message and "19900101" not in str(record.value)


def test_the_province_is_read_off_the_county_and_must_agree() -> None:
    """A county code says its province: filled in when unknown, a contradiction when another is given."""
    household = parse_household(child_with({"county": "郸城县"}, None))
    assert household.children[0].hukou is not None
    assert (household.children[0].hukou.province, household.children[0].hukou.county) == ("410000", "411625")
    with pytest.raises(FactsError) as err:
        parse_household(child_with({"province": "陕西省", "county": "郸城县"}, None))
    assert [(r.loc, r.code) for r in err.value.records] == [("children[0].hukou.province", "contradiction")]


def test_an_event_county_is_a_code() -> None:
    """household_moved takes a county as the facts do, and keeps its code."""
    event = {"id": "e", "household": "h", "date": "2025-06-04", "type": "household_moved", "county": "雁塔区"}
    assert parse_event(event).county == "610113"
    with pytest.raises(FactsError) as err:
        parse_event(event | {"county": "朝阳区"})
    assert [(r.loc, r.code) for r in err.value.records] == [("county", "ambiguous_place")]


def test_the_table_says_its_source_and_date_and_holds_every_county() -> None:
    """The shipped table names the Ministry of Civil Affairs' list and its date, and holds 3,213 codes."""
    header = " ".join(files("riskeval.facts").joinpath(TABLE).read_text("utf-8").splitlines()[:4])
    assert "民政部" in header and "2024-12-31" in header and "3213 codes" in header
    assert table_size() == 3213
    assert place_name("610103") == "陕西省西安市碑林区"


def test_central_districts_are_county_codes_of_one_city() -> None:
    """The pack's central districts are county-level codes of the table, all in one prefecture-level city."""
    values = [v.value for v in PACK.parameters["central_districts"].values]
    for codes in values:
        assert [county_code(c) for c in codes] == codes
        assert len({c[:4] for c in codes}) == 1


PLACE_CASES = {
    "same county written two ways": ({"county": "碑林区"}, {"county": "西安市碑林区", "since": "2024-01-01"}, []),
    "central districts": ({"county": "莲湖区"}, {"county": "碑林区", "since": "2024-01-01"}, []),
    "outside the central districts": (
        {"county": "西安市长安区"}, {"county": "碑林区", "since": "2024-01-01"}, ["migrant"]),
    "another province": ({"county": "郸城县"}, {"county": "610103", "since": "2024-01-01"}, ["migrant"]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(PLACE_CASES))
def test_places_decide_migration_alike_in_assess_and_the_batch(name: str) -> None:
    """民发〔2024〕35号 on codes: the same categories and factors from assess(), from households and from tables."""
    hukou, residence, categories = PLACE_CASES[name]
    household = parse_household(child_with(copy.deepcopy(hukou), copy.deepcopy(residence)))
    scalar = riskeval.assess(household, on=ON, pack=PACK).children[0]
    assert scalar.categories == categories
    for population in ([household], to_tables([household])):
        (row,) = riskeval.assess_batch(population, on=ON, pack=PACK).to_records()
        assert row["categories"] == scalar.categories
        assert [f["code"] for f in row["factors"]] == [f.code for f in scalar.factors]


@pytest.mark.parametrize(
    "value", ["610103", "碑林区", "西安市碑林区", " 610103 ", "朝阳区", "610000", "999999", "不存在区", 610103]
)
def test_a_place_resolved_again_gives_the_same_code_or_the_same_error(value: object) -> None:
    """The resolvers remember what text resolved to: asked again, they answer the same, and an error (never
    remembered) is raised again with the same message."""
    for resolve in (county_code, province_code):
        answers = []
        for _ in range(2):
            try:
                answers.append(resolve(value))
            except PydanticCustomError as exc:
                answers.append((exc.type, exc.message()))
        assert answers[0] == answers[1]


def test_the_memo_of_resolved_places_stays_bounded() -> None:
    """However many distinct spellings are resolved, the memo holds at most its bound."""
    for i in range(_places._RESOLVED_MAX + 10):
        county_code(f"{'西安市碑林区'}{' ' * (i % 50)}{chr(0x3000) * (i // 50)}")
    assert 0 < len(_places._RESOLVED) <= _places._RESOLVED_MAX
