"""``riskeval triggers replay`` and ``riskeval triggers due`` on the example households and event log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskeval.cli import main

ROOT = Path(__file__).resolve().parents[1]
HOUSEHOLDS = ROOT / "examples" / "households"
EVENTS = ROOT / "examples" / "events" / "beilin-2026-q1.jsonl"


def test_replaying_the_example_log_gives_one_trigger_per_event(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's command: every example event applies and raises a trigger; exit 0, nothing on stderr."""
    code = main(["triggers", "replay", "--households", str(HOUSEHOLDS), "--events", str(EVENTS)])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    result = json.loads(out)
    lines = EVENTS.read_text("utf-8").splitlines()
    assert result["counts"] == {"events": len(lines), "applied": len(lines), "rejected": 0, "triggers": len(lines)}
    assert result["pack"]["id"] == "beilin-2025"
    by_event = {t["event_id"]: t for t in result["triggers"]}
    assert by_event["ev-003"]["urgency"] == "U0"  # child_crisis
    assert by_event["ev-006"]["escalations"][0]["rule_id"] == "economic_events_90d"
    adoption = by_event["ev-017"]["changes"][0]
    assert "orphan" in adoption["categories_before"] and "orphan" not in adoption["categories_after"]


@pytest.mark.parametrize("executor", ["riskeval", "durable"])
def test_the_text_report_is_one_line_per_trigger_in_both_languages(
    capsys: pytest.CaptureFixture[str], executor: str
) -> None:
    """--format text: a line per trigger (date, urgency, due date, household, rule, reason) and a count line."""
    if executor == "durable":
        pytest.importorskip("durable")
    args = ["triggers", "replay", "--households", str(HOUSEHOLDS), "--events", str(EVENTS), "--format", "text"]
    assert main([*args, "--executor", executor]) == 0
    en = capsys.readouterr().out.splitlines()
    assert main([*args, "--executor", executor, "--lang", "zh"]) == 0
    zh = capsys.readouterr().out.splitlines()
    n = len(EVENTS.read_text("utf-8").splitlines())
    assert len(en) == len(zh) == n + 1
    assert en[2].startswith("2025-12-15  U0 by 2025-12-15  letter-2 [letter-2-child]  child_crisis:")
    assert "心理危机" in zh[2] and en[-1].startswith(f"{n} events: {n} applied, 0 rejected")


def test_bad_lines_of_the_log_are_records_on_stderr_with_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown household and a broken line: two records (row = line in the file), exit 1, the rest replayed."""
    log = tmp_path / "log.jsonl"
    good = EVENTS.read_text("utf-8").splitlines()[:2]
    bad = json.dumps({"id": "x", "household": "nowhere", "date": "2026-01-05", "type": "access_refused"})
    log.write_text("\n".join([good[0], "", bad, "{oops", good[1]]) + "\n", "utf-8")
    code = main(["triggers", "replay", "--households", str(HOUSEHOLDS), "--events", str(log)])
    out, err = capsys.readouterr()
    assert code == 1
    records = [json.loads(line) for line in err.splitlines()]
    assert [(r["row"], r["code"]) for r in records] == [(3, "unknown_household"), (4, "invalid_json")]
    assert json.loads(out)["counts"] == {"events": 4, "applied": 2, "rejected": 2, "triggers": 2}


def test_due_after_the_log_shows_the_six_month_lost_contact_timer(capsys: pytest.CaptureFixture[str]) -> None:
    """triggers due --events LOG --on DATE: the lost contact reported 2025-12-05 is re-evaluated from 2026-06-05."""
    code = main(["triggers", "due", "--households", str(HOUSEHOLDS), "--events", str(EVENTS), "--on", "2026-06-08"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    result = json.loads(out)
    (timer,) = [t for t in result["triggers"] if t["rule_id"] == "lost_contact_six_months"]
    assert (timer["household_id"], timer["urgency"], timer["raised_on"]) == ("example-left-behind", "U1", "2026-06-05")


def test_due_on_a_missing_file_is_a_record_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """A households file that does not exist: one file_not_found record on stderr, exit 1, no traceback."""
    code = main(["triggers", "due", "--households", "no/such.json", "--on", "2026-06-01"])
    _, err = capsys.readouterr()
    assert code == 1 and json.loads(err.splitlines()[0])["code"] == "file_not_found"


def test_due_reports_a_bad_household_once_and_lists_the_others_triggers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One household with an impossible birth date among the examples: one record located households[i],
    every other household's scheduled triggers still printed, exit 1."""
    args = ["triggers", "due", "--on", "2026-06-08"]
    assert main([*args, "--households", str(HOUSEHOLDS)]) == 0
    good = json.loads(capsys.readouterr().out)["triggers"]
    folder = tmp_path / "households"
    folder.mkdir()
    for f in HOUSEHOLDS.glob("*.json"):
        (folder / f.name).write_text(f.read_text("utf-8"), "utf-8")
    bad = json.loads((HOUSEHOLDS / "orphan.json").read_text("utf-8"))
    bad["id"], bad["children"][0]["birth_date"] = "zz-bad", "2015-02-30"
    (folder / "zz-bad.json").write_text(json.dumps(bad), "utf-8")  # sorts last
    last = len(list(folder.glob("*.json"))) - 1
    code = main([*args, "--households", str(folder)])
    out, err = capsys.readouterr()
    assert code == 1
    records = [json.loads(line) for line in err.splitlines()]
    assert [(r["loc"], r["code"], r["value"]) for r in records] == [
        (f"households[{last}].children[0].birth_date", "invalid_date", "2015-02-30")
    ]
    result = json.loads(out)
    assert result["triggers"] == good and result["errors"] == records


def test_replay_rejects_an_event_delivered_twice_on_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first line again at the end: one duplicate_id record (row = its line, value = the id), exit 1."""
    lines = EVENTS.read_text("utf-8").splitlines()
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join([*lines, lines[0]]) + "\n", "utf-8")
    code = main(["triggers", "replay", "--households", str(HOUSEHOLDS), "--events", str(log)])
    out, err = capsys.readouterr()
    (record,) = [json.loads(line) for line in err.splitlines()]
    first = json.loads(lines[0])["id"]
    assert code == 1 and (record["row"], record["code"], record["value"]) == (len(lines) + 1, "duplicate_id", first)
    n = len(lines)
    assert json.loads(out)["counts"] == {"events": n + 1, "applied": n, "rejected": 1, "triggers": n}
