"""The format of a pack's ``triggers.yaml``, and its load-time compilation.

triggers.yaml holds, each entry with a ``source``:

- ``urgencies``: id -> {label, deadline: exactly one of working_days | calendar_days | hours,
  at_next_visit}, highest first. ``at_next_visit`` makes the deadline the child's next scheduled
  visit, when that comes sooner.
- ``rules``: rows {id, event, urgency, when?, label, reason, source, effective?}. A row fires on an
  event of its type when its ``when`` holds; every event type has at least one row. ``when`` is the
  rule language with two more roots: ``event`` (the event's fields, and the derived facts of
  :class:`EventFacts`) and ``subject`` (the member the event names). The household is the one the
  event leaves behind. A condition compares facts with values (the durable executor runs it too).
- ``correlations``: ``kind: window`` escalates an event's urgency by ``escalate`` levels when
  ``count`` events of the listed types fall within ``within_days`` for one household; ``kind:
  changes`` makes an event that changes a category or the tier at least ``at_least`` urgent; ``kind:
  enters_tier`` makes an event after which a child is in ``tier``, and was not before, at least ``at_least``
  urgent (whatever the event's own row says).
- ``scheduled``: the triggers that come from dates alone: age ``milestones`` (the ages and lead
  time are schedule.yaml's), the ``lost_contact`` re-evaluation ``after_months`` (a parameter name)
  after the police report, the annual ``full_assessment`` (the interval is schedule.yaml's, raised
  ``lead_days`` ahead), and ``visit_overdue`` when a visit is more than ``grace_days`` late.
  Reasons may name ``{age}``, ``{date}``, ``{months}`` or ``{days}`` as each section lists.
"""

from __future__ import annotations

import difflib
import string
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from riskeval._label import Label
from riskeval._limits import MAX_MEMBERS, MAX_PACK_COUNT, MAX_PACK_DAYS, MAX_PACK_MONTHS
from riskeval.facts import Event, EventType, event_kinds
from riskeval.pack._files import Effective, Parameter, RuleId, Source
from riskeval.pack._model import Rule
from riskeval.pack._params import type_of
from riskeval.pack._read import KINDS
from riskeval.pack._yaml import Located, Mark
from riskeval.pack.expr import ExprError, Scope, parse, suggest
from riskeval.pack.expr import nodes as A
from riskeval.pack.expr.nnf import IRError, compile_condition, roots_for
from riskeval.pack.expr.types import BOOL, MEMBER, Type
from riskeval.schedule import Deadline


class EventFacts(Event):
    """What a trigger condition reads as ``event``: the event, and facts derived from its household.

    Built by the monitor without validation (``model_construct``); the event itself was validated.
    """

    names_caregiver: bool | None = Field(
        default=None,
        description="the member the event names is the child's caregiver (unknown: no caregiver on record)",
    )
    names_parent: bool | None = Field(
        default=None, description="the member the event names is the child's father or mother"
    )
    adults_home: int | None = Field(
        default=None,
        ge=0,
        le=MAX_MEMBERS,
        description="members other than the one named who live with the children and are present, after the event",
    )  # fmt: skip


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Urgency(_Spec):
    """One urgency level and its deadline."""

    label: Label = Field(description="The name in zh and en.")
    deadline: Deadline = Field(description="with its source")
    at_next_visit: bool = Field(
        default=False,
        description="The deadline is the child's next scheduled visit when that comes sooner.",
        examples=[False],
    )


