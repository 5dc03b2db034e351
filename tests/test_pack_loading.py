"""Loading rule packs: the bad-rule-file corpus, reporting every problem, the default pack, pack identity."""

from __future__ import annotations

import ast
import functools
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

import riskeval
from riskeval import PackError, load_pack
from riskeval._schemafiles import schema_text
from riskeval.pack import default_pack_dir
from riskeval.pack._jsonschema import json_schemas

CORPUS = yaml.safe_load((Path(__file__).parent / "packs" / "corpus.yaml").read_text(encoding="utf-8"))
SCHEMA_DIR = Path(__file__).parents[1] / "docs" / "schema" / "pack"
DOCS = Path(__file__).parents[1] / "docs" / "rules.md"
PACK_SRC = Path(riskeval.__file__).parent / "pack"
LOC = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+)$")


def copy_pack(tmp_path: Path, name: str = "pk") -> Path:
    """A fresh copy of the default pack's rule files (not its golden cases) in tmp_path."""
    folder = tmp_path / name
    shutil.copytree(default_pack_dir(), folder, ignore=shutil.ignore_patterns("tests"))
    return folder


def apply(folder: Path, case: dict[str, Any]) -> int:
    """Apply one corpus mutation; return the file line that the case's relative line 1 stands for."""
    path: Path = folder / case["file"]
    if case.get("delete"):
        path.unlink()
        return 1
    text = path.read_text(encoding="utf-8")
    if "append" in case:
        snippet: str = case["append"]
        if "generated" in case:
            g = case["generated"]
            snippet = snippet.replace("$GENERATED", g["repeat"] * g["times"] + g["suffix"])
        if not text.endswith("\n"):
            text += "\n"
        path.write_text(text + snippet, encoding="utf-8")
        return text.count("\n") + 1
    old: str = case["replace"]["old"]
    new: str = case["replace"]["new"]
    at = text.index(old)  # the corpus must still match the pack: fail loudly, not silently pass
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text[:at].count("\n") + 1


def problems(folder: Path) -> list[riskeval.ErrorRecord]:
    """The new records of the PackError that loading the folder raises (fails if it loads).

    Records that an unchanged copy of the default pack also gives are left out, so that a corpus case
    checks its own mistake; test_default_pack_loads_with_no_problems fails on those.
    """
    with pytest.raises(PackError) as info:
        load_pack(folder)
    return [r for r in info.value.records if (r.loc, r.code, r.message) not in _baseline(folder.name)]


