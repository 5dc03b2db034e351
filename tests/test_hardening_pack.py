"""Issue 14, defects 8-10 and 16: a rule pack that is malformed, out of range or links out of its folder is
refused at load with located records (PackError), never a raw exception, and never after it loaded."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

import riskeval
from riskeval import PackError, load_pack

ON = date(2025, 12, 1)
ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "rules" / "beilin-2025"
ORPHAN = json.loads((ROOT / "examples/households/orphan.json").read_text(encoding="utf-8"))
ORPHAN_RULE = "child.age < params.adult_age and not child.adopted\n"


def _pack(tmp_path: Path, file: str, old: str | None, new: str) -> Path:
    folder = tmp_path / "p"
    shutil.copytree(DEFAULT, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old is None or old in text
    path.write_text(text + new if old is None else text.replace(old, new, 1), encoding="utf-8")
    return folder


def _codes(folder: Path) -> list[tuple[str, str]]:
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    assert caught.value.records
    return [(r.loc.split(":")[0], r.code) for r in caught.value.records]


RULE = "\n- id: {id}\n  label: {{zh: x, en: x}}\n  source: PROPOSAL x\n  when: {when}\n"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a list as a key", "\n- ? [1, 2]\n  : x\n"),
        ("an alias that contains itself", "\n- rec: &r [*r]\n"),
        ("500 nested flow sequences", "\n- x: " + "[" * 500 + "]" * 500 + "\n"),
    ],
)
def test_malformed_yaml_structures_are_yaml_records(tmp_path: Path, name: str, text: str) -> None:
    """Defect 8: unhashable keys, recursive aliases and deep nesting are `yaml` records, not raw exceptions."""
    assert _codes(_pack(tmp_path, "predicates.yaml", None, text)) == [("p/predicates.yaml", "yaml")]


def test_a_5000_digit_integer_is_a_yaml_record(tmp_path: Path) -> None:
    """Defect 8: a 5,000-digit integer is a located record, not the interpreter's digit-limit ValueError."""
    folder = _pack(tmp_path, "parameters.yaml", "value: 18}", "value: " + "9" * 5000 + "}")
    assert _codes(folder) == [("p/parameters.yaml", "yaml")]


def test_a_chain_of_2000_predicates_is_a_too_deep_record(tmp_path: Path) -> None:
    """Defect 8: 2,000 predicates each reading the one before is one too_deep record, not a RecursionError."""
    chain = "".join(RULE.format(id=f"p{i}", when=f"p{i - 1}" if i else "child.age > 1") for i in range(2000))
    folder = _pack(tmp_path, "predicates.yaml", None, chain)
    (folder / "categories.yaml").write_text(
        (folder / "categories.yaml").read_text(encoding="utf-8") + RULE.format(id="top", when="p1999"),
        encoding="utf-8",
    )
    assert _codes(folder) == [("p/categories.yaml", "too_deep")]


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("schedule.yaml", "working_days: 5", "working_days: 999999999999"),
        ("schedule.yaml", "months: 1\n", "months: 99999999\n"),
        ("schedule.yaml", "interval_months: 12", "interval_months: 99999999"),
        ("schedule.yaml", "lead_days: 14", "lead_days: 9999999999"),
        ("schedule.yaml", "horizon_months: 12", "horizon_months: 9999999999"),
        ("schedule.yaml", "visits_listed: 3", "visits_listed: 99999999"),
        ("schedule.yaml", "official_through: 2026", "official_through: 99999999"),
        ("triggers.yaml", "within_days: 90", "within_days: 9999999999999"),
        ("triggers.yaml", "working_days: 3", "working_days: 9999999999999"),
    ],
)
def test_a_pack_number_past_its_range_is_refused_at_load(tmp_path: Path, file: str, old: str, new: str) -> None:
    """Defect 9: durations and counts past their documented range fail `load_pack`, located in their file."""
    assert _codes(_pack(tmp_path, file, old, new))[0][0] == f"p/{file}"


