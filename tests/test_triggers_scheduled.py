"""Scheduled triggers from dates alone: age milestones, the lost-contact timer, full assessments, overdue visits."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
from test_triggers_events import BASE

from riskeval import assess
from riskeval.errors import FactsError
from riskeval.triggers import Monitor, Trigger


def due(data: dict[str, Any], on: str, **options: Any) -> list[Trigger]:
    """The scheduled triggers open on a date for one household."""
    return Monitor(reassess=False).due([data], on=date.fromisoformat(on), **options)


def with_child(**facts: Any) -> dict[str, Any]:
    """The base household with one child, whose facts are replaced."""
    data = copy.deepcopy(BASE)
    data["children"] = [data["children"][0] | facts]
    return data


def rules(triggers: list[Trigger]) -> list[str]:
    return [t.rule_id for t in triggers]


# --- age milestones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("age", "birth"), [(8, "2018-07-15"), (16, "2010-07-15"), (18, "2008-07-15")])
def test_an_age_milestone_is_open_from_30_days_ahead_until_the_birthday(age: int, birth: str) -> None:
    """Ages 8, 16 and 18 (schedule.yaml) are raised 30 days before the birthday, U3, due on the birthday."""
    data = with_child(birth_date=birth, last_full_assessment="2026-01-10")
    birthday = date(2026, 7, 15)
    for on, expected in [(birthday - timedelta(days=31), False), (birthday - timedelta(days=30), True),
                         (birthday, True), (birthday + timedelta(days=1), False)]:  # fmt: skip
        found = [t for t in due(data, on.isoformat()) if t.rule_id == "age_milestone"]
        assert bool(found) == expected, on
        if found:
            (t,) = found
            assert (t.urgency, t.raised_on, t.due_date, t.child_ids) == ("U3", date(2026, 6, 15), birthday, ["c1"])
            assert f"Turns {age} on 2026-07-15" in t.reason.en and f"{age}周岁" in t.reason.zh


def test_a_february_29_birthday_falls_on_february_28_in_a_common_year() -> None:
    """Born 2008-02-29: turns 18 on 2026-02-28 (the pack's leap_day_birthday), so the milestone is due then."""
    (t,) = [t for t in due(with_child(birth_date="2008-02-29"), "2026-02-01") if t.rule_id == "age_milestone"]
    assert t.due_date == date(2026, 2, 28)


def test_no_milestone_without_a_birth_date() -> None:
    """An unknown birth date gives no milestone, never a guess."""
    assert "age_milestone" not in rules(due(with_child(birth_date=None), "2026-06-01"))


# --- the lost-contact timer ---------------------------------------------------------------------------------


def lost_contact(since: str, **child: Any) -> dict[str, Any]:
    data = with_child(**({"last_full_assessment": "2026-01-10"} | child))
    data["members"][0].update(status="lost_contact", status_since=since, lives_with_children=False)
    return data


def test_six_months_of_lost_contact_raise_a_u1_re_evaluation() -> None:
    """Police report accepted 2025-12-05: from 2026-06-05 a U1 re-evaluation is open, due 3 working days later."""
    data = lost_contact("2025-12-05")
    assert "lost_contact_six_months" not in rules(due(data, "2026-06-04"))
    (t,) = [t for t in due(data, "2026-06-05") if t.rule_id == "lost_contact_six_months"]
    assert (t.urgency, t.raised_on, t.due_date, t.child_ids) == ("U1", date(2026, 6, 5), date(2026, 6, 10), ["c1"])
    assert "6" in t.reason.en and "2026-06-05" in t.reason.en


def test_a_full_assessment_after_the_six_months_closes_the_re_evaluation() -> None:
    """Once a full assessment falls on or after the 6-month day, the timer's trigger is done."""
    data = lost_contact("2025-12-05", last_full_assessment="2026-06-08")
    assert "lost_contact_six_months" not in rules(due(data, "2026-06-09"))


def test_the_lost_contact_months_are_the_packs_parameter(tmp_path: Any) -> None:
    """lost_contact_min_months = 3 in parameters.yaml moves the re-evaluation to 3 months."""
    from test_triggers_pack import copy_pack

    import riskeval

    folder = copy_pack(tmp_path)
    path = folder / "parameters.yaml"
    text = path.read_text("utf-8")
    start = text.index("lost_contact_min_months:")
    end = text.index("values:", start)
    path.write_text(text[:end] + text[end:].replace("value: 6}", "value: 3}", 1), "utf-8")
    m = Monitor(riskeval.load_pack(folder), reassess=False)
    (t,) = [t for t in m.due([lost_contact("2025-12-05")], on=date(2026, 3, 5)) if t.rule_id.startswith("lost")]
    assert t.raised_on == date(2026, 3, 5)


# --- the annual full assessment ---------------------------------------------------------------------------


def test_the_annual_full_assessment_is_raised_30_days_ahead() -> None:
    """Last full assessment 2025-07-01 (a child on the roster): due 2026-07-01, open from 2026-06-01."""
    data = with_child(school="dropped_out", last_full_assessment="2025-07-01")
    assert "annual_full_assessment" not in rules(due(data, "2026-05-31"))
    (t,) = [t for t in due(data, "2026-06-01") if t.rule_id == "annual_full_assessment"]
    assert (t.urgency, t.raised_on, t.due_date) == ("U3", date(2026, 6, 1), date(2026, 7, 1))


def test_a_u3_scheduled_trigger_is_due_at_the_next_visit_when_sooner() -> None:
    """Visited monthly, last on 2026-05-20: the full assessment is done at the 2026-06-20 visit (U3)."""
    data = with_child(school="dropped_out", last_full_assessment="2025-07-01", last_visit="2026-05-20")
    (t,) = [t for t in due(data, "2026-06-01") if t.rule_id == "annual_full_assessment"]
    assert t.due_date == date(2026, 6, 20)


def test_a_child_on_the_roster_with_no_full_assessment_is_due_now() -> None:
    """No full assessment on record: one is raised on the date itself."""
    (t,) = [t for t in due(with_child(school="dropped_out"), "2026-06-01") if t.rule_id == "annual_full_assessment"]
    assert t.raised_on == date(2026, 6, 1)


def test_a_child_not_on_the_roster_has_no_full_assessment_or_visit() -> None:
    """Full assessments and visits are for children on the roster only."""
    found = rules(due(with_child(last_visit="2025-01-01"), "2026-06-01"))
    assert "annual_full_assessment" not in found and "visit_overdue_by_date" not in found


# --- overdue visits ---------------------------------------------------------------------------------------


def test_a_visit_more_than_14_days_late_raises_a_u1() -> None:
    """Monthly (special tier), last visit 2026-04-01: due 2026-05-01; on 05-15 (14 days) nothing, on 05-16 a U1."""
    data = with_child(school="dropped_out", last_full_assessment="2026-01-10", last_visit="2026-04-01")
    assert "visit_overdue_by_date" not in rules(due(data, "2026-05-15"))
    (t,) = [t for t in due(data, "2026-05-16") if t.rule_id == "visit_overdue_by_date"]
    assert (t.urgency, t.raised_on) == ("U1", date(2026, 5, 16))
    assert "15 days" in t.reason.en and "2026-05-01" in t.reason.en


def test_last_visits_given_to_due_override_the_facts() -> None:
    """due(last_visits={child: date}) counts from the given visit."""
    data = with_child(school="dropped_out", last_full_assessment="2026-01-10", last_visit="2026-04-01")
    found = due(data, "2026-05-16", last_visits={"c1": date(2026, 5, 10)})
    assert "visit_overdue_by_date" not in rules(found)


def test_the_first_visit_deadline_counts_when_there_was_no_visit_yet() -> None:
    """Identified 2026-04-01 and never visited: the 5-working-day first visit is late by more than 14 days."""
    data = with_child(school="dropped_out", last_full_assessment="2026-01-10", identified_on="2026-04-01")
    (t,) = [t for t in due(data, "2026-05-01") if t.rule_id == "visit_overdue_by_date"]
    assert "2026-04-09" in t.reason.en  # 5 working days after 04-01 (Qingming: 04-04 to 04-06)


# --- the whole answer ---------------------------------------------------------------------------------------


def test_due_is_sorted_and_depends_only_on_its_inputs() -> None:
    """The same households and date give the same triggers, sorted by due date then urgency."""
    data = lost_contact("2025-12-05", school="dropped_out", birth_date="2010-07-01", last_visit="2026-04-01")
    first = due(data, "2026-06-08")
    assert [t.model_dump() for t in due(data, "2026-06-08")] == [t.model_dump() for t in first]
    assert len(first) >= 3
    keys = [(t.due_date, ["U0", "U1", "U2", "U3"].index(t.urgency)) for t in first]
    assert keys == sorted(keys)
    assert all(t.kind == "scheduled" and t.event_id is None and t.changes == [] for t in first)


def test_due_reads_the_tracked_households_by_default() -> None:
    """monitor.due(on=...) looks at the households the monitor tracks, as events left them."""
    m = Monitor(reassess=False)
    m.track([with_child(last_full_assessment="2026-01-10")])
    m.post({"id": "e1", "household": "h1", "date": "2025-12-09", "type": "parent_lost_contact", "member": "f",
            "reported_on": "2025-12-05"})  # fmt: skip
    assert "lost_contact_six_months" in rules(m.due(on=date(2026, 6, 5)))


def test_due_over_bad_households_raises_one_record_per_problem_located_by_position() -> None:
    """due(households) validates them all, as track() does: every bad or repeated household is a record under
    households[i] in one FactsError, and nothing is computed. track() + due(on=...) goes on past them."""
    bad = with_child(birth_date="2015-02-30")
    bad["id"] = "h2"
    good = with_child(birth_date="2010-07-15")  # turns 16 on 2026-07-15: a milestone is open
    given = [good, bad, good, {"id": "h3", "children": [{"id": "c", "father": "nobody"}]}]
    with pytest.raises(FactsError) as info:
        Monitor(reassess=False).due(given, on=date(2026, 7, 1))
    located = [(r.loc, r.code) for r in info.value.records]
    first, repeated, *third = located
    assert first == ("households[1].children[0].birth_date", "invalid_date")
    assert repeated == ("households[2].id", "duplicate_id")
    assert third and all(loc.startswith("households[3].") for loc, _ in third)
    m = Monitor(reassess=False)
    assert [r.loc for r in m.track(given)] == [loc for loc, _ in located]
    alone = due(good, "2026-07-01")
    assert alone and m.due(on=date(2026, 7, 1)) == alone


# --- an exited youth's follow-ups: assess and due agree (issue 13 item 4) ---------------------------------


def _exited(**facts: Any) -> dict[str, Any]:
    """A youth identified as a child, who turned 18 on 2025-05-20 (follow-ups due 3 and 6 months later)."""
    return with_child(birth_date="2007-05-20", identified_on="2019-03-01", **facts)


DAYS = [("2025-12-01", None), ("2025-12-01", "2025-09-01"), ("2025-08-30", None), ("2025-09-10", None),
        ("2026-03-01", None)]  # fmt: skip


@pytest.mark.parametrize(("on", "last_visit"), DAYS)
def test_assess_and_due_name_the_same_overdue_follow_ups(on: str, last_visit: str | None) -> None:
    """What ``assess`` plans as an overdue follow-up of an exited youth (by more than the 14 days of grace)
    is what ``Monitor.due`` raises, with the same date; before, ``due`` listed nothing for an exited youth."""
    data = _exited(last_visit=last_visit)
    day = date.fromisoformat(on)
    (child,) = [c for c in assess(data, on=day).children if c.child_id == "c1"]
    assert child.status == "exited"
    assert child.schedule is not None
    planned = {f.date.isoformat(): f.overdue_days for f in child.schedule.follow_ups if f.overdue_days > 14}
    raised = {t.reason.en.split("due on ")[1].split(" ")[0]: t for t in due(data, on)
              if t.rule_id == "visit_overdue_by_date" and t.child_ids == ["c1"]}  # fmt: skip
    assert set(raised) == set(planned)
    for when, t in raised.items():
        assert f"{planned[when]} days overdue" in t.reason.en
        assert t.urgency == "U1"


def test_only_the_follow_up_past_its_grace_is_raised() -> None:
    """Turned 18 on 2025-05-20, no visit since: on 2025-12-01 the 3-month follow-up (2025-08-20) is 103 days
    late and raised; the 6-month one (2025-11-20) is 11 days late, within the 14 days of grace."""
    found = [t for t in due(_exited(), "2025-12-01") if t.rule_id == "visit_overdue_by_date"]
    assert [t.reason.en for t in found] == ["The visit due on 2025-08-20 is 103 days overdue"]


def test_an_adult_never_on_the_roster_has_no_follow_ups() -> None:
    """An adult never identified, whom no fact puts on the roster before 18, is not exited: no follow-ups in
    the plan and no overdue-visit trigger (before, every adult was exited and planned follow-ups)."""
    data = with_child(birth_date="2007-05-20")
    (child,) = [c for c in assess(data, on=date(2025, 12, 1)).children if c.child_id == "c1"]
    assert child.status == "not_on_roster"
    assert child.schedule is not None and child.schedule.follow_ups == ()
    assert "visit_overdue_by_date" not in rules(due(data, "2025-12-01"))
