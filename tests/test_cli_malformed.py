"""Malformed input files through every command: each problem is a record for its line or file (the rest is
still processed), and every JSON the command line writes is strict JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from riskeval.cli import main
from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts import parse_event, parse_household

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


# --- one bad line, the rest processed --------------------------------------------------------------


def test_deep_or_huge_json_text_is_a_facts_error() -> None:
    """Text nested past the parser's depth, or an integer too long to read: a record, not a crash."""
    with pytest.raises(FactsError) as deep:
        parse_household(DEEP)
    with pytest.raises(FactsError) as huge:
        parse_event(HUGE_INT)
    assert [r.code for r in deep.value.records] == ["too_deep"]
    assert [r.code for r in huge.value.records] == ["invalid_json"] and "digits" in huge.value.records[0].message


def test_batch_json_lines_reject_a_deep_or_huge_line_and_assess_the_rest(tmp_path: Path, capsys: Capture) -> None:
    """A line nested 50,000 deep and one with a 5,000-digit integer: a record each, naming the line."""
    source = tmp_path / "pop.jsonl"
    source.write_text("\n".join([household_line(), DEEP, HUGE_INT, '"just text"']) + "\n", "utf-8")
    errors = tmp_path / "e.jsonl"
    code, out, _ = batch(capsys, source, "--errors", str(errors), "--format", "json")
    assert code == 1 and strict(out)["assessed"] == 1
    records = lines(errors.read_text("utf-8"))
    assert [(r["row"], r["code"]) for r in records] == [(1, "too_deep"), (2, "invalid_json"), (3, "not_an_object")]
    assert [r["message"].split(":")[0] for r in records] == ["line 2", "line 3", "line 4"]


def test_triggers_replay_rejects_a_deep_event_line_and_applies_the_rest(tmp_path: Path, capsys: Capture) -> None:
    """A deep event line is a too_deep record with its line; the good event still raises its trigger."""
    events = tmp_path / "ev.jsonl"
    events.write_text(f"{EVENT}\n{DEEP}\n", "utf-8")
    args = ["triggers", "replay", "--households", str(EXAMPLES / "households"), "--events", str(events)]
    assert main(args) == 1
    out = strict(capsys.readouterr().out)
    assert out["counts"]["applied"] == 1 and len(out["triggers"]) == 1
    assert [(r["row"], r["code"]) for r in out["errors"]] == [(2, "too_deep")]


def test_assess_of_a_deep_file_is_an_input_record(tmp_path: Path, capsys: Capture) -> None:
    """A household file nested 100,000 deep: exit 1 and a too_deep record naming the file."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    assert main(["assess", str(path), "--on", ON]) == 1
    (record,) = lines(capsys.readouterr().err)
    assert (record["loc"], record["code"]) == (str(path), "too_deep")


# --- unreadable tables, byte order marks, entries that are not objects ----------------------------------


def population(tmp_path: Path, children: bytes) -> Path:
    (tmp_path / "children.csv").write_bytes(children)
    (tmp_path / "members.csv").write_bytes((EXAMPLES / "population" / "members.csv").read_bytes())
    return tmp_path


@pytest.mark.parametrize(
    ("kind", "code", "says"),
    [("empty", "empty_input", "no header"), ("gbk", "unreadable", "UTF-8"), ("quote", "invalid_csv", "EOF")],
)
def test_batch_names_a_children_table_it_cannot_read(
    tmp_path: Path, capsys: Capture, kind: str, code: str, says: str
) -> None:
    """An empty, a GBK-encoded (Excel on a Chinese Windows) or an unclosed-quote table: a record naming it."""
    # The template's places are codes: a caseworker's sheet names them (碑林区), which GBK encodes as no UTF-8.
    text = (EXAMPLES / "population" / "children.csv").read_text("utf-8").replace("610103", "碑林区")
    content = {"empty": b"", "gbk": text.encode("gbk"), "quote": (text.splitlines()[0] + '\n"abc\n').encode()}
    folder = population(tmp_path, content[kind])
    code_, _, err = batch(capsys, folder, "--errors", str(tmp_path / "e.jsonl"))
    (record,) = lines(err)
    assert code_ == 1 and (record["loc"], record["code"]) == (str(folder / "children.csv"), code)
    assert says in record["message"]


def test_a_byte_order_mark_is_accepted_in_json_files(tmp_path: Path, capsys: Capture) -> None:
    """A UTF-8 BOM (as Windows editors write) is accepted in a household file, JSON lines and an event log."""
    bom = "\ufeff"
    household = tmp_path / "h.json"
    household.write_text(bom + (EXAMPLES / "households" / "orphan.json").read_text("utf-8"), "utf-8")
    assert main(["assess", str(household), "--on", ON]) == 0
    (tmp_path / "h.jsonl").write_text(bom + household_line() + "\n", "utf-8")
    assert batch(capsys, tmp_path / "h.jsonl", "--errors", str(tmp_path / "e.jsonl"))[0] == 0
    events = tmp_path / "ev.jsonl"
    events.write_text(bom + EVENT + "\n", "utf-8")
    assert main(["triggers", "replay", "--households", str(EXAMPLES / "households"), "--events", str(events)]) == 0


def test_a_json_lines_entry_that_is_not_an_object_says_so(tmp_path: Path, capsys: Capture) -> None:
    """A line holding a JSON string, number or list is not_an_object (not invalid_json), for assess too."""
    path = tmp_path / "h.jsonl"
    path.write_text(household_line() + '\n"just text"\n42\n', "utf-8")
    assert main(["assess", str(path), "--on", ON]) == 1
    records = lines(capsys.readouterr().err)
    assert [(r["row"], r["code"]) for r in records] == [(1, "not_an_object"), (2, "not_an_object")]
    assert "found a string" in records[0]["message"]


# --- arguments checked before the run ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["assess", "batch"])
def test_an_on_date_too_late_to_plan_from_is_a_usage_error(command: str, capsys: Capture) -> None:
    """--on 9999-12-31 is a valid date, but plans run years past it: exit 2 naming --on."""
    source = EXAMPLES / ("households/orphan.json" if command == "assess" else "population")
    assert main([command, str(source), "--on", "9999-12-31"]) == 2
    assert "--on" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--errors", "--out"])
def test_batch_output_into_a_missing_folder_fails_before_the_run(tmp_path: Path, capsys: Capture, flag: str) -> None:
    """An output path whose folder does not exist: a record naming the option and the path, nothing written."""
    target = tmp_path / "missing" / "x.jsonl"
    code, out, err = batch(capsys, EXAMPLES / "population", flag, str(target))
    (record,) = lines(err)
    assert code == 1 and out == "" and record["loc"] == str(target) and flag in record["message"]
