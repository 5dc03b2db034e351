"""One date is one age everywhere: a pack's leap-day rule (schedule.yaml ``leap_day_birthday``) decides the
birthday of a child born on Feb 29 for the rules, both compiled forms, the visit plan and scheduled triggers.

Regression: rules always moved a Feb 29 birthday to Feb 28 while the visit plan followed the pack, so a pack
set to ``mar_1`` put a child's 18th birthday on two different days.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval.pack import default_pack_dir

ROOT = Path(__file__).resolve().parents[1]
BORN = "2008-02-29"  # 18 in 2026, a common year


def _pack(tmp_path: Path, rule: str) -> riskeval.Pack:
    folder = tmp_path / f"pack-{rule}"
    shutil.copytree(default_pack_dir(), folder)
    schedule = folder / "schedule.yaml"
    text = schedule.read_text(encoding="utf-8")
    assert "leap_day_birthday: feb_28" in text
    schedule.write_text(text.replace("leap_day_birthday: feb_28", f"leap_day_birthday: {rule}"), encoding="utf-8")
    return riskeval.load_pack(folder)


def _orphan() -> dict[str, Any]:
    household: dict[str, Any] = json.loads((ROOT / "examples/households/orphan.json").read_text(encoding="utf-8"))
    household["children"][0]["birth_date"] = BORN
    household["children"][0]["residence"]["since"] = BORN
    return household


@pytest.mark.parametrize(("rule", "eighteenth"), [("feb_28", date(2026, 2, 28)), ("mar_1", date(2026, 3, 1))])
def test_the_18th_birthday_of_a_feb_29_child_is_one_day_in_rules_plans_and_triggers(
    tmp_path: Path, rule: str, eighteenth: date
) -> None:
    """Roster exit (scalar and vector form), the age shown, the plan's milestone and the age-18 trigger agree."""
    pack = _pack(tmp_path, rule)
    household = _orphan()
    eve = date.fromordinal(eighteenth.toordinal() - 1)
    for day, status, age in ((eve, "on_roster", 17), (eighteenth, "exited", 18)):
        child = riskeval.assess(household, on=day, pack=pack).children[0]
        assert child.status == status, (rule, day)
        batch = riskeval.assess_batch([household], on=day, pack=pack)
        assert [r["status"] for r in batch.to_records()] == [status], (rule, day)
        ages = [v for f in child.factors for k, v in f.values.items() if k == "child.age"]
        assert all(a == age for a in ages), ages

    plan = riskeval.assess(household, on=date(2026, 2, 1), pack=pack).children[0].schedule
    assert plan is not None
    assert [m.date for m in plan.milestones if m.age == 18] == [eighteenth]

    due = riskeval.Monitor(pack).due([household], on=eve)
    assert [t.due_date for t in due if t.rule_id == "age_milestone"] == [eighteenth]


def test_years_counted_by_the_rules_follow_the_leap_day_rule_in_both_forms(tmp_path: Path) -> None:
    """years_between in a rule and the vector form's packed years count Feb 29 → Mar 1 under ``mar_1``."""
    from riskeval.evaluate.vector import _ops as O
    from riskeval.population.layout import pack_date
    from riskeval.schedule.dates import years_between, years_between_mar_1

    born, eve, day = date(2008, 2, 29), date(2026, 2, 28), date(2026, 3, 1)
    assert (years_between(born, eve), years_between_mar_1(born, eve)) == (18, 17)
    assert (years_between(born, day), years_between_mar_1(born, day)) == (18, 18)
    x = pack_date(born)
    assert int(O.packed_years(x, pack_date(eve))) == 18
    assert int(O.packed_years(x, pack_date(eve), mar_1=True)) == 17
    assert int(O.packed_years(x, pack_date(day), mar_1=True)) == 18
