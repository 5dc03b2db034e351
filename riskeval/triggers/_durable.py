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
- **Values.** Only ints (within int64: bigger ones saturate silently), bools and strings reach the engine:
  no floats (their printing is rejected or matches nothing); dates are day numbers, money is integer fen. A
  field has one kind in the rules and the facts (int, money and date are different scales). Strings are
  compared for equality only: the engine orders them with ``strncmp`` over its raw JSON buffer, so
  ``"a" < "a!"`` is false and escaped characters sort wrong; beyond 65,535 bytes even equality is wrong.
- **Names.** Every fact key is prefixed with ``f_``, so a caller's ``sid``, ``id`` or ``$s`` cannot clash
  with the engine's; keys starting with ``$`` are rejected. The engine finds properties by a 32-bit FNV hash
  of the name: a key whose hash is that of a reserved name or of another rule field is rejected too.
- **Limits.** At most 250 known properties per fact (the engine stops at 254 with sid and id). Conditions
  compile to one durable rule per disjunct (DNF), and the alpha network that builds is simulated at compile
  time to reject what would hang (511 tests under one node loop forever), fail to register (256 rules on
  one node) or overflow the 64-slot matching stack at run time.
- **Rulesets** are global and cannot be unloaded (about 200 KB each): each compiled ruleset is deep-copied
  (registration mutates it) and registered once, keyed by its content hash.
"""

from __future__ import annotations

import copy
import enum
import functools
import hashlib
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, TypeAlias

from riskeval.errors import TriggerError

Value: TypeAlias = int | str | bool
Cond: TypeAlias = tuple[Any, ...]
"""``("all", [Cond])`` | ``("any", [Cond])`` | ``("cmp", op, field, value)`` | ``("true",)``, in NNF."""

MISSING_EXTRA = "durable-rules is not installed: pip install 'riskeval[durable]' (Python < 3.13)"

MAX_PROPERTIES = 250
MAX_CHILDREN = 400  # the engine loops forever when a node has 511 children (measured)
MAX_RULES_PER_NODE = 200  # 256 rules ending on one node fail to register (error 108)
MAX_STACK = 60  # the engine's matching stack holds 64 nodes (error 303)
MAX_DISJUNCTS = 256  # per rule, after DNF expansion
MAX_STRING_BYTES = 65_535
_INT64 = (-(2**63), 2**63 - 1)
_SHORT = MAX_STRING_BYTES // 6  # a string this short cannot exceed the limit, even with every char escaped
_PREFIX = "f_"
_ALWAYS = "always"  # internal key, true in every message: the target of ("true",)
_WARM = "warm"  # internal key, only in the warm-up message: the target of the sentinel rule
_SENTINEL = "w"
_OPS = {"==": "", "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_OP_LIST = " ".join(_OPS)
_ORDERING = frozenset({"<", "<=", ">", ">="})
_ERROR_CODES = {
    1: "event not handled", 2: "event observed", 101: "out of memory", 102: "unexpected type",
    104: "unexpected value", 105: "unexpected name", 106: "rule limit exceeded",
    107: "exists limit exceeded", 108: "beta limit exceeded", 113: "expression limit exceeded",
    201: "parse value", 202: "parse string", 203: "parse number", 204: "parse object", 205: "parse array",
    302: "too many properties", 303: "matching stack full", 304: "too many messages in frame",
    309: "sid not found", 311: "property not found", 312: "operation not supported",
}  # fmt: skip


def _fnv1a32(name: str) -> int:
    """Return the engine's hash of a property name (FNV-1a over the raw JSON bytes, C ``char`` signed)."""
    h = 0x811C9DC5
    for byte in json.dumps(name, ensure_ascii=False)[1:-1].encode():
        h = ((h ^ (byte - 256 if byte > 127 else byte)) & 0xFFFFFFFF) * 16777619 & 0xFFFFFFFF
    return h


_RESERVED_NAMES = (
    "sid id $s $i $m $l $r $forward $lt $lte $gt $gte $eq $neq $ex $nex $or $and $mt $imt $iall $iany "
    "$add $sub $mul $div all any pri count cap dist name m run " + f"{_ALWAYS} {_WARM}"
).split()
_RESERVED_HASHES = {_fnv1a32(n): n for n in _RESERVED_NAMES}


