"""`riskeval rules test`: golden cases outside pytest, short failures, located file problems, input errors,
and parameter mutants."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import riskeval
from riskeval._cases import pack_case_files
from riskeval._mutants import run_mutants
from riskeval.cli import main

CASE = """\
  - id: {id}
    source: a test
    household:
      id: h1
      members: [{{id: m, relation: mother, status: present, lives_with_children: true}}]
      children: [{{id: c1, birth_date: "{born}", mother: m, caregiver: m}}]
"""


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    """A copy of the default pack with its own tests folder, empty."""
    folder = tmp_path / "pack"
    shutil.copytree(riskeval.default_pack_dir(), folder, ignore=shutil.ignore_patterns("tests"))
    (folder / "tests").mkdir()
    return folder


def test_the_default_pack_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """Every golden case of the default pack passes; the last line counts them."""
    assert main(["rules", "test"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith(tuple("123456789")) and " 0 failed, 0 file(s) with problems" in last


def test_a_failure_is_a_few_lines_of_expected_and_got(pack_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong expectation prints the case and one line per field, not the whole result."""
    text = "as_of: 2025-12-01\ncases:\n" + CASE.format(id="wrong", born="2015-03-02")
    text += "    expect: {c1: {status: on_roster, tier: urgent}}\n"
    (pack_dir / "tests" / "one.yaml").write_text(text, encoding="utf-8")
    assert main(["rules", "test", str(pack_dir)]) == 1
    out = capsys.readouterr().out
    assert "FAIL one.yaml::wrong" in out
    assert "child c1: status: expected 'on_roster', got 'undetermined'" in out  # nothing known: to verify
    assert "child c1: tier: expected 'urgent', got None" in out
    assert len(out) < 400


def test_a_file_without_as_of_is_its_own_problem(pack_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No as_of: a FILE line naming the file and case; the other file's cases still run."""
    (pack_dir / "tests" / "dated.yaml").write_text(
        "as_of: 2025-12-01\ncases:\n" + CASE.format(id="fine", born="2015-03-02"), encoding="utf-8"
    )
    (pack_dir / "tests" / "undated.yaml").write_text("cases:\n" + CASE.format(id="x", born="2015-03-02"), "utf-8")
    assert main(["rules", "test", str(pack_dir)]) == 1
    out = capsys.readouterr().out
    assert "FILE undated.yaml: case x: no as_of" in out
    assert "1 passed, 0 failed, 1 file(s) with problems" in out


def test_the_pytest_plugin_reports_an_undated_file_as_one_failure(pack_dir: Path) -> None:
    """Under pytest the undated file is one failed item; the dated file's case passes (the run is not aborted)."""
    (pack_dir / "tests" / "dated.yaml").write_text(
        "as_of: 2025-12-01\ncases:\n" + CASE.format(id="fine", born="2015-03-02"), encoding="utf-8"
    )
    (pack_dir / "tests" / "undated.yaml").write_text("cases:\n" + CASE.format(id="x", born="2015-03-02"), "utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(pack_dir / "tests")],
        capture_output=True, text=True, cwd=pack_dir, check=False,
    )  # fmt: skip
    assert "1 failed, 1 passed" in run.stdout, run.stdout[-2000:]
    assert "no as_of" in run.stdout


def test_a_case_may_expect_an_input_error(pack_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """expect_error: a birth date after as_of is refused with that code at that place; another code fails."""
    cases = "as_of: 2025-12-01\ncases:\n" + CASE.format(id="future-birth", born="2026-01-01")
    cases += "    expect_error: {code: date_after_as_of, loc: 'children[0].birth_date'}\n"
    cases += CASE.format(id="wrong-code", born="2026-01-01") + "    expect_error: {code: enum}\n"
    (pack_dir / "tests" / "errors.yaml").write_text(cases, encoding="utf-8")
    assert main(["rules", "test", str(pack_dir)]) == 1
    out = capsys.readouterr().out
    assert "future-birth" not in out
    assert "FAIL errors.yaml::wrong-code" in out and "expected the input error enum, got date_after_as_of" in out


def test_the_boundary_cases_kill_the_mutants_that_used_to_survive() -> None:
    """With boundaries.yaml every mutant of the five loose parameters dies; without it, seven survive."""
    pack = riskeval.load_pack()
    loose = ["dibao_standard", "low_income_ratio", "serious_illness_spending", "spending_h", "income_drop_pct"]
    files = pack_case_files(riskeval.default_pack_dir())
    assert [m for m in run_mutants(pack, files, parameters=loose) if m.survived] == []
    without = [f for f in files if f.path.name != "boundaries.yaml"]
    survivors = {(m.parameter, m.change) for m in run_mutants(pack, without, parameters=loose) if m.survived}
    assert survivors == {
        ("dibao_standard", "+10%"), ("dibao_standard", "-10%"), ("low_income_ratio", "+10%"),
        ("low_income_ratio", "-10%"), ("serious_illness_spending", "+10%"), ("spending_h", "+10%"),
        ("income_drop_pct", "-1"),
    }  # fmt: skip
