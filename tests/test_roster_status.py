"""The roster status is three-valued, and exited needs evidence of the roster (issue 13, items 3 and 4).

The law: a decided status never misreports. For a household drawn by ``riskeval.testing.households()``
with some facts unknown, every completion of those facts that the law samples (each unknown field filled
with the value a second drawn household holds there) gives the same status to every child whose status was
decided; only ``undetermined`` may turn into something else.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskeval
from riskeval.cli._assess import text_report
from riskeval.errors import FactsError
from riskeval.facts import Household
from riskeval.overrides import OverrideError
from riskeval.testing import ASSESSMENT_DATE, households

ON = ASSESSMENT_DATE
LAW = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
_ROLES = {"father": ("father",), "mother": ("mother",), "caregiver": None}  # None: any member
_KEEP = {"id", "members", "children"}
# A record, not a fact about the child: an absent identification date says "no identification on record"
# (the pack reads it with known(); the schema says so), so a completion does not invent one.
_RECORDS = {"identified_on"}


def _fill(value: Any, donor: Any) -> Any:
    """``value`` with every unknown (None) in it replaced by what ``donor`` holds at the same place."""
    if value is None:
        return copy.deepcopy(donor)
    if isinstance(value, dict) and isinstance(donor, dict):
        return {k: _fill(value.get(k), donor.get(k)) for k in {**value, **donor}}
    return value


def _complete(facts: dict[str, Any], donor: dict[str, Any]) -> dict[str, Any]:
    """A completion of ``facts``: its unknown fields filled from ``donor`` (a household of the same
    strategy); a child's unknown father, mother or caregiver becomes a member of the household of that
    relation (any member for the caregiver) when there is one."""
    out = {k: (v if k in _KEEP else _fill(v, donor.get(k))) for k, v in facts.items()}
    out.update({k: copy.deepcopy(v) for k, v in donor.items() if k not in out and k not in _KEEP})
    members = []
    for i, m in enumerate(facts.get("members") or []):
        give = donor["members"][i % len(donor["members"])] if donor.get("members") else {}
        members.append({k: (v if k == "id" else _fill(v, give.get(k))) for k, v in {**give, **m}.items()})
    out["members"] = members
    children = []
    for i, c in enumerate(facts["children"]):
        give = donor["children"][i % len(donor["children"])]
        child = {}
        for k in {**give, **c}:
            v = c.get(k)
            if k in _ROLES:
                wanted = _ROLES[k]
                found = [m["id"] for m in members if wanted is None or m.get("relation") in wanted]
                child[k] = v if v is not None or not found else found[0]
            else:
                child[k] = v if k == "id" or k in _RECORDS else _fill(v, give.get(k))
        children.append(child)
    out["children"] = children
    return out


def _statuses(h: Household | dict[str, Any]) -> dict[str, str]:
    return {c.child_id: c.status for c in riskeval.assess(h, on=ON, explain=False, schedule=False).children}


@LAW
@given(households(), st.lists(households(), min_size=1, max_size=3))
def test_a_decided_status_never_misreports(h: Household, donors: list[Household]) -> None:
    """Every sampled completion of a household's unknown facts gives each child whose status is decided
    (on_roster, not_on_roster, exited) that same status."""
    before = _statuses(h)
    decided = {cid: s for cid, s in before.items() if s != "undetermined"}
    facts = h.model_dump(mode="json")
    for donor in donors:
        try:
            completed = riskeval.parse_household(_complete(facts, donor.model_dump(mode="json")))
        except FactsError:
            continue  # the two households' facts contradict each other here: no completion to check
        after = _statuses(completed)
        for cid, status in decided.items():
            assert after[cid] == status, (cid, status, after[cid])


# --- the defects, one by one ------------------------------------------------------------------------------

_ADULT = {"status": "present", "lives_with_children": True, "civil_capacity": "full", "disability": False,
          "serious_illness": False, "medical_spending_12m": 0, "employment": "employed", "substance_abuse": False,
          "domestic_violence": False, "contact": "weekly"}  # fmt: skip
_KID = {"sex": "female", "hukou": {"province": "陕西省", "county": "碑林区", "type": "urban"},
        "residence": {"county": "碑林区", "since": "2000-01-01"}, "school": "enrolled", "working": False,
        "disability": False, "serious_illness": False, "medical_insurance": True, "psych": "normal",
        "behaviour": [], "safety": [], "adopted": False, "birth_parents_untraceable": False,
        "acts_as_carer": False, "entrusted_care_agreement": True, "has_residence_permit": True}  # fmt: skip
_ECONOMY = {"dibao": "none", "income_per_capita": 5000, "medical_spending_12m": 0, "education_spending_12m": 0,
            "child_support_unpaid_months": 0, "income_drop_pct_3m": 0, "assets_over_limit": False}  # fmt: skip
DAY = date(2025, 12, 1)


def orphan(**child: Any) -> dict[str, Any]:
    """A girl cared for by her grandmother; both parents died (dates of death unknown unless given)."""
    return {
        "id": "h-orphan", "parents_relationship": "widowed", "housing": "adequate", "economy": dict(_ECONOMY),
        "members": [{**_ADULT, "id": "f", "relation": "father", "status": "deceased", "lives_with_children": False},
                    {**_ADULT, "id": "m", "relation": "mother", "status": "deceased", "lives_with_children": False},
                    {**_ADULT, "id": "gm", "relation": "grandmother", "employment": "retired"}],
        "children": [{**_KID, "id": "c1", "father": "f", "mother": "m", "caregiver": "gm", **child}],
    }  # fmt: skip


def family(**child: Any) -> dict[str, Any]:
    """A married couple and their daughter, nothing wrong and every fact known unless a test removes it."""
    return {
        "id": "h-family", "parents_relationship": "married", "housing": "adequate", "economy": dict(_ECONOMY),
        "members": [{**_ADULT, "id": "f", "relation": "father"}, {**_ADULT, "id": "m", "relation": "mother"}],
        "children": [{**_KID, "id": "c1", "father": "f", "mother": "m", "caregiver": "m",
                      "birth_date": "2015-06-15", **child}],
    }  # fmt: skip


def test_an_orphan_with_an_unknown_birth_date_is_undetermined_not_off_the_roster() -> None:
    """The letter of issue 13: every completion gives on_roster (under 18) or exited (18+), never
    not_on_roster; the status is undetermined, its gaps name the birth date, and the plan holds a
    verification visit within 5 working days (schedule.yaml verification_visit)."""
    h = orphan(birth_date=None)
    h["members"][0]["status_since"] = "2012-05-01"
    h["members"][1]["status_since"] = "2014-09-10"
    (c,) = riskeval.assess(h, on=DAY).children
    assert (c.status, c.tier, c.visit_frequency) == ("undetermined", None, None)
    assert any(g.kind == "roster" and "child.birth_date" in g.facts for g in c.data_gaps)
    assert c.schedule is not None and c.schedule.verification is not None
    assert c.schedule.verification.date == date(2025, 12, 8)  # 5 working days from Monday 2025-12-01
    assert c.schedule.next_visits == () and c.schedule.follow_ups == ()
    for birth, status in (("2012-01-01", "on_roster"), ("2006-01-01", "exited")):
        h["children"][0]["birth_date"] = birth
        assert riskeval.assess(h, on=DAY).children[0].status == status


def test_the_verification_deadline_is_the_packs() -> None:
    """The verification visit's limit is schedule.yaml's entry, with its source."""
    spec = riskeval.load_pack().schedule.verification_visit
    assert spec.working_days == 5 and "DB3301/T 0460-2024" in spec.source


def test_an_unknown_income_is_to_be_verified_in_the_explanation() -> None:
    """Income unknown, nothing else wrong: not "所属类别：无" but confirmed none, 困境 to be verified with
    the household income missing (the data side; the wording is wt-words')."""
    h = family()
    h["economy"]["income_per_capita"] = None
    (c,) = riskeval.assess(h, on=DAY).children
    assert c.status == "undetermined"
    assert c.explanation is not None
    zh, en = c.explanation.zh, c.explanation.en
    assert "所属类别：无。" not in zh and "Categories: none." not in en
    assert "所属类别：已确认的无；待核实：困境儿童（缺：" in zh
    assert "状态：待核实" in zh and "Status: to be verified" in en
    assert "none confirmed; to be verified: child in difficulty (missing:" in en


def test_a_child_on_the_roster_lists_the_categories_still_to_verify() -> None:
    """A child in one category with another unknown: the known one is listed, the other to be verified."""
    h = family(disability={"type": "physical", "grade": 2})
    h["children"][0]["hukou"] = None
    (c,) = riskeval.assess(h, on=DAY).children
    assert c.status == "on_roster" and "in_difficulty" in c.categories
    assert c.explanation is not None
    assert "- 待核实：流动儿童（缺：" in c.explanation.zh


def test_an_adult_never_on_the_roster_is_not_exited() -> None:
    """19, never identified, no fact that put her on the roster before 18: not on the roster, no follow-ups;
    the same youth identified at 12 has exited, with follow-ups."""
    h = family(birth_date="2006-05-20")
    (c,) = riskeval.assess(h, on=DAY).children
    assert c.status == "not_on_roster" and c.schedule is not None and c.schedule.follow_ups == ()
    h["children"][0]["identified_on"] = "2018-09-01"
    (c,) = riskeval.assess(h, on=DAY).children
    assert c.status == "exited" and c.schedule is not None and len(c.schedule.follow_ups) == 2


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        ({"psych": None}, "undetermined"),  # C4 (H) could put her on the roster
        ({"birth_date": None}, "not_on_roster"),  # no category or factor at any age
        ({}, "not_on_roster"),
    ],
)
def test_an_unknown_that_could_list_the_child_leaves_the_status_open(facts: dict[str, Any], status: str) -> None:
    """An unknown factor or category whose holding would put the child on the roster makes the status
    undetermined; an unknown that changes nothing does not."""
    assert riskeval.assess(family(**facts), on=DAY).children[0].status == status


