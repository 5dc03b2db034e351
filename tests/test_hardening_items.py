"""Issue 14, defects 11-13 and 17-20: one bad item is one record and the rest are processed; limits on size
give records, not hangs; duplicate event ids within the window are caught; replay runs in bounded memory;
the command line never reports success when its output was not written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tracemalloc
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval import FactsError, Monitor
from riskeval._limits import MAX_CHILDREN, MAX_RECORDS_PER_HOUSEHOLD
from riskeval.cli import main

ON = date(2025, 12, 1)
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LETTER_2 = json.loads((EXAMPLES / "households/letter-2-dropout.json").read_text(encoding="utf-8"))


def _population(tmp_path: Path, table: str, line: int) -> Path:
    folder = tmp_path / "pop"
    shutil.copytree(EXAMPLES / "population", folder)
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] += ",EXTRA"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("line", [2, 6])
def test_a_csv_row_with_an_extra_cell_is_one_ragged_row_record(tmp_path: Path, line: int) -> None:
    """Defect 11: an extra cell on the first data row shifted every column; a later one rejected the file."""
    base = riskeval.assess_batch(riskeval.read_population(EXAMPLES / "population"), on=ON)
    result = riskeval.assess_batch(riskeval.read_population(_population(tmp_path, "children", line)), on=ON)
    ragged = [(e.loc, e.row) for e in result.errors if e.code == "ragged_row"]
    assert ragged == [("children", line - 2)]
    assert (result.rows_in, result.assessed, result.rejected) == (base.rows_in, base.assessed - 1, 1)
    assert f"line {line}" in result.errors[0].message


def test_a_ragged_member_row_rejects_its_household_only(tmp_path: Path) -> None:
    """Defect 11: a member row that cannot be read rejects its household (a member may be missing), no other."""
    result = riskeval.assess_batch(riskeval.read_population(_population(tmp_path, "members", 3)), on=ON)
    assert ("members", "ragged_row") in [(e.loc, e.code) for e in result.errors]
    assert result.rejected == 1 and result.rows_in == result.assessed + result.rejected


def _lines(tmp_path: Path, *items: str) -> Path:
    path = tmp_path / "households.jsonl"
    path.write_text("\n".join(items) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("bad_first", [False, True])
def test_one_bad_json_line_is_one_record_and_the_others_are_assessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_first: bool
) -> None:
    """Defect 12: `riskeval assess` on JSON lines with one `{bad` line assessed nothing."""
    good = [json.dumps(LETTER_2), json.dumps({**LETTER_2, "id": "other"})]
    items = ["{bad", *good] if bad_first else [good[0], "{bad", good[1]]
    assert main(["assess", str(_lines(tmp_path, *items)), "--on", "2025-12-01"]) == 1
    out, err = capsys.readouterr()
    assert len(json.loads(out)["results"]) == 2
    assert [json.loads(x)["code"] for x in err.splitlines()] == ["invalid_json"]


def test_a_malformed_household_file_in_a_folder_is_one_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 12: `triggers replay --households DIR` with one malformed file gave no triggers."""
    folder = tmp_path / "households"
    shutil.copytree(EXAMPLES / "households", folder)
    (folder / "zz-broken.json").write_text("{bad", encoding="utf-8")
    events = EXAMPLES / "events" / "beilin-2026-q1.jsonl"
    assert main(["triggers", "replay", "--households", str(folder), "--events", str(events)]) == 1
    out, err = capsys.readouterr()
    assert len(json.loads(out)["triggers"]) > 0
    assert [json.loads(x)["code"] for x in err.splitlines()] == ["invalid_json"]


def _event(event_id: str, day: str) -> dict[str, Any]:
    child = LETTER_2["children"][0]["id"]
    return {"id": event_id, "household": LETTER_2["id"], "date": day, "type": "child_crisis", "child": child}


LOG = [_event("e1", "2026-01-05"), _event("e2", "2026-01-20"), _event("e1", "2026-02-05")]


def test_an_event_id_seen_before_within_the_window_is_a_duplicate_in_replay() -> None:
    """Defect 13: e1@01-05, e2@01-20, e1@02-05 applied e1 twice in replay."""
    replay = Monitor().replay([LETTER_2], LOG)
    assert (replay.applied, [(e.code, e.row) for e in replay.errors]) == (2, [("duplicate_id", 2)])


def test_an_event_id_seen_before_within_the_window_is_a_duplicate_in_post() -> None:
    """Defect 13: the same log posted one event at a time refuses the second e1."""
    monitor = Monitor()
    monitor.track([LETTER_2])
    monitor.post(LOG[0])
    monitor.post(LOG[1])
    with pytest.raises(FactsError) as caught:
        monitor.post(LOG[2])
    assert [r.code for r in caught.value.records] == ["duplicate_id"]


def test_an_event_id_reused_after_the_window_is_a_new_event() -> None:
    """Defect 13: the window is documented and bounded; an id far older than it is forgotten (flat memory)."""
    late = (date(2026, 1, 5) + timedelta(days=800)).isoformat()
    replay = Monitor().replay([LETTER_2], [LOG[0], _event("e1", late)])
    assert (replay.applied, replay.errors) == (2, [])


