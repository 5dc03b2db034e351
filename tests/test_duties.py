"""The pack's duties: DOMAIN.md §4, "urgent: ... a mandatory report where G1–G4 apply (LAW Art. 11)".

未成年人保护法 Art. 11(2): residents' and villagers' committees (where child directors work) who find a minor
harmed, suspected harmed or in danger shall report at once. A result that says "urgent" without saying
"report" leaves the duty to the reader's memory.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import riskeval

ON = date(2025, 12, 1)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "households"


def _household(name: str, **child: Any) -> dict[str, Any]:
    h: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    h["children"][0].update(child)
    return h


def _child(h: dict[str, Any], **options: Any) -> dict[str, Any]:
    child: dict[str, Any] = riskeval.assess(h, on=ON, **options).model_dump(mode="json")["children"][0]
    return child


@pytest.mark.parametrize(("safety", "factor"), [("abuse", "G1"), ("runaway", "G4"), ("trafficking", "G1")])
def test_a_g1_to_g4_child_carries_the_mandatory_report(safety: str, factor: str) -> None:
    child = _child(_household("in-difficulty", safety=[safety]))
    assert factor in {f["code"] for f in child["factors"]}
    assert child["tier"] == "urgent"
    (duty,) = child["duties"]
    assert duty["id"] == "mandatory_report"
    assert "第11条" in duty["source"]
    assert "报告" in duty["label"]["zh"] and "report" in duty["label"]["en"].lower()


def test_the_explanation_says_it_in_both_languages() -> None:
    explanation = _child(_household("orphan", safety=["sexual_abuse"]))["explanation"]
    (zh,) = [line for line in explanation["zh"].splitlines() if line.startswith("须立即办理")]
    (en,) = [line for line in explanation["en"].splitlines() if "mandatory_report" in line]
    assert "强制报告" in zh and "第11条" in zh
    assert "Mandatory report" in en and "第11条" in en


@pytest.mark.parametrize("name", ["orphan", "left-behind", "migrant", "extreme-poverty"])
def test_no_m_factor_no_duty(name: str) -> None:
    child = _child(_household(name))
    assert not {f["code"] for f in child["factors"]} & {"G1", "G2", "G3", "G4"}
    assert child["duties"] == []
    assert "mandatory_report" not in child["explanation"]["en"]


def test_an_unknown_safety_record_is_a_gap_not_a_duty() -> None:
    """Only a duty known to hold is listed; what could make it hold is a data gap."""
    child = _child(_household("in-difficulty", safety=None))
    assert child["duties"] == []
    assert "G1" in {g["rule"] for g in child["data_gaps"]}


@pytest.mark.parametrize("form", ["assess", "batch"])
def test_an_urgent_child_with_an_unknown_safety_record_still_shows_the_gaps_that_may_hide_the_report(
    form: str,
) -> None:
    """Already urgent (C4a, a psychological crisis), so G1/G2/G4 would not change the tier; the report they
    would require is still unknown, and the result must say so."""
    h = _household("in-difficulty", psych="crisis", safety=None)
    child = _child(h) if form == "assess" else next(iter(riskeval.assess_batch([h], on=ON).to_records()))
    assert child["tier"] == "urgent" and child["duties"] == []
    gaps = {g["rule"]: g for g in child["data_gaps"]}
    for code in ("G1", "G2", "G4"):
        assert gaps[code]["facts"] == ["child.safety"]
        assert gaps[code]["tier_if_true"] == "urgent"


def test_the_gap_sentence_names_the_duty() -> None:
    explanation = _child(_household("in-difficulty", psych="crisis", safety=None))["explanation"]
    (en,) = [x for x in explanation["en"].splitlines() if x.startswith("- ") and "G1" in x]
    (zh,) = [x for x in explanation["zh"].splitlines() if x.startswith("- ") and "G1" in x]
    assert "would stay urgent" in en and "mandatory_report may apply" in en
    assert "仍为紧急" in zh and "可能须强制报告" in zh


def test_an_override_does_not_add_or_remove_a_duty() -> None:
    """The duty follows the facts, not the tier: raising a general child to special adds no report."""
    h = _household("left-behind")
    override = {"child_id": h["children"][0]["id"], "tier": "special", "reason_code": "caseworker_concern",
                "approver": "supervisor-1", "date": "2025-11-30"}  # fmt: skip
    child = _child(h, overrides=[override])
    assert child["tier"] == "special" and child["computed_tier"] == "general"
    assert child["duties"] == []


def test_the_batch_explains_the_same_duty() -> None:
    h = _household("in-difficulty", safety=["abuse"])
    result = riskeval.assess_batch([h], on=ON)
    assert [d.id for d in result.explain(0).duties] == ["mandatory_report"]


def test_the_batch_counts_and_flags_the_duty() -> None:
    """A population: the duty as a flag, a column, a record field and a count, child by child as assess()."""
    hhs = [
        _household("in-difficulty", safety=["abuse"]),
        _household("orphan"),
        _household("migrant", safety=["vagrant"]),
    ]
    for i, h in enumerate(hhs):
        h["id"] = f"duty-{i}"
    result = riskeval.assess_batch(hhs, on=ON)
    assert result.duty("mandatory_report").tolist() == [True, False, True]
    assert result.summary().by_duty == {"mandatory_report": 2}
    assert result.to_pandas()["duty.mandatory_report"].tolist() == [True, False, True]
    records = [r["duties"] for r in result.to_records()]
    assert records == [_child(h)["duties"] for h in hhs]


HEADS = [
    ("en", "tier Urgent (red); Once a month; required now: mandatory_report"),
    ("zh", "风险等级紧急（红色）；每月一次；须立即办理：强制报告"),
]


@pytest.mark.parametrize(("lang", "head"), HEADS)
def test_the_text_report_puts_the_duty_in_the_child_s_first_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, head: str
) -> None:
    from riskeval import cli

    path = tmp_path / "h.json"
    path.write_text(json.dumps(_household("in-difficulty", safety=["abuse"]), ensure_ascii=False), encoding="utf-8")
    assert cli.main(["assess", str(path), "--on", ON.isoformat(), "--format", "text", "--lang", lang]) == 0
    first = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(("Child ", "儿童 ")))
    assert first.endswith(head)


@pytest.mark.parametrize("form", ["assess", "batch"])
def test_a_duty_that_holds_hides_nothing(form: str) -> None:
    """G1 holds (the report is required) and G3 is unknown: G3 would neither change the tier (urgent) nor add
    a duty, so it is no gap, and no sentence says the report 'may' apply."""
    h = _household("orphan", safety=["abuse"])
    for m in h["members"]:
        m["civil_capacity"] = None
    child = _child(h) if form == "assess" else next(iter(riskeval.assess_batch([h], on=ON).to_records()))
    assert [d["id"] for d in child["duties"]] == ["mandatory_report"]
    assert "G3" not in {g["rule"] for g in child["data_gaps"]}
    if form == "assess":
        assert "may apply" not in child["explanation"]["en"] and "可能须强制报告" not in child["explanation"]["zh"]


@pytest.mark.parametrize("rule", ["abuse_reported", "child_alone", "child_missing", "caregiver_lost"])
def test_the_g1_to_g4_trigger_rows_say_to_report(rule: str) -> None:
    """DOMAIN §5: U0 "same day (and a report where the law requires)"; §4: a report where G1–G4 apply."""
    row = riskeval.load_pack().triggers.row(rule)
    assert row.urgency == "U0"
    assert "报" in row.reason.zh  # 报告 or 报警 (the police)
    assert "report" in row.reason.en or "police" in row.reason.en
