"""Trigger conditions compiled to durable-rules' JSON ruleset form, with the engine's limits checked.

Pure Python, no ``durable`` import (the host, ``_host``, registers what this builds). Conditions
compile to one durable rule per disjunct (DNF), and the alpha network that builds is simulated at compile
time to reject what would hang (511 tests under one node loop forever), fail to register (256 rules on
one node) or overflow the 64-slot matching stack at run time: limits measured on durable-rules 2.0.28.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from riskeval.errors import TriggerError
from riskeval.triggers.durable._facts import (
    _ALWAYS,
    _PREFIX,
    _WARM,
    Value,
    _decimal,
    _engine_key,
    _fnv1a32,
    _kind_and_value,
)

Cond: TypeAlias = tuple[Any, ...]
"""``("all", [Cond])`` | ``("any", [Cond])`` | ``("cmp", op, field, value)`` | ``("true",)``, in NNF."""

MAX_CHILDREN = 400  # the engine loops forever when a node has 511 children (measured)
MAX_RULES_PER_NODE = 200  # 256 rules ending on one node fail to register (error 108)
MAX_STACK = 60  # the engine's matching stack holds 64 nodes (error 303)
MAX_DISJUNCTS = 256  # per rule, after DNF expansion
_SENTINEL = "w"
_OPS = {"==": "", "!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_OP_LIST = " ".join(_OPS)
_ORDERING = frozenset({"<", "<=", ">", ">="})


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
