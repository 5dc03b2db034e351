"""The Monitor: triggers as JSON, due dates in China's working days, correlations, replay, and bad input."""

from __future__ import annotations

import copy
import json
import random
from datetime import date, timedelta
from typing import Any

import pytest
from _executors import EXECUTORS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_triggers_events import BASE

import riskeval
from riskeval._limits import EVENT_ID_WINDOW_DAYS
from riskeval.errors import FactsError, TriggerError
from riskeval.facts import Event
from riskeval.testing import event_logs, households
from riskeval.triggers import Monitor

LAW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def monitor(data: dict[str, Any] | None = None, **options: Any) -> Monitor:
    """A monitor tracking the base household (or ``data``)."""
    m = Monitor(**options)
    assert m.track([copy.deepcopy(data or BASE)]) == []
    return m


def ev(n: int, day: str, event_type: str, **details: Any) -> dict[str, Any]:
    return {"id": f"e{n}", "household": "h1", "date": day, "type": event_type, **details}


# --- the trigger -------------------------------------------------------------------------------------


def test_a_trigger_dumps_to_the_documented_json() -> None:
    """model_dump(mode="json") has event_id, household_id, child_ids, urgency, due_date, rule_id, reason, changes."""
    (t,) = monitor().post(ev(1, "2025-06-04", "school_dropout", child="c1"))
    out = t.model_dump(mode="json")
    assert {"event_id", "household_id", "child_ids", "urgency", "due_date", "rule_id", "reason", "changes"} <= set(out)
    assert out["due_date"] == "2025-06-09" and out["urgency"] == "U1"
    assert set(out["reason"]) == {"zh", "en"} and all(out["reason"].values())
    (change,) = [c for c in out["changes"] if c["child_id"] == "c1"]
    assert set(change) == {"child_id", "tier_before", "tier_after", "categories_before", "categories_after"}
    assert json.loads(json.dumps(out)) == out


def test_changes_come_from_re_assessing_the_household_before_and_after() -> None:
    """The dropout's changes equal riskeval.assess of the household before and after, on the event date."""
    m = monitor()
    before = riskeval.assess(m.households["h1"], on=date(2025, 6, 4))
    (t,) = m.post(ev(1, "2025-06-04", "school_dropout", child="c1"))
    after = riskeval.assess(m.households["h1"], on=date(2025, 6, 4))
    for c, b, a in zip(t.changes, before.children, after.children, strict=True):
        assert (c.child_id, c.tier_before, c.tier_after) == (b.child_id, b.tier, a.tier)
        assert (c.categories_before, c.categories_after) == (b.categories, a.categories)
    assert t.changes[0].tier_after == "special" and t.changes[0].changed


# --- due dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "event_type", "details", "due"),
    [
        # Fri 13 Feb 2026 + 3 working days: Sat 14 (a make-up working day), Tue 24, Wed 25 (Spring Festival).
        ("2026-02-13", "school_dropout", {"child": "c1"}, "2026-02-25"),
        # Tue 30 Sep 2025 + 3: the National Day holiday runs 1-8 Oct; Sat 11 Oct is a make-up day.
        ("2025-09-30", "school_dropout", {"child": "c1"}, "2025-10-11"),
        # U0 is due the same day, a Sunday included.
        ("2025-06-08", "child_crisis", {"child": "c1"}, "2025-06-08"),
        # U2: 10 working days.
        ("2025-06-04", "dibao_changed", {"status": "reduced"}, "2025-06-18"),
        # U3: at most 30 days.
        ("2025-06-04", "parent_returned", {"member": "f"}, "2025-07-04"),
    ],
)
def test_due_dates_count_working_days_of_chinas_calendar(day: str, event_type: str, details: dict[str, Any],
                                                        due: str) -> None:  # fmt: skip
    """U0 the same day, U1 3 and U2 10 working days (holidays and make-up days), U3 at most 30 days."""
    data = copy.deepcopy(BASE)
    data["members"][0].update(status="away_for_work", lives_with_children=False)
    (t,) = monitor(data, reassess=False).post(ev(1, day, event_type, **details))
    assert t.due_date.isoformat() == due


