"""The Monitor: household events in, re-assessment triggers out.

For each event the monitor checks it against the household it tracks, applies its fact changes,
reads the pack's trigger rows for every child it concerns (on the household the event leaves, on the
event's date), re-assesses the household before and after, and applies the correlation rules. The
urgency gives the due date in working days of the pack's calendar. Nothing reads the clock: the same
log gives the same triggers.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from riskeval._limits import EVENT_ID_WINDOW_DAYS
from riskeval.errors import ErrorRecord, EvaluationError, FactsError, PackError, TriggerError
from riskeval.evaluate import scalar_program
from riskeval.evaluate.scalar import Evaluation
from riskeval.facts import LATEST, Event, Household, assessment_date, loads, parse_event, parse_household
from riskeval.pack import (
    ChangesCorrelation,
    EntersTierCorrelation,
    Pack,
    TriggerRow,
    TriggersFile,
    WindowCorrelation,
    load_pack,
)
from riskeval.triggers._apply import affected, born_by, problems, updated
from riskeval.triggers._dates import Outlook
from riskeval.triggers._match import DurableExecutor, RiskevalExecutor, Situation
from riskeval.triggers._match import executor as make_executor
from riskeval.triggers._reassess import Assessments, reads_other_children
from riskeval.triggers._results import Change, Escalation, Reason, Replay, Trigger
from riskeval.triggers._scheduled import due_date, next_visit, scheduled_triggers
from riskeval.triggers._spool import EventSpool


class Monitor:
    """Turns household events into re-assessment triggers.

    Args:
        pack: the rule pack (default: the embedded default pack).
        executor: "riskeval" (pure Python, the default) or "durable" (durable-rules, the optional extra
            ``riskeval[durable]``; Python < 3.13). Both give the same triggers.
        reassess: re-assess the household before and after each event (``Trigger.changes``, and the
            correlation "an event that changes a category or the tier"). Off, the monitor only reads the
            trigger rows, an order of magnitude faster.

    A monitor may be shared between threads: its calls take one lock, so they run one at a time (the
    tracked households, the event history and the durable executor's session are one state).

    Example:
        >>> m = Monitor()
        >>> m.track([{"id": "h1", "members": [{"id": "f"}], "children": [{"id": "c1", "father": "f"}]}])
        []
        >>> [t.urgency for t in m.post({"id": "e1", "household": "h1", "date": "2025-06-03",
        ...                             "type": "parent_died", "member": "f"})]
        ['U1']
    """

    def __init__(self, pack: Pack | None = None, executor: str = "riskeval", *, reassess: bool = True) -> None:
        self.pack = pack if pack is not None else load_pack()
        spec = self.pack.triggers
        if not isinstance(spec, TriggersFile):
            raise PackError([], f"pack {self.pack.id} has no compiled triggers.yaml")
        self.spec: TriggersFile = spec
        self.executor_name = executor
        self._executor: RiskevalExecutor | DurableExecutor = make_executor(executor, self.pack, spec)
        self.reassess = reassess
        self._lock = threading.RLock()
        self._assessed: Assessments | None = (
            Assessments(scalar_program(self.pack), reads_other_children(self.pack), Outlook.of(self.pack))
            if reassess
            else None
        )
        self._households: dict[str, Household] = {}
        self._history: dict[str, list[tuple[date, str]]] = {}
        # Each household's latest applied event date, and the ids applied to it within the id window before
        # that date (id -> date, oldest first): an event is applied to its household once, and never under
        # facts that a later event already changed. A copy that comes back within the window, whatever its
        # date, is a duplicate; the window, not all history, is kept, so that a monitor that runs for years
        # holds flat memory. Ids are a household's: the same id in two households is two events (two
        # systems' numbering), not one delivered twice.
        self._latest: dict[str, date] = {}
        self._latest_ids: dict[str, dict[str, date]] = {}
        self._rank: dict[str, int] = {u: i for i, u in enumerate(spec.urgencies)}
        self._order: dict[str, int] = {r.id: i for i, r in enumerate(spec.rules)}
        self._rows: dict[str, TriggerRow] = {r.id: r for r in spec.rules}
        self._levels: list[str] = list(spec.urgencies)
        # Only the event types a window correlation counts are remembered, and only within the widest window.
        windows = [c for c in spec.correlations if isinstance(c, WindowCorrelation)]
        self._counted: set[str] = {t for c in windows for t in c.events}
        self._widest = timedelta(days=max((c.within_days for c in windows), default=0))
        self._id_window = max(self._widest, timedelta(days=EVENT_ID_WINDOW_DAYS))
        self._floor: ChangesCorrelation | None = next(
            (c for c in spec.correlations if isinstance(c, ChangesCorrelation)), None
        )
        self._reasons: dict[str, Reason] = {
            x.id: Reason(zh=x.reason.zh, en=x.reason.en) for x in [*spec.rules, *spec.correlations]
        }

    # --- state -------------------------------------------------------------------------------------
    @property
    def households(self) -> Mapping[str, Household]:
        """The tracked households, as the events posted so far left them."""
        with self._lock:
            return dict(self._households)

    def track(self, households: Iterable[Household | Mapping[str, Any] | str]) -> list[ErrorRecord]:
        """Validate households and track them (replacing any with the same id).

        A household tracked again starts over: the monitor forgets its events (their ids, dates and the
        counts of the correlation windows), so its facts are the ones given here.

        Returns:
            a record for every problem of the households that were not tracked (``loc`` starts with
            ``households[i]``).
        """
        with self._lock:
            return self._track(households)

    def _track(self, households: Iterable[Household | Mapping[str, Any] | str]) -> list[ErrorRecord]:
        valid, records = _validated(households)
        for hh in valid:
            self._latest_ids.pop(hh.id, None)
            self._households[hh.id] = hh
            self._history[hh.id] = []
            self._latest.pop(hh.id, None)
            if self._assessed is not None:
                self._assessed.forget(hh.id)
        return records

    # --- events ------------------------------------------------------------------------------------
    def post(self, event: Event | Mapping[str, Any] | str) -> list[Trigger]:
        """Apply one event to the household it names and return its trigger (none, or one).

        Raises:
            FactsError: the event is invalid, names an untracked household or an unknown child or
                member, or is dated before a fact it changes; its id is one already applied on its
                household's latest event date (``duplicate_id``); or it is dated before the last event
                applied to its household (``out_of_order``: that event already changed the facts, and a
                copy of an older event is refused so). The household is then unchanged.
            TriggerError: the executor failed on the event.
        """
        ev = parse_event(event)
        with self._lock:
            triggers, records = self._post(ev)
        if records:
            if records[0].code == "executor_error":
                raise TriggerError(records[0].message)
            raise FactsError(records, f"event {ev.id}: {len(records)} problem(s)")
        return triggers

    def replay(
        self,
        households: Iterable[Household | Mapping[str, Any] | str],
        events: Iterable[Event | Mapping[str, Any] | str],
        *,
        on_trigger: Callable[[Trigger], None] | None = None,
    ) -> Replay:
        """Replay a whole log on fresh copies of the households: the same log, the same triggers.

        Events are applied in date order (a stable sort: the log's order within a day), so none is out
        of order; the sort holds a bounded number of events in memory (riskeval.triggers._spool). An event
        that cannot apply becomes an error record (``row`` = its index in the log) and the log goes on; an
        event whose id was already applied to its household within the id window
        (riskeval._limits.EVENT_ID_WINDOW_DAYS) is a ``duplicate_id`` record (the same event delivered
        twice is applied once). The monitor's own tracked households are not touched.

        Args:
            on_trigger: called with each trigger as it is raised, in date order, instead of keeping it in
                ``Replay.triggers`` (then empty): a log of millions of events in bounded memory.
        """
        with self._lock:  # the fresh copy shares the executor (and this lock)
            return self._replay(households, events, on_trigger)

    def _replay(
        self,
        households: Iterable[Household | Mapping[str, Any] | str],
        events: Iterable[Event | Mapping[str, Any] | str],
        on_trigger: Callable[[Trigger], None] | None = None,
    ) -> Replay:
        fresh = Monitor.__new__(Monitor)
        fresh.__dict__.update(self.__dict__)
        fresh._households, fresh._history, fresh._latest, fresh._latest_ids = {}, {}, {}, {}
        fresh._assessed = self._assessed.fresh() if self._assessed is not None else None
        errors = fresh._track(households)
        spool = EventSpool()
        count = 0
        for i, raw in enumerate(events):
            count += 1
            try:
                spool.add(i, parse_event(_json_line(raw)))
            except FactsError as exc:
                errors += [dataclasses.replace(r, row=i) for r in exc.records]
        triggers: list[Trigger] = []
        rejected = count - spool.count
        for i, ev in spool.sorted():
            found, records = fresh._post(ev)
            if records:
                rejected += 1
                errors += [dataclasses.replace(r, row=i) for r in records]
            if on_trigger is None:
                triggers += found
            else:
                for t in found:
                    on_trigger(t)
        errors.sort(key=lambda r: -1 if r.row is None else r.row)  # households first, then the log's order
        return Replay(
            triggers, errors, dict(fresh._households), count, count - rejected, rejected, self.pack.identity()
        )

    def due(
        self,
        households: Iterable[Household | Mapping[str, Any] | str] | None = None,
        *,
        on: date,
        last_visits: Mapping[str, date] | None = None,
    ) -> list[Trigger]:
        """The scheduled triggers open on a date: age milestones, lost-contact re-evaluations, annual full
        assessments and overdue visits, computed from the facts' dates (the tracked households by default).

        Args:
            households: the households to look at, validated as :meth:`track` does.
            on: the date; nothing depends on the clock.
            last_visits: child id -> date of the last home visit, over ``Child.last_visit``.

        Raises:
            FactsError: some of the given households are invalid or repeat an id. Its records name every
                problem of every such household (``loc`` starts with ``households[i]``), and no trigger is
                computed. To go on past bad households, :meth:`track` them (it returns the same records and
                tracks the rest) and call ``due(on=...)`` without households, as ``riskeval triggers due`` does.
        """
        on = assessment_date(on)
        chosen: list[Household] | None = None
        if households is not None:
            chosen, records = _validated(households)
            if records:
                raise FactsError(records, f"{len(records)} problem(s) in the households")
        with self._lock:
            if chosen is None:
                chosen = list(self._households.values())
            return scheduled_triggers(self.pack, self.spec, chosen, on=on, last_visits=last_visits or {})

    # --- one event ---------------------------------------------------------------------------------
    def _post(self, ev: Event) -> tuple[list[Trigger], list[ErrorRecord]]:
        if ev.date > LATEST:  # its due date and its re-assessment's plan would run past the calendar's end
            message = f"date {ev.date} is too late to plan from (at most {LATEST})"
            return [], [ErrorRecord("date", "out_of_range", message, str(ev.date))]
        first = self._latest_ids.get(ev.household, {}).get(ev.id)
        if first is not None and first >= ev.date - self._id_window:
            message = f"event {ev.id!r} was already applied to household {ev.household!r} (dated {first})"
            return [], [ErrorRecord("id", "duplicate_id", message, ev.id)]
        hh = self._households.get(ev.household)
        if hh is None:
            return [], [
                ErrorRecord("household", "unknown_household", f"no tracked household {ev.household!r}", ev.household)
            ]
        latest = self._latest.get(hh.id)
        if latest is not None and ev.date < latest:
            message = (
                f"date {ev.date} is before {latest}, the date of the last event applied to household {hh.id!r},"
                " which already changed its facts"
            )
            return [], [ErrorRecord("date", "out_of_order", message, str(ev.date))]
        found = problems(hh, ev)
        if found:
            return [], found
        try:
            params = self.pack.params_on(ev.date)
        except FactsError as exc:  # the event's date is outside the pack's period: the record is the event's
            return [], [dataclasses.replace(r, loc="date") for r in exc.records]
        except EvaluationError as exc:
            return [], [ErrorRecord("date", "no_parameter_value", str(exc), str(ev.date))]
        after = updated(hh, ev)
        children = affected(after, ev)
        matched: dict[str, list[str]] = {}
        try:
            for child in children:
                ids = self._executor.match(Situation(after, child, ev, params))
                matched[child.id] = [i for i in ids if self.pack.trigger_rules[i].applies_on(ev.date)]
        except TriggerError as exc:
            return [], [ErrorRecord("type", "executor_error", f"event {ev.id}: {exc}", ev.type.value)]
        changes, after_evals = self._changes(hh, after, ev.date)
        trigger = self._decide(ev, after, children, matched, changes, after_evals)
        self._households[hh.id] = after
        seen = self._latest_ids.setdefault(hh.id, {})
        seen.pop(ev.id, None)  # an id reused after the window: its new date goes last
        seen[ev.id] = ev.date
        horizon = ev.date - self._id_window
        while next(iter(seen.values())) < horizon:  # applied in date order: the oldest first
            del seen[next(iter(seen))]
        self._latest[hh.id] = ev.date
        if ev.type.value in self._counted:
            # Events come in date order: one past the widest window can never be counted again.
            kept = [(d, t) for d, t in self._history.get(hh.id, ()) if ev.date - d <= self._widest]
            self._history[hh.id] = [*kept, (ev.date, ev.type.value)]
        return ([trigger] if trigger is not None else []), []

    def _changes(self, before: Household, after: Household, on: date) -> tuple[list[Change], dict[str, Evaluation]]:
        if self._assessed is None:
            return [], {}
        old, new = self._assessed.around(before, after, on)
        born = {c.id for c in born_by(after, on)}  # a child not yet born has no tier to change
        changes = [
            Change(
                child_id=a.child_id,
                tier_before=b.tier,
                tier_after=a.tier,
                categories_before=b.categories,
                categories_after=a.categories,
            )
            for b, a in zip(old, new, strict=True)
            if a.child_id in born
        ]
        return changes, {e.child_id: e for e in new}

    def _decide(
        self,
        ev: Event,
        after: Household,
        children: list[Any],
        matched: dict[str, list[str]],
        changes: list[Change],
        evals: dict[str, Evaluation],
    ) -> Trigger | None:
        rank, spec = self._rank, self.spec
        best: tuple[int, int, str] | None = None
        for ids in matched.values():
            for rid in ids:
                cand = (rank[self._rows[rid].urgency], self._order[rid], rid)
                best = cand if best is None or cand < best else best
        changed = [c.child_id for c in changes if c.changed]
        entering = {
            corr.id: [c.child_id for c in changes if c.tier_after == corr.tier and c.tier_before != corr.tier]
            for corr in spec.correlations
            if isinstance(corr, EntersTierCorrelation)
        }
        floor = self._floor
        if best is not None:
            row = self._rows[best[2]]
            urgency, rule_id = row.urgency, row.id
            child_ids = [c.id for c in children if matched.get(c.id)]
        elif changed and floor is not None:
            urgency, rule_id, child_ids = floor.at_least, floor.id, changed
        else:
            return None
        escalations: list[Escalation] = []
        for corr in spec.correlations:
            before = urgency
            if isinstance(corr, WindowCorrelation) and ev.type.value in corr.events:
                window = timedelta(days=corr.within_days)
                near = sum(
                    1 for d, t in self._history.get(ev.household, ()) if t in corr.events and abs(d - ev.date) <= window
                )
                if near + 1 >= corr.count:
                    urgency = self._levels[max(0, rank[urgency] - corr.escalate)]
            elif isinstance(corr, ChangesCorrelation) and changed and rule_id != corr.id:
                if rank[urgency] > rank[corr.at_least]:
                    urgency = corr.at_least
            elif isinstance(corr, EntersTierCorrelation) and entering[corr.id]:
                # A child the event leaves in this tier concerns the trigger, whatever the row matched.
                child_ids += [c for c in entering[corr.id] if c not in child_ids]
                if rank[urgency] > rank[corr.at_least]:
                    urgency = corr.at_least
            if urgency != before:
                escalations.append(
                    Escalation(rule_id=corr.id, urgency_from=before, urgency_to=urgency, reason=self._reasons[corr.id])
                )
        return Trigger(
            kind="event",
            event_id=ev.id,
            household_id=ev.household,
            child_ids=child_ids,
            urgency=urgency,
            due_date=self._due_date(ev.date, urgency, after, child_ids, evals),
            raised_on=ev.date,
            rule_id=rule_id,
            reason=self._reasons[rule_id],
            escalations=escalations,
            changes=changes,
        )

    def _due_date(
        self, start: date, urgency: str, hh: Household, child_ids: list[str], evals: dict[str, Evaluation]
    ) -> date:
        visits = (
            [
                v
                for c in hh.children
                if c.id in child_ids and (v := next_visit(self.pack, c, evals.get(c.id), c.last_visit)) is not None
            ]
            if evals and self.spec.urgencies[urgency].at_next_visit
            else []
        )
        return due_date(self.pack, self.spec, start, urgency, visits)


def _validated(households: Iterable[Household | Mapping[str, Any] | str]) -> tuple[list[Household], list[ErrorRecord]]:
    """The valid households, and a record for every problem of the others (``loc`` under ``households[i]``)."""
    valid: list[Household] = []
    records: list[ErrorRecord] = []
    seen: set[str] = set()
    for i, data in enumerate(households):
        try:
            hh = parse_household(data)
        except FactsError as exc:
            records += [dataclasses.replace(r, loc=_prefix(f"households[{i}]", r.loc)) for r in exc.records]
            continue
        if hh.id in seen:
            message = f"household id {hh.id!r} appears twice"
            records.append(ErrorRecord(f"households[{i}].id", "duplicate_id", message, hh.id))
            continue
        seen.add(hh.id)
        valid.append(hh)
    return valid, records


def _prefix(head: str, loc: str) -> str:
    return head if loc == "<root>" else f"{head}{loc}" if loc.startswith("[") else f"{head}.{loc}"


def _json_line(raw: Any) -> Any:
    if isinstance(raw, str | bytes) and not raw.strip():
        raise FactsError([ErrorRecord("<root>", "invalid_json", "an empty line", None)], "event: empty")
    return raw if not isinstance(raw, bytes) else loads(raw)
