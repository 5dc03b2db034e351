"""Re-assessment in the monitor: evaluations are reused only when they cannot differ, and the changes
are those of a fresh assessment of the household before and after every event."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from _variants import EXAMPLES, away_father_unseen, single_fact_changes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_triggers_events import BASE

from riskeval.errors import FactsError
from riskeval.evaluate import scalar_program
from riskeval.evaluate.plan import changed
from riskeval.evaluate.scalar import Evaluation, ScalarProgram
from riskeval.facts import Child, Event, Household, parse_event, parse_household
from riskeval.pack import load_pack
from riskeval.pack.expr import nodes as A
from riskeval.pack.expr.types import BOOL, NUMBER
from riskeval.testing import event_logs, households
from riskeval.triggers import Monitor
from riskeval.triggers._apply import problems, updated
from riskeval.triggers._dates import Outlook, date_comparisons
from riskeval.triggers._reassess import Assessments, reads_other_children

PACK = load_pack()
PROGRAM = scalar_program(PACK)
DAY = date(2025, 6, 4)
LAW = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Counting:
    """The program, counting the children it evaluates."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def evaluate(self, household: Household, child: Child, on: date, **options: Any) -> Evaluation:
        self.calls.append(child.id)
        return PROGRAM.evaluate(household, child, on, **options)


def counted() -> tuple[Assessments, Counting]:
    program = Counting()
    return Assessments(program, reads_other_children(PACK)), program  # type: ignore[arg-type]


def event(day: date, event_type: str, **details: Any) -> Event:
    return parse_event({"id": "e", "household": "h1", "date": day.isoformat(), "type": event_type, **details})


def tiers(evals: list[Evaluation]) -> list[tuple[str, str | None, list[str]]]:
    return [(e.child_id, e.tier, e.categories) for e in evals]


def fresh(h: Household, on: date) -> list[tuple[str, str | None, list[str]]]:
    return tiers([PROGRAM.evaluate(h, c, on, gaps=False) for c in h.children])


# --- what is evaluated again --------------------------------------------------------------------------


def test_an_event_on_one_child_re_evaluates_only_that_child_on_the_same_day() -> None:
    """After a first event, a dropout of c1 the same day evaluates c1 once; c2 keeps its evaluation."""
    kept, program = counted()
    h0 = parse_household(copy.deepcopy(BASE))
    h1 = updated(h0, event(DAY, "child_crisis", child="c2"))
    kept.around(h0, h1, DAY)
    program.calls.clear()
    h2 = updated(h1, event(DAY, "school_dropout", child="c1"))
    before, after = kept.around(h1, h2, DAY)
    assert program.calls == ["c1"]
    assert tiers(before) == fresh(h1, DAY) and tiers(after) == fresh(h2, DAY)
    assert after[1] is before[1] and after[0] is not before[0]


def test_an_event_on_a_member_re_evaluates_every_child() -> None:
    """A member's facts are read by every child's rules (roles and aggregates): all are evaluated after it."""
    kept, program = counted()
    h0 = parse_household(copy.deepcopy(BASE))
    h1 = updated(h0, event(DAY, "parent_died", member="f"))
    before, after = kept.around(h0, h1, DAY)
    assert program.calls == ["c1", "c2", "c1", "c2"]
    assert tiers(before) == fresh(h0, DAY) and tiers(after) == fresh(h1, DAY)


def test_a_household_fact_re_evaluates_every_child() -> None:
    """Housing lost changes the household's facts: both children are evaluated after it."""
    kept, program = counted()
    h0 = parse_household(copy.deepcopy(BASE))
    kept.around(h0, h0, DAY)
    program.calls.clear()
    h1 = updated(h0, event(DAY, "housing_lost", kind="homeless"))
    kept.around(h0, h1, DAY)
    assert program.calls == ["c1", "c2"]


