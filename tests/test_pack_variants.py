"""Pack variants made in memory: checked as a loaded pack (located errors), stamped with their base, diffed."""

from __future__ import annotations

import datetime
import json
import pickle
import shutil
from pathlib import Path

import pytest

import riskeval
from riskeval.cli import main

ON = datetime.date(2025, 12, 1)


@pytest.fixture(scope="module")
def pack() -> riskeval.Pack:
    return riskeval.load_pack()


def _household(income: float) -> dict[str, object]:
    return {
        "id": "hh-variant",
        "members": [{"id": "m1", "relation": "mother", "status": "present", "lives_with_children": True}],
        "children": [{"id": "c1", "birth_date": "2015-03-02", "mother": "m1", "caregiver": "m1"}],
        "economy": {"dibao": "none", "income_per_capita": income, "assets_over_limit": False},
    }


def test_a_variant_names_its_base_in_version_and_stamp(pack: riskeval.Pack) -> None:
    """A variant's version is <base version>+<name>, variant_of is the base's stamp, its sha256 its own."""
    v = pack.with_parameters({"dibao_standard": 990}, version="dibao990")
    assert v.id == pack.id
    assert v.version == f"{pack.version}+dibao990"
    assert v.variant_of is not None
    assert (v.variant_of.id, v.variant_of.version, v.variant_of.sha256) == (pack.id, pack.version, pack.sha256)
    assert v.sha256 != pack.sha256 and len(v.sha256) == 64
    result = riskeval.assess(_household(950), on=ON, pack=v)
    assert result.pack.version == v.version and result.pack.sha256 == v.sha256


def test_the_variant_digest_is_of_its_content_and_repeatable(pack: riskeval.Pack) -> None:
    """The same edits give the same sha256; other edits give another; the base is left unchanged."""
    a = pack.with_parameters({"dibao_standard": 990}, version="x")
    b = pack.with_parameters({"dibao_standard": 990}, version="x")
    c = pack.with_parameters({"dibao_standard": 991}, version="x")
    assert a.sha256 == b.sha256 != c.sha256
    assert pack.params_on(ON)["dibao_standard"] == 900
    assert a.params_on(ON)["dibao_standard"] == 990


def test_a_parameter_change_changes_the_decision_it_should(pack: riskeval.Pack) -> None:
    """Income 950: above the 900 line (no E1), below a 990 line (E1, high: the special tier)."""
    base = riskeval.assess(_household(950), on=ON, pack=pack).children[0]
    richer = riskeval.assess(_household(950), on=ON, pack=pack.with_parameters({"dibao_standard": 990})).children[0]
    assert "E1" not in {f.code for f in base.factors}
    assert "E1" in {f.code for f in richer.factors} and richer.tier == "special"


def test_a_callable_maps_every_dated_value(pack: riskeval.Pack) -> None:
    """lambda v: round(v * 1.1, 2) raises the standard by 10% in every period."""
    v = pack.with_parameters({"dibao_standard": lambda x: round(x * 1.1, 2)})
    assert v.params_on(ON)["dibao_standard"] == pytest.approx(990.0)


def test_a_rule_edit_goes_through_the_parser(pack: riskeval.Pack) -> None:
    """An edited condition is compiled by the pack's type checker and decides."""
    v = pack.with_rules({"C10": {"when": "child.acts_as_carer or child.serious_illness"}}, version="c10")
    kid = {"id": "c1", "birth_date": "2015-03-02", "serious_illness": True}
    child = riskeval.assess({"id": "h", "children": [kid]}, on=ON, pack=v).children[0]
    assert "C10" in {f.code for f in child.factors}


def test_a_misspelt_fact_in_an_edit_is_located_at_its_column(pack: riskeval.Pack) -> None:
    """The error names the edit, the line and column inside the given text, and suggests the fact."""
    text = "household.economy.dibao == 'none' and household.economy.income_per_capta < 3"
    with pytest.raises(riskeval.PackError) as exc:
        pack.with_rules({"E1": {"when": text}})
    (rec,) = exc.value.records
    assert rec.loc == f"with_rules E1.when:1:{text.index('household.economy.income') + 1}"
    assert "income_per_capita" in rec.message and rec.code == "unknown_fact"


def test_an_unknown_rule_or_parameter_is_refused_with_a_suggestion(pack: riskeval.Pack) -> None:
    """A misspelt id is a record naming the edit, with "did you mean"."""
    with pytest.raises(riskeval.PackError) as exc:
        pack.variant(parameters={"dibao_standrd": 1}, rules={"E11": {"when": "true"}})
    codes = {r.code: r for r in exc.value.records}
    assert codes["unknown_parameter"].loc == "with_parameters dibao_standrd"
    assert "'dibao_standard'" in codes["unknown_parameter"].message
    assert codes["unknown_rule"].loc == "with_rules E11" and "'E1'" in codes["unknown_rule"].message


