"""SDM overrides: one level at most, never lower while an M factor holds nor below a floor row that holds, only
for children on the roster."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval.errors import RiskevalError
from riskeval.overrides import Override, OverrideError

ON = date(2025, 12, 1)


def household(**child: Any) -> dict[str, Any]:
    """A 10-year-old living with a capable mother; the child's facts are varied per test."""
    return {
        "id": "h",
        "members": [{"id": "m", "relation": "mother", "status": "present", "lives_with_children": True,
                     "civil_capacity": "full", "employment": "employed"}],
        "children": [{"id": "c1", "birth_date": "2015-05-01", "mother": "m", "caregiver": "m", **child}],
    }  # fmt: skip


GENERAL = {"disability": {"type": "physical", "grade": 3}}  # C2 (Md) and 困境: on the roster, general
SPECIAL = {"school": "dropped_out"}  # C6 (H): special
URGENT = {"safety": ["abuse"]}  # G1 (M): urgent


def override(tier: str, child_id: str = "c1", day: date = ON) -> Override:
    """An override of child c1 to a tier, approved on the assessment date."""
    return Override(child_id=child_id, tier=tier, reason_code="R-07", approver="staff-17", date=day)


def problem(excinfo: pytest.ExceptionInfo[OverrideError]) -> str:
    """The code of the single problem an OverrideError carries."""
    assert len(excinfo.value.records) == 1
    return excinfo.value.records[0].code


def test_the_baseline_tiers_are_general_special_and_urgent() -> None:
    """The three facts used below give the three tiers without an override."""
    tiers = [riskeval.assess(household(**f), on=ON).children[0].tier for f in (GENERAL, SPECIAL, URGENT)]
    assert tiers == ["general", "special", "urgent"]


def test_one_level_up_moves_the_tier_and_the_visit_frequency() -> None:
    """general → special is allowed: the final tier is special, monthly, and the computed tier is kept."""
    child = riskeval.assess(household(**GENERAL), on=ON, overrides=[override("special")]).children[0]
    assert (child.computed_tier, child.tier, child.visit_frequency) == ("general", "special", "monthly")
    assert child.override == override("special")
    assert child.schedule is not None and child.schedule.cadence_months == 1
    assert child.schedule.tier == "special"


def test_one_level_down_without_an_m_factor_is_allowed() -> None:
    """special → general is allowed when no mandatory factor holds; visits become quarterly."""
    child = riskeval.assess(household(**SPECIAL), on=ON, overrides=[override("general")]).children[0]
    assert (child.computed_tier, child.tier, child.visit_frequency) == ("special", "general", "quarterly")


def test_two_levels_is_refused_naming_the_child_and_the_tiers() -> None:
    """general → urgent moves two levels: an OverrideError (a ValueError) naming c1, general and urgent."""
    with pytest.raises(OverrideError) as excinfo:
        riskeval.assess(household(**GENERAL), on=ON, overrides=[override("urgent")])
    assert problem(excinfo) == "override_too_far"
    assert isinstance(excinfo.value, ValueError) and isinstance(excinfo.value, RiskevalError)
    assert (excinfo.value.child_id, excinfo.value.computed_tier, excinfo.value.requested_tier) == (
        "c1",
        "general",
        "urgent",
    )
    message = str(excinfo.value)
    assert "'c1'" in message and "general → urgent" in message and excinfo.value.records[0].loc == "overrides[0].tier"


def test_no_lowering_while_a_mandatory_factor_holds() -> None:
    """urgent → special is refused while G1 (M) holds, though it is one level."""
    with pytest.raises(OverrideError) as excinfo:
        riskeval.assess(household(**URGENT), on=ON, overrides=[override("special")])
    assert problem(excinfo) == "override_below_mandatory"
    assert "G1" in str(excinfo.value)


def _example(name: str) -> dict[str, Any]:
    path = Path(__file__).resolve().parents[1] / "examples" / "households" / f"{name}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("name", ["orphan", "de-facto-unsupported"])
def test_no_lowering_below_the_orphan_and_fus_floor(name: str) -> None:
    """DOMAIN.md §4: orphans and FUS children are special at least (the floor), visited monthly (LETTER
    特殊困难); an override to general is refused and names the floor row."""
    h = _example(name)
    child_id = h["children"][0]["id"]
    assert riskeval.assess(h, on=ON).children[0].tier == "special"
    with pytest.raises(OverrideError) as excinfo:
        riskeval.assess(h, on=ON, overrides=[override("general", child_id)])
    assert problem(excinfo) == "override_below_floor"
    assert "special_floor_orphan_fus" in str(excinfo.value)


def test_the_floor_does_not_stop_raising_an_orphan() -> None:
    h = _example("orphan")
    child = riskeval.assess(h, on=ON, overrides=[override("urgent", h["children"][0]["id"])]).children[0]
    assert (child.computed_tier, child.tier) == ("special", "urgent")


def test_an_m_factor_does_not_stop_keeping_the_tier() -> None:
    """An override to the computed tier itself (urgent → urgent) is recorded and changes nothing else."""
    child = riskeval.assess(household(**URGENT), on=ON, overrides=[override("urgent")]).children[0]
    assert (child.computed_tier, child.tier, child.override) == ("urgent", "urgent", override("urgent"))