def test_u3_is_due_at_the_next_scheduled_visit_when_that_is_sooner() -> None:
    """A child visited monthly, last on 2025-05-20, is next visited 2025-06-20: before the 30 days are out."""
    data = copy.deepcopy(BASE)
    data["members"][0].update(status="away_for_work", lives_with_children=False)
    data["children"][0].update(school="dropped_out", last_visit="2025-05-20")  # C6 (H): special, monthly
    (t,) = monitor(data).post(ev(1, "2025-06-04", "parent_returned", member="f"))
    assert t.urgency == "U3" and t.due_date == date(2025, 6, 20)


def test_u3_is_due_at_once_when_the_scheduled_visit_is_already_overdue() -> None:
    """Last visited 2025-03-20 and monthly: the visit is overdue, so the U3 re-assessment is due on the event date."""
    data = copy.deepcopy(BASE)
    data["members"][0].update(status="away_for_work", lives_with_children=False)
    data["children"][0].update(school="dropped_out", last_visit="2025-03-20")
    (t,) = monitor(data).post(ev(1, "2025-06-04", "parent_returned", member="f"))
    assert t.urgency == "U3" and t.due_date == date(2025, 6, 4)


def test_deadlines_are_pack_data(tmp_path: Any) -> None:
    """Change U1 to 5 working days in triggers.yaml and the due date follows: no number lives in code."""
    from test_triggers_pack import copy_pack

    folder = copy_pack(tmp_path)
    path = folder / "triggers.yaml"
    path.write_text(path.read_text("utf-8").replace("working_days: 3", "working_days: 5"), "utf-8")
    (t,) = monitor(pack=riskeval.load_pack(folder), reassess=False).post(ev(1, "2025-06-04", "school_dropout",
                                                                            child="c1"))  # fmt: skip
    assert t.due_date == date(2025, 6, 11)


# --- correlations ----------------------------------------------------------------------------------------


def test_two_economic_events_within_90_days_escalate_the_second() -> None:
    """job_lost then dibao_changed 90 days later: the second is U1 (one level up), with the escalation recorded."""
    m = monitor(reassess=False)
    (first,) = m.post(ev(1, "2025-03-06", "job_lost", member="f"))
    (second,) = m.post(ev(2, "2025-06-04", "dibao_changed", status="reduced"))
    assert first.urgency == "U2" and first.escalations == []
    assert second.urgency == "U1"
    (e,) = second.escalations
    assert (e.rule_id, e.urgency_from, e.urgency_to) == ("economic_events_90d", "U2", "U1")


def test_economic_events_91_days_apart_do_not_escalate() -> None:
    """Outside the window (91 days), each economic event keeps its own urgency."""
    m = monitor(reassess=False)
    m.post(ev(1, "2025-03-05", "job_lost", member="f"))
    (second,) = m.post(ev(2, "2025-06-04", "dibao_changed", status="reduced"))
    assert second.urgency == "U2" and second.escalations == []


def test_an_event_that_changes_the_tier_is_at_least_u1() -> None:
    """parent_returned (U3) that ends left-behind status is raised to U1 by the changes correlation."""
    data = copy.deepcopy(BASE)
    data["members"][0].update(status="away_for_work", status_since="2024-01-01", lives_with_children=False)
    data["members"][1].update(civil_capacity="limited")
    (t,) = monitor(data).post(ev(1, "2025-06-04", "parent_returned", member="f"))
    assert any("left_behind" in c.categories_before and "left_behind" not in c.categories_after for c in t.changes)
    assert t.urgency == "U1" and t.escalations[0].rule_id == "changes_category_or_tier"


def test_an_event_no_row_matches_still_triggers_when_it_changes_the_tier() -> None:
    """A 9,000-yuan expense (below the row's 10,000) that puts spending over 50,000 (E4 H) raises a U1."""
    data = copy.deepcopy(BASE)
    data["economy"]["medical_spending_12m"] = 45000
    (t,) = monitor(data).post(ev(1, "2025-06-04", "medical_expense", amount=9000))
    assert (t.rule_id, t.urgency) == ("changes_category_or_tier", "U1")
    assert t.child_ids == [c.child_id for c in t.changes if c.changed]


# --- replay ---------------------------------------------------------------------------------------------


@LAW
@given(households().flatmap(lambda h: st.tuples(st.just(h), event_logs(h, max_size=12))), st.randoms())
def test_replay_is_deterministic_and_follows_dates_not_log_order(
    he: tuple[Any, list[Event]], rnd: random.Random
) -> None:
    """The same log gives the same triggers; so does the log reordered, when no two events share a day."""
    h, log = he
    m = Monitor()
    first = [t.model_dump(mode="json") for t in m.replay([h], log).triggers]
    assert [t.model_dump(mode="json") for t in m.replay([h], log).triggers] == first
    if len({e.date for e in log}) == len(log):
        shuffled = list(log)
        rnd.shuffle(shuffled)
        assert [t.model_dump(mode="json") for t in m.replay([h], shuffled).triggers] == first