@functools.lru_cache(maxsize=4096)
def _engine_key(key: object) -> str:
    """Return the engine's name for a fact key, or raise if the engine could misread it."""
    if not isinstance(key, str) or not key:
        raise TriggerError(f"field {key!r}: expected a non-empty str")
    if key.startswith("$"):
        raise TriggerError(f"field {key!r}: keys starting with '$' are reserved by durable-rules")
    name = _PREFIX + key
    if len(json.dumps(name, ensure_ascii=False).encode("utf-8", "surrogatepass")) > 1024:
        raise TriggerError(f"field {key[:40]!r}...: longer than 1,022 bytes")
    clash = _RESERVED_HASHES.get(_fnv1a32(name))
    if clash is not None:
        raise TriggerError(f"field {key!r}: its engine hash equals that of the reserved name {clash!r}")
    return name


def _kind_and_value(key: str, value: object) -> tuple[str, Value]:
    """Return the kind (bool, int, str, date, money) and the engine value of one fact value."""
    if type(value) is str and len(value) <= _SHORT:  # the common cases first, by exact type
        try:
            value.encode()
        except UnicodeEncodeError:
            raise TriggerError(f"field {key!r}: string {value!r:.40} is not valid Unicode") from None
        return "str", value
    if type(value) is bool:
        return "bool", value
    if type(value) is int and _INT64[0] <= value <= _INT64[1]:
        return "int", value
    if isinstance(value, enum.Enum):
        return _kind_and_value(key, value.value)
    if isinstance(value, int):  # an int subclass, or an int beyond int64
        if not _INT64[0] <= value <= _INT64[1]:
            raise TriggerError(f"field {key!r}: int {value} is outside int64 (the engine saturates it)")
        return "int", int(value)
    if isinstance(value, str):
        raw = json.dumps(value, ensure_ascii=False)
        try:
            size = len(raw.encode("utf-8")) - 2
        except UnicodeEncodeError:
            raise TriggerError(f"field {key!r}: string {value[:40]!r} is not valid Unicode") from None
        if size > MAX_STRING_BYTES:
            raise TriggerError(f"field {key!r}: a string of {size} bytes; the engine compares 65,535")
        return "str", str(value)
    if isinstance(value, datetime):
        raise TriggerError(f"field {key!r}: datetime {value} is not supported, pass a date")
    if isinstance(value, date):
        return "date", value.toordinal()
    if isinstance(value, float | Decimal):
        amount = _decimal(value)
        if not amount.is_finite():
            raise TriggerError(f"field {key!r}: {value} is not a finite number")
        fen = int((amount * 100).to_integral_value(ROUND_HALF_EVEN))
        if not _INT64[0] <= fen <= _INT64[1]:
            raise TriggerError(f"field {key!r}: {value} is outside int64 once in fen")
        return "money", fen
    raise TriggerError(
        f"field {key!r}: unsupported {type(value).__name__} {value!r:.60}; expected int, str, bool, date, "
        "Decimal, float, an enum of these, or None"
    )


def _decimal(value: object) -> Decimal:
    """Read a float by its shortest repr (``0.1`` is 0.1, not 0.1000000000000000055...)."""
    if isinstance(value, enum.Enum):
        return _decimal(value.value)
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def _items(fact: Mapping[str, object]) -> Iterator[tuple[str, str, Value]]:
    """Yield (engine key, kind, engine value) for every known value of a fact."""
    count = 0
    for key, value in fact.items():
        if value is None:
            continue
        count += 1
        if count > MAX_PROPERTIES:
            raise TriggerError(f"fact has more than {MAX_PROPERTIES} known properties (durable-rules limit)")
        name = _engine_key(key)
        kind, engine_value = _kind_and_value(key, value)
        yield name, kind, engine_value


def normalise_fact(fact: Mapping[str, object]) -> dict[str, Value]:
    """Return the engine form of a flat fact: keys prefixed with ``f_``, unknown (None) values left out.

    Dates become day numbers (``date.toordinal()``), Decimal and float money integer fen (rounded half to
    even), enums their value, bools and ints stay. Anything else (NaN, infinity, containers, datetimes,
    ints beyond int64, keys starting with ``$``, more than 250 known properties) raises TriggerError naming
    the key.

    >>> normalise_fact({"income": Decimal("1500.005"), "status": None, "id": 7})
    {'f_income': 150000, 'f_id': 7}
    """
    return {name: value for name, _, value in _items(fact)}


