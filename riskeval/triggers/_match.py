"""The two executors of trigger rows: riskeval's scalar closures, and durable-rules through its adapter.

Both read the same *situation*: one event, one child, and the household the event leaves behind,
as a scalar-evaluation context whose roots are the rule language's (child, father, mother,
caregiver, household, on) plus ``event`` (with the derived facts of EventFacts) and ``subject``.
Both answer with the ids of the rows that hold, in file order.

For durable-rules the situation is flattened to the fields the rows read (see ``riskeval.pack.expr.nnf``). Numbers are
passed as order-preserving codes: a field's value becomes ``2i`` when it equals the ``i``-th of the
constants the rules compare that field with (sorted), and an odd number between them otherwise. Every
comparison with those constants keeps its answer, exactly, whatever the value's precision, and the
engine sees ints only (it has no floats, and rounding money to the fen would move a boundary).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import date
from typing import Any

from riskeval.errors import TriggerError
from riskeval.evaluate.scalar import ABSENT, Compiler, Ctx
from riskeval.facts import Child, Event, Household, Member
from riskeval.pack import EventFacts, Pack, TriggersFile
from riskeval.pack.expr import nodes as A
from riskeval.pack.expr.nnf import IR, FieldRef, compile_condition, roots_for
from riskeval.pack.expr.types import BOOL
from riskeval.triggers import durable

Getter = Callable[[Ctx], Any]


class EventView:
    """The ``event`` root of a trigger condition: the event's fields, and facts derived for one child."""

    __slots__ = ("_event", "adults_home", "names_caregiver", "names_parent")

    def __init__(self, event: Event, household: Household, child: Child) -> None:
        self._event = event
        member = event.member
        self.names_caregiver: bool | None = None
        self.names_parent: bool | None = None
        self.adults_home: int | None = None
        if member is None:
            return
        if child.caregiver is not None:
            self.names_caregiver = member == child.caregiver
        if member in (child.father, child.mother):
            self.names_parent = True
        elif child.father is not None and child.mother is not None:
            self.names_parent = False
        self.adults_home = _adults_home(household.members, member)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._event, name)


def _adults_home(members: list[Member] | None, other_than: str) -> int | None:
    """Members other than one who live with the children and are present (Kleene: unknown if any is)."""
    if members is None:
        return None
    count, unknown = 0, False
    for m in members:
        if m.id == other_than:
            continue
        lives, status = m.lives_with_children, m.status
        if lives is False or (status is not None and status != "present"):
            continue
        if lives is True and status == "present":
            count += 1
        else:
            unknown = True
    return None if unknown else count


class Situation:
    """One event read for one child: the household after the event, the child, the parameters of its date.

    The evaluation context is built on first use: rows without a condition need none.
    """

    __slots__ = ("_ctx", "child", "event", "household", "params")

    def __init__(self, household: Household, child: Child, event: Event, params: dict[str, Any]) -> None:
        self.household, self.child, self.event, self.params = household, child, event, params
        self._ctx: Ctx | None = None

    @property
    def ctx(self) -> Ctx:
        """The context a trigger row is read in: roots child, father, ..., event and subject; on = the event date."""
        if self._ctx is None:
            ctx = self._ctx = Ctx(self.household, self.child, self.event.date, self.params)
            ctx.roles["event"] = EventView(self.event, self.household, self.child)
            ctx.roles["subject"] = self.household.member(self.event.member)
        return self._ctx


class RiskevalExecutor:
    """Trigger rows as scalar closures (the default executor)."""

    name = "riskeval"

    def __init__(self, pack: Pack, spec: TriggersFile) -> None:
        compiler = Compiler(pack)
        self.by_type: dict[str, list[tuple[str, Getter | None]]] = {}
        for row in spec.rules:
            node = pack.trigger_rules[row.id].node
            fn = None if isinstance(node, A.Const) and node.value is True else compiler.compile(node)
            self.by_type.setdefault(row.event, []).append((row.id, fn))

    def match(self, s: Situation) -> list[str]:
        """The ids of the rows of the event's type that hold, in file order."""
        return [rid for rid, fn in self.by_type.get(s.event.type.value, ()) if fn is None or fn(s.ctx) is True]


class _Ruleset:
    """The durable ruleset of one event type's rows, for one set of parameter values."""

    def __init__(self, matcher: Any, fields: list[FieldRef], codes: dict[str, list[Any]]) -> None:
        self.matcher = matcher
        self.fields = fields  # the fields its rows read
        self.codes = codes  # numeric field -> the sorted constants it is compared with


