"""The riskeval command line: assess, rules check, rules schema, demo, and every exit code (0, 1, 2)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval import cli
from riskeval.cli import _demo as _cli_demo

ON = "2025-12-01"
ROOT = Path(__file__).resolve().parent.parent
Capture = pytest.CaptureFixture[str]


def dropout(hid: str = "h1") -> dict[str, Any]:
    """A household with one 15-year-old who dropped out (special, monthly)."""
    return {
        "id": hid,
        "members": [{"id": "m", "relation": "mother", "status": "present", "lives_with_children": True,
                     "civil_capacity": "full"}],
        "children": [{"id": "c1", "birth_date": "2010-06-15", "mother": "m", "caregiver": "m",
                      "school": "dropped_out"}],
    }  # fmt: skip


def write(tmp_path: Path, text: str, name: str = "in.json") -> str:
    """Write an input file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def errors(err: str) -> list[dict[str, Any]]:
    """The JSON error records printed on stderr, one per line."""
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_assess_one_household_prints_the_stamped_json(tmp_path: Path, capsys: Capture) -> None:
    """One household object: exit 0, and JSON with pack, riskeval, as_of and the result with plan and explanation."""
    assert cli.main(["assess", write(tmp_path, json.dumps(dropout())), "--on", ON]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pack"] == riskeval.load_pack().identity()
    assert (out["riskeval"], out["as_of"]) == (riskeval.__version__, ON)
    child = out["results"][0]["children"][0]
    assert (out["results"][0]["household_id"], child["tier"], child["visit_frequency"]) == ("h1", "special", "monthly")
    assert set(child["explanation"]) == {"zh", "en"} and child["schedule"]["cadence_months"] == 1


def test_assess_reads_a_list_and_json_lines(tmp_path: Path, capsys: Capture) -> None:
    """A JSON list and JSON lines give one result per household, in order."""
    as_list = write(tmp_path, json.dumps([dropout("a"), dropout("b")]), "list.json")
    as_lines = write(tmp_path, json.dumps(dropout("c")) + "\n\n" + json.dumps(dropout("d")) + "\n", "lines.jsonl")
    assert cli.main(["assess", as_list, "--on", ON]) == 0
    assert [r["household_id"] for r in json.loads(capsys.readouterr().out)["results"]] == ["a", "b"]
    assert cli.main(["assess", as_lines, "--on", ON]) == 0
    assert [r["household_id"] for r in json.loads(capsys.readouterr().out)["results"]] == ["c", "d"]


def test_assess_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    """FILE '-' reads the households from standard input."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(dropout("from-stdin"))))
    assert cli.main(["assess", "-", "--on", ON]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["household_id"] == "from-stdin"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "Child c1: on the roster; no confirmed category (",  # its income is unknown: 困境 is open
                "tier Special (orange)",
                "Next visits: 2025-12-31",
                "Rule pack beilin-2025",
            ],
        ),
        (
            "zh",
            ["儿童 c1：在册；暂无已确认的类别（", "风险等级重点（橙色）", "下次走访：2025-12-31", "规则包 beilin-2025"],
        ),
    ],
)
def test_assess_text_report_in_each_language(tmp_path: Path, capsys: Capture, lang: str, expected: list[str]) -> None:
    """--format text prints per child the tier, the explanation and the next dates, in the chosen language."""
    assert (
        cli.main(["assess", write(tmp_path, json.dumps(dropout())), "--on", ON, "--format", "text", "--lang", lang])
        == 0
    )
    out = capsys.readouterr().out
    for line in expected:
        assert line in out


def test_bad_json_exits_1_with_a_located_record(tmp_path: Path, capsys: Capture) -> None:
    """Malformed JSON: exit 1, one JSON record on stderr with file:line:col, and no traceback."""
    path = write(tmp_path, '{"id": "h1",\n "children": [}\n')
    assert cli.main(["assess", path, "--on", ON]) == 1
    err = capsys.readouterr().err
    (record,) = errors(err)
    assert record["code"] == "invalid_json" and record["loc"] == f"{path}:2:15"
    assert "Traceback" not in err


def test_an_invalid_household_exits_1_and_the_others_are_assessed(tmp_path: Path, capsys: Capture) -> None:
    """A household failing validation is reported by row and field; the valid ones are still in the output."""
    bad = dropout("bad")
    bad["children"][0]["birth_date"] = "2010-02-30"
    path = write(tmp_path, json.dumps([dropout("good"), bad]))
    assert cli.main(["assess", path, "--on", ON]) == 1
    captured = capsys.readouterr()
    assert [r["household_id"] for r in json.loads(captured.out)["results"]] == ["good"]
    (record,) = errors(captured.err)
    assert (record["row"], record["loc"], record["code"]) == (1, "children[0].birth_date", "invalid_date")


def test_an_unknown_pack_folder_exits_1(tmp_path: Path, capsys: Capture) -> None:
    """--pack naming no folder: exit 1 with a missing_pack record."""
    path = write(tmp_path, json.dumps(dropout()))
    assert cli.main(["assess", path, "--on", ON, "--pack", str(tmp_path / "nowhere")]) == 1
    assert [r["code"] for r in errors(capsys.readouterr().err)] == ["missing_pack"]


def test_a_missing_input_file_exits_1(tmp_path: Path, capsys: Capture) -> None:
    """An input file that does not exist: exit 1 with a file_not_found record."""
    assert cli.main(["assess", str(tmp_path / "absent.json"), "--on", ON]) == 1
    assert [r["code"] for r in errors(capsys.readouterr().err)] == ["file_not_found"]


@pytest.mark.parametrize(
    "argv",
    [[], ["assess"], ["assess", "x.json", "--on", "2025-13-01"], ["assess", "x.json", "--format", "xml"], ["rules"]],
)
def test_usage_errors_exit_2(argv: list[str], capsys: Capture) -> None:
    """Missing or malformed arguments are usage errors: exit 2 with argparse's message."""
    assert cli.main(argv) == 2
    assert "usage: riskeval" in capsys.readouterr().err


def test_rules_check_accepts_the_default_pack(capsys: Capture) -> None:
    """rules check without a folder checks the embedded pack and prints one OK line with its identity."""
    pack = riskeval.load_pack()
    assert cli.main(["rules", "check"]) == 0
    assert capsys.readouterr().out.strip() == f"OK {pack.id} {pack.version} sha256={pack.sha256}"


def test_rules_check_lists_every_problem_located(tmp_path: Path, capsys: Capture) -> None:
    """A pack with a misspelt fact: exit 1 and `file:line:col: message [code]` lines."""
    folder = tmp_path / "broken"
    shutil.copytree(riskeval.load_pack().path, folder)
    cats = folder / "categories.yaml"
    cats.write_text(cats.read_text(encoding="utf-8").replace("child.adopted", "child.adoptd", 1), encoding="utf-8")
    assert cli.main(["rules", "check", str(folder)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].endswith("problem(s)")
    assert any(line.startswith("broken/categories.yaml:") and line.endswith("]") for line in lines[:-1])
    assert any("adoptd" in line for line in lines)


def test_rules_schema_prints_facts_events_and_results(capsys: Capture) -> None:
    """rules schema prints the household, event and result schemas; one name prints that schema alone."""
    assert cli.main(["rules", "schema"]) == 0
    assert {"household", "event", "result"} <= set(json.loads(capsys.readouterr().out))
    assert cli.main(["rules", "schema", "result"]) == 0
    text = capsys.readouterr().out
    assert text == (ROOT / "docs" / "schema" / "result.schema.json").read_text(encoding="utf-8")
    assert cli.main(["rules", "schema", "nothing"]) == 1
    assert [r["code"] for r in errors(capsys.readouterr().err)] == ["unknown_schema"]


def test_demo_assesses_the_example_households(capsys: Capture) -> None:
    """demo prints a table of every example household's children and a footer with the pack and date."""
    assert cli.main(["demo", "--on", ON]) == 0
    out = capsys.readouterr().out
    assert "examples: " in out and "household" in out and "top factors" in out
    for path in sorted((ROOT / "examples" / "households").glob("*.json")):
        for h in cli.read_households(str(path)):
            assert h["id"] in out
    pack = riskeval.load_pack()
    assert (
        f"Rule pack {pack.id} {pack.version} (sha256 {pack.sha256}); riskeval {riskeval.__version__}; as of {ON}" in out
    )


def test_demo_without_the_examples_folder_uses_the_embedded_households(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capture
) -> None:
    """Away from a checkout, demo says where it looked and assesses the letter's four embedded households."""
    monkeypatch.setattr(_cli_demo, "example_dirs", lambda: [tmp_path / "examples" / "households"])
    assert cli.main(["demo", "--on", ON, "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert f"no examples/households/*.json at {tmp_path}" in out
    for hid in ("letter-1", "letter-2", "letter-3", "letter-4"):
        assert hid in out
    assert "已退出" in out and "规则包 beilin-2025" in out


def test_the_console_script_runs_and_never_prints_a_traceback(tmp_path: Path) -> None:
    """The installed `riskeval` script assesses stdin (exit 0) and reports bad JSON as a record (exit 1)."""
    script = Path(sys.executable).parent / "riskeval"
    ok = subprocess.run(
        [str(script), "assess", "-", "--on", ON, "--format", "text"],
        input=json.dumps(dropout()),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "Special (orange)" in ok.stdout
    bad = subprocess.run([str(script), "assess", "-"], input="{", capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and errors(bad.stderr)[0]["code"] == "invalid_json"


def test_the_demo_never_shows_an_open_category_as_none(capsys: Capture) -> None:
    """Letter 2's 困境 is unknown (no income): its categories cell says how many are to verify, not "-"."""
    assert cli.main(["demo", "--on", ON]) == 0
    (row,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("letter-2 ")]
    cell = row.split("on_roster", 1)[1].split("special", 1)[0].strip()
    assert cell.startswith("? (") and "to verify" in cell