def test_records_per_household_are_capped_with_a_summary() -> None:
    """Defect 17: n members and n children naming a missing father gave n² of text; now the first N and a count."""
    n = MAX_CHILDREN
    household = {
        "id": "h",
        "members": [{"id": f"m{i}"} for i in range(n)],
        "children": [{"id": f"c{i}", "father": "ghost"} for i in range(n)],
    }
    with pytest.raises(FactsError) as caught:
        riskeval.parse_household(household)
    records = caught.value.records
    assert len(records) == MAX_RECORDS_PER_HOUSEHOLD + 1
    assert records[-1].code == "too_many_errors" and records[-1].value == n - MAX_RECORDS_PER_HOUSEHOLD
    assert len(json.dumps(caught.value.as_dicts())) < 50_000


@pytest.mark.parametrize("key", ["children", "members"])
def test_a_household_past_the_people_limit_is_one_record(key: str) -> None:
    """Defects 17, 18: 2,000 children (or members) is one too_many record, found before validating them."""
    people = [{"id": f"p{i}", "father": "ghost"} for i in range(2000)]
    result = riskeval.assess_batch([{"id": "h", key: people}, LETTER_2], on=ON)
    assert [(e.loc, e.code) for e in result.errors] == [(f"households[0].{key}", "too_many")]
    assert result.assessed == len(LETTER_2["children"])


def _cli(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "riskeval.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, **kw)


def test_assess_on_dev_zero_ends_with_a_too_large_record() -> None:
    """Defect 18: `riskeval assess /dev/zero` never returned; input is read within a documented limit."""
    if not Path("/dev/zero").exists():
        pytest.fail("this test needs /dev/zero (Linux, macOS)")
    done = _cli("assess", "/dev/zero", "--on", "2025-12-01")
    assert done.returncode == 1
    assert [json.loads(x)["code"] for x in done.stderr.splitlines()] == ["too_large"]


def test_a_json_line_past_the_limit_is_one_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 18: a line past MAX_DOCUMENT_BYTES is a record; the lines before it are assessed."""
    monkeypatch.setattr("riskeval.facts._sources.MAX_DOCUMENT_BYTES", 4096)
    path = _lines(tmp_path, json.dumps(LETTER_2), json.dumps({**LETTER_2, "id": "big", "pad": "x" * 5000}))
    assert main(["assess", str(path), "--on", "2025-12-01"]) == 1
    out, err = capsys.readouterr()
    assert len(json.loads(out)["results"]) == 1
    assert [json.loads(x)["code"] for x in err.splitlines()] == ["too_large"]


def _peak(n: int, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("riskeval.triggers._spool.RUN", 200)
    start = date(2026, 1, 1)
    events = (
        {"id": f"e{i}", "household": LETTER_2["id"], "date": str(start + timedelta(days=i // 2)),
         "type": "access_refused"}
        for i in range(n)
    )  # fmt: skip
    monitor = Monitor(reassess=False)
    seen = [0]

    def count(_: Any) -> None:
        seen[0] += 1

    tracemalloc.start()
    try:
        replay = monitor.replay([LETTER_2], events, on_trigger=count)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert replay.applied == n == seen[0]
    return peak


def test_replay_runs_in_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 19: replaying a log held every parsed event and trigger; four times the log, about the same peak."""
    small, large = _peak(1000, monkeypatch), _peak(4000, monkeypatch)
    assert large < 1.5 * small, (small, large)


def test_replay_through_the_spool_gives_the_same_triggers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 19: sorting through temporary runs changes nothing: the same log, the same triggers."""
    log = [json.loads(x) for x in (EXAMPLES / "events/beilin-2026-q1.jsonl").read_text(encoding="utf-8").splitlines()]
    households = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((EXAMPLES / "households").glob("*.json"))]
    whole = Monitor().replay(households, list(reversed(log)))
    monkeypatch.setattr("riskeval.triggers._spool.RUN", 3)
    streamed: list[Any] = []
    spooled = Monitor().replay(households, list(reversed(log)), on_trigger=streamed.append)
    assert [t.model_dump() for t in streamed] == [t.model_dump() for t in whole.triggers]
    assert spooled.errors == whole.errors


def test_output_to_a_full_disk_is_exit_1_with_a_record() -> None:
    """Defect 20: `> /dev/full` gave internal_error; now exit 1 and an unwritable record on stderr."""
    if not Path("/dev/full").exists():
        pytest.fail("this test needs /dev/full (Linux)")
    with open("/dev/full", "w") as full:
        command = [sys.executable, "-m", "riskeval.cli", "demo"]
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert [json.loads(x)["code"] for x in done.stderr.splitlines()] == ["unwritable"]


def test_a_closed_stdout_is_not_success() -> None:
    """Defect 20: with stdout closed the demo exited 0 and its output was lost."""
    command = [
        sys.executable,
        "-c",
        "import os, sys; os.close(1); from riskeval.cli import main; sys.exit(main(['demo']))",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "unwritable" in done.stderr


def test_closed_stdin_is_a_record_not_an_internal_error() -> None:
    """Defect 20: `riskeval assess -` with stdin closed gave internal_error."""
    command = [sys.executable, "-c", "import os, sys; os.close(0); sys.stdin = None; from riskeval.cli import main; "
               "sys.exit(main(['assess', '-', '--on', '2025-12-01']))"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert [json.loads(x)["code"] for x in done.stderr.splitlines()] == ["unreadable"]


def test_a_broken_pipe_is_not_success(tmp_path: Path) -> None:
    """Defect 20: a reader that goes away is the conventional SIGPIPE exit (141), not 0."""
    code = (
        "import os, sys; r, w = os.pipe(); os.close(r); os.dup2(w, 1); "
        "from riskeval.cli import main; sys.exit(main(['demo']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONUNBUFFERED": "0"})  # fmt: skip
    assert done.returncode == 141, done.stderr
