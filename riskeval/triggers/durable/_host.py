"""The durable-rules executor of trigger conditions: the only module of riskeval that imports ``durable``.

durable-rules 2.0.28 (the last release) is a C engine with global state and defects that were measured here
(DESIGN.md, "Triggers, and durable-rules"). This adapter contains them; nothing of durable leaves it:

- **Threads.** The stock ``Host`` starts two timer threads in ``__init__`` that race the caller (wrong
  answers, segfaults). Our host overrides ``_run`` so none starts, and finds actions in our own registry.
- **Actions.** durable's action loop (``Ruleset.do_actions``) swallows an action's exception into
  ``state["exception"]`` and re-asserts the state after each action; it is not used. The adapter drives the
  engine's own calls (``start_action_for_state``, ``complete_and_start_action``), reads each fired rule's
  name and runs the action registered under it: an exception propagates as a TriggerError.
- **Sessions.** One fresh session per :meth:`DurableMatcher.match` (a uuid sid), deleted in ``finally`` also
  when nothing matched, under one module lock: at most one session is ever live, so neither the 1,024-session
  limit nor 32-bit sid-hash collisions can bite. The engine leaves two pointers of a new session slot
  uninitialised and frees them on delete, so a ruleset whose first session matched nothing may segfault in
  ``delete_state``: every ruleset has a sentinel rule and is warmed up with a fact that fires it.
- **Firing.** ``assert_fact`` (``post`` fires only one of several matching rules); "no rule matched" is an
  empty answer; every engine error code, ``MemoryError`` and a failing action become TriggerError, with the
  engine's exception reduced to text so that no durable object escapes.
- **Rulesets** are global and cannot be unloaded (about 200 KB each): each compiled ruleset is deep-copied
  (registration mutates it) and registered once, keyed by its content hash.

The durable-free parts sit beside it and run without the extra: ``_facts`` (values, names, the
property limit) and ``_ruleset`` (compiling conditions, the network limits).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from riskeval.errors import TriggerError
from riskeval.triggers.durable._facts import _ALWAYS, _WARM, Value, _describe, _items
from riskeval.triggers.durable._ruleset import _SENTINEL, Cond, _compile

MISSING_EXTRA = "durable-rules is not installed: pip install 'riskeval[durable]' (Python < 3.13)"
_ERROR_CODES = {
    1: "event not handled", 2: "event observed", 101: "out of memory", 102: "unexpected type",
    104: "unexpected value", 105: "unexpected name", 106: "rule limit exceeded",
    107: "exists limit exceeded", 108: "beta limit exceeded", 113: "expression limit exceeded",
    201: "parse value", 202: "parse string", 203: "parse number", 204: "parse object", 205: "parse array",
    302: "too many properties", 303: "matching stack full", 304: "too many messages in frame",
    309: "sid not found", 311: "property not found", 312: "operation not supported",
}  # fmt: skip


_LOCK = threading.Lock()
_FIRED: list[int] = []
_ACTIONS: dict[str, Callable[[Any], None]] = {}  # durable rule name -> action
_REGISTERED: dict[str, tuple[str, int]] = {}  # content hash -> (durable ruleset name, engine handle)
_GENERATION = itertools.count()  # names stay unique even when a ruleset is registered again
_engine: Any = None  # (the C module durable_rules_engine, our host), once durable is imported


def _new_sid() -> str:
    return uuid.uuid4().hex


def _load() -> Any:
    """Import durable and create the one host, with its timer threads off. Call under _LOCK."""
    global _engine
    if _engine is None:
        try:
            from durable import engine
        except ImportError:
            raise TriggerError(MISSING_EXTRA) from None

        class _Host(engine.Host):  # type: ignore[misc]  # durable is untyped
            def _run(self) -> None:
                """Start nothing: the stock host starts two timer threads here that race the caller."""

            def get_action(self, action_name: str) -> Callable[[Any], None]:
                return _ACTIONS[action_name]

            def load_ruleset(self, ruleset_name: str) -> Any:
                raise TriggerError(f"durable ruleset {ruleset_name!r} is not registered")

        _engine = (engine.durable_rules_engine, _Host())  # the C module, and our host
    return _engine


def _ignore(c: Any) -> None:
    """The sentinel rule's action."""


def _action(index: int) -> Callable[[Any], None]:
    def action(c: Any) -> None:
        _FIRED.append(index)

    return action


