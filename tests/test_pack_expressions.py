"""Rule expressions beyond their meaning: data gaps in results, dates without a parameter value, and rule
files that try to run code. What conditions mean (three-valued logic, ABSENT, `in`, aggregations, dates,
parameters) is the data file ``riskeval/testing/semantics.yaml``, run by every form in test_conformance.py.

Each condition below is a category of a custom pack (the default pack's files plus these rows) built in a
temporary folder.
"""

from __future__ import annotations

import ast
import builtins
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval import EvaluationError, PackError, load_pack
from riskeval.pack import Pack, default_pack_dir

ON = date(2025, 12, 1)

CONDITIONS = {
    "t_and": "child.adopted and child.working",
    "t_or": "child.adopted or child.working",
    "t_age_lt6": "child.age < 6",
    "t_late": "child.age < params.t_late",
}
PARAMETERS = """
t_late:
  label: {zh: 测试, en: Test}
  source: TEST expressions
  values: [{from: 2000-01-01, to: 2030-12-31, value: 5}]
"""


def row(rule_id: str, when: str) -> str:
    return f'\n- id: {rule_id}\n  label: {{zh: 测试, en: Test}}\n  source: TEST expressions\n  when: "{when}"\n'


def custom_pack_dir(folder: Path, conditions: dict[str, str]) -> Path:
    """The default pack's rule files with the test parameter and conditions added."""
    shutil.copytree(default_pack_dir(), folder, ignore=shutil.ignore_patterns("tests"))
    for name, text in (
        ("parameters.yaml", PARAMETERS),
        ("categories.yaml", "".join(row(k, v) for k, v in conditions.items())),
    ):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")
    meta = folder / "pack.yaml"  # the pack ends when t_late does, so that its end is no gap
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("  from: 2025-01-01\n", "  from: 2025-01-01\n  to: 2030-12-31\n")
    )
    return folder


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    return load_pack(custom_pack_dir(tmp_path_factory.mktemp("expressions") / "pk", CONDITIONS))


def test_an_unknown_condition_is_a_data_gap_in_the_result(pack: Pack) -> None:
    """Through assess(), an unknown condition is a data gap naming its missing fact, neither true nor false."""
    household = {"id": "h", "children": [{"id": "c", "adopted": True}]}
    child = riskeval.assess(household, on=ON, pack=pack).children[0]
    assert "t_and" not in child.categories
    gap = next(g for g in child.data_gaps if g.rule == "t_and")
    assert (gap.kind, gap.facts) == ("category", ["child.working"])
    assert "t_or" in child.categories
    assert not [g for g in child.data_gaps if g.rule == "t_or"]


def test_a_date_after_the_packs_period_is_a_record_naming_on_not_a_missing_parameter(pack: Pack) -> None:
    """The loader makes every parameter have a value on every day of the pack's period (t_late ends with the
    pack, 2030-12-31), so a day after it is the caller's date that is wrong: one out_of_period record at ``on``."""
    with pytest.raises(riskeval.FactsError) as caught:
        riskeval.assess({"id": "h", "children": [{"id": "c"}]}, on=date(2031, 6, 1), pack=pack)
    (record,) = caught.value.records
    assert (record.loc, record.code, record.value) == ("on", "out_of_period", "2031-06-01")
    assert "2030-12-31" in record.message and "t_late" not in record.message
    assert issubclass(EvaluationError, RuntimeError)


# --- nothing in a rule file is ever executed ----------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [
        "__import__('os').system('touch pwned') == 0",
        "open('pwned', 'w').close() == 1",
        "getattr(child, '__class__') == 1",
        "[open('pwned', 'w') for m in household.members] == 1",
        "any(open('pwned', 'w') for m in household.members)",
        "exec('open(chr(112), chr(119))') == 1",
    ],
)
def test_a_malicious_condition_is_rejected_and_has_no_effect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """A condition that would write a file if run is a load error, and no file is written."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PackError) as info:
        load_pack(custom_pack_dir(tmp_path / "pk", {"t_evil": when}))
    records = [r for r in info.value.records if "t_evil" in r.message]
    assert [r.code for r in records] == ["forbidden"], info.value.records
    assert [p.name for p in tmp_path.iterdir()] == ["pk"], "a rule file was executed"


@pytest.fixture
def no_dynamic_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """While the test runs, eval raises; compile takes text only to build a syntax tree (the parser), and
    otherwise only a syntax tree holding no text at all (the generated scalar form, whose pack values are
    in a constants table); exec runs only what that compile made (issue 15: text never reaches them)."""
    real_compile = builtins.compile
    made: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a rule expression reached eval/exec/compile")

    def checked(source: Any, filename: Any, mode: str, flags: int = 0, *args: Any, **kwargs: Any) -> Any:
        if isinstance(source, ast.Module) and not flags & ast.PyCF_ONLY_AST:
            if any(isinstance(n, ast.Constant) and isinstance(n.value, str | bytes) for n in ast.walk(source)):
                refuse()
            made.append(real_compile(source, filename, mode, flags, *args, **kwargs))
            return made[-1]
        if not flags & ast.PyCF_ONLY_AST:
            refuse()
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    def exec_made(code: Any, *args: Any, **kwargs: Any) -> Any:
        if not any(code is m for m in made):
            refuse()
        return real_exec(code, *args, **kwargs)

    real_exec = builtins.exec
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", exec_made)
    monkeypatch.setattr(builtins, "compile", checked)


def test_loading_and_evaluating_never_use_eval_or_exec(tmp_path: Path, no_dynamic_code: None) -> None:
    """The loader parses with ast and the evaluator runs code generated from typed nodes: no text from the
    rule file reaches eval, exec or compile."""
    pack = load_pack(custom_pack_dir(tmp_path / "pk", {"t_age_lt6": CONDITIONS["t_age_lt6"]}))
    household = {"id": "h", "children": [{"id": "c", "birth_date": "2022-01-01"}]}
    assert "t_age_lt6" in riskeval.assess(household, on=ON, pack=pack).children[0].categories
