"""Malformed input through every command: every JSON the command line writes is strict JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from riskeval.cli import main
from riskeval.errors import ErrorRecord

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ON = "2025-12-01"
DEEP = "[" * 50_000
HUGE_INT = '{"id": 1' + "0" * 5000 + ', "children": []}'
EVENT = (
    '{"id": "e1", "household": "letter-2", "date": "2026-01-05", "type": "school_dropout", "child": "letter-2-child"}'
)
Capture = pytest.CaptureFixture[str]


def strict(text: str) -> Any:
    """Parse as JSON proper: NaN, Infinity and -Infinity are not JSON."""

    def refuse(token: str) -> Any:
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def lines(text: str) -> list[Any]:
    return [strict(line) for line in text.splitlines() if line.strip()]


def household_line() -> str:
    return json.dumps(json.loads((EXAMPLES / "households" / "orphan.json").read_text("utf-8")), ensure_ascii=False)


def batch(capsys: Capture, source: Path, *more: str) -> tuple[int, str, str]:
    code = main(["batch", str(source), "--on", ON, *more])
    out, err = capsys.readouterr()
    return code, out, err


# --- strict JSON out --------------------------------------------------------------------------------


def test_non_finite_values_are_named_as_text_in_records() -> None:
    """A NaN or an infinity in a record's value is the string JSON can carry, not a bare token."""
    values = [ErrorRecord("x", "out_of_range", "m", v).as_dict()["value"] for v in (float("nan"), 1e999, -1e999)]
    assert values == ["NaN", "Infinity", "-Infinity"]


def test_assess_and_batch_write_strict_json_records(tmp_path: Path, capsys: Capture) -> None:
    """NaN in the input: assess's stderr records and batch's errors file parse as strict JSON."""
    text = '{"id": "h", "economy": {"income_per_capita": NaN}, "children": [{"id": "c"}]}\n'
    (tmp_path / "h.json").write_text(text, "utf-8")
    (tmp_path / "h.jsonl").write_text(text, "utf-8")
    assert main(["assess", str(tmp_path / "h.json"), "--on", ON]) == 1
    (record,) = lines(capsys.readouterr().err)
    assert (record["loc"], record["value"]) == ("economy.income_per_capita", "NaN")
    errors = tmp_path / "e.jsonl"
    assert batch(capsys, tmp_path / "h.jsonl", "--errors", str(errors), "--format", "json")[0] == 1
    assert [r["value"] for r in lines(errors.read_text("utf-8"))] == ["NaN"]


def test_triggers_replay_prints_strict_json(tmp_path: Path, capsys: Capture) -> None:
    """An event amount of NaN: the replay's stdout is one strict JSON document, the record's value "NaN"."""
    events = tmp_path / "ev.jsonl"
    events.write_text(EVENT.replace('"school_dropout", "child": "letter-2-child"', '"medical_expense", "amount": NaN'))
    args = ["triggers", "replay", "--households", str(EXAMPLES / "households"), "--events", str(events)]
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert "NaN" in {str(r["value"]) for r in strict(out)["errors"]}
    lines(err)
