"""Static checks over compiled rules: dependency cycles and conditions that can never hold."""

from __future__ import annotations

import math

from riskeval.pack.expr import nodes as A

Node_ = tuple[str, str]


def find_cycle(edges: dict[Node_, set[Node_]]) -> list[list[Node_]]:
    """Every cycle among rules, once each, as the path that closes it: ``[a, b, a]`` for a → b → a."""
    white, grey, black = 0, 1, 2
    color: dict[Node_, int] = {}
    stack: list[Node_] = []
    found: dict[frozenset[Node_], list[Node_]] = {}

    def visit(n: Node_) -> None:
        color[n] = grey
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            c = color.get(m, white)
            if c == grey:
                cycle = stack[stack.index(m) :]
                found.setdefault(frozenset(cycle), [*cycle, m])
            elif c == white:
                visit(m)
        stack.pop()
        color[n] = black

    for n in sorted(edges):
        if color.get(n, white) == white:
            visit(n)
    return sorted(found.values())


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
