"""Fuzz: the command line on mutated files and argument vectors: exit 0, exit 2 (usage), or exit 1 with one
JSON record per line on stderr; never an internal error or a leak; the same command gives the same bytes."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from _fuzz import NAME, NUMBER, budget, household_json, leaks, mutate, text, tried
from hypothesis import given
from hypothesis import strategies as st

from riskeval.cli import main
from riskeval.testing import households

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "examples" / "events" / "beilin-2026-q1.jsonl"
PACK = ROOT / "rules" / "beilin-2025"
WORDS = ["", "-", "/nonexistent", NAME, NUMBER, "9999-12-31", "2025-02-30", "2025-12-01", "--on", "text", "json",
         "zh", "xx", "--format", "\x7f", "1" * 300]  # fmt: skip


def _run(argv: list[str], stdin: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        sys.stdin = old
    return code, out.getvalue(), err.getvalue()


def _argv(data: st.DataObject, tmp: Path, files: dict[str, Path]) -> list[str]:
    def pick(*choices: str) -> str:
        return data.draw(st.sampled_from([*choices, *WORDS]), label="word")

    shape = data.draw(st.sampled_from(["assess", "batch", "replay", "due", "check", "schema"]), label="command")
    date = pick("2025-12-01", "2026-03-01")
    if shape == "assess":
        argv = ["assess", pick(str(files["json"]), str(files["lines"]), "-"), "--on", date]
        argv += ["--format", pick("json", "text")] if data.draw(st.booleans()) else []
        argv += ["--lang", pick("zh", "en")] if data.draw(st.booleans()) else []
    elif shape == "batch":
        argv = ["batch", pick(str(files["lines"]), str(ROOT / "examples" / "population")), "--on", date,
                "--out", str(tmp / data.draw(st.sampled_from(["r.csv", "r.jsonl", "r.txt", "r.parquet"]))),
                "--errors", str(tmp / "e.jsonl")]  # fmt: skip
    elif shape in ("replay", "due"):
        argv = ["triggers", shape, "--households", pick(str(files["lines"]), str(files["folder"]))]
        argv += (
            ["--events", pick(str(EVENTS), str(files["events"]))]
            if shape == "replay" or data.draw(st.booleans())
            else []
        )
        argv += ["--on", date] if shape == "due" else []
        argv += ["--format", pick("json", "text")] if data.draw(st.booleans()) else []
    elif shape == "check":
        argv = ["rules", "check", pick(str(PACK), str(tmp))]
    else:
        argv = ["rules", "schema", pick("result", "household", "event")]
    if data.draw(st.integers(0, 5), label="drop a word") == 0 and len(argv) > 1:
        del argv[data.draw(st.integers(1, len(argv) - 1))]
    return argv


@budget(ci=25)
@given(st.lists(households(), min_size=1, max_size=2), st.data())
def test_the_command_line_on_mutated_input(hhs: list[Any], data: st.DataObject) -> None:
    """main(argv): 0, 2, or 1 with JSON records; no internal_error, no leak; twice, the same bytes."""
    tried("cli")
    raws = [mutate(data, household_json(h)) if data.draw(st.booleans(), label="mutate") else household_json(h)
            for h in hhs]  # fmt: skip
    lines = "\n".join(text(r) for r in raws) + "\n"
    if data.draw(st.booleans(), label="break a line"):
        lines = "{bad\n" + lines
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        files = {
            "json": tmp / "one.json",
            "lines": tmp / "many.jsonl",
            "folder": tmp / "hh",
            "events": tmp / "ev.jsonl",
        }
        files["json"].write_text(text(raws[0]), encoding="utf-8", errors="replace")
        files["lines"].write_text(lines, encoding="utf-8", errors="replace")
        files["folder"].mkdir()
        (files["folder"] / "a.json").write_text(lines.splitlines()[-1], encoding="utf-8", errors="replace")
        files["events"].write_text(EVENTS.read_text(encoding="utf-8") + "{bad\n\n[1]\n", encoding="utf-8")
        argv = _argv(data, tmp, files)
        code, out, err = _run(argv, lines)
        assert code in (0, 1, 2), (argv, code, err)
        assert leaks(out + err) == [], (argv, out, err)
        (out + err).encode("utf-8")
        if code == 1:
            records = [json.loads(x) for x in err.splitlines() if x.startswith("{")]
            if argv[0] == "batch" and not records and (tmp / "e.jsonl").exists():  # batch: records go to --errors
                written = (tmp / "e.jsonl").read_text(encoding="utf-8")
                assert leaks(written) == [], written
                records = [json.loads(x) for x in written.splitlines()]
            assert records, (argv, err)
            assert all({"loc", "code", "message"} <= set(r) for r in records), err
            assert "internal_error" not in {r["code"] for r in records}, (argv, err)
        assert _run(argv, lines) == (code, out, err), argv