def test_lost_contact_months_parameter_past_its_range_is_refused(tmp_path: Path) -> None:
    """Defect 9: the parameter the lost-contact timer adds to a date is whole months within range."""
    text = (DEFAULT / "triggers.yaml").read_text(encoding="utf-8")
    name = text.split("after_months:", 1)[1].split()[0]
    params = (DEFAULT / "parameters.yaml").read_text(encoding="utf-8")
    head, tail = params.split(f"\n{name}:", 1)
    value = tail.split("value:", 1)[1].split("}")[0]
    folder = tmp_path / "p"
    shutil.copytree(DEFAULT, folder)
    (folder / "parameters.yaml").write_text(
        head + f"\n{name}:" + tail.replace(f"value:{value}}}", "value: 99999999}", 1), encoding="utf-8"
    )
    assert ("p/triggers.yaml", "number_range") in _codes(folder)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1.0e+300"])
def test_nan_infinity_and_huge_parameters_are_refused(tmp_path: Path, value: str) -> None:
    """Defect 10: adult_age: .nan passed the check and the orphan lost its categories; now it is refused."""
    folder = _pack(tmp_path, "parameters.yaml", "value: 18}", f"value: {value}}}")
    assert _codes(folder) == [("p/parameters.yaml", "number_range")]


@pytest.mark.parametrize(
    "extra",
    [
        " and child.age * 99999999999999999999999999999999999999 > 0",
        " and child.age * 999999999999999 * 99999 > 0",
        " and child.age + 1e999 > 0",
    ],
)
def test_arithmetic_that_could_overflow_is_refused_at_load(tmp_path: Path, extra: str) -> None:
    """Defect 10: assess and assess_batch disagreed (or one raised OverflowError); now the pack is refused."""
    folder = _pack(tmp_path, "categories.yaml", ORPHAN_RULE, ORPHAN_RULE.rstrip("\n") + extra + "\n")
    assert _codes(folder) == [("p/categories.yaml", "number_range")]


def test_bounded_arithmetic_gives_the_same_answer_in_both_forms(tmp_path: Path) -> None:
    """Defect 10: arithmetic within 2**53 loads, and assess and assess_batch agree on it."""
    extra = " and child.age * 9999 * 999 > 0"
    pack = load_pack(_pack(tmp_path, "categories.yaml", ORPHAN_RULE, ORPHAN_RULE.rstrip("\n") + extra + "\n"))
    one = riskeval.assess(ORPHAN, on=ON, pack=pack).children[0].categories
    many = next(riskeval.assess_batch([ORPHAN], on=ON, pack=pack).to_records())["categories"]
    assert one == many and "orphan" in one


def test_a_pack_file_linking_outside_the_pack_is_not_read(tmp_path: Path) -> None:
    """Defect 16: a symlink to a file outside the folder is an outside_pack record; its text is never shown."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:张三丰 610103201104101234:/root:/bin/bash\n", encoding="utf-8")
    folder = tmp_path / "p"
    shutil.copytree(DEFAULT, folder)
    (folder / "predicates.yaml").unlink()
    (folder / "predicates.yaml").symlink_to(secret)
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    text = json.dumps(caught.value.as_dicts(), ensure_ascii=False) + str(caught.value)
    assert "root:x" not in text and "610103201104101234" not in text
    assert ("p/predicates.yaml:1:1", "outside_pack") in [(r.loc, r.code) for r in caught.value.records]


def test_a_link_inside_the_pack_folder_is_read(tmp_path: Path) -> None:
    """Defect 16: a link to a file inside the folder is still followed (only links out are refused)."""
    folder = tmp_path / "p"
    shutil.copytree(DEFAULT, folder)
    (folder / "shared").mkdir()
    (folder / "predicates.yaml").rename(folder / "shared" / "predicates.yaml")
    (folder / "predicates.yaml").symlink_to(folder / "shared" / "predicates.yaml")
    assert load_pack(folder).id == load_pack(DEFAULT).id