class TriggerRow(_Spec):
    """One row of ``rules``: an event type, the urgency it raises, and when."""

    id: RuleId = Field(description="The rule's id, unique in the pack.", examples=["school_dropout"])
    event: str = Field(
        description="The event type the row fires on (every type has at least one row).", examples=["school_dropout"]
    )
    urgency: str = Field(
        description=(
            "The urgency it raises: an urgency id of this file (the default pack: U0 same day, U1 3 working days, U2 "
            "10 working days, U3 at the next visit)."
        ),
        examples=["U1"],
    )
    when: str | None = Field(
        default=None,
        description=(
            "When the row fires on such an event; absent: always. The rule language with two more roots: event (its "
            "fields and names_caregiver, names_parent, adults_home) and subject (the member it names)."
        ),
        examples=["event.months >= params.child_support_months"],
    )
    label: Label = Field(description="The name in zh and en.")
    reason: Label = Field(description="Why, in zh and en, as the trigger says it.")
    source: Source
    effective: Effective | None = Field(
        default=None, description="The dates the row applies between; absent: the whole pack period."
    )
    note: str | None = Field(default=None, description="A remark for the reader of the pack; absent: none.")


class WindowCorrelation(_Spec):
    """Several events of the listed types within a window escalate the urgency."""

    id: RuleId = Field(description="The rule's id, unique in the pack.", examples=["school_dropout"])
    kind: Literal["window"] = Field(description="window.", examples=["window"])
    events: list[str] = Field(
        min_length=1,
        description="The event types that count.",
        examples=[["job_lost", "dibao_changed", "child_support_stopped"]],
    )
    within_days: int = Field(ge=0, le=MAX_PACK_DAYS, description="The window's length in calendar days.", examples=[90])
    count: int = Field(
        ge=2,
        le=MAX_PACK_COUNT,
        description="How many such events within the window escalate (at least 2).",
        examples=[2],
    )
    escalate: int = Field(ge=1, le=MAX_PACK_COUNT, description="By how many urgency levels.", examples=[1])
    label: Label = Field(description="The name in zh and en.")
    reason: Label = Field(description="Why, in zh and en.")
    source: Source


class ChangesCorrelation(_Spec):
    """An event that changes a category or the tier is at least this urgent."""

    id: RuleId = Field(description="The rule's id, unique in the pack.", examples=["school_dropout"])
    kind: Literal["changes"] = Field(description="changes.", examples=["changes"])
    at_least: str = Field(
        description="The urgency an event that changes a category or the tier gets at least.", examples=["U1"]
    )
    label: Label = Field(description="The name in zh and en.")
    reason: Label = Field(description="Why, in zh and en.")
    source: Source


class EntersTierCorrelation(_Spec):
    """An event after which a child is in ``tier`` and was not before it is at least this urgent."""

    id: RuleId = Field(description="The rule's id, unique in the pack.", examples=["school_dropout"])
    kind: Literal["enters_tier"] = Field(description="enters_tier.", examples=["enters_tier"])
    tier: str = Field(description="a tier id of tiers.yaml")
    at_least: str = Field(description="The urgency such an event gets at least.", examples=["U0"])
    label: Label = Field(description="The name in zh and en.")
    reason: Label = Field(description="Why, in zh and en.")
    source: Source


Correlation = Annotated[WindowCorrelation | ChangesCorrelation | EntersTierCorrelation, Field(discriminator="kind")]


class _Scheduled(_Spec):
    id: RuleId = Field(description="The rule's id, unique in the pack.", examples=["school_dropout"])
    urgency: str = Field(
        description=(
            "The urgency it raises: an urgency id of this file (the default pack: U0 same day, U1 3 working days, U2 "
            "10 working days, U3 at the next visit)."
        ),
        examples=["U1"],
    )
    label: Label = Field(description="The name in zh and en.")
    reason: Label = Field(
        description="Why, in zh and en; may name the fields the section lists ({age}, {date}, {months}, {days})."
    )
    source: Source


class MilestoneTrigger(_Scheduled):
    """Age milestones: ages and lead time come from schedule.yaml. Reason fields: {age}, {date}."""


class LostContactTrigger(_Scheduled):
    """The FUS re-evaluation ``after_months`` (a parameter) after the police report. Fields: {months}, {date}."""

    after_months: str = Field(
        description="A parameter name: the months after the police report when the lost contact is re-evaluated.",
        examples=["lost_contact_min_months"],
    )
    lead_days: int = Field(
        default=0, ge=0, le=MAX_PACK_DAYS, description="How many days ahead it is raised.", examples=[0]
    )


