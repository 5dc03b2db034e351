"""The whole pass over a pack's categories and factors, generated as one function with the rules inlined.

``main(X, L, V, G, CATS, HITS, VALS, PEND, UCATS, UFACS)`` does for one child what ``ScalarProgram.evaluate``'s
loop over its plan does: each rule in the pack's order, its result in ``X.results``, the categories and factor
hits that hold, the unknown ones with the facts behind them. ``L`` is the date's plan (whether each rule is in
force, each level's points), ``V`` whether to keep the values read, ``G`` whether data gaps are wanted. The
roles are read once for the whole pass, not once per rule.
"""

from __future__ import annotations

import ast
from typing import Any

from riskeval.evaluate.scalar._ast import (
    FALSE,
    NONE,
    TRUE,
    Stmt,
    assign,
    call,
    if_,
    is_,
    is_not,
    load,  # fmt: skip
    method,
    store,
    tuple_,
)
from riskeval.evaluate.scalar._emit import Emitter
from riskeval.pack import Factor, Rule

# One step of the pass: ("category", rule, None) or ("factor", factor, its levels, most severe first).
Step = tuple[str, Any, list[Rule] | None]


def plan_names(steps: list[Step]) -> int:
    """How many values the date's plan ``L`` holds for these steps (a category: in force; a level: in force,
    points)."""
    return sum(1 if kind == "category" else 2 * len(levels or ()) for kind, _, levels in steps)


def emit_pass(e: Emitter, steps: list[Step], readers: dict[int, str]) -> list[Stmt]:
    """The pass's statements (the caller adds the prologue); ``readers``: the generated function reading the
    values of a category, or of a factor's level, by the rule's id."""
    plan = [f"l{i}" for i in range(plan_names(steps))]
    out: list[Stmt] = [ast.Assign(targets=[ast.Tuple(elts=[store(n) for n in plan], ctx=ast.Store())],
                                  value=load("L"))]  # fmt: skip
    e.uses.add("RES")
    slot = iter(plan)
    for kind, rule, levels in steps:
        # A step's locals are dead once its result is stored: the next step reuses their names. One frame of
        # thousands of locals costs more than the rules it runs (CPython allocates a fresh stack chunk).
        e.n = 0
        e.body = out
        if kind == "category":
            _category(e, rule, next(slot), readers[id(rule)])
        else:
            assert levels is not None
            _factor(e, rule, [(lv, next(slot), next(slot)) for lv in levels], readers)
        out = e.body
    return out


def _rule(e: Emitter, rule: Rule, live: str) -> str:
    """The rule's value in a new local: its condition inlined, or false on a date it is not in force."""
    value = e.tmp()
    outer = e.body
    body = e.block()
    v = e.emit(rule.node, {})
    body.append(assign(value, v))
    outer.append(if_(load(live), body, [assign(value, FALSE)]))
    e.body = outer
    return value


def _results(e: Emitter, key: tuple[str, str], value: ast.expr, reads: ast.expr) -> Stmt:
    target = ast.Subscript(value=load("RES"), slice=e.k.name(key), ctx=ast.Store())
    return ast.Assign(targets=[target], value=tuple_(value, reads))


def _clear() -> Stmt:
    return if_(load("U"), [method(load("U"), "clear")])


def _category(e: Emitter, rule: Rule, live: str, reader: str) -> None:
    k, key = e.k, ("category", rule.id)
    v = _rule(e, rule, live)
    found = e.tmp()
    empty = ast.List(elts=[], ctx=ast.Load())
    e.body += [
        if_(is_(load(v), TRUE),
            [method(load("CATS"), "append", k.name(rule.id)),
             if_(load("V"), [method(load("VALS"), "append", tuple_(k.name(rule.id), load(reader))),
                             method(load("PEND"), "append", tuple_(k.name(key), k.name(rule.node)))]),
             _results(e, key, load(v), empty)],
            [if_(is_(load(v), NONE),
                 [assign(found, call(load("DEDUP"), load("U"))),
                  method(load("UCATS"), "append", tuple_(k.name(rule), load(found))),
                  _results(e, key, load(v), load(found))],
                 [_results(e, key, load(v), ast.List(elts=[], ctx=ast.Load()))])]),
        _clear(),
    ]  # fmt: skip


def _factor(e: Emitter, f: Factor, levels: list[tuple[Rule, str, str]], readers: dict[int, str]) -> None:
    k, key = e.k, ("factor", f.id)
    value, level, hit, found = e.tmp(), e.tmp(), e.tmp(), e.tmp()
    e.body += [assign(value, FALSE), assign(level, NONE), assign(hit, NONE)]
    outer = e.body
    mark = e.n
    for i, (lv, live, points) in enumerate(levels):
        e.n = mark  # the previous level's locals are dead: its value was read just after it
        v = _rule(e, lv, live)
        # the values the level read (read_values, generated as a function of its own: read when first asked
        # for), only when the caller keeps them
        head = (k.name(f.id), k.name(lv.severity or ""), load(points), k.name(lv))
        later = call(load("HIT"), *head, NONE, tuple_(load(readers[id(lv)]), load("X")))
        held: list[Stmt] = [
            assign(value, TRUE),
            if_(load("V"), [assign(hit, later)], [assign(hit, call(load("HIT"), *head, ast.Dict(keys=[], values=[])))]),
            method(load("HITS"), "append", load(hit)),
            if_(load("V"), [method(load("PEND"), "append", tuple_(k.name(key), k.name(lv.node)))]),
        ]
        first_unknown = (
            is_(load(v), NONE)
            if i == 0
            else ast.BoolOp(op=ast.And(), values=[is_(load(v), NONE), is_(load(level), NONE)])
        )
        rest: list[Stmt] = [if_(first_unknown, [assign(level, k.name(lv))])]
        e.body.append(if_(is_(load(v), TRUE), held, rest))
        e.body = rest
    e.body = outer
    empty = ast.List(elts=[], ctx=ast.Load())
    e.body += [
        assign(found, empty),
        if_(is_not(load(level), NONE),
            [if_(is_not(load(value), TRUE),
                 [assign(value, NONE), assign(found, call(load("DEDUP"), load("U"))),
                  method(load("UFACS"), "append", tuple_(k.name(f), load(level), load(found), NONE))],
                 [if_(load("G"), [method(load("UFACS"), "append",
                                         tuple_(k.name(f), load(level), call(load("DEDUP"), load("U")),
                                                load(hit)))])])]),
        _clear(),
        _results(e, key, load(value), load(found)),
    ]  # fmt: skip


__all__ = ["Step", "emit_pass", "plan_names"]