def test_an_event_that_changes_no_fact_evaluates_nobody_on_the_same_day() -> None:
    """A visit overdue leaves the household as it was: the evaluations of the day are reused whole."""
    kept, program = counted()
    h0 = parse_household(copy.deepcopy(BASE))
    h1 = updated(h0, event(DAY, "school_dropout", child="c1"))
    _, first = kept.around(h0, h1, DAY)
    program.calls.clear()
    h2 = updated(h1, event(DAY, "visit_overdue", child="c1"))
    before, after = kept.around(h1, h2, DAY)
    assert h2 is h1 and program.calls == []
    assert before is first and after is first


def test_a_new_date_evaluates_the_household_before_the_event_again() -> None:
    """Ages and durations move with the date: the evaluations of another day are not reused."""
    kept, program = counted()
    h0 = parse_household(copy.deepcopy(BASE))
    kept.around(h0, h0, DAY)
    program.calls.clear()
    later = DAY + timedelta(days=400)
    before, after = kept.around(h0, h0, later)
    assert program.calls == ["c1", "c2"]
    assert tiers(before) == fresh(h0, later) and after is before


def test_an_equal_copy_of_a_child_keeps_its_evaluation() -> None:
    """A second report of the same concern copies the child with equal facts: nobody is evaluated again."""
    kept, program = counted()
    h0 = parse_household(copy.deepcopy(BASE))
    h1 = updated(h0, event(DAY, "abuse_reported", child="c1", kind="abuse"))
    kept.around(h0, h1, DAY)
    program.calls.clear()
    h2 = updated(h1, event(DAY, "abuse_reported", child="c1", kind="abuse"))
    assert h2 is not h1 and h2 == h1
    kept.around(h1, h2, DAY)
    assert program.calls == []


def test_a_rule_reading_the_households_children_turns_reuse_off() -> None:
    """The default pack reads no sibling; a pack that did (household.children) would keep nothing across a change."""
    assert not reads_other_children(PACK)
    sibling = SimpleNamespace(node=A.Fact(type=BOOL, root="household", path=("children",)))
    pack = SimpleNamespace(categories={"x": sibling}, tier_rows=[], exited=sibling, on_roster=sibling,
                           predicates={}, factors={})  # fmt: skip
    assert reads_other_children(pack)  # type: ignore[arg-type]
    program = Counting()
    kept = Assessments(program, siblings=True)  # type: ignore[arg-type]
    h0 = parse_household(copy.deepcopy(BASE))
    kept.around(h0, h0, DAY)
    program.calls.clear()
    kept.around(h0, updated(h0, event(DAY, "school_dropout", child="c1")), DAY)
    assert program.calls == ["c1", "c2"]


# --- dates ---------------------------------------------------------------------------------------------


def test_the_outlook_tells_apart_only_dates_that_cross_a_threshold() -> None:
    """A day later c1 is the same age; on its 18th birthday (adult_age) it is not: its status follows suit
    (identified as a child, c1 exits; the day before, its unknown facts leave the status undetermined)."""
    outlook = Outlook.of(PACK)
    assert outlook is not None
    data = copy.deepcopy(BASE)
    data["children"][0]["identified_on"] = "2020-01-01"
    h = parse_household(data)
    eighteen = date(2032, 5, 1)
    assert outlook.on(h, DAY) == outlook.on(h, DAY + timedelta(days=1))
    assert outlook.on(h, eighteen - timedelta(days=1)) != outlook.on(h, eighteen)
    statuses = [
        PROGRAM.evaluate(h, h.children[0], d, gaps=False).status for d in (eighteen - timedelta(days=1), eighteen)
    ]
    assert statuses == ["undetermined", PACK.exited.id]


def test_the_outlook_sees_a_members_duration() -> None:
    """A father lost from contact crosses lost_contact_min_months a month or so later: the outlooks differ."""
    outlook = Outlook.of(PACK)
    assert outlook is not None
    h = updated(
        parse_household(copy.deepcopy(BASE)), event(DAY, "parent_lost_contact", member="f", reported_on=DAY.isoformat())
    )
    months = int(PACK.params_on(DAY)["lost_contact_min_months"])
    days = [DAY + timedelta(days=30 * months + k) for k in (-20, 20)]
    assert outlook.on(h, days[0]) != outlook.on(h, days[1])