def _describe(fact: Mapping[str, object]) -> str:
    for key in ("event_id", "id"):
        if fact.get(key) is not None:
            return f"event {fact[key]!r}" if key == "event_id" else f"fact id {fact[key]!r}"
    keys = sorted(str(k) for k in fact)
    return f"fact with keys {keys[:6]}{'...' if len(keys) > 6 else ''}"


# --- compiling conditions --------------------------------------------------------------------------------

_Test: TypeAlias = tuple[str, str, Value]  # (engine field, op, engine value)


class _Compiler:
    """Turns NNF conditions into DNF over engine tests, recording each field's kind."""

    def __init__(self) -> None:
        self.kinds: dict[str, tuple[str, str]] = {}  # engine field -> (kind, caller's field)

    def test(self, cond: Cond, where: str) -> _Test:
        if len(cond) != 4 or cond[1] not in _OPS or not isinstance(cond[2], str):
            raise TriggerError(f"{where}: expected ('cmp', op, field, value), op one of {_OP_LIST}: {cond!r:.60}")
        _, op, field, raw = cond
        if raw is None:
            raise TriggerError(f"{where}: comparison of {field!r} with None; unknown is not a value")
        try:
            name = _engine_key(field)
            kind, value = _kind_and_value(field, raw)
        except TriggerError as exc:
            raise TriggerError(f"{where}: {exc}") from None
        if kind == "money" and _decimal(raw) * 100 != value:
            raise TriggerError(f"{where}: {field} {op} {raw}: rule constants must be exact to the fen")
        if kind == "str" and op in _ORDERING:
            raise TriggerError(
                f"{where}: {field} {op} {raw!r}: durable-rules orders strings wrongly; "
                "compare day numbers or ordinals instead"
            )
        known = self.kinds.setdefault(name, (kind, field))
        if known != (kind, field):
            raise TriggerError(f"{where}: {field!r} is compared as {kind} here, as {known[0]} elsewhere")
        return (name, op, value)

    def dnf(self, cond: object, where: str) -> list[frozenset[_Test]]:
        if not isinstance(cond, tuple) or not cond:
            raise TriggerError(f"{where}: expected a condition tuple, got {cond!r:.80}")
        head = cond[0]
        if head == "true" and len(cond) == 1:
            return [frozenset()]
        if head == "cmp":
            return [frozenset({self.test(cond, where)})]
        if head in ("all", "any") and len(cond) == 2 and isinstance(cond[1], list | tuple):
            parts = [self.dnf(c, where) for c in cond[1]]
            if head == "any":
                return _absorb([conj for part in parts for conj in part])
            out: list[frozenset[_Test]] = [frozenset()]
            for part in parts:
                out = _absorb([a | b for a in out for b in part])
                if len(out) > MAX_DISJUNCTS:
                    raise TriggerError(f"{where}: more than {MAX_DISJUNCTS} disjuncts in normal form")
            return out
        raise TriggerError(f"{where}: unknown condition {cond!r:.80}")


def _absorb(conjs: list[frozenset[_Test]]) -> list[frozenset[_Test]]:
    """Drop duplicates and conjunctions implied by a smaller one (a or (a and b) is a)."""
    out: list[frozenset[_Test]] = []
    for conj in sorted(set(conjs), key=lambda c: (len(c), sorted(map(repr, c)))):
        if not any(kept <= conj for kept in out):
            out.append(conj)
    return out


def _ordered(conj: frozenset[_Test], rank: Mapping[str, int]) -> list[_Test]:
    """Order a conjunction: equality first (exclusive, so the stack stays low), frequent fields first."""
    return sorted(conj, key=lambda t: (t[1] != "==", rank[t[0]], t[0], t[1], repr(t[2])))


def _json_test(test: _Test) -> dict[str, Any]:
    field, op, value = test
    return {field: value} if op == "==" else {_OPS[op]: {field: value}}