def test_replay_leaves_the_monitors_tracked_households_alone() -> None:
    """replay() starts from the households it is given; the monitor's own state is untouched."""
    m = monitor()
    result = m.replay([BASE], [ev(1, "2025-06-04", "parent_died", member="f")])
    assert result.households["h1"].member("f").status == "deceased"  # type: ignore[union-attr]
    assert m.households["h1"].member("f").status == "present"  # type: ignore[union-attr]


def test_post_and_replay_agree() -> None:
    """Posting the events one by one gives the triggers of replaying them."""
    log = [ev(1, "2025-03-06", "job_lost", member="f"), ev(2, "2025-04-01", "school_dropout", child="c1"),
           ev(3, "2025-06-04", "dibao_changed", status="stopped")]  # fmt: skip
    m = monitor()
    posted = [t for e in log for t in m.post(e)]
    assert posted == Monitor().replay([BASE], log).triggers


# --- bad input: a record each, and the log goes on ------------------------------------------------------

BAD: list[tuple[dict[str, Any], str, str]] = [
    (ev(1, "2025-06-04", "parent_vanished", member="f"), "type", "enum"),
    ({**ev(1, "2025-06-04", "parent_died", member="f"), "household": "h9"}, "household", "unknown_household"),
    (ev(1, "2025-06-04", "school_dropout", child="c9"), "child", "unknown_child"),
    (ev(1, "2025-06-04", "parent_died", member="m9"), "member", "unknown_member"),
    (ev(1, "2019-06-04", "parent_died", member="f"), "date", "date_order"),
    (ev(1, "2025-06-04", "parent_lost_contact", member="f", reported_on="2019-12-01"), "reported_on", "date_order"),
    (ev(1, "2013-06-04", "school_dropout", child="c1"), "date", "date_order"),
    (ev(1, "2025-06-04", "household_moved", county="雁塔区") | {"date": "2010-01-01"}, "date", "date_order"),
    (ev(1, "2025-06-04", "child_support_stopped", months="two"), "months", "int_parsing"),
    (ev(1, "2025-06-04", "disability_certified", child="c1", disability_type="hearing", grade=7), "grade",
     "out_of_range"),
    (ev(1, "2025-06-04", "job_lost", drop_pct=[30]), "drop_pct", "float_type"),
    (ev(1, "2025-06-04", "child_crisis", child="c1", months=3), "months", "not_allowed"),
    (ev(1, "2025-06-04", "school_dropout"), "child", "missing"),
    (ev(1, "1999-06-04", "job_lost"), "date", "out_of_period"),  # before the pack's period (pack.yaml)
]  # fmt: skip


@pytest.mark.parametrize(("bad", "loc", "code"), BAD, ids=[f"{b[2]}-{b[1]}" for b in BAD])
def test_a_bad_event_is_one_record_and_the_rest_of_the_log_goes_on(bad: dict[str, Any], loc: str, code: str) -> None:
    """A bad event between two good ones: one record (loc, code, message, value, row) and two triggers."""
    data = copy.deepcopy(BASE)
    data["children"][0]["residence"] = {"county": "碑林区", "since": "2014-05-01"}
    log = [ev(0, "2025-05-05", "access_refused"), bad, ev(2, "2025-06-05", "access_refused")]
    result = Monitor().replay([data], log)
    assert [t.event_id for t in result.triggers] == ["e0", "e2"]
    (record,) = result.errors
    assert (record.loc, record.code, record.row) == (loc, code, 1)
    assert record.message and set(record.as_dict()) == {"loc", "code", "message", "value", "row"}
    assert (result.events, result.applied, result.rejected) == (3, 2, 1)


def test_a_line_that_is_not_json_is_a_record() -> None:
    """Raw JSON lines are parsed by the replay: a broken one is an invalid_json record with its row."""
    result = Monitor().replay([BASE], [json.dumps(ev(0, "2025-05-05", "access_refused")), "{not json"])
    (record,) = result.errors
    assert (record.code, record.row, result.applied) == ("invalid_json", 1, 1)