def test_the_batch_form_agrees_and_counts_the_undetermined() -> None:
    """assess_batch gives the same statuses as assess (the differential law, on these cases), counts the
    undetermined in the summary (by_status and verification_visits) and in to_pandas."""
    population = [family(psych=None), {**orphan(birth_date=None), "id": "h-o"}, {**family(), "id": "h-ok"}]
    population.append({**family(birth_date="2006-05-20", identified_on="2018-09-01"), "id": "h-ex"})
    population.append({**family(birth_date="2006-05-20"), "id": "h-adult"})
    want = [riskeval.assess(h, on=DAY).children[0] for h in population]
    result = riskeval.assess_batch(population, on=DAY)
    records = list(result.to_records())
    assert [r["status"] for r in records] == [c.status for c in want]
    assert [r["data_gaps"] for r in records] == [[g.model_dump() for g in c.data_gaps] for c in want]
    summary = result.summary()
    assert summary.by_status == {"not_on_roster": 2, "on_roster": 0, "exited": 1, "undetermined": 2}
    assert summary.verification_visits == 2
    pytest.importorskip("pandas")
    assert list(result.to_pandas()["status"]) == [c.status for c in want]


def test_no_override_for_an_undetermined_child_in_the_batch_sense() -> None:
    """An undetermined child has no tier to override (tests/test_overrides.py has the rest)."""
    with pytest.raises(OverrideError):
        riskeval.assess(family(psych=None), on=DAY, overrides=[{"child_id": "c1", "tier": "special",
                        "reason_code": "R-1", "approver": "a", "date": "2025-12-01"}])  # fmt: skip


def test_the_text_report_says_to_be_verified() -> None:
    """The CLI text report names the status 待核实 and gives the verification visit's date."""
    pack = riskeval.load_pack()
    result = riskeval.assess(family(psych=None), on=DAY)
    zh = text_report(result, pack, "zh")
    assert "儿童 c1：待核实" in zh and "核实走访期限：2025-12-08" in zh
    assert "Verification visit by 2025-12-08" in text_report(result, pack, "en")