def test_a_value_of_the_wrong_type_is_refused(pack: riskeval.Pack) -> None:
    """A switch where the base holds a number is a type record, before anything is compiled."""
    with pytest.raises(riskeval.PackError) as exc:
        pack.with_parameters({"dibao_standard": True})
    assert [r.code for r in exc.value.records] == ["type"]


def test_an_unknown_key_of_a_rule_edit_is_a_schema_error_at_the_edit(pack: riskeval.Pack) -> None:
    """A typo in the key ({"whn": ...}) is refused by the file schema, located at the edit."""
    with pytest.raises(riskeval.PackError) as exc:
        pack.with_rules({"E1": {"whn": "true"}})
    assert [(r.loc, r.code) for r in exc.value.records] == [("with_rules E1.whn:1:1", "schema")]


def test_removing_a_category_that_others_read_is_located_in_the_base_files(pack: riskeval.Pack) -> None:
    """Unedited rules that read a removed rule are reported at their own file:line:col."""
    with pytest.raises(riskeval.PackError) as exc:
        pack.with_rules({"orphan": None})
    assert any(r.loc.startswith("beilin-2025/categories.yaml:") for r in exc.value.records)


def test_an_expression_never_reaches_eval(pack: riskeval.Pack) -> None:
    """Python that is not the rule language (a call to __import__) is refused by the parser."""
    with pytest.raises(riskeval.PackError):
        pack.with_rules({"C10": {"when": "__import__('os').system('true') == 0"}})


def test_diff_lists_parameter_and_rule_changes(pack: riskeval.Pack) -> None:
    """Pack.diff names the parameter, the rule and its field, with both values."""
    v = pack.variant(
        parameters={"dibao_standard": 990}, rules={"C10": {"when": "child.acts_as_carer == true"}}, version="d"
    )
    changes = {(c.kind, c.id, c.field): c for c in pack.diff(v)}
    assert changes[("parameter", "dibao_standard", "values")].after[0]["value"] == 990
    assert changes[("factor", "C10", "when")].after == "child.acts_as_carer == true"
    assert changes[("factor", "C10", "when")].what == "changed"
    assert not pack.diff(pack)
    assert "dibao_standard" in str(pack.diff(v)) and "<table>" in pack.diff(v)._repr_html_()


def test_rules_diff_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`riskeval rules diff A B` lists an edited parameter of a copied folder; JSON on request."""
    b = tmp_path / "b"
    shutil.copytree(riskeval.default_pack_dir(), b)
    text = (b / "parameters.yaml").read_text(encoding="utf-8")
    (b / "parameters.yaml").write_text(text.replace("value: 900,", "value: 990,"), encoding="utf-8")
    assert main(["rules", "diff", str(riskeval.default_pack_dir()), str(b)]) == 0
    out = capsys.readouterr().out
    assert "~ parameter dibao_standard.values" in out and "1 change(s)" in out
    assert main(["rules", "diff", str(riskeval.default_pack_dir()), str(b), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(c["kind"], c["id"]) for c in doc["changes"]] == [("parameter", "dibao_standard")]


def test_default_pack_dir_is_public_and_holds_the_default_pack() -> None:
    """riskeval.default_pack_dir() is the folder load_pack() reads by default."""
    assert (riskeval.default_pack_dir() / "pack.yaml").is_file()
    assert riskeval.load_pack(riskeval.default_pack_dir()).sha256 == riskeval.load_pack().sha256


def test_a_rule_switched_off_never_holds_and_its_readers_still_load(pack: riskeval.Pack) -> None:
    """with_rules({id: False}): the rule never holds (every level of a factor), the stamp says so, and the
    rules that read it still compile (a removed orphan category would not)."""
    v = pack.with_rules({"orphan": False, "E4": False}, version="off")
    assert v.variant_of is not None and v.variant_of.switched_off == ["orphan", "E4"]
    assert [lv.text for lv in v.factors["E4"].levels] == ["false", "false"]
    assert "de_facto_unsupported" in v.categories


def test_a_variant_pickles_with_its_stamp(pack: riskeval.Pack) -> None:
    """A variant travels to another process (pickle) and keeps its identity and its base."""
    v = pack.with_parameters({"dibao_standard": 990}, version="p")
    back = pickle.loads(pickle.dumps(v))
    assert back.identity() == v.identity() and back.variant_of == v.variant_of
    assert back.params_on(ON)["dibao_standard"] == 990