class DurableExecutor:
    """Trigger rows compiled to the condition IR and matched by durable-rules (``riskeval[durable]``).

    One ruleset per event type: a fact meets only the rows of its type (the engine's cost per fact
    grows with the size of the ruleset).
    """

    name = "durable"

    def __init__(self, pack: Pack, spec: TriggersFile) -> None:
        try:
            durable.host._load()
        except TriggerError as exc:
            raise ImportError(str(exc)) from None
        self._durable = durable.host
        self.pack = pack
        self.rows = [(row.id, row.event, pack.trigger_rules[row.id].node) for row in spec.rules]
        self.order = {row.id: i for i, row in enumerate(spec.rules)}
        self.predicates = {name: (r.args, r.node) for name, r in pack.predicates.items()}
        self.roots = roots_for(EventFacts)
        self.used: tuple[str, ...] | None = None
        self.rulesets: dict[tuple[Any, ...], dict[str, _Ruleset]] = {}
        self._by_date: dict[date, dict[str, _Ruleset]] = {}  # parameters are a function of the date
        compiler = Compiler(pack)
        self._memo_event: Event | None = None  # the situations of one event often flatten alike
        self._memo: dict[tuple[Any, ...], list[str]] = {}
        self._getters: dict[tuple[str, tuple[str, ...]], Getter] = {}
        self._compile_fact: Callable[[A.Node], Getter] = compiler.compile

    def _getter(self, ref: FieldRef) -> Getter:
        key = (ref.root, ref.path)
        fn = self._getters.get(key)
        if fn is None:
            fn = self._getters[key] = self._compile_fact(A.Fact(type=BOOL, root=ref.root, path=ref.path))
        return fn

    def ruleset(self, params: dict[str, Any]) -> dict[str, _Ruleset]:
        """The rulesets (by event type) for these parameter values, compiled and registered once."""
        key = tuple((n, repr(params.get(n))) for n in self.used) if self.used is not None else None
        found = self.rulesets.get(key) if key is not None else None
        if found is not None:
            return found
        by_type: dict[str, list[tuple[str, IR]]] = {}
        fields: dict[str, dict[str, FieldRef]] = {}
        used: set[str] = set()
        for rid, event_type, node in self.rows:
            compiled = compile_condition(node, predicates=self.predicates, params=params, roots=self.roots)
            used |= compiled.params
            ir: IR = ("all", [("cmp", "==", "event.type", event_type), compiled.ir])
            by_type.setdefault(event_type, []).append((rid, ir))
            fields.setdefault(event_type, {}).update(compiled.fields)
        out: dict[str, _Ruleset] = {}
        for event_type, named in by_type.items():
            found_codes: dict[str, set[Any]] = {}
            for _, ir in named:
                _constants(ir, found_codes)
            codes = {f: sorted(vs) for f, vs in found_codes.items()}
            label = f"triggers of {self.pack.id} {self.pack.version}: {event_type}"
            matcher = self._durable.DurableMatcher([(rid, _encode(ir, codes)) for rid, ir in named], name=label)
            out[event_type] = _Ruleset(matcher, list(fields[event_type].values()), codes)
        self.used = tuple(sorted(used))
        self.rulesets[tuple((n, repr(params.get(n))) for n in self.used)] = out
        return out

    def fact(self, s: Situation, ruleset: _Ruleset) -> dict[str, Any]:
        """The flat fact of a situation: the fields the rows of its event type read."""
        event = s.event
        fact: dict[str, Any] = {"event_id": event.id, "event.type": event.type.value}
        values: dict[tuple[str, tuple[str, ...]], Any] = {}
        for ref in ruleset.fields:
            key = (ref.root, ref.path)
            if key not in values:
                values[key] = self._getter(ref)(s.ctx)
            v = values[key]
            if ref.flag == "known":
                fact[ref.name] = v is not None
            elif ref.flag == "absent":
                if v is ABSENT:
                    fact[ref.name] = True
            elif v is None or v is ABSENT:
                continue
            elif ref.flag == "item":
                fact[ref.name] = ref.item in v
            elif isinstance(v, int | float) and not isinstance(v, bool):
                fact[ref.name] = _code(v, ruleset.codes.get(ref.name, []))
            else:
                fact[ref.name] = v
        return fact

    def match(self, s: Situation) -> list[str]:
        """The ids of the rows of the event's type that durable-rules finds true, in file order."""
        event = s.event
        rulesets = self._by_date.get(event.date)
        if rulesets is None:
            if len(self._by_date) > 4096:
                self._by_date.clear()
            rulesets = self._by_date[event.date] = self.ruleset(s.params)
        ruleset = rulesets.get(event.type.value)
        if ruleset is None:
            return []
        fact = self.fact(s, ruleset)
        if event is not self._memo_event:
            self._memo_event, self._memo = event, {}
        key: tuple[Any, ...] = (id(ruleset), *sorted((k, v) for k, v in fact.items() if k != "event_id"))
        names = self._memo.get(key)
        if names is None:
            names = self._memo[key] = sorted(ruleset.matcher.match(fact), key=self.order.__getitem__)
        return names


def _constants(ir: IR, out: dict[str, set[Any]]) -> None:
    if ir[0] == "cmp":
        value = ir[3]
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.setdefault(ir[2], set()).add(value)
    elif ir[0] in ("all", "any"):
        for part in ir[1]:
            _constants(part, out)


def _encode(ir: IR, codes: dict[str, list[Any]]) -> IR:
    if ir[0] == "cmp":
        value = ir[3]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return ("cmp", ir[1], ir[2], 2 * codes[ir[2]].index(value))
        return ir
    if ir[0] in ("all", "any"):
        return (ir[0], [_encode(p, codes) for p in ir[1]])
    return ir


def _code(value: float, constants: list[Any]) -> int:
    """``2i`` when value is the i-th constant; odd between constants (order kept with every one)."""
    i = bisect_left(constants, value)
    return 2 * i if i < len(constants) and constants[i] == value else 2 * i - 1


def executor(name: str, pack: Pack, spec: TriggersFile) -> RiskevalExecutor | DurableExecutor:
    """The executor called ``name``: "riskeval" (default) or "durable"."""
    if name == "riskeval":
        return RiskevalExecutor(pack, spec)
    if name == "durable":
        return DurableExecutor(pack, spec)
    raise ValueError(f"unknown executor {name!r}: expected 'riskeval' or 'durable'")
