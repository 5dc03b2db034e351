"""Scheduled triggers: what falls due from dates alone, never from a clock or a timer.

On a date ``on`` a scheduled trigger is *open* from the day it is raised until it is done (or, for a
milestone, until the birthday). Each is computed from the facts' own dates and the pack's numbers:

- age milestones: the ages and the lead time of schedule.yaml, raised ``lead_days`` before the birthday;
- lost contact: ``after_months`` (a parameter) after the police report, for the children of that member,
  until a full assessment on or after that day;
- the annual full assessment: schedule.yaml's interval after the last one, raised ``lead_days`` ahead
  (now, for a child on the roster with none on record);
- overdue visits: the cadence of the child's tier after the last visit (or the first-visit deadline after
  identification), more than ``grace_days`` late; for a youth who exited the roster, the follow-up visits of
  the visit plan (the dates ``assess`` plans, with the same rest-day rule), more than ``grace_days`` late.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from riskeval.evaluate import scalar_program
from riskeval.evaluate.scalar import Evaluation
from riskeval.facts import Child, Household
from riskeval.pack import Pack, TriggersFile, deadline_days
from riskeval.schedule import add_months, add_working_days, birthday, deadline_date, plan_visits
from riskeval.triggers._results import Reason, Trigger


def due_date(pack: Pack, spec: TriggersFile, start: date, urgency: str, next_visits: Iterable[date] = ()) -> date:
    """The last day allowed for a trigger raised on ``start`` (working days of the pack's calendar).

    An ``at_next_visit`` urgency is due at the child's next scheduled visit when that comes sooner.
    """
    level = spec.urgencies[urgency]
    kind, n = deadline_days(level.deadline)
    due = add_working_days(start, n, pack.schedule) if kind == "working" else start + timedelta(days=n)
    if level.at_next_visit:
        due = min([due, *(max(start, v) for v in next_visits)])
    return due


def next_visit(pack: Pack, child: Child, evaluation: Evaluation | None, last_visit: date | None) -> date | None:
    """The next cadence visit after the last one, when the tier's frequency and the last visit are known."""
    if evaluation is None or evaluation.visit_frequency is None or last_visit is None:
        return None
    cadence = pack.schedule.cadences.get(evaluation.visit_frequency)
    return None if cadence is None else add_months(last_visit, cadence.months)


def scheduled_triggers(
    pack: Pack, spec: TriggersFile, households: Iterable[Household], *, on: date, last_visits: Mapping[str, date]
) -> list[Trigger]:
    """Every scheduled trigger open on ``on`` for these households, sorted by due date and urgency."""
    program = scalar_program(pack)
    params = pack.params_on(on)
    rank = {u: i for i, u in enumerate(spec.urgencies)}
    out: list[Trigger] = []
    for hh in households:
        # status and tier only
        evals = {c.id: program.evaluate(hh, c, on, gaps=False, values=False) for c in hh.children}
        visits = {c.id: last_visits.get(c.id, c.last_visit) for c in hh.children}
        nexts = {c.id: next_visit(pack, c, evals[c.id], visits[c.id]) for c in hh.children}

        make = _Maker(pack, spec, hh.id, nexts)
        for child in hh.children:
            out += _milestones(pack, spec, child, on, make)
            e = evals[child.id]
            if e.status == pack.exited.id:
                out += _follow_ups(pack, spec, child, visits[child.id], on, make)
            if e.status != pack.on_roster.id:
                continue
            out += _full_assessment(pack, spec, child, on, make)
            out += _overdue(pack, spec, child, e, visits[child.id], on, make)
        out += _lost_contact(spec, hh, on, int(params[spec.scheduled.lost_contact.after_months]), make)
    out.sort(key=lambda t: (t.due_date, rank[t.urgency], t.household_id, t.rule_id, t.child_ids))
    return out


class _Maker:
    """Builds the scheduled triggers of one household."""

    def __init__(self, pack: Pack, spec: TriggersFile, household_id: str, nexts: dict[str, date | None]) -> None:
        self.pack, self.spec, self.household_id, self.nexts = pack, spec, household_id, nexts

    def __call__(self, rule: Any, children: list[str], raised: date, cap: date | None, **fields: Any) -> Trigger:
        soon = [d for cid in children if (d := self.nexts.get(cid)) is not None]
        due = due_date(self.pack, self.spec, raised, rule.urgency, soon)
        return Trigger(
            kind="scheduled",
            event_id=None,
            household_id=self.household_id,
            child_ids=children,
            urgency=rule.urgency,
            due_date=min(due, cap) if cap is not None else due,
            raised_on=raised,
            rule_id=rule.id,
            reason=Reason(zh=rule.reason.zh.format(**fields), en=rule.reason.en.format(**fields)),
        )


def _milestones(pack: Pack, spec: TriggersFile, child: Child, on: date, make: _Maker) -> list[Trigger]:
    if child.birth_date is None:
        return []
    rule, marks = spec.scheduled.milestones, pack.schedule.milestones
    out = []
    for mark in marks.ages:
        day = birthday(child.birth_date, mark.age, pack.schedule)
        raised = day - timedelta(days=marks.lead_days)
        if raised <= on <= day:
            out.append(make(rule, [child.id], raised, day, age=mark.age, date=day.isoformat()))
    return out


def _full_assessment(pack: Pack, spec: TriggersFile, child: Child, on: date, make: _Maker) -> list[Trigger]:
    rule = spec.scheduled.full_assessment
    if child.last_full_assessment is None:
        return [make(rule, [child.id], on, None, date=on.isoformat())]
    day = add_months(child.last_full_assessment, pack.schedule.full_assessment.interval_months)
    raised = day - timedelta(days=rule.lead_days)
    return [make(rule, [child.id], raised, day, date=day.isoformat())] if raised <= on else []


def _overdue(
    pack: Pack, spec: TriggersFile, child: Child, e: Evaluation, last: date | None, on: date, make: _Maker
) -> list[Trigger]:
    rule = spec.scheduled.visit_overdue
    if last is not None:
        visit = next_visit(pack, child, e, last)
    elif child.identified_on is not None:
        first = pack.schedule.first_visit
        urgent = e.tier == pack.tiers[0].id
        visit = deadline_date(child.identified_on, first.urgent if urgent else first.standard, pack.schedule)
    else:
        visit = None
    if visit is None or (on - visit).days <= rule.grace_days:
        return []
    raised = visit + timedelta(days=rule.grace_days + 1)
    return [make(rule, [child.id], raised, None, days=(on - visit).days, date=visit.isoformat())]


def _follow_ups(
    pack: Pack, spec: TriggersFile, child: Child, last: date | None, on: date, make: _Maker
) -> list[Trigger]:
    """The follow-up visits of an exited youth that are overdue by more than the grace days: read from the
    visit plan itself, so that ``assess`` and ``Monitor.due`` name the same visits."""
    if child.birth_date is None:
        return []
    plan = plan_visits(
        pack.schedule,
        on=on,
        status=pack.exited.id,
        tier=None,
        visit_frequency=None,
        birth_date=child.birth_date,
        last_visit=last,
        exited_status=pack.exited.id,
        on_roster_status=pack.on_roster.id,
    )
    rule = spec.scheduled.visit_overdue
    out = []
    for f in plan.follow_ups:
        if f.overdue and f.overdue_days > rule.grace_days:
            raised = f.date + timedelta(days=rule.grace_days + 1)
            out.append(make(rule, [child.id], raised, None, days=f.overdue_days, date=f.date.isoformat()))
    return out


def _lost_contact(spec: TriggersFile, hh: Household, on: date, months: int, make: _Maker) -> list[Trigger]:
    rule = spec.scheduled.lost_contact
    out = []
    for m in hh.members or []:
        if m.status != "lost_contact" or m.status_since is None:
            continue
        point = add_months(m.status_since, months)
        raised = point - timedelta(days=rule.lead_days)
        if raised > on:
            continue
        mine = [c for c in hh.children if m.id in (c.father, c.mother, c.caregiver)] or hh.children
        still = [c.id for c in mine if c.last_full_assessment is None or c.last_full_assessment < point]
        if still:
            out.append(make(rule, still, raised, None, months=months, date=point.isoformat()))
    return out
