"""The deciding-branch walk (``_why``) generated: one function per rule, the walk unrolled over its nodes.

``w<n>(X)`` gives the keys ``Why.keys`` gives for the rule (a list, with repeats; the caller makes it a
set). The walk's shape depends only on the rule's nodes, so it is decided here, once: which operands are
walked, each predicate's body walked by a function of its own (``Walks``) with its members bound, each
aggregation a loop over the members.
What depends on the child stays a test in the code: the values of the operands (the rules' own generated
code, ``_emit``), which operand decided, which members an aggregation holds for. Keys named through a role
are constants; through a member, the member's name (``household.members[<id>]``) joined to a constant.
"""

from __future__ import annotations

import ast

from riskeval.evaluate.scalar._ast import (
    NONE,
    TRUE,
    Expr,
    Stmt,
    assign,
    attr,
    call,
    if_,
    is_,
    is_not,
    lit,
    load,
    method,
)
from riskeval.evaluate.scalar._emit import ROLES, Emitter, Scope
from riskeval.evaluate.scalar._why import ROLE_ROOTS, parts
from riskeval.pack import Pack
from riskeval.pack.expr import nodes as A

_DEPTH = 16  # as the reference walk: deeper than this, nothing more is named
_BUDGET = 2000  # steps of one walk: a larger one (a drawn pack's nested predicates) stays the reference's

# A value the walk knows while generating (True, False, None), or a local holding it at run time.
Want = bool | None | ast.Name


class NotGeneratedError(Exception):
    """A walk this generator does not unroll (too large, or a name it cannot bind): the reference walks it."""


class WhyEmitter:
    """Emits one rule's walk into an ``Emitter``'s body; the keys go to the list ``O``."""

    def __init__(self, e: Emitter, pack: Pack, walks: Walks) -> None:
        self.e = e
        self.pack = pack
        self.walks = walks
        self.size = 0

    def walk(self, n: A.Node, want: Want, scope: Scope, depth: int, exact: bool = False) -> None:
        """Add the keys ``n`` names when it has the value ``want``; ``exact``: ``want`` is the local holding
        ``n``'s own value (an operand's, an aggregation body's), which a predicate need not read again."""
        if depth > _DEPTH:
            return
        self.size += 1
        if self.size > _BUDGET:
            raise NotGeneratedError("walk too large")
        match n:
            case A.Not(operand=o):
                self.walk(o, self._not(want), scope, depth + 1)
            case A.BoolOp(op=op, operands=ops):
                self._connective(list(ops), op == "or", want, scope, depth)
            case A.Ref(kind="predicate"):
                self._predicate(n, scope, depth, want if exact and isinstance(want, ast.Name) else None)
            case A.Agg():
                self._agg(n, want, scope, depth)
            case A.Compare(left=left, right=right) if _is_count(left) or _is_count(right):
                for side in (left, right):
                    if isinstance(side, A.Agg):
                        self._agg(side, None, scope, depth)
                    else:
                        self._leaf(side, scope, depth)
            case _:
                self._leaf(n, scope, depth)

    # --- the walk's steps ------------------------------------------------------------------------------------

    def _not(self, want: Want) -> Want:
        if not isinstance(want, ast.Name):
            return not want
        out = self.e.tmp()
        self.e.body.append(assign(out, ast.UnaryOp(op=ast.Not(), operand=want)))
        return load(out)

    def _connective(self, ops: list[A.Node], is_or: bool, want: Want, scope: Scope, depth: int) -> None:
        """The operands that decide: the first that gives ``want`` on its own, else every one, each walked
        with its own value."""
        e = self.e
        values = [e.tmp() for _ in ops]
        if isinstance(want, ast.Name):
            alone: Expr | bool = want if is_or else ast.UnaryOp(op=ast.Not(), operand=want)
            target: Expr = want
        else:
            alone = is_or == bool(want)
            target = lit(want)
        if alone is False:
            for o, local in zip(ops, values, strict=True):
                e.body.append(assign(local, self._value(o, scope)))
            for o, local in zip(ops, values, strict=True):
                self.walk(o, load(local), scope, depth + 1, exact=True)
            return
        picked = e.tmp()  # 0: none gave want alone (every operand walked); i + 1: the i-th did
        outer = e.body
        if alone is not True:  # known when the code runs: one local, tested with each operand
            flag = e.tmp()
            outer.append(assign(flag, alone))
        first: list[Stmt] = [assign(picked, lit(0))]
        e.body = first
        for i, (o, local) in enumerate(zip(ops, values, strict=True)):
            e.body.append(assign(local, self._value(o, scope)))
            rest: list[Stmt] = []
            found: list[Stmt] = [assign(picked, e.k.name(i + 1))]
            test: Expr = is_(load(local), target)
            if alone is not True:
                test = ast.BoolOp(op=ast.And(), values=[load(flag), test])
            e.body.append(if_(test, found, rest))
            e.body = rest
        outer += first
        e.body = outer
        for i, (o, local) in enumerate(zip(ops, values, strict=True)):
            inner: list[Stmt] = []
            e.body = inner
            self.walk(o, load(local), scope, depth + 1, exact=True)
            e.body = outer
            if inner:
                test = ast.Compare(left=load(picked), ops=[ast.In()], comparators=[e.k.name(frozenset((0, i + 1)))])
                outer.append(if_(test, inner))

    def _value(self, n: A.Node, scope: Scope) -> Expr:
        try:
            return self.e.emit(n, scope)
        except ValueError as exc:  # a root that is neither a role nor bound here
            raise NotGeneratedError(str(exc)) from exc

    def _predicate(self, ref: A.Ref, scope: Scope, depth: int, known: ast.Name | None = None) -> None:
        """The predicate's body walked with its members bound (a function of its own, ``Walks``), when its value
        is known and every argument is a member named by a role or a bound variable."""
        e = self.e
        pred = self.pack.predicates[ref.name]
        if known is not None:
            value = known.id
        else:
            value = e.tmp()
            e.body.append(assign(value, self._value(ref, scope)))
        pairs: list[Expr] = []
        for arg in ref.args:
            if not isinstance(arg, A.Fact) or arg.path:
                return
            if arg.root in scope:
                member, head = scope[arg.root]
                pairs += [load(member), load(head)]
            elif arg.root in ROLES:
                pairs += [load(e.role(arg.root)), e.k.name(arg.root)]
            else:
                raise NotGeneratedError(f"unbound {arg.root}")
        # The body is walked from depth + 1; where no step of it can reach the limit, one function serves all.
        start = depth + 1
        fname = self.walks.request(ref.name, start if start + self.walks.height(pred.node) > _DEPTH else None)
        e.body.append(if_(is_not(load(value), NONE), [ast.Expr(value=call(load(fname), load("X"), load("O"),
                                                                            load(value), *pairs))]))  # fmt: skip

    def _agg(self, n: A.Agg, want: Want, scope: Scope, depth: int) -> None:
        """Each member the aggregation visits and that decides its value: ``any`` that holds, the members it
        holds for; ``all`` that fails, those it fails for; else every member whose value is known."""
        e = self.e
        e.uses.add("HH")
        members, member, head = e.tmp(), e.tmp(), e.tmp()
        inner = {**scope, n.var: (member, head)}
        outer = e.body
        name = ast.BinOp(left=e.k.name("household.members["), op=ast.Add(), right=attr(load(member), "id"))
        loop: list[Stmt] = [assign(head, ast.BinOp(left=name, op=ast.Add(), right=e.k.name("]")))]
        e.body = loop
        if n.cond is not None:
            c = self._value(n.cond, inner)
            e.body.append(if_(is_not(c, TRUE), [ast.Continue()]))
        v = e.tmp()
        e.body.append(assign(v, self._value(n.body, inner)))
        skip: Expr | None = None
        if n.fn in ("any", "all"):
            decided = n.fn == "any"  # any() that holds, all() that fails
            test = is_not(load(v), lit(decided))
            if isinstance(want, ast.Name):
                skip = ast.BoolOp(op=ast.And(), values=[is_(want, lit(decided)), test])
            elif want is decided:
                skip = test
        if skip is not None:
            e.body.append(if_(skip, [ast.Continue()]))
        body: list[Stmt] = []
        e.body = body
        self.walk(n.body, load(v), inner, depth + 1, exact=True)
        e.body = loop
        if body:
            loop.append(if_(is_not(load(v), NONE), body))
        e.body = outer
        if body:
            each = ast.For(target=ast.Name(id=member, ctx=ast.Store()), iter=load(members), body=loop, orelse=[])
            outer += [assign(members, ast.Attribute(value=load("HH"), attr="members", ctx=ast.Load())),
                      if_(is_not(load(members), NONE), [each])]  # fmt: skip

    def _leaf(self, n: A.Node, scope: Scope, depth: int) -> None:
        """All a leaf reads: each fact with a path, named through its role or its member; each predicate it
        calls, walked."""
        e = self.e
        for root, path, ref in parts(n):
            if ref is not None:
                self.walk(ref, None, scope, depth + 1)
            elif root in scope:
                key = ast.BinOp(left=load(scope[root][1]), op=ast.Add(), right=e.k.name("." + path))
                e.body.append(method(load("O"), "append", key))
            elif root in ROLE_ROOTS:
                e.body.append(method(load("O"), "append", e.k.name(f"{root}.{path}")))