def test_records_never_echo_a_persons_name() -> None:
    """Members and children have names; no error record repeats one, whatever went wrong."""
    data = copy.deepcopy(BASE)
    data["members"][0]["name"] = "张大山"
    data["children"][0]["name"] = "王小明"
    bad_household = {"id": "h2", "members": [{"id": "x", "name": "刘阿姨", "birth_date": "3000-01-01"}]}
    log = [b for b, _, _ in BAD] + [ev(9, "2025-06-04", "parent_died", member="f", name="张大山")]
    result = Monitor().replay([data, bad_household], log)
    text = json.dumps([r.as_dict() for r in result.errors], ensure_ascii=False)
    assert len(result.errors) >= len(BAD) + 1
    for name in ("张大山", "王小明", "刘阿姨"):
        assert name not in text


def test_post_raises_factserror_and_leaves_the_household_as_it_was() -> None:
    """post() of a bad event raises FactsError with the records; the tracked household is unchanged."""
    m = monitor()
    before = m.households["h1"]
    with pytest.raises(FactsError) as info:
        m.post(ev(1, "2019-06-04", "parent_died", member="f"))
    assert info.value.records[0].code == "date_order"
    assert m.households["h1"] is before


def test_an_executor_failure_is_a_record_in_replay_and_triggererror_in_post(monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine error on one event rejects that event only (replay), or raises TriggerError naming it (post)."""
    m = monitor()

    def fail(situation: Any) -> list[str]:
        if situation.event.id == "e1":
            raise TriggerError(f"engine failed on event {situation.event.id!r}")
        return ["access_refused"]

    monkeypatch.setattr(m._executor, "match", fail)
    result = m.replay([BASE], [ev(0, "2025-05-05", "access_refused"), ev(1, "2025-06-04", "access_refused")])
    assert [t.event_id for t in result.triggers] == ["e0"]
    assert result.errors[0].code == "executor_error" and "e1" in result.errors[0].message
    with pytest.raises(TriggerError, match="e1"):
        m.post(ev(1, "2025-06-04", "access_refused"))


@pytest.mark.parametrize("executor", EXECUTORS)
def test_an_event_delivered_twice_is_rejected_as_a_duplicate_id_and_the_log_goes_on(executor: str) -> None:
    """The same id again is one duplicate_id record naming it: not applied twice, nor counted by a correlation
    (a second job_lost within 90 days would escalate itself); the events after it still apply."""
    job = ev(1, "2025-03-06", "job_lost", member="f", drop_pct=40)
    log = [job, json.dumps(job), ev(2, "2025-04-01", "school_dropout", child="c1")]
    result = Monitor(executor=executor).replay([BASE], log)
    assert [(t.event_id, t.escalations) for t in result.triggers] == [("e1", []), ("e2", [])]
    (record,) = result.errors
    assert (record.loc, record.code, record.value, record.row) == ("id", "duplicate_id", "e1", 1)
    assert "'e1'" in record.message
    assert (result.events, result.applied, result.rejected) == (3, 2, 1)


def test_post_of_an_applied_event_id_raises_factserror_and_changes_nothing() -> None:
    """post() of an id the monitor has applied raises FactsError (duplicate_id); the household is unchanged.
    An id that was rejected was not applied, so it may come again; track() starts a household over."""
    m = monitor()
    (first,) = m.post(ev(1, "2025-03-06", "job_lost", member="f", drop_pct=40))
    before = m.households["h1"]
    with pytest.raises(FactsError) as info:
        m.post(ev(1, "2025-03-07", "job_lost", member="f", drop_pct=40))
    assert [(r.loc, r.code, r.value) for r in info.value.records] == [("id", "duplicate_id", "e1")]
    assert m.households["h1"] is before
    with pytest.raises(FactsError):
        m.post(ev(2, "2019-06-04", "parent_died", member="f"))  # date_order: rejected, not applied
    assert [t.event_id for t in m.post(ev(2, "2025-06-04", "parent_died", member="f"))] == ["e2"]
    assert m.track([BASE]) == []
    assert m.post(ev(1, "2025-03-06", "job_lost", member="f", drop_pct=40)) == [first]


def test_post_rejects_an_event_dated_before_the_last_one_applied_to_its_household() -> None:
    """A later event already changed the facts: an earlier one is an out_of_order record naming both dates.
    The same day is in order; another household's dates do not count. replay() sorts its log by date."""
    m = monitor()
    other = copy.deepcopy(BASE) | {"id": "h2"}
    assert m.track([other]) == []
    m.post(ev(1, "2025-06-04", "job_lost", member="f"))
    before = m.households["h1"]
    with pytest.raises(FactsError) as info:
        m.post(ev(2, "2025-06-03", "school_dropout", child="c1"))
    (record,) = info.value.records
    assert (record.loc, record.code, record.value) == ("date", "out_of_order", "2025-06-03")
    assert "2025-06-03" in record.message and "2025-06-04" in record.message
    assert m.households["h1"] is before
    assert [t.event_id for t in m.post(ev(3, "2025-06-04", "school_dropout", child="c1"))] == ["e3"]
    assert m.post({**ev(4, "2025-01-02", "access_refused"), "household": "h2"})
    log = [ev(1, "2025-06-04", "job_lost", member="f"), ev(2, "2025-06-03", "school_dropout", child="c1")]
    assert [t.event_id for t in Monitor().replay([BASE], log).triggers] == ["e2", "e1"]


def test_bad_households_are_records_and_the_others_are_tracked() -> None:
    """track() validates: a bad or duplicate household is a record under households[i]; the rest are tracked."""
    m = Monitor()
    records = m.track([BASE, {"id": "h2", "children": [{"id": "c", "birth_date": "not a date"}]}, BASE])
    assert [(r.loc, r.code) for r in records] == [("households[1].children[0].birth_date", "invalid_date"),
                                                  ("households[2].id", "duplicate_id")]  # fmt: skip
    assert list(m.households) == ["h1"]


def test_an_unknown_executor_is_a_valueerror() -> None:
    """Only "riskeval" and "durable" are executors."""
    with pytest.raises(ValueError, match="durable"):
        Monitor(executor="drools")


# --- threads -----------------------------------------------------------------------------------------


def test_a_shared_monitor_runs_one_call_at_a_time() -> None:
    """Posts from four threads never overlap inside the monitor (track, replay and due take the same lock)."""
    import threading
    import time

    m = monitor()
    inside, most = 0, 0
    gate = threading.Lock()
    real = m._post

    def slow_post(event: Event) -> Any:
        nonlocal inside, most
        with gate:
            inside += 1
            most = max(most, inside)
        time.sleep(0.002)  # long enough for another thread to get in, were it let in
        try:
            return real(event)
        finally:
            with gate:
                inside -= 1

    m._post = slow_post  # type: ignore[method-assign]

    posted: list[str] = []

    def posts(k: int) -> None:  # one day for all: the threads interleave, and no event is out of date order
        for d in range(2, 12):
            posted.extend(t.event_id or "" for t in m.post(ev(k * 100 + d, "2025-06-05", "visit_overdue")))

    threads = [threading.Thread(target=posts, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1
    assert len(m.households) == 1 and len(posted) == 40


def test_a_long_running_monitor_remembers_one_window_of_ids_and_one_window_of_events() -> None:
    """Memory stays flat however long a monitor runs: it keeps the ids of its households' id window (issue 14:
    a copy within it is a duplicate wherever it comes; an older one is refused as out of order anyway) and
    the events of the widest correlation window."""
    m = monitor()
    day = date(2025, 3, 1)
    days = EVENT_ID_WINDOW_DAYS + 34
    for i in range(1, days + 1):  # more than a year of daily economic events, two on the last day
        m.post(ev(i, (day + timedelta(days=i)).isoformat(), "job_lost", member="f", drop_pct=40))
    last = (day + timedelta(days=days)).isoformat()
    m.post(ev(days + 1, last, "job_lost", member="f", drop_pct=40))
    kept = set(m._latest_ids["h1"])
    assert kept == {f"e{i}" for i in range(days - EVENT_ID_WINDOW_DAYS, days + 2)}
    widest = max(c.within_days for c in m.spec.correlations if hasattr(c, "within_days"))
    assert len(m._history["h1"]) == widest + 2  # the window's days, both ends included, and the two of the last
    with pytest.raises(FactsError) as info:
        m.post(ev(days - 10, (day + timedelta(days=days - 10)).isoformat(), "job_lost", member="f", drop_pct=40))
    assert [r.code for r in info.value.records] == ["duplicate_id"]
    with pytest.raises(FactsError) as info:
        m.post(ev(5, (day + timedelta(days=5)).isoformat(), "job_lost", member="f", drop_pct=40))
    assert [r.code for r in info.value.records] == ["out_of_order"]