@functools.cache
def _baseline(name: str) -> frozenset[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = copy_pack(Path(tmp), name)
        try:
            load_pack(folder)
        except PackError as exc:
            return frozenset((r.loc, r.code, r.message) for r in exc.records)
    return frozenset()


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_bad_rule_file_gives_one_located_record(tmp_path: Path, case: dict[str, Any]) -> None:
    """Each corpus mistake gives its code at file:line:col, naming the rule, with the expected text."""
    folder = copy_pack(tmp_path)
    first_line = apply(folder, case)
    expect = case["expect"]
    records = problems(folder)
    shown = "\n".join(f"{r.loc} [{r.code}] {r.message}" for r in records)
    assert len(records) == expect.get("count", 1), shown
    record = records[0]
    assert record.code == expect["code"], shown
    m = LOC.match(record.loc)
    assert m is not None, record.loc
    assert m["file"] == f"{folder.name}/{expect.get('file', case['file'])}", shown
    assert int(m["line"]) == first_line + expect["line"] - 1, shown
    if "col" in expect:
        assert int(m["col"]) == expect["col"], shown
    if "rule" in expect:
        assert expect["rule"] in record.message, shown
    for text in expect.get("says", []):
        assert text in record.message, shown


def test_corpus_is_large_enough_and_ids_are_unique() -> None:
    """The corpus holds at least 20 distinct bad packs."""
    ids = [c["id"] for c in CORPUS]
    assert len(ids) >= 20
    assert len(set(ids)) == len(ids)


def test_a_malicious_rule_has_no_side_effect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that would create a file if run is rejected at load, and no file appears."""
    monkeypatch.chdir(tmp_path)
    folder = copy_pack(tmp_path)
    case = next(c for c in CORPUS if c["id"] == "forbidden-import")
    apply(folder, case)
    assert [r.code for r in problems(folder)] == ["forbidden"]
    assert not (tmp_path / "pwned").exists()


def test_loading_reports_every_problem(tmp_path: Path) -> None:
    """Three independent mistakes in three files give three records, in file order."""
    folder = copy_pack(tmp_path)
    for case_id in ("misspelt-fact", "unknown-severity", "missing-parameter-date"):
        apply(folder, next(c for c in CORPUS if c["id"] == case_id))
    records = problems(folder)
    assert sorted(r.code for r in records) == ["missing_value", "unknown_fact", "unknown_severity"]
    assert {r.loc.split(":")[0] for r in records} == {
        "pk/categories.yaml",
        "pk/factors.yaml",
        "pk/parameters.yaml",
    }


def test_two_mistakes_in_one_file_give_two_records(tmp_path: Path) -> None:
    """A file is checked to its end: a type error and an enum typo in two rows are both reported."""
    folder = copy_pack(tmp_path)
    apply(folder, next(c for c in CORPUS if c["id"] == "type-number-with-string"))
    typo = next(c for c in CORPUS if c["id"] == "enum-typo")
    apply(folder, {**typo, "append": typo["append"].replace("x_rule", "y_rule")})
    codes = [r.code for r in problems(folder)]
    assert codes == ["type", "enum"]


def test_a_broken_file_causes_no_cascade_of_unknown_names(tmp_path: Path) -> None:
    """When categories.yaml cannot be read, factors and tiers reading category.X add no problems of their own."""
    folder = copy_pack(tmp_path)
    (folder / "categories.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    records = problems(folder)
    assert [r.code for r in records] == ["yaml"], records


def test_pack_error_summary_lists_the_records() -> None:
    """PackError is a ValueError whose text lists each record as loc: message [code]."""
    error = PackError([riskeval.ErrorRecord("pk/a.yaml:3:9", "type", "category x: bad")], "1 problem")
    assert isinstance(error, ValueError)
    assert "pk/a.yaml:3:9: category x: bad [type]" in str(error)


def test_missing_pack_folder_is_a_pack_error(tmp_path: Path) -> None:
    """A path that is not a folder gives one missing_pack record naming the path."""
    records = problems(tmp_path / "nowhere")
    assert [r.code for r in records] == ["missing_pack"]
    assert "nowhere" in records[0].message


# --- the default pack and its identity ---------------------------------------------------------------------


def test_default_pack_loads_with_no_problems() -> None:
    """The shipped pack passes every load-time check (loading raises on any problem)."""
    pack = load_pack(default_pack_dir())
    assert pack.categories and pack.factors and pack.tier_rows


def test_load_pack_without_argument_finds_the_embedded_pack() -> None:
    """load_pack() with no path loads the default pack, beilin-2025."""
    pack = load_pack()
    assert pack.id == "beilin-2025"
    assert pack.path == default_pack_dir().resolve()


def test_pack_exposes_id_version_and_sha256() -> None:
    """id, version and a hex sha256 are on the pack and in its identity stamp."""
    pack = load_pack()
    assert re.fullmatch(r"[0-9a-f]{64}", pack.sha256)
    assert pack.version
    assert pack.identity() == {"id": pack.id, "version": pack.version, "sha256": pack.sha256}


def test_sha256_is_stable_across_loads(tmp_path: Path) -> None:
    """Two copies of the same pack, loaded separately, have the same sha256 as the original."""
    a, b = load_pack(copy_pack(tmp_path, "a")), load_pack(copy_pack(tmp_path, "b"))
    assert a is not b
    assert a.sha256 == b.sha256 == load_pack().sha256


def test_sha256_changes_when_a_parameter_value_changes(tmp_path: Path) -> None:
    """Changing one dated value of one parameter changes the pack's sha256."""
    folder = copy_pack(tmp_path)
    before = load_pack(folder).sha256
    path = folder / "parameters.yaml"
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    params["special_score"]["values"][-1]["value"] += 1
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_pack(folder).sha256 != before


def test_sha256_ignores_whitespace_comments_and_layout(tmp_path: Path) -> None:
    """Comments, blank lines and re-flowed YAML (same content) keep the sha256."""
    original = load_pack().sha256
    folder = copy_pack(tmp_path)
    for path in folder.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^(- |[A-Za-z_]+:)", "\n\n# an analyst's comment\n\\1", text)
        path.write_text("# a comment at the top\n" + text + "\n# the end\n", encoding="utf-8")
    assert load_pack(folder).sha256 == original
    params = folder / "parameters.yaml"
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    params.write_text(yaml.safe_dump(data, allow_unicode=True, indent=4, width=60), encoding="utf-8")
    assert load_pack(folder).sha256 == original


def test_a_condition_may_span_lines_of_a_literal_block_or_have_a_blank_line(tmp_path: Path) -> None:
    """A `when: |` block, or a folded block with a blank line (a newline in the text), loads."""
    folder = copy_pack(tmp_path)
    path = folder / "categories.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\n- id: x_literal\n  label: {zh: 测试, en: Test}\n  source: TEST corpus\n"
        + "  when: |\n    child.age < 6\n    and not child.adopted\n"
        + "- id: x_blank_line\n  label: {zh: 测试, en: Test}\n  source: TEST corpus\n"
        + "  when: >-\n    child.age < 6\n\n    and not child.adopted\n",
        encoding="utf-8",
    )
    assert {"x_literal", "x_blank_line"} <= set(load_pack(folder).categories)


