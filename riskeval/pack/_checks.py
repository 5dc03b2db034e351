"""Static checks over compiled rules: dependency cycles and conditions that can never hold."""

from __future__ import annotations

import math

from riskeval.pack.expr import nodes as A

Node_ = tuple[str, str]


def find_cycle(edges: dict[Node_, set[Node_]]) -> list[list[Node_]]:
    """Every cycle among rules, once each, as the path that closes it: ``[a, b, a]`` for a → b → a.

    Depth-first without recursion: a pack may chain thousands of predicates, and the check that reports
    that must not itself run out of stack.
    """
    white, grey, black = 0, 1, 2
    color: dict[Node_, int] = {}
    found: dict[frozenset[Node_], list[Node_]] = {}
    for root in sorted(edges):
        if color.get(root, white) != white:
            continue
        color[root] = grey
        path = [root]
        todo = [iter(sorted(edges.get(root, ())))]
        while todo:
            m = next(todo[-1], None)
            if m is None:
                todo.pop()
                color[path.pop()] = black
                continue
            c = color.get(m, white)
            if c == grey:
                cycle = path[path.index(m) :]
                found.setdefault(frozenset(cycle), [*cycle, m])
            elif c == white:
                color[m] = grey
                path.append(m)
                todo.append(iter(sorted(edges.get(m, ()))))
    return sorted(found.values())


def chain_depths(edges: dict[Node_, set[Node_]]) -> dict[Node_, int]:
    """How many rules deep each rule reads (1: it reads none), for a graph without cycles; no recursion."""
    depth: dict[Node_, int] = {}
    for root in sorted(edges):
        if root in depth:
            continue
        todo = [(root, iter(sorted(edges.get(root, ()))))]
        open_ = {root}
        while todo:
            n, deps = todo[-1]
            m = next(deps, None)
            if m is None:
                todo.pop()
                open_.discard(n)
                depth[n] = 1 + max((depth.get(k, 0) for k in edges.get(n, ())), default=0)
            elif m not in depth and m not in open_:
                open_.add(m)
                todo.append((m, iter(sorted(edges.get(m, ())))))
    return depth


def too_deep(edges: dict[Node_, set[Node_]], limit: int) -> list[tuple[Node_, int]]:
    """The rules that read more than ``limit`` rules deep and that no such rule reads (the top of each chain)."""
    depth = chain_depths(edges)
    deep = {n for n, d in depth.items() if d > limit}
    under = {m for n in deep for m in edges.get(n, ())}
    return [(n, depth[n]) for n in sorted(deep - under)]


def check_never_fires(node: A.Node) -> str | None:
    """Why a condition can never hold, when that is decidable from its shape; else None."""
    if isinstance(node, A.Const) and node.value is False:
        return "the condition is the constant false"
    if isinstance(node, A.BoolOp) and node.op == "and":
        for part in node.operands:
            why = check_never_fires(part)
            if why:
                return why
        return _contradiction(node.operands)
    if isinstance(node, A.BoolOp) and node.op == "or":
        whys = [check_never_fires(p) for p in node.operands]
        return whys[0] if all(whys) else None
    return None


def _contradiction(parts: tuple[A.Node, ...]) -> str | None:
    """Bounds on one fact that no value satisfies, e.g. ``child.age < 6 and child.age >= 16``."""
    bounds: dict[str, list[float]] = {}
    equals: dict[str, set[object]] = {}
    for p in parts:
        if not isinstance(p, A.Compare):
            continue
        fact, const, op = _fact_const(p)
        if fact is None:
            continue
        if op == "==":
            equals.setdefault(fact, set()).add(const)
            if len(equals[fact]) > 1:
                return f"{fact} cannot equal {sorted(map(str, equals[fact]))} at once"
        if not isinstance(const, int | float) or isinstance(const, bool):
            continue
        lo, hi = bounds.setdefault(fact, [-math.inf, math.inf])
        eps = 1e-9
        if op in (">", ">="):
            bounds[fact][0] = max(lo, const + (eps if op == ">" else 0))
        elif op in ("<", "<="):
            bounds[fact][1] = min(hi, const - (eps if op == "<" else 0))
        elif op == "==":
            bounds[fact] = [max(lo, const), min(hi, const)]
        if bounds[fact][0] > bounds[fact][1]:
            return f"no value of {fact} satisfies all its bounds"
    return None


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _fact_const(p: A.Compare) -> tuple[str | None, object, str]:
    if isinstance(p.left, A.Fact) and isinstance(p.right, A.Const):
        return p.left.dotted(), p.right.value, p.op
    if isinstance(p.right, A.Fact) and isinstance(p.left, A.Const):
        return p.right.dotted(), p.left.value, _FLIP[p.op]
    return None, None, p.op