class FullAssessmentTrigger(_Scheduled):
    """The annual full assessment, raised ``lead_days`` ahead. Fields: {date}."""

    lead_days: int = Field(
        ge=0, le=MAX_PACK_DAYS, description="How many days before it is due it is raised.", examples=[30]
    )


class VisitOverdueTrigger(_Scheduled):
    """A cadence visit missed by more than ``grace_days``. Fields: {days}, {date}."""

    grace_days: int = Field(
        ge=0, le=MAX_PACK_DAYS, description="How many days late a visit may be before it is raised.", examples=[14]
    )


class ScheduledSpec(_Spec):
    milestones: MilestoneTrigger = Field(description="Age milestones (ages and lead time are schedule.yaml's).")
    lost_contact: LostContactTrigger = Field(description="The re-evaluation of a parent's lost contact.")
    full_assessment: FullAssessmentTrigger = Field(description="The annual full assessment.")
    visit_overdue: VisitOverdueTrigger = Field(description="A visit more than grace_days late.")


class TriggersFile(_Spec):
    """The content of ``triggers.yaml``."""

    urgencies: dict[str, Urgency] = Field(min_length=1, description="highest first")
    rules: list[TriggerRow] = Field(min_length=1, description="The rows: event type -> urgency, when.")
    correlations: list[Correlation] = Field(
        default_factory=list,
        description="Rules over several events or the assessment's change: window, changes, enters_tier.",
    )
    scheduled: ScheduledSpec = Field(description="The triggers that come from dates alone.")

    def rank(self, urgency: str) -> int:
        """0 for the most urgent level, growing downward."""
        return list(self.urgencies).index(urgency)

    def row(self, rule_id: str) -> TriggerRow:
        return next(r for r in self.rules if r.id == rule_id)


_PLACEHOLDERS: dict[str, set[str]] = {
    "milestones": {"age", "date"},
    "lost_contact": {"months", "date"},
    "full_assessment": {"date"},
    "visit_overdue": {"days", "date"},
}
EVENT_TYPE = Type("record", model=EventFacts)


def trigger_scope(
    params: dict[str, Type], param_values: dict[str, list[Any]], predicates: dict[str, int], failed: Any = ()
) -> Scope:
    """What a trigger condition may name: the rule language's roots, ``event`` and ``subject``. ``failed``:
    the pack files that could not be read, whose names are not reported again as unknown."""
    unchecked = frozenset(kind for stem, kind in KINDS.items() if stem in failed)
    scope = Scope(
        params=params, param_values=param_values, predicates=predicates, categories=set(), factors=set(),
        unchecked=unchecked,
    )  # fmt: skip
    return scope.with_bound({"event": EVENT_TYPE, "subject": MEMBER})


