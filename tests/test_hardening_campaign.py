"""What the fuzz campaign of issue 14 (tests/fuzz/) found beyond the listed defects, one regression test each."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import riskeval
from riskeval.cli import main

NAME, NUMBER = "张三丰", "610103201104101234"


def test_a_usage_error_does_not_quote_a_name_or_an_id_number(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse quoted an invalid choice as typed: `--format 张三丰` put the name in the usage error."""
    assert main(["assess", "x.json", "--on", "2025-12-01", "--format", NAME]) == 2
    assert main(["assess", "x.json", "--on", NUMBER]) == 2
    err = capsys.readouterr().err
    assert NAME not in err and NUMBER not in err and "<redacted>" in err


def test_rules_check_writes_json_records_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`rules check` on a missing folder exited 1 with no JSON record on stderr, as every other exit 1 has."""
    assert main(["rules", "check", str(tmp_path / "nowhere")]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == "1 problem(s)"
    assert [json.loads(x)["code"] for x in captured.err.splitlines()] == ["missing_pack"]


def test_rules_check_of_a_missing_folder_named_by_a_name_does_not_echo_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`riskeval rules check 张三丰` printed the typed path, the name in it, on stdout and stderr."""
    assert main(["rules", "check", NAME]) == 1
    captured = capsys.readouterr()
    assert NAME not in captured.out + captured.err
    assert [json.loads(x)["code"] for x in captured.err.splitlines()] == ["missing_pack"]


def test_an_unknown_schema_name_is_not_echoed(capsys: pytest.CaptureFixture[str]) -> None:
    """`riskeval rules schema 张三丰` quoted the name in its unknown_schema record."""
    assert main(["rules", "schema", NAME]) == 1
    err = capsys.readouterr().err
    assert NAME not in err
    assert [json.loads(x)["code"] for x in err.splitlines()] == ["unknown_schema"]


def test_a_name_inside_an_unknown_column_that_ends_like_a_place_field_is_not_echoed() -> None:
    """A header cell `huk张三丰ou.county` was shown in its message: the record's field looked like a place
    field (`county`), whose Han text may be shown."""
    children = {"household_id": ["h"], "child_id": ["c"], f"huk{NAME}ou.county": ["x"]}
    result = riskeval.assess_batch({"children": children}, on=date(2025, 12, 1))
    text = json.dumps([e.as_dict() for e in result.errors], ensure_ascii=False)
    assert "unknown_column" in text and NAME not in text


def test_a_dict_in_a_place_column_is_not_shown_as_place_text() -> None:
    """A dict holding a name in `hukou.county` was shown as its text, which a place field may echo."""
    children = {"household_id": ["h"], "child_id": ["c"], "hukou.county": [{"a": NAME}]}
    result = riskeval.assess_batch({"children": children}, on=date(2025, 12, 1))
    assert [(e.loc, e.code, e.value) for e in result.errors] == [("children.hukou.county", "place_type", "<dict>")]
    assert NAME not in json.dumps([e.as_dict() for e in result.errors], ensure_ascii=False)
