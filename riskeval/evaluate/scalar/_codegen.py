"""A pack's expressions generated as one Python module: one function per rule and per predicate.

The module is an ``ast.Module`` built by ``_emit`` from the pack's typed nodes, every pack value held in a
constants table bound in the module's globals, checked by ``_astcheck`` before ``compile()``. Each function
takes the child's context (``Ctx``) and gives what the closure of ``_compile`` gives, recording the same
unknown reads in the same order; a predicate keeps the closures' memo (same keys, same entries), so the
closures (the explanations' walk) and the generated functions can share one context.
"""

from __future__ import annotations

import ast
import gc
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from pydantic import BaseModel

from riskeval.evaluate.scalar._ast import (
    Consts,
    Stmt,
    assign,
    attr,
    call,
    function,
    if_,
    index,
    is_,
    lit,
    load,
    method,  # fmt: skip
    tuple_,
)
from riskeval.evaluate.scalar._astcheck import check_generated
from riskeval.evaluate.scalar._context import Ctx
from riskeval.evaluate.scalar._emit import ROLES, Emitter, Scope
from riskeval.evaluate.scalar._emit_pass import Step, emit_pass
from riskeval.evaluate.scalar._emit_values import emit_reader
from riskeval.evaluate.semantics import ABSENT, Bounds, bounded, kleene_and, kleene_or
from riskeval.facts import Child, Household, Member
from riskeval.pack import Pack
from riskeval.pack.expr import nodes as A
from riskeval.schedule.dates import add_months, months_between

Fn = Callable[[Ctx], Any]
# The roots' functions, the pass, the predicates' functions by name.
Generated = tuple[list[Fn], Callable[..., None], dict[str, Fn]]
_PARTS = {"M": "memo", "P": "params", "RES": "results", "T": "tier", "HH": "household", "ON": "on"}


def generate(pack: Pack, roots: list[A.Node], years: Callable[[date, date], int], steps: list[Step],
             reads: dict[int, Any], runtime: dict[str, Any]) -> Generated:  # fmt: skip
    """One function per root node (a rule's condition, a part of the tier table), in the order given, and the
    whole pass over the categories and factors (``_emit_pass``). ``runtime``: the pass's helpers (HIT, DEDUP,
    SCALARS, PLAIN); and the predicates' functions by name."""
    with collector_paused():
        return _generate(pack, roots, years, steps, reads, runtime)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off while a tree is built: tens of thousands of nodes, none of them garbage, which it
    would walk again and again while they are made (about half the time of a generation)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _generate(pack: Pack, roots: list[A.Node], years: Callable[[date, date], int], steps: list[Step],
              reads: dict[int, Any], runtime: dict[str, Any]) -> Generated:  # fmt: skip
    consts, fields = Consts(), fact_fields()
    names = {name: f"p{i}" for i, name in enumerate(pack.predicates)}
    bodies = {name: body_name(fname) for name, fname in names.items()}  # what this module's callers call
    body: list[Stmt] = []
    for name, rule in pack.predicates.items():
        body += _predicate(names[name], name, rule.args, rule.node, consts, bodies, fields)
    for i, root in enumerate(roots):
        e = Emitter(consts, bodies, fields)
        value = e.emit(root, {})
        body.append(function(f"f{i}", ["X"], [*prologue(e), *e.body, ast.Return(value=value)]))
    readers: dict[int, str] = {}  # the values a holding rule read, read when an explanation first asks for them
    for _kind, rule, levels in steps:
        for r in levels or [rule]:
            e = Emitter(consts, bodies, fields)
            found, out = emit_reader(e, reads[id(r)])
            readers[id(r)] = f"v{len(readers)}"
            body.append(function(readers[id(r)], ["X"], [*prologue(e), *found, ast.Return(value=load(out))]))
    e = Emitter(consts, bodies, fields, cached=True)
    whole = emit_pass(e, steps, readers)
    params = ["X", "L", "V", "G", "CATS", "HITS", "VALS", "PEND", "UCATS", "UFACS"]
    body.append(function("main", params, [*prologue(e), *whole]))
    namespace = load_module(body, fields, {**consts.values, **helpers(years), **runtime})
    predicates = {name: namespace[fname] for name, fname in names.items()}
    return [namespace[f"f{i}"] for i in range(len(roots))], namespace["main"], predicates


def generate_scoped(pack: Pack, groups: list[tuple[list[A.Node], str | None]],
                    years: Callable[[date, date], int]) -> list[Callable[..., tuple[Any, ...]]]:  # fmt: skip
    """One function per group of nodes that read no predicate, in a module of its own, giving the nodes'
    values as a tuple: ``f<i>(X)``, or with a member variable bound, ``f<i>(X, member, None)`` (the trigger
    monitor's date comparisons, read for each child and member on every date it compares)."""
    consts, fields = Consts(), fact_fields()
    body: list[Stmt] = []
    for i, (nodes, var) in enumerate(groups):
        e = Emitter(consts, {}, fields, cached=True)  # an age read by several comparisons: computed once
        scope: Scope = {var: ("a0", "h0")} if var else {}
        values = [e.emit(node, scope) for node in nodes]
        params = ["X", "a0", "h0"] if var else ["X"]
        body.append(function(f"f{i}", params, [*prologue(e), *e.body, ast.Return(value=tuple_(*values))]))
    namespace = load_module(body, fields, {**consts.values, **helpers(years)})
    return [namespace[f"f{i}"] for i in range(len(groups))]