def test_an_edited_pack_is_loaded_again_not_served_from_cache(tmp_path: Path) -> None:
    """Regression: load_pack(path) cached by folder returned the old pack after its files changed."""
    folder = copy_pack(tmp_path)
    load_pack(folder)
    apply(folder, next(c for c in CORPUS if c["id"] == "misspelt-fact"))
    assert [r.code for r in problems(folder)] == ["unknown_fact"]


def test_every_record_of_a_bad_pack_is_json_ready(tmp_path: Path) -> None:
    """Each record has loc, code, message and value, the loc as file:line:col."""
    folder = copy_pack(tmp_path)
    apply(folder, next(c for c in CORPUS if c["id"] == "enum-typo"))
    with pytest.raises(PackError) as info:
        load_pack(folder)
    (record,) = info.value.as_dicts()
    assert set(record) == {"loc", "code", "message", "value"}
    assert LOC.match(record["loc"])
    assert record["value"] == "father.status == 'deceasd'"


def _emitted_codes() -> set[str]:
    """The error codes the loader and the expression checker can emit (string literals at the call sites)."""
    codes: set[str] = set()
    loader = ("_load.py", "_read.py", "_paramfile.py", "_rules.py", "_tiers.py")
    checker = ("expr/__init__.py", "expr/_scope.py", "expr/_check.py")
    for name in (*loader, *checker):
        tree = ast.parse((PACK_SRC / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            code = node.args[1]
            if (
                called in {"ExprError", "ErrorRecord", "problem"}
                and isinstance(code, ast.Constant)
                and isinstance(code.value, str)
            ):
                codes.add(code.value)
    return codes


def test_every_error_code_is_documented() -> None:
    """Each code the loader can emit has a row in docs/rules.md's table of error codes."""
    codes = _emitted_codes()
    assert {"yaml", "enum", "cycle", "never_fires", "missing_value"} <= codes  # the scan finds them
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert codes <= documented, sorted(codes - documented)


# --- JSON Schemas of the pack files --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(json_schemas()))
def test_pack_file_json_schema_is_up_to_date(name: str) -> None:
    """docs/schema/pack/<file>.schema.json equals what the file models say (regenerate with _jsonschema)."""
    path = SCHEMA_DIR / f"{name}.schema.json"
    assert path.is_file(), "run: python -m riskeval.pack._jsonschema docs/schema/pack"
    assert path.read_text(encoding="utf-8") == schema_text(json_schemas()[name]), (
        "stale; run: python -m riskeval.pack._jsonschema docs/schema/pack"
    )