class Walks:
    """The predicates' walk functions asked for while rules are emitted: ``w<n>(X, O, W, a0, h0, ...)`` walks
    the predicate's body with want ``W`` and its members bound; one per predicate, or per predicate and depth
    where the depth limit can cut its walk."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.names: dict[tuple[str, int | None], str] = {}
        self.todo: list[tuple[str, int | None, str]] = []
        self.count = 0
        self.failed: set[tuple[str, int | None]] = set()
        self._heights: dict[str, int] = {}

    def fname(self) -> str:
        self.count += 1
        return f"w{self.count}"

    def request(self, name: str, depth: int | None) -> str:
        if (name, depth) in self.failed:
            raise NotGeneratedError(f"the walk of {name} is not generated")
        found = self.names.get((name, depth))
        if found is None:
            found = self.names[(name, depth)] = self.fname()
            self.todo.append((name, depth, found))
        return found

    def height(self, n: A.Node) -> int:
        """How much deeper than it starts the walk of ``n`` can go (the depth the limit is tested at)."""
        match n:
            case A.Not(operand=o):
                return 1 + self.height(o)
            case A.BoolOp(operands=ops):
                return 1 + max(self.height(o) for o in ops)
            case A.Ref(kind="predicate", name=name):
                found = self._heights.get(name)
                if found is None:
                    found = self._heights[name] = 1 + self.height(self.pack.predicates[name].node)
                return found
            case A.Agg(body=body):
                return 1 + self.height(body)
            case A.Compare(left=left, right=right) if _is_count(left) or _is_count(right):
                return max(1 + self.height(s.body) if isinstance(s, A.Agg) else self._leaf(s) for s in (left, right))
        return self._leaf(n)

    def _leaf(self, n: A.Node) -> int:
        return max((1 + self.height(ref) for _r, _p, ref in parts(n) if ref is not None), default=0)


def _is_count(n: A.Node) -> bool:
    return isinstance(n, A.Agg) and n.fn == "count"


__all__ = ["NotGeneratedError", "Walks", "WhyEmitter"]
