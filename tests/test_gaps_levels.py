"""A factor holding at a lower level, its more severe level still unknown, is a data gap (DOMAIN.md §3, G10).

DOMAIN.md: G10 is Md when an away parent contacts the child less than weekly, H when they have not met in
person for more than 12 months; "any H factor" makes a child special (§4). A left-behind child whose away
parents call monthly holds G10 at Md; while the last meeting is unknown, the H level is open, and the
result must say so: the missing dates, and the tier they could bring.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskeval

ON = date(2025, 12, 1)
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "households" / "left-behind.json"


def _left_behind(last_seen: date | None) -> dict[str, Any]:
    h: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for m in h["members"]:
        if m["relation"] in ("father", "mother"):
            assert m["status"] == "away_for_work"
            m["contact"] = "monthly"  # less than weekly: G10 at Md, whatever the meetings
            m["last_seen_in_person"] = None if last_seen is None else last_seen.isoformat()
    return h


def _g10(child: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
    held = next((f["severity"] for f in child["factors"] if f["code"] == "G10"), None)
    return held, [g for g in child["data_gaps"] if g["rule"] == "G10"]


def _assessed(h: dict[str, Any], form: str) -> dict[str, Any]:
    if form == "assess":
        child: dict[str, Any] = riskeval.assess(h, on=ON).model_dump(mode="json")["children"][0]
        return child
    (record,) = list(riskeval.assess_batch([h], on=ON).to_records())
    return record


@pytest.mark.parametrize("form", ["assess", "batch"])
def test_md_held_with_the_meeting_unknown_has_a_gap_at_h(form: str) -> None:
    child = _assessed(_left_behind(None), form)
    held, gaps = _g10(child)
    assert held == "Md"
    assert child["tier"] == "general"  # 2 points: no H factor, no category floor
    assert len(gaps) == 1
    assert gaps[0]["severity"] == "H"
    assert gaps[0]["tier_if_true"] == "special"
    assert set(gaps[0]["facts"]) == {"father.last_seen_in_person", "mother.last_seen_in_person"}


@pytest.mark.parametrize("form", ["assess", "batch"])
def test_the_gap_closes_as_it_said(form: str) -> None:
    """Once the meeting is known to be over 12 months ago, G10 is H and the tier is the one the gap gave."""
    predicted = _g10(_assessed(_left_behind(None), form))[1][0]["tier_if_true"]
    child = _assessed(_left_behind(ON - timedelta(days=400)), form)
    assert _g10(child) == ("H", [])
    assert child["tier"] == predicted


@pytest.mark.parametrize("form", ["assess", "batch"])
def test_a_known_recent_meeting_leaves_no_gap(form: str) -> None:
    child = _assessed(_left_behind(ON - timedelta(days=30)), form)
    assert _g10(child) == ("Md", [])


def test_the_explanation_names_the_missing_dates_and_the_tier() -> None:
    result = riskeval.assess(_left_behind(None), on=ON).model_dump(mode="json")
    en = result["children"][0]["explanation"]["en"]
    gaps = en.split("Missing information that could change the result:")[1]
    assert "last in-person meeting" in gaps
    assert "G10" in gaps and "more than 12 months" in gaps and "special" in gaps


@st.composite
def _left_behind_variants(draw: st.DrawFn) -> dict[str, Any]:
    """The example left-behind household with its away parents' contact and meetings, the other parent's
    status and a few of the child's facts redrawn, known or not: mostly general-tier children, where an open
    level can change the tier."""
    h = _left_behind(None)
    for m in h["members"]:
        if m["relation"] in ("father", "mother"):
            m["contact"] = draw(st.sampled_from(["weekly", "monthly", "rarely", "none", None]))
            days = draw(st.sampled_from([None, 30, 200, 365, 366, 400, 800]))
            m["last_seen_in_person"] = None if days is None else (ON - timedelta(days=days)).isoformat()
            m["status"] = draw(st.sampled_from(["away_for_work", "away_for_work", "present"]))
            m["lives_with_children"] = m["status"] == "present"
    child = h["children"][0]
    child["psych"] = draw(st.sampled_from(["normal", "concern", None]))
    child["school"] = draw(st.sampled_from(["enrolled", None]))
    h["id"] = f"variant-{draw(st.integers(0, 10**6))}"
    return h


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_left_behind_variants(), min_size=1, max_size=5, unique_by=lambda h: h["id"]))
def test_the_numpy_form_gives_the_same_level_gaps(hhs: list[dict[str, Any]]) -> None:
    """The swap what-if (the lower hit replaced by the open level) is the same in the numpy form."""
    keys = ("child_id", "status", "factors", "score", "tier", "data_gaps")
    one = [c for h in hhs for c in riskeval.assess(h, on=ON).model_dump(mode="json")["children"]]
    many = list(riskeval.assess_batch(hhs, on=ON).to_records())
    assert [{k: r[k] for k in keys} for r in many] == [{k: c[k] for k in keys} for c in one]


def test_the_variants_reach_the_open_level() -> None:
    """The law above is not vacuous: the example variants include children with an open level's gap."""
    upgraded = 0
    for contact in ("monthly", "rarely", "none"):
        h = _left_behind(None)
        for m in h["members"]:
            m["contact"] = contact if m["relation"] in ("father", "mother") else m.get("contact")
        upgraded += len(_g10(_assessed(h, "batch"))[1])
    assert upgraded == 3