def compile_triggers(
    loader: Any, doc: Located | None, tier_ids: list[str] | None = None
) -> tuple[TriggersFile | None, dict[str, Rule]]:
    """Check and compile triggers.yaml: every problem goes to the loader, located; returns (spec, rows)."""

    spec = loader.model(doc, TriggersFile)
    if spec is None or doc is None:
        return None, {}
    params, first_values = _parameters(loader)
    predicates = _predicates(loader, params, first_values)
    scope = trigger_scope(
        {n: t for n, (t, _) in params.items()},
        {n: [v.value for v in p.values] for n, (_, p) in params.items()},
        {name: len(args) for name, (args, _) in predicates.items()},
        loader.failed,
    )
    urgencies = list(spec.urgencies)

    def check_urgency(value: str, loc: tuple[str | int, ...]) -> None:
        if value not in urgencies:
            known = ", ".join(urgencies)
            message = f"no urgency {value!r}{suggest(value, urgencies)}; the pack's: {known}"
            loader.problem(doc.mark(loc), "unknown_name", message)

    def check_event(value: str, loc: tuple[str | int, ...]) -> bool:
        known = [t.value for t in EventType]
        if value in known:
            return True
        loader.problem(doc.mark(loc), "unknown_event_type", f"no event type {value!r}{suggest(value, known)}")
        return False

    rules: dict[str, Rule] = {}
    seen: set[str] = set()
    for i, row in enumerate(spec.rules):
        loc: tuple[str | int, ...] = ("rules", i)
        if row.id in seen:
            loader.problem(doc.mark((*loc, "id")), "duplicate_id", f"trigger rule id {row.id!r} is used twice")
        seen.add(row.id)
        check_urgency(row.urgency, (*loc, "urgency"))
        if not check_event(row.event, (*loc, "event")):
            continue
        node: A.Node | None = A.Const(type=BOOL, mark=doc.mark(loc), value=True)
        if row.when is not None:
            node = loader.expr("trigger", row.id, row.when, doc, (*loc, "when"), scope)
        if node is None:
            continue
        rule = Rule("trigger", row.id, row.label, row.source, node, doc.mark(loc), row.effective, text=row.when or "")
        if row.when is not None:
            _check_kinds(loader, rule, EventType(row.event))
            loader.never_fires(rule)
            try:
                compile_condition(node, predicates=predicates, params=first_values, roots=roots_for(EventFacts))
            except IRError as exc:
                mark = exc.node.mark if exc.node is not None and exc.node.mark else doc.mark((*loc, "when"))
                loader.problem(mark, "not_portable", f"trigger {row.id}: {exc.message}", row.when)
        rules[row.id] = rule
    # A misspelt event type is reported once, with a suggestion: not again as the type it left uncovered.
    covered = {_meant(r.event) for r in spec.rules}
    for t in EventType:
        if t.value not in covered:
            message = f"event type {t.value!r} has no trigger row: add one (its urgency, and a source)"
            loader.problem(doc.mark(("rules",)), "missing_event_type", message)
    for i, corr in enumerate(spec.correlations):
        if isinstance(corr, WindowCorrelation):
            for j, name in enumerate(corr.events):
                check_event(name, ("correlations", i, "events", j))
        else:
            check_urgency(corr.at_least, ("correlations", i, "at_least"))
        if isinstance(corr, EntersTierCorrelation) and tier_ids is not None and corr.tier not in tier_ids:
            message = f"no tier {corr.tier!r}{suggest(corr.tier, tier_ids)}; the pack's: {', '.join(tier_ids)}"
            loader.problem(doc.mark(("correlations", i, "tier")), "unknown_name", message)
    for key in _PLACEHOLDERS:
        entry = getattr(spec.scheduled, key)
        check_urgency(entry.urgency, ("scheduled", key, "urgency"))
        for lang in ("zh", "en"):
            reason: str = getattr(entry.reason, lang)
            for _, placeholder, _, _ in string.Formatter().parse(reason):
                if placeholder is not None and placeholder not in _PLACEHOLDERS[key]:
                    allowed = sorted(_PLACEHOLDERS[key])
                    message = f"scheduled.{key}: the reason may name {allowed}, not {{{placeholder}}}"
                    loader.problem(doc.mark(("scheduled", key, "reason", lang)), "unknown_name", message)
    months = spec.scheduled.lost_contact.after_months
    if "parameters" in loader.failed:  # its own problem is reported; a name in it cannot be checked
        pass
    elif months not in params or params[months][0].kind != "number":
        loader.problem(
            doc.mark(("scheduled", "lost_contact", "after_months")),
            "unknown_param",
            f"after_months: no number parameter {months!r}{suggest(months, params)}",
        )
    else:
        loader.param_uses.setdefault(months, doc.mark(("scheduled", "lost_contact", "after_months")))
        for v in params[months][1].values:  # a number of months, added to a date: whole, and in range
            if not isinstance(v.value, int) or isinstance(v.value, bool) or not 0 <= v.value <= MAX_PACK_MONTHS:
                loader.problem(
                    doc.mark(("scheduled", "lost_contact", "after_months")),
                    "number_range",
                    f"after_months: parameter {months!r} is {v.value!r} from {v.from_}; expected whole months "
                    f"from 0 to {MAX_PACK_MONTHS}",
                    v.value if isinstance(v.value, int | float) else None,
                )
    return spec, rules