def _check_network(chains: Sequence[list[_Test]]) -> None:
    """Simulate the engine's alpha network (a trie of tests) and reject what would hang or overflow."""
    trie: dict[_Test, Any] = {}
    ends: dict[int, int] = {}
    for chain in chains:
        node = trie
        for test in chain:
            node = node.setdefault(test, {})
        ends[id(node)] = ends.get(id(node), 0) + 1
        if ends[id(node)] > MAX_RULES_PER_NODE:
            raise TriggerError(f"more than {MAX_RULES_PER_NODE} disjuncts end on the same tests {chain}")

    def walk(node: dict[_Test, Any], depth_stack: int, path: list[_Test]) -> None:
        if sum(t[0].startswith(_PREFIX) for t in node) > MAX_CHILDREN:  # plus at most two internal tests
            fields = sorted({t[0][len(_PREFIX) :] for t in node if t[0].startswith(_PREFIX)})
            raise TriggerError(
                f"{len(node)} distinct tests after {path or 'the root'} (on {fields[:5]}); "
                f"durable-rules hangs at 511, the limit here is {MAX_CHILDREN}"
            )
        by_field: dict[str, list[str]] = {}
        for field, op, _ in node:
            by_field.setdefault(field, []).append(op)
        # equality tests on one field are exclusive; every order test may match at once
        width = sum(min(1, ops.count("==")) + sum(op != "==" for op in ops) for ops in by_field.values())
        if depth_stack + width > MAX_STACK:
            raise TriggerError(
                f"up to {depth_stack + width} tests could match one fact at once below {path or 'the root'}; "
                f"durable-rules' matching stack holds 64 (limit here {MAX_STACK}): split the rules"
            )
        for test, child in node.items():
            walk(child, depth_stack + width, [*path, test])

    walk(trie, 0, [])


def _compile(rules: Sequence[tuple[str, Cond]]) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    compiler = _Compiler()
    seen: set[str] = set()
    per_rule: list[list[frozenset[_Test]]] = []
    for index, item in enumerate(rules):
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and item[0]):
            raise TriggerError(f"rule #{index}: expected (name, condition), got {item!r:.80}")
        name, cond = item
        if name in seen:
            raise TriggerError(f"rule {name!r}: duplicate name")
        seen.add(name)
        per_rule.append(compiler.dnf(cond, f"rule {name!r}"))
    by_hash: dict[int, str] = {}
    for field in compiler.kinds:
        other = by_hash.setdefault(_fnv1a32(field), field)
        if other != field:
            raise TriggerError(f"fields {other!r} and {field!r} have the same durable-rules hash; rename one")
    counts: dict[str, int] = {}
    for conjs in per_rule:
        for field in {t[0] for conj in conjs for t in conj}:
            counts[field] = counts.get(field, 0) + 1
    rank = {f: i for i, f in enumerate(sorted(counts, key=lambda f: (-counts[f], f)))}
    always: _Test = (_ALWAYS, "==", True)
    rank[_ALWAYS] = rank[_WARM] = -1
    ruleset: dict[str, Any] = {}
    chains: list[list[_Test]] = []
    for index, conjs in enumerate(per_rule):
        for j, conj in enumerate(conjs):
            chain = _ordered(conj, rank) if conj else [always]
            chains.append(chain)
            tests = [_json_test(t) for t in chain]
            cond_json = tests[0] if len(tests) == 1 else {"$and": tests}
            ruleset[f"r{index}_{j}"] = {"all": [{"m": cond_json}], "run": f"r{index}_{j}"}
    ruleset[_SENTINEL] = {"all": [{"m": {_WARM: True}}], "run": _SENTINEL}
    chains.append([(_WARM, "==", True)])
    _check_network(chains)
    return ruleset, compiler.kinds


def compile_rules(rules: Sequence[tuple[str, Cond]]) -> dict[str, Any]:
    """Compile named NNF conditions to durable-rules' JSON ruleset form.

    Each condition is expanded to disjunctive normal form; disjunct ``j`` of rule ``i`` becomes the durable
    rule ``r{i}_{j}``, ``{"all": [{"m": {"$and": [tests]}}], "run": "r{i}_{j}"}``, whose tests read the
    ``f_``-prefixed keys of :func:`normalise_fact` with values normalised the same way. A sentinel rule
    ``w`` fires on the warm-up message only. Raises TriggerError for a malformed condition, a field compared
    as two kinds, an ordering of strings, or a ruleset the engine would hang on or overflow.
    """
    return _compile(rules)[0]


# --- the engine ------------------------------------------------------------------------------------------

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

    >>> m = DurableMatcher([("died", ("cmp", "==", "type", "parent_died"))])  # doctest: +SKIP
    >>> m.match({"type": "parent_died"})  # doctest: +SKIP
    ['died']
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