def test_a_date_read_outside_a_comparison_leaves_no_outlook() -> None:
    """``child.age`` in a list, or ``on`` compared with two people, is not an outlook's comparison: None."""
    age = A.Fact(type=NUMBER, root="child", path=("age",))
    listed = A.In(type=BOOL, item=age, items=(A.Const(type=NUMBER, value=3),))
    two = A.Compare(type=BOOL, op="<", left=age, right=A.Fact(type=NUMBER, root="father", path=("age",)))
    one = A.Compare(type=BOOL, op="<", left=age, right=A.Const(type=NUMBER, value=3))
    for node, want in ((listed, None), (two, None), (one, [("child", one)])):
        rule = SimpleNamespace(node=node)
        pack = SimpleNamespace(categories={"x": rule}, tier_rows=[], exited=rule, on_roster=rule,
                               predicates={}, factors={})  # fmt: skip
        assert date_comparisons(pack) == want  # type: ignore[arg-type]


def test_the_monitor_reuses_an_evaluation_across_dates_with_the_same_outlook() -> None:
    """Two reports a day apart that change nothing: the second evaluates nobody."""
    m = Monitor(PACK)
    assert m.track([copy.deepcopy(BASE)]) == []
    program = Counting()
    assert m._assessed is not None
    m._assessed.program = program  # type: ignore[assignment]
    m.post(event(DAY, "visit_overdue", child="c1"))
    assert program.calls == ["c1", "c2"]
    m.post(event(DAY + timedelta(days=1), "visit_overdue", child="c1").model_copy(update={"id": "e2"}))
    assert program.calls == ["c1", "c2"]


# --- the law ----------------------------------------------------------------------------------------------


def _same_days(log: list[Event], days: list[int]) -> list[Event]:
    """The log moved onto a few dates, so that events share a day with the one before them, or not."""
    return [e.model_copy(update={"date": DAY + timedelta(days=days[i % len(days)])}) for i, e in enumerate(log)]


# Days from DAY: the same day again, the next, and far enough for ages and durations to cross a threshold.
OFFSETS = st.lists(st.sampled_from([0, 0, 1, 31, 183, 366, 731]), min_size=1, max_size=5)
Case = tuple[Household, list[Event], list[int]]
LOGS = households(on=DAY).flatmap(lambda h: st.tuples(st.just(h), event_logs(h, max_size=20), OFFSETS))


@LAW
@given(LOGS)
def test_every_change_is_a_fresh_assessment_before_and_after_its_event(case: Case) -> None:
    """Each trigger's changes equal the household's children evaluated anew, before and after, on the event date."""
    h, log, days = case
    log = _same_days(log, days)
    replay = Monitor().replay([h], log)
    triggers = iter(replay.triggers)
    t = next(triggers, None)
    for e in sorted(log, key=lambda e: e.date):
        if problems(h, e):
            continue
        after = updated(h, e)
        if t is not None and t.event_id == e.id:
            got = [
                (c.child_id, c.tier_before, c.categories_before, c.tier_after, c.categories_after) for c in t.changes
            ]
            pairs = zip(fresh(h, e.date), fresh(after, e.date), strict=True)
            assert got == [(b[0], b[1], b[2], a[1], a[2]) for b, a in pairs]
            t = next(triggers, None)
        h = after
    assert t is None


def assert_same(part: Evaluation, full: Evaluation) -> None:
    """An incremental evaluation gives every rule value, factor, tier and status a full one gives."""
    assert part.rule_values == full.rule_values
    assert [(f.code, f.severity, f.points) for f in part.factors] == [
        (f.code, f.severity, f.points) for f in full.factors
    ]
    assert (part.status, part.tier, part.score, part.categories) == (
        full.status, full.tier, full.score, full.categories
    )  # fmt: skip


STEPS = households(on=DAY).flatmap(lambda h: st.tuples(st.just(h), event_logs(h, min_size=1, max_size=12)))