def _meant(event_type: str) -> str:
    """The event type a row names, or the one it most likely meant."""
    known = [t.value for t in EventType]
    close = difflib.get_close_matches(event_type, known, n=1, cutoff=0.6)
    return event_type if event_type in known or not close else close[0]


def _parameters(loader: Any) -> tuple[dict[str, tuple[Type, Parameter]], dict[str, Any]]:
    """The pack's parameters, read quietly: the loader reports their own problems."""
    out: dict[str, tuple[Type, Parameter]] = {}
    first: dict[str, Any] = {}
    doc = loader.docs.get("parameters")
    if doc is None or not isinstance(doc.data, dict):
        return out, first
    for name, raw in doc.data.items():
        try:
            p = Parameter.model_validate(raw)
        except ValueError:
            continue
        t = type_of(p)
        if t is not None:
            out[name] = (t, p)
            first[name] = p.values[0].value
    return out, first


def _predicates(
    loader: Any, params: dict[str, tuple[Type, Parameter]], first: dict[str, Any]
) -> dict[str, tuple[tuple[str, ...], A.Node]]:
    """The predicates a trigger may call, parsed quietly (the loader reports their own problems)."""
    doc = loader.docs.get("predicates")
    rows = doc.data if doc is not None and isinstance(doc.data, list) else []
    arity = {r["id"]: len(r.get("args") or []) for r in rows if isinstance(r, dict) and isinstance(r.get("id"), str)}
    scope = trigger_scope(
        {n: t for n, (t, _) in params.items()}, {n: [v.value for v in p.values] for n, (_, p) in params.items()}, arity
    )
    out: dict[str, tuple[tuple[str, ...], A.Node]] = {}
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("when"), str) or row.get("id") not in arity:
            continue
        args = tuple(str(a) for a in row.get("args") or [])
        try:
            node = parse(row["when"], Mark("predicates.yaml", 1, 1), scope.with_bound(dict.fromkeys(args, MEMBER)))
        except ExprError:
            continue
        out[row["id"]] = (args, node)
    return out


def _check_kinds(loader: Any, rule: Rule, event_type: EventType) -> None:
    """A literal compared with ``event.kind`` must be a kind of the row's event type."""
    kinds = event_kinds(event_type)
    for n in A.walk(rule.node):
        literals: list[A.Const] = []
        if isinstance(n, A.Compare):
            sides = (n.left, n.right)
            if any(isinstance(s, A.Fact) and s.root == "event" and s.path == ("kind",) for s in sides):
                literals = [s for s in sides if isinstance(s, A.Const)]
        elif isinstance(n, A.In) and isinstance(n.item, A.Fact) and n.item.root == "event" and n.item.path == ("kind",):
            literals = [s for s in n.items if isinstance(s, A.Const)]
        for lit in literals:
            if lit.value not in kinds:
                allowed = ", ".join(kinds) or "none"
                loader.problem(
                    lit.mark or rule.mark,
                    "enum",
                    f"trigger {rule.id}: {lit.value!r} is not a kind of {event_type.value}"
                    f"{suggest(str(lit.value), kinds)}; allowed: {allowed}",
                )


def deadline_days(deadline: Deadline) -> tuple[str, int]:
    """("working", n) or ("calendar", n): hours become calendar days rounded up, as in schedule.py."""
    if deadline.working_days is not None:
        return "working", deadline.working_days
    if deadline.calendar_days is not None:
        return "calendar", deadline.calendar_days
    return "calendar", -(-(deadline.hours or 0) // 24)
