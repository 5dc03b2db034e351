"""Every event type of DOMAIN.md §5: the fact change it applies, and the trigger row it raises."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

import riskeval
from riskeval.facts import EventType, Household, parse_event, parse_household
from riskeval.triggers import Monitor, apply_event

DAY = date(2025, 6, 4)  # a Wednesday: +3 working days is Mon 06-09, +10 is Wed 06-18
DUE = {"U0": date(2025, 6, 4), "U1": date(2025, 6, 9), "U2": date(2025, 6, 18), "U3": date(2025, 7, 4)}
_ADULT = {"status": "present", "status_since": "2020-01-01", "lives_with_children": True, "civil_capacity": "full",
          "disability": False, "serious_illness": False, "employment": "employed"}  # fmt: skip
BASE: dict[str, Any] = {
    "id": "h1",
    "members": [
        {"id": "f", "relation": "father", **_ADULT},
        {"id": "m", "relation": "mother", **_ADULT},
        {"id": "g", "relation": "grandmother", **_ADULT},
    ],
    "children": [
        {"id": "c1", "birth_date": "2014-05-01", "father": "f", "mother": "m", "caregiver": "m",
         "school": "enrolled", "safety": [], "psych": "normal", "disability": False, "adopted": False},
        {"id": "c2", "birth_date": "2019-09-09", "father": "f", "mother": "m", "caregiver": "m",
         "school": "enrolled", "safety": [], "psych": "normal", "disability": False, "adopted": False},
    ],
    "economy": {"dibao": "none", "income_per_capita": 3000, "medical_spending_12m": 1000,
                "child_support_unpaid_months": 0},
    "housing": "adequate",
    "parents_relationship": "married",
}  # fmt: skip


def household(**members: dict[str, Any]) -> Household:
    """The base household, with some members' facts replaced."""
    data = copy.deepcopy(BASE)
    for m in data["members"]:
        m.update(members.get(m["id"], {}))
    return parse_household(data)


def member(h: Household, mid: str) -> Any:
    return h.member(mid)


def child(h: Household, cid: str) -> Any:
    return next(c for c in h.children if c.id == cid)