@LAW
@given(STEPS)
def test_re_evaluating_only_what_an_event_touched_equals_evaluating_anew(case: tuple[Household, list[Event]]) -> None:
    """After each event, ScalarProgram.evaluate(since=...) gives every rule value, factor, tier and status that a
    full evaluation gives (the rules whose facts did not change keep their values)."""
    h, log = case
    lean = {"gaps": False, "values": False}
    for e in log:
        if problems(h, e):
            continue
        after = updated(h, e)
        for cb, ca in zip(h.children, after.children, strict=True):
            was = PROGRAM.evaluate(h, cb, DAY, **lean)
            full = PROGRAM.evaluate(after, ca, DAY, **lean)
            tokens = changed(h, after, cb, ca)
            if tokens is None:
                continue
            part = PROGRAM.evaluate(after, ca, DAY, **lean, since=(was, tokens))
            assert_same(part, full)
        h = after


def test_an_unknown_factor_that_could_list_a_child_keeps_her_undetermined_after_an_unrelated_change() -> None:
    """Re-evaluating only what an event touched must still see the unknown rules it did not touch: the
    housing improving (a fact G10 does not read) leaves her undetermined, as a fresh evaluation says."""
    raw = away_father_unseen()
    before = parse_household(raw)
    was = PROGRAM.evaluate(before, before.children[0], DAY, gaps=False, values=False)
    assert was.status == "undetermined" and was.rule_values[("factor", "G10")] is None
    after = parse_household({**raw, "housing": "adequate"})
    tokens = changed(before, after, before.children[0], after.children[0])
    assert tokens == frozenset({("household", "housing")})
    part = PROGRAM.evaluate(after, after.children[0], DAY, gaps=False, values=False, since=(was, tokens))
    assert part.status == "undetermined"
    assert_same(part, PROGRAM.evaluate(after, after.children[0], DAY, gaps=False, values=False))


def test_every_single_fact_change_of_the_examples_re_evaluates_as_a_fresh_evaluation() -> None:
    """Systematically, not by drawing: each example household (and the away father's) with one fact changed,
    re-evaluated only where the change reaches, gives what a full evaluation gives, unknown rules included."""
    compared = 0
    for raw in [*(json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES), away_father_unseen()]:
        before = parse_household(raw)
        was = [PROGRAM.evaluate(before, c, DAY, gaps=False, values=False) for c in before.children]
        for changed_raw in single_fact_changes(raw):
            try:
                after = parse_household(changed_raw)
            except FactsError:
                continue  # a combination the facts refuse (a date after the assessment, say)
            for cb, ca, w in zip(before.children, after.children, was, strict=True):
                tokens = changed(before, after, cb, ca)
                assert tokens is not None
                part = PROGRAM.evaluate(after, ca, DAY, gaps=False, values=False, since=(w, tokens))
                assert_same(part, PROGRAM.evaluate(after, ca, DAY, gaps=False, values=False))
                compared += 1
    assert compared > 1000


def test_the_program_is_the_packs() -> None:
    """The monitor re-assesses with the pack's compiled program (the one assess() uses)."""
    kept = Monitor(PACK)._assessed
    # Read from the cache now, not at import: other tests compile many packs, and the cache is bounded.
    assert kept is not None and isinstance(kept.program, ScalarProgram) and kept.program is scalar_program(PACK)


OUTLOOK = Outlook.of(PACK)


@LAW
@given(households(on=DAY), st.sampled_from([1, 31, 183, 366, 731, 1500]))
def test_on_another_date_re_evaluating_the_date_compared_facts_equals_evaluating_anew(h: Household, days: int) -> None:
    """With the same parameters and rules in force on both dates, re-running only the rules that read a fact a
    date comparison reads (what the monitor does when the outlook changed) gives what a full evaluation gives."""
    assert OUTLOOK is not None and OUTLOOK.reads
    later = DAY + timedelta(days=days)
    lean = {"gaps": False, "values": False}
    for child in h.children:
        was = PROGRAM.evaluate(h, child, DAY, **lean)
        full = PROGRAM.evaluate(h, child, later, **lean)
        if OUTLOOK.on(h, DAY)[:2] != OUTLOOK.on(h, later)[:2]:
            continue
        part = PROGRAM.evaluate(h, child, later, **lean, since=(was, OUTLOOK.reads))
        assert_same(part, full)