def load_module(body: list[Stmt], fields: frozenset[str], bound: dict[str, Any]) -> dict[str, Any]:
    """The module of ``body``, checked, compiled and run with ``bound`` (its constants and helpers) as its
    globals: the one place generated code is compiled."""
    tree = ast.Module(body=body, type_ignores=[])
    check_generated(tree, fields)
    code = compile(tree, "<riskeval scalar form>", "exec")
    namespace: dict[str, Any] = {"__builtins__": {"len": len, "type": type}, **bound}
    exec(code, namespace)
    return namespace


def _predicate(fname: str, name: str, params: tuple[str, ...], node: A.Node, consts: Consts,
               bodies: dict[str, str], fields: frozenset[str]) -> list[ast.FunctionDef]:  # fmt: skip
    """``p<n>(X, a0, h0, ...)``: the predicate on members ``a<i>`` whose gaps are named ``h<i>`` (None: by
    id), memoised in the context on the predicate and the members' ids, with the unknown reads it made; its
    body, past the memo's check, is ``b<n>``, which the generated callers call (they check the memo first)."""
    e = Emitter(consts, bodies, fields)
    scope: Scope = {p: (f"a{i}", f"h{i}") for i, p in enumerate(params)}
    value = e.emit(node, scope)
    key, hit = "t0", "S0"
    memo = attr(load("X"), "memo")

    def keyed() -> Stmt:  # a node of its own in each function: the check numbers every node's line
        return assign(key, tuple_(consts.name(name), *[attr(load(f"a{i}"), "id") for i in range(len(params))]))

    params_ = ["X", *[x for i in range(len(params)) for x in (f"a{i}", f"h{i}")]]
    check: list[Stmt] = [
        keyed(),
        assign(hit, call(attr(memo, "get"), load(key))),
        if_(ast.Compare(left=load(hit), ops=[ast.IsNot()], comparators=[lit(None)]),
            [if_(is_(index(load(hit), lit(0)), lit(None)),
                 [method(attr(load("X"), "unknown"), "extend", index(load(hit), lit(1)))]),
             ast.Return(value=index(load(hit), lit(0)))]),
        ast.Return(value=call(load(body_name(fname)), *[load(p) for p in params_])),
    ]  # fmt: skip
    start = [assign("S", call(load("len"), load("U")))]
    reads = ast.Subscript(value=load("U"), slice=ast.Slice(lower=load("S")), ctx=ast.Load())
    store = ast.Assign(targets=[ast.Subscript(value=memo, slice=load(key), ctx=ast.Store())],
                       value=tuple_(value, reads))  # fmt: skip
    body = [keyed(), *prologue(e), *start, *e.body, store, ast.Return(value=value)]
    return [function(fname, params_, check), function(body_name(fname), params_, body)]


def body_name(fname: str) -> str:
    """The body of the generated predicate ``p<n>``, past its memo's check: ``b<n>``."""
    return "b" + fname[1:]


def prologue(e: Emitter) -> list[Stmt]:
    """Load once what the function reads of the context: the unknown list, the roles, the parts."""
    out: list[Stmt] = [assign("U", attr(load("X"), "unknown"))]
    out += [assign(local, lit(None)) for local in (e.cached or {}).values()]
    if e.roles:
        out.append(assign("R", attr(load("X"), "roles")))
        for role, local in sorted(e.roles.items()):
            out.append(assign(local, call(attr(load("R"), "get"), e.k.name(role))))
    for local, part in _PARTS.items():
        if local in e.uses:
            out.append(assign(local, attr(load("X"), part)))
    return out


def helpers(years: Callable[[date, date], int]) -> dict[str, Any]:
    return {"ABSENT": ABSENT, "BOUNDS": Bounds, "BOUNDED": bounded, "KAND": kleene_and, "KOR": kleene_or,
            "SUM": _sum, "HEAD": _head, "DIV": _divide, "DAYS": _days, "MONTHS": months_between, "YEARS": years,
            "ADDM": add_months}  # fmt: skip


def _sum(values: list[Any]) -> Any:
    if any(v is None for v in values):
        return None
    return sum(v for v in values if v is not ABSENT)  # a certificate not held adds nothing


def _head(head: str | None, member: Member, suffix: str) -> str:
    """A bound member's fact path for a data gap: as the caller named the member, else by its id."""
    return (head if head is not None else f"household.members[{member.id}]") + suffix


def _divide(a: Any, b: Any) -> Any:
    return None if b == 0 else a / b


def _days(a: date, b: date) -> int:
    return (b - a).days


def fact_fields() -> frozenset[str]:
    """The field names of the fact models (the only attributes a generated read may take)."""
    out: set[str] = set()
    todo: list[type[BaseModel]] = [Child, Member, Household]
    seen: set[type] = set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for fname, info in model.model_fields.items():
            out.add(fname)
            todo += _models(info.annotation)
    return frozenset(out)


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


__all__ = [
    "ROLES",
    "Fn",
    "collector_paused",
    "fact_fields",
    "generate",
    "generate_scoped",
    "helpers",
    "load_module",
    "prologue",
]