Check = Callable[[Household], bool]
# (type, details, before: member overrides, urgency, rule, children, what the household holds after)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], str, str, list[str], Check]] = [
    ("abuse_reported", {"child": "c1", "kind": "sexual_abuse"}, {}, "U0", "abuse_reported", ["c1"],
     lambda h: child(h, "c1").safety == ["sexual_abuse"]),
    ("child_alone", {"child": "c2", "kind": "unattended"}, {}, "U0", "child_alone", ["c2"],
     lambda h: child(h, "c2").safety == ["unattended"]),
    ("child_missing", {"child": "c1", "kind": "runaway"}, {}, "U0", "child_missing", ["c1"],
     lambda h: child(h, "c1").safety == ["runaway"]),
    ("caregiver_lost", {"member": "m", "kind": "died"}, {}, "U0", "caregiver_lost", ["c1", "c2"],
     lambda h: member(h, "m").status == "deceased" and member(h, "m").status_since == DAY),
    ("child_crisis", {"child": "c1"}, {}, "U0", "child_crisis", ["c1"], lambda h: child(h, "c1").psych == "crisis"),
    ("home_disaster", {}, {}, "U0", "home_disaster", ["c1", "c2"], lambda h: h.housing == "homeless"),
    ("parent_died", {"member": "f"}, {}, "U1", "parent_died", ["c1", "c2"],
     lambda h: member(h, "f").status == "deceased" and member(h, "f").status_since == DAY),
    ("parent_detained", {"member": "f", "kind": "compulsory_rehab", "until": "2026-06-03"}, {}, "U1",
     "parent_detained", ["c1", "c2"],
     lambda h: (member(h, "f").status, member(h, "f").status_since, member(h, "f").status_until)
     == ("compulsory_rehab", DAY, date(2026, 6, 3))),
    ("parent_lost_contact", {"member": "f", "reported_on": "2025-05-20"}, {}, "U2", "parent_lost_contact",
     ["c1", "c2"],
     lambda h: (member(h, "f").status, member(h, "f").status_since) == ("lost_contact", date(2025, 5, 20))),
    ("court_declaration", {"member": "f", "kind": "deported"}, {}, "U1", "court_declaration", ["c1", "c2"],
     lambda h: member(h, "f").status == "deported"),
    ("serious_illness_diagnosed", {"member": "g"}, {}, "U1", "serious_illness_diagnosed", ["c1", "c2"],
     lambda h: member(h, "g").serious_illness is True),
    ("disability_certified", {"child": "c2", "disability_type": "hearing", "grade": 2}, {}, "U2",
     "disability_certified", ["c2"], lambda h: (child(h, "c2").disability.type, child(h, "c2").disability.grade)
     == ("hearing", 2)),
    ("school_dropout", {"child": "c1"}, {}, "U1", "school_dropout", ["c1"],
     lambda h: child(h, "c1").school == "dropped_out"),
    ("parent_left_for_work", {"member": "f"}, {}, "U1", "parent_left_for_work", ["c1", "c2"],
     lambda h: (member(h, "f").status, member(h, "f").lives_with_children) == ("away_for_work", False)),
    ("parent_returned", {"member": "f"}, {"f": {"status": "away_for_work", "lives_with_children": False}}, "U3",
     "parent_returned", ["c1", "c2"],
     lambda h: (member(h, "f").status, member(h, "f").lives_with_children, member(h, "f").last_seen_in_person)
     == ("present", True, DAY)),
    ("household_moved", {"county": "雁塔区"}, {}, "U2", "household_moved", ["c1", "c2"],
     lambda h: all((c.residence.county, c.residence.since) == ("610113", None) for c in h.children)),
    ("housing_lost", {"kind": "dilapidated"}, {}, "U1", "housing_lost", ["c1", "c2"],
     lambda h: h.housing == "dilapidated"),
    ("parents_separated", {"kind": "divorced"}, {}, "U2", "parents_separated", ["c1", "c2"],
     lambda h: h.parents_relationship == "divorced"),
    ("child_support_stopped", {"member": "f", "months": 3}, {}, "U2", "child_support_stopped", ["c1", "c2"],
     lambda h: h.economy.child_support_unpaid_months == 3),
    ("job_lost", {"member": "f", "drop_pct": 40}, {}, "U2", "job_lost", ["c1", "c2"],
     lambda h: (member(h, "f").employment, h.economy.income_drop_pct_3m) == ("unemployed", 40)),
    ("dibao_changed", {"status": "granted", "level": "tekun"}, {}, "U2", "dibao_changed", ["c1", "c2"],
     lambda h: h.economy.dibao == "tekun"),
    ("medical_expense", {"member": "g", "amount": 15000}, {"g": {"medical_spending_12m": 500}}, "U2",
     "medical_expense", ["c1", "c2"],
     lambda h: (h.economy.medical_spending_12m, member(h, "g").medical_spending_12m) == (16000, 15500)),
    ("parent_released", {"member": "f", "kind": "released"},
     {"f": {"status": "imprisoned", "status_since": "2024-01-01", "status_until": "2027-01-01",
            "lives_with_children": False}}, "U2", "parent_released", ["c1", "c2"],
     lambda h: (member(h, "f").status, member(h, "f").status_until) == ("present", None)),
    ("adoption_finalised", {"child": "c1"}, {}, "U2", "adoption_finalised", ["c1"],
     lambda h: child(h, "c1").adopted is True),
    ("visit_overdue", {"days": 20}, {}, "U1", "visit_overdue", ["c1", "c2"], lambda h: h == household()),
    ("access_refused", {}, {}, "U1", "access_refused", ["c1", "c2"], lambda h: h == household()),
]  # fmt: skip


def post(event_type: str, details: dict[str, Any], before: dict[str, Any], **monitor: Any) -> tuple[Monitor, Any]:
    """Track the household and post one event of the type; return the monitor and the triggers."""
    m = Monitor(**monitor)
    assert m.track([household(**before)]) == []
    return m, m.post({"id": "e1", "household": "h1", "date": DAY.isoformat(), "type": event_type, **details})


def test_the_table_covers_every_event_type_of_domain_section_5() -> None:
    """Every event type of the fact schema (DOMAIN.md §5) has a case below."""
    assert sorted(c[0] for c in CASES) == sorted(t.value for t in EventType)


