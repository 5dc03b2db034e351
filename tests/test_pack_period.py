"""An assessment date outside the pack's period is a record naming ``on``, not a missing parameter."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import riskeval
from riskeval.cli import main

ROOT = Path(__file__).resolve().parents[1]
HOUSEHOLD = ROOT / "examples/households/orphan.json"
BEFORE = date(2024, 12, 31)  # the default pack is in force from 2025-01-01 (pack.yaml)


def _only_record(exc: riskeval.FactsError) -> riskeval.ErrorRecord:
    (record,) = exc.records
    return record


def test_assess_before_the_pack_is_in_force_names_on_and_the_period() -> None:
    """assess() on a date before pack.yaml's effective.from gives one out_of_period record at ``on``."""
    with pytest.raises(riskeval.FactsError) as caught:
        riskeval.assess(json.loads(HOUSEHOLD.read_text(encoding="utf-8")), on=BEFORE)
    record = _only_record(caught.value)
    assert (record.loc, record.code, record.value) == ("on", "out_of_period", "2024-12-31")
    assert "beilin-2025" in record.message and "2025-01-01" in record.message
    assert "parameter" not in record.message


def test_assess_batch_refuses_the_date_with_the_same_record() -> None:
    """assess_batch() gives the same record as assess() for a date outside the pack's period."""
    with pytest.raises(riskeval.FactsError) as caught:
        riskeval.assess_batch([json.loads(HOUSEHOLD.read_text(encoding="utf-8"))], on=BEFORE)
    assert _only_record(caught.value).code == "out_of_period"


def test_the_first_day_of_the_period_is_in_force() -> None:
    """The period's first day assesses (the bound is inclusive)."""
    result = riskeval.assess(json.loads(HOUSEHOLD.read_text(encoding="utf-8")), on=date(2025, 1, 1))
    assert result.children[0].status == "on_roster"


def test_the_command_line_exits_1_with_the_record(capsys: pytest.CaptureFixture[str]) -> None:
    """`riskeval assess` on a date before the period exits 1 with the out_of_period record on stderr."""
    assert main(["assess", str(HOUSEHOLD), "--on", "2024-12-31"]) == 1
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert [(r["loc"], r["code"]) for r in records] == [("on", "out_of_period")]