def _engine_error(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    code = text.rsplit("error code: ", 1)[-1]
    meaning = _ERROR_CODES.get(int(code)) if code.isdigit() else None
    return f"{type(exc).__name__}: {text} ({meaning})" if meaning else f"{type(exc).__name__}: {text}"


class _SessionLeftError(Exception):
    """A session could not be deleted: its ruleset may hold a live session."""


def _run_session(handle: int, message: dict[str, Value]) -> None:
    """Assert one fact in a fresh session, run the actions of every rule it fires, delete the session.

    The engine's own action loop (``Ruleset.do_actions``) is not used: it swallows exceptions into the
    session state and re-asserts the state after each action. Here each fired rule's name is read from the
    engine's result and its action resolved in our registry; an action that raises simply propagates.
    Call under _LOCK.
    """
    dre = _engine[0]
    sid = str(message["sid"])
    failed = True
    try:
        code, state = dre.assert_fact(handle, json.dumps(message, ensure_ascii=False))
        if code not in (0, 1):  # 1: no rule matched (an empty answer; the session exists all the same)
            raise TriggerError(f"assert_fact returned {code} ({_ERROR_CODES.get(code, 'unknown')})")
        result = dre.start_action_for_state(handle, state) if code == 0 else None
        text = result[1] if result else None
        while text:  # {"<rule name>": <the fact>}
            if not text.startswith('{"'):
                raise TriggerError(f"unexpected action result {text[:60]!r}")
            try:
                _ACTIONS[text[2 : text.index('"', 2)]](None)
            except BaseException:
                dre.abandon_action(handle, state)
                raise
            text = dre.complete_and_start_action(handle, state)
        failed = False
    finally:
        try:
            dre.delete_state(handle, sid)
        except Exception as exc:
            if not failed:  # else the failed assert may not have created the session
                raise _SessionLeftError(_engine_error(exc)) from None


def _register(ruleset: dict[str, Any], label: str) -> tuple[str, int]:
    """Register a compiled ruleset once per content and warm its first session slot. Call under _LOCK."""
    host = _load()[1]
    digest = hashlib.sha256(json.dumps(ruleset, sort_keys=True).encode()).hexdigest()
    known = _REGISTERED.get(digest)
    if known is not None:
        return known
    name = f"riskeval_{digest[:24]}_{next(_GENERATION)}"
    for rule in ruleset:
        _ACTIONS.setdefault(rule, _action(int(rule[1:].split("_")[0])) if rule != _SENTINEL else _ignore)
    error = None
    try:
        host.register_rulesets({name: copy.deepcopy(ruleset)})  # registration deletes "run" keys
        handle = host.get_ruleset(name)._handle
        # the engine leaves a new session slot half-initialised until an action has run in it
        _run_session(handle, {"sid": _new_sid(), _WARM: True})
    except Exception as exc:
        error = f"{label}: durable-rules could not register the ruleset: {_engine_error(exc)}"
    finally:
        _FIRED.clear()
    if error is not None:
        raise TriggerError(error)
    _REGISTERED[digest] = (name, handle)
    return name, handle


def _forget(ruleset: str) -> None:
    for digest, (name, _) in list(_REGISTERED.items()):
        if name == ruleset:
            del _REGISTERED[digest]


class DurableMatcher:
    """Evaluates named trigger conditions on flat facts with durable-rules.

    ``DurableMatcher([("died", ("cmp", "==", "type", "parent_died"))]).match({"type": "parent_died"})`` gives
    ``['died']`` (tests/test_durable_adapter.py holds matchers like it, run where durable-rules imports).
    """

    def __init__(self, rules: Sequence[tuple[str, Cond]], name: str | None = None) -> None:
        self.label = name or "durable ruleset"
        self._ruleset, self._kinds = _compile(rules)
        self.names: tuple[str, ...] = tuple(rule[0] for rule in rules)
        self._durable: tuple[str, int] | None = None
        with _LOCK:
            self._durable = _register(self._ruleset, self.label)

    def __repr__(self) -> str:
        return f"DurableMatcher({self.label!r}, {len(self.names)} rules)"

    def match(self, fact: Mapping[str, object]) -> list[str]:
        """Return the sorted names of all rules whose condition is definitely true for the fact.

        A missing or None field is unknown: every comparison on it is not true.
        """
        message: dict[str, Value] = {}
        for name, kind, value in _items(fact):
            known = self._kinds.get(name)
            if known is None:
                continue  # no rule reads it: it stays out of the engine
            if known[0] != kind:
                raise TriggerError(f"{_describe(fact)}: {known[1]!r} is {kind} but the rules compare it as {known[0]}")
            message[name] = value
        message[_ALWAYS] = True
        error = None
        with _LOCK:
            if self._durable is None:
                self._durable = _register(self._ruleset, self.label)
            message["sid"] = _new_sid()
            _FIRED.clear()
            try:
                _run_session(self._durable[1], message)
            except _SessionLeftError as exc:
                error = f"could not delete its session: {exc}"
                _forget(self._durable[0])  # a ruleset that may hold a live session is never used again
                self._durable = None
            except Exception as exc:
                error = _engine_error(exc)
            fired = sorted({self.names[i] for i in _FIRED})
            _FIRED.clear()
        if error is not None:
            raise TriggerError(f"{self.label}: durable-rules failed on {_describe(fact)}: {error}")
        return fired