@pytest.mark.parametrize(("event_type", "details", "before", "urgency", "rule", "children", "check"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_each_event_type_raises_its_row_and_changes_its_facts(
    event_type: str, details: dict[str, Any], before: dict[str, Any], urgency: str, rule: str,
    children: list[str], check: Check,
) -> None:  # fmt: skip
    """The event raises its default row with the urgency of DOMAIN.md §5, due on time, and applies its change."""
    m, triggers = post(event_type, details, before, reassess=False)
    (t,) = triggers
    assert (t.rule_id, t.urgency, t.child_ids, t.due_date, t.event_id) == (rule, urgency, children, DUE[urgency], "e1")
    assert check(m.households["h1"])


@pytest.mark.parametrize("event_type", ["parent_died", "parent_detained"])
def test_a_parent_who_was_the_only_caregiver_at_home_raises_u0(event_type: str) -> None:
    """parent_died / parent_detained of the caregiver, with no other adult at home, are U0 (as caregiver_lost)."""
    alone = {"m": {"lives_with_children": False}, "g": {"status": "deceased", "status_since": "2021-01-01"}}
    data = copy.deepcopy(BASE)
    for c in data["children"]:
        c["caregiver"] = "f"
    for mem in data["members"]:
        mem.update(alone.get(mem["id"], {}))
    m = Monitor(reassess=False)
    m.track([data])
    (t,) = m.post({"id": "e1", "household": "h1", "date": DAY.isoformat(), "type": event_type, "member": "f"})
    assert (t.urgency, t.rule_id, t.due_date) == ("U0", f"{event_type}_sole_caregiver", DAY)


def test_a_parent_dying_with_another_adult_at_home_stays_u1() -> None:
    """The same death, with the grandmother at home, is the ordinary U1 row."""
    data = copy.deepcopy(BASE)
    for c in data["children"]:
        c["caregiver"] = "f"
    m = Monitor(reassess=False)
    m.track([data])
    (t,) = m.post({"id": "e1", "household": "h1", "date": DAY.isoformat(), "type": "parent_died", "member": "f"})
    assert (t.urgency, t.rule_id) == ("U1", "parent_died")


@pytest.mark.parametrize(
    ("event_type", "details"),
    [
        ("child_support_stopped", {"months": 1}),
        ("medical_expense", {"amount": 9999.99}),
        ("visit_overdue", {"days": 14}),
    ],
)
def test_an_event_below_its_rows_threshold_raises_nothing(event_type: str, details: dict[str, Any]) -> None:
    """Rows with a condition read pack numbers: 1 month unpaid, < 10,000 yuan, 14 days late raise no trigger."""
    _, triggers = post(event_type, details, {}, reassess=False)
    assert triggers == []


def test_a_visit_overdue_event_without_days_raises_u1() -> None:
    """An unknown lateness (no `days`) is not read as "on time": the U1 row holds."""
    _, (t,) = post("visit_overdue", {}, {}, reassess=False)
    assert t.urgency == "U1"


def test_an_event_about_one_parent_concerns_only_that_parents_children() -> None:
    """A member event names the children whose father, mother or caregiver the member is."""
    data = copy.deepcopy(BASE)
    data["members"].append({"id": "f2", "relation": "father", **_ADULT})
    data["children"][1]["father"] = "f2"
    m = Monitor(reassess=False)
    m.track([data])
    (t,) = m.post({"id": "e1", "household": "h1", "date": DAY.isoformat(), "type": "parent_died", "member": "f2"})
    assert t.child_ids == ["c2"]


def test_apply_event_leaves_the_household_it_was_given_unchanged() -> None:
    """Models are immutable by convention: apply_event returns a copy, the original keeps its facts."""
    before = household()
    snapshot = before.model_dump()
    after = apply_event(before, parse_event({"id": "e", "household": "h1", "date": "2025-06-04",
                                             "type": "parent_died", "member": "f"}))  # fmt: skip
    assert before.model_dump() == snapshot
    assert after.member("f").status == "deceased"  # type: ignore[union-attr]
    assert after.member("m") is before.member("m")


def test_a_changed_household_still_serialises_with_its_enums() -> None:
    """The facts each event sets are enum members: the household round-trips through JSON unchanged."""
    for event_type, details, before, *_ in CASES:
        h = apply_event(household(**before), parse_event({"id": "e", "household": "h1", "date": "2025-06-04",
                                                          "type": event_type, **details}))  # fmt: skip
        assert parse_household(h.model_dump(mode="json")) == h, event_type


def test_dibao_stopped_sets_none_and_reduced_without_level_keeps_it() -> None:
    """dibao_changed: stopped -> 'none'; reduced to an unknown level leaves the level as it was."""
    h = household()
    ev = {"id": "e", "household": "h1", "date": "2025-06-04", "type": "dibao_changed"}
    assert apply_event(h, parse_event({**ev, "status": "stopped"})).economy.dibao == "none"  # type: ignore[union-attr]
    assert apply_event(h, parse_event({**ev, "status": "reduced"})).economy.dibao == "none"  # type: ignore[union-attr]
    tekun = apply_event(h, parse_event({**ev, "status": "granted", "level": "tekun"}))
    assert apply_event(tekun, parse_event({**ev, "status": "reduced"})).economy.dibao == "tekun"  # type: ignore[union-attr]


def test_a_medical_expense_leaves_an_unknown_12_month_spending_unknown() -> None:
    """Unknown is not zero: the expense does not turn an unknown spending into the expense, and the gap stays.

    The mother's and the household's 12-month spending are unknown; after a 5,000-yuan expense they still are,
    so the assessment still lists de facto unsupported (by the mother's spending) as a data gap.
    """
    mother = {"id": "m", "relation": "mother", "status": "present", "lives_with_children": True,
              "disability": False, "civil_capacity": "full", "serious_illness": False}  # fmt: skip
    father = {"id": "f", "relation": "father", "status": "deceased", "status_since": "2023-05-01"}
    only_child = {"id": "c", "birth_date": "2014-05-01", "father": "f", "mother": "m", "caregiver": "m"}
    data = {"id": "h-med", "members": [father, mother], "children": [only_child]}
    event = {"id": "e1", "household": "h-med", "date": "2026-01-15", "type": "medical_expense", "member": "m",
             "amount": 5000}  # fmt: skip
    result = Monitor().replay([data], [event])
    assert result.errors == [] and result.applied == 1
    after = result.households["h-med"]
    assert after.member("m").medical_spending_12m is None  # type: ignore[union-attr]
    assert after.economy is None or after.economy.medical_spending_12m is None
    (c,) = riskeval.assess(after, on=date(2026, 1, 20)).children
    (gap,) = [g for g in c.data_gaps if g.rule == "de_facto_unsupported"]
    assert "mother.medical_spending_12m" in gap.facts


def _moved(residence: dict[str, Any] | None, county: str) -> Household:
    """The base household, its children living where `residence` says, after a household_moved to `county`."""
    data = copy.deepcopy(BASE)
    for c in data["children"]:
        c["residence"] = residence
        c["hukou"] = {"county": "郸城县"}
    event = {"id": "e", "household": "h1", "date": "2025-06-04", "type": "household_moved", "county": county}
    return apply_event(parse_household(data), parse_event(event))


def test_a_move_inside_the_county_keeps_the_residence_period() -> None:
    """household_moved within the same county (named another way, too) keeps the date the child came: a
    migrant child stays a migrant (民发〔2024〕35号 counts months in the county, not at an address)."""
    after = _moved({"county": "碑林区", "since": "2024-01-01"}, "西安市碑林区")
    assert all((c.residence.county, c.residence.since) == ("610103", date(2024, 1, 1)) for c in after.children)
    result = riskeval.assess(after, on=date(2025, 7, 1))
    assert all("migrant" in c.categories for c in result.children)


def test_a_move_to_another_county_starts_a_new_residence_period() -> None:
    """Only a change of county starts a new residence period, on the day of the move."""
    after = _moved({"county": "碑林区", "since": "2024-01-01"}, "雁塔区")
    assert all((c.residence.county, c.residence.since) == ("610113", DAY) for c in after.children)


def test_a_move_from_an_unknown_county_has_no_known_start() -> None:
    """Where the child lived before is unknown: the move may have been inside the county, so the start of the
    residence period is unknown (never the move's date, which could wrongly say "not yet 6 months")."""
    after = _moved(None, "雁塔区")
    assert all((c.residence.county, c.residence.since) == ("610113", None) for c in after.children)
