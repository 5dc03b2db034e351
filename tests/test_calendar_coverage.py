"""The installed calendar covers the pack's official_through, and every result says which calendar counted.

Regression: with holidays 0.60 (then the floor), 2025-10-08 (a National Day holiday) counted as a working day
and 2026's make-up working days were missing, while the default pack said official_through: 2026.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import holidays
import pytest

import riskeval
from riskeval.pack import default_pack_dir
from riskeval.schedule import is_working_day

ROOT = Path(__file__).resolve().parents[1]


def test_the_installed_calendar_knows_the_official_days_the_default_pack_relies_on() -> None:
    """2026's make-up working days (Jan 4, Feb 14, Feb 28 are weekend days at work) and 2025's National Day."""
    spec = riskeval.load_pack().schedule
    assert spec.calendar.official_through == 2026
    assert all(is_working_day(day, spec) for day in (date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28)))
    assert not is_working_day(date(2025, 10, 8), spec)


def test_a_pack_whose_official_year_the_library_does_not_know_is_refused_at_load(tmp_path: Path) -> None:
    """official_through beyond what the installed library transcribed is a located load error naming the year."""
    year = max(y for y in range(2020, 2100) if _transcribed(y)) + 1
    folder = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), folder)
    schedule = folder / "schedule.yaml"
    text = schedule.read_text(encoding="utf-8")
    assert "official_through: 2026" in text
    schedule.write_text(text.replace("official_through: 2026", f"official_through: {year}"), encoding="utf-8")
    with pytest.raises(riskeval.PackError) as caught:
        riskeval.load_pack(folder)
    messages = " ".join(r.message for r in caught.value.records)
    assert f"no make-up working days of {year}" in messages
    assert all("schedule.yaml" in r.loc for r in caught.value.records)


def _transcribed(year: int) -> bool:
    found = holidays.country_holidays("CN", years=year)
    return any(day.year == year for day in found.weekend_workdays)


def test_every_result_carries_the_calendars_version() -> None:
    """The audit stamp names the holidays library and its version, beside the pack and riskeval's own."""
    facts = json.loads((ROOT / "examples/households/orphan.json").read_text(encoding="utf-8"))
    stamp = riskeval.assess(facts, on=date(2025, 12, 1)).model_dump(mode="json")
    assert stamp["calendar"] == f"holidays {holidays.__version__}"
    assert stamp["riskeval"] == riskeval.__version__