def test_one_level_up_to_the_top_tier_uses_the_urgent_first_visit() -> None:
    """special → urgent is allowed; the first visit of a newly identified child is then due within 24 hours."""
    h = household(**SPECIAL, identified_on="2025-11-28")
    child = riskeval.assess(h, on=ON, overrides=[override("urgent")]).children[0]
    assert child.tier == "urgent" and child.schedule is not None and child.schedule.first_visit is not None
    assert (child.schedule.first_visit.rule, child.schedule.first_visit.date) == ("urgent", date(2025, 11, 29))


def test_a_tier_the_pack_does_not_have_is_refused() -> None:
    """An override to a tier id the pack does not define (above the top) is refused."""
    with pytest.raises(OverrideError) as excinfo:
        riskeval.assess(household(**URGENT), on=ON, overrides=[override("critical")])
    assert problem(excinfo) == "override_unknown_tier"


# 18, adopted, no disability: no fact puts the youth on the roster before 18 (not an orphan or FUS)
ADULT = {"birth_date": "2007-03-05", "disability": False, "adopted": True}


@pytest.mark.parametrize(
    ("child", "status"),
    [(ADULT, "not_on_roster"), ({**ADULT, "identified_on": "2019-04-01"}, "exited")],
)
def test_no_override_for_a_child_off_the_roster(child: dict[str, Any], status: str) -> None:
    """A child not on the roster, or exited, has no tier to override."""
    h = household(**child)
    assert riskeval.assess(h, on=ON).children[0].status == status
    with pytest.raises(OverrideError) as excinfo:
        riskeval.assess(h, on=ON, overrides=[override("general")])
    assert problem(excinfo) == "override_not_on_roster"
    assert status in str(excinfo.value)


def test_an_unknown_child_is_refused() -> None:
    """An override naming no child of the household is refused."""
    with pytest.raises(OverrideError) as excinfo:
        riskeval.assess(household(**GENERAL), on=ON, overrides=[override("special", child_id="c9")])
    assert problem(excinfo) == "override_unknown_child"


def test_a_second_override_of_one_child_is_refused() -> None:
    """Two overrides of the same child are refused (the second one is reported)."""
    with pytest.raises(OverrideError) as excinfo:
        riskeval.assess(household(**GENERAL), on=ON, overrides=[override("special"), override("general")])
    assert problem(excinfo) == "override_duplicate"
    assert excinfo.value.records[0].loc == "overrides[1].child_id"


def test_the_override_date_may_be_the_assessment_date_but_not_later() -> None:
    """An override dated on the assessment date is fine; one dated the day after is refused."""
    ok = riskeval.assess(household(**GENERAL), on=ON, overrides=[override("special", day=ON)])
    assert ok.children[0].tier == "special"
    with pytest.raises(OverrideError) as excinfo:
        riskeval.assess(household(**GENERAL), on=ON, overrides=[override("special", day=date(2025, 12, 2))])
    assert problem(excinfo) == "override_after_as_of"


def test_overrides_given_as_dicts_are_validated() -> None:
    """A dict override is validated like the model: a missing approver is a located record."""
    good = {"child_id": "c1", "tier": "special", "reason_code": "R-07", "approver": "staff-17", "date": "2025-12-01"}
    assert riskeval.assess(household(**GENERAL), on=ON, overrides=[good]).children[0].tier == "special"
    bad = {k: v for k, v in good.items() if k != "approver"}
    with pytest.raises(OverrideError) as excinfo:
        riskeval.assess(household(**GENERAL), on=ON, overrides=[bad])
    assert [(r.loc, r.code) for r in excinfo.value.records] == [("overrides[0].approver", "missing")]


def test_the_override_is_in_the_json_and_the_explanation_but_not_the_approver() -> None:
    """The result's JSON keeps the override record; the explanation mentions it without the approver."""
    result = riskeval.assess(household(**GENERAL), on=ON, overrides=[override("special")])
    data = result.model_dump(mode="json")["children"][0]
    assert data["override"] == {
        "child_id": "c1",
        "tier": "special",
        "reason_code": "R-07",
        "approver": "staff-17",
        "date": "2025-12-01",
    }
    assert (data["computed_tier"], data["tier"]) == ("general", "special")
    explanation = result.children[0].explanation
    assert explanation is not None
    assert "Override: the computed tier general (blue) was changed to special (orange) on 2025-12-01" in explanation.en
    assert "等级调整：计算所得的风险等级一般（蓝色）于2025-12-01经批准调整为重点（橙色）" in explanation.zh
    assert "staff-17" not in explanation.en and "staff-17" not in explanation.zh


def test_no_override_while_the_roster_status_is_undetermined() -> None:
    """A child whose roster status is undetermined (here: the psychological state unknown, which could be C4,
    an H factor) has no tier yet: an override is refused with its own code, in either direction, and the
    verification visit comes first. Moving a tier the rules have not given would decide the status by hand."""
    h = household(psych=None)
    child = riskeval.assess(h, on=ON).children[0]
    assert (child.status, child.tier) == ("undetermined", None)
    for tier in ("general", "special"):
        with pytest.raises(OverrideError) as excinfo:
            riskeval.assess(h, on=ON, overrides=[override(tier)])
        assert problem(excinfo) == "override_undetermined"
        assert "undetermined" in str(excinfo.value)
