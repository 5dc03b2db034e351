"""The durable-rules stress benchmark, run in its own process: no crash, no mismatch, flat memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "stress_durable.py"
MAX_GROWTH_KB = 20 * 1024


def test_20000_random_events_match_the_reference_with_flat_memory() -> None:
    """20,000 random events of every type: exit 0, every answer equal to the reference, RSS growth < 20 MB."""
    pytest.importorskip("durable")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--n", "20000", "--seed", "7"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert result["n"] == 20000
    assert result["mismatches"] == 0
    assert result["errors"] == 0
    assert result["rules_never_fired"] == []
    assert result["max_growth_kb"] < MAX_GROWTH_KB, result
