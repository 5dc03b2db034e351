"""The facts of the branch that decided a holding rule: what its explanation names, not every fact it can read.

A rule that holds is explained by the operands that made it hold: of an ``or``, the first operand that holds;
of an ``and``, every operand; through a ``not``, why the operand fails (of an ``and``, its first failing
operand; of an ``or``, every one). A predicate is followed into its body with its member bound; an
aggregation names, for each member it visits, the facts that decided that member's value. A comparison or
a call is a leaf: all the facts it reads. Keys are those of the rule's values (``father.status``,
``household.members[<id>].status``), so the explanation keeps the values whose key is named here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from riskeval.evaluate.scalar._compile import Compiler, Ctx, is_count
from riskeval.evaluate.scalar._leaves import Fn
from riskeval.pack import Pack
from riskeval.pack.expr import nodes as A

ROLE_ROOTS = frozenset(("child", "father", "mother", "caregiver", "household"))


class Why:
    """Walks one pack's rules against a child's context; sub-expressions are compiled once, on first use.

    ``generate``: the generated walk of a rule's node (``_codegen_why``; None where it is not unrolled), made
    when an explanation first needs it; without it, every rule is walked here (the reference).
    """

    def __init__(self, pack: Pack, compiler: Compiler, generate: Callable[[A.Node], Fn | None] | None = None) -> None:
        self.pack = pack
        self.compiler = compiler
        self._fns: dict[tuple[int, frozenset[str]], Fn] = {}
        self._parts: dict[int, list[tuple[str, str, A.Ref | None]]] = {}  # by id(node): the pack holds them
        self._generate = generate
        self._generated: dict[int, Fn | None] = {}

    def generated(self, node: A.Node) -> Fn | None:
        """The generated walk of a rule's node (made on the first call); None for the reference."""
        if self._generate is None:
            return None
        key = id(node)  # the pack holds its nodes
        if key not in self._generated:
            self._generated[key] = self._generate(node)
        return self._generated[key]

    def shown(self, pending: list[tuple[tuple[str, str], A.Node]], ctx: Ctx) -> dict[tuple[str, str], frozenset[str]]:
        """``keys`` of each (key, node) of ``pending``; the context's memo is left with what the walks added
        (a predicate's value is the same whoever asks first: the caller passes a memo it no longer needs).
        Callers hold a lock: a walk is generated on its first use."""
        mark = len(ctx.unknown)
        out: dict[tuple[str, str], frozenset[str]] = {}
        try:
            for key, node in pending:
                walk = self.generated(node)
                out[key] = frozenset(walk(ctx)) if walk is not None else self.keys(node, ctx)
        finally:
            del ctx.unknown[mark:]
        return out

    def keys(self, node: A.Node, ctx: Ctx) -> frozenset[str]:
        """The keys of the facts that made ``node`` hold for the child of ``ctx`` (its value left as it was),
        found by walking the typed nodes (the reference)."""
        unknown, memo = len(ctx.unknown), dict(ctx.memo)
        out: set[str] = set()
        try:
            self._walk(node, True, frozenset(), {}, ctx, out, 0)
        finally:
            del ctx.unknown[unknown:]
            ctx.memo.clear()
            ctx.memo.update(memo)
        return frozenset(out)

    def _fn(self, n: A.Node, bound: frozenset[str]) -> Fn:
        key = (id(n), bound)
        fn = self._fns.get(key)
        if fn is None:
            fn = self._fns[key] = self.compiler.compile(n, bound)
        return fn

    def _walk(
        self, n: A.Node, want: Any, bound: frozenset[str], names: dict[str, str], ctx: Ctx, out: set[str], depth: int
    ) -> None:
        if depth > 16:
            return
        match n:
            case A.Not(operand=o):
                self._walk(o, not want, bound, names, ctx, out, depth + 1)
            case A.BoolOp(op=op, operands=ops):
                # The operands that decide: one that gives the result on its own, else all of them.
                alone = (op == "or") == bool(want)
                if alone:
                    for o in ops:
                        if self._fn(o, bound)(ctx) is want:
                            self._walk(o, want, bound, names, ctx, out, depth + 1)
                            return
                for o in ops:
                    self._walk(o, self._fn(o, bound)(ctx), bound, names, ctx, out, depth + 1)
            case A.Ref(kind="predicate"):
                self._predicate(n, bound, names, ctx, out, depth)
            case A.Agg():
                self._agg(n, want, bound, names, ctx, out, depth)
            case A.Compare(left=left, right=right) if is_count(left) or is_count(right):
                for side in (left, right):
                    if isinstance(side, A.Agg):
                        self._agg(side, None, bound, names, ctx, out, depth)
                    else:
                        self._leaf(side, bound, names, ctx, out, depth)
            case _:
                self._leaf(n, bound, names, ctx, out, depth)

    def _leaf(
        self, n: A.Node, bound: frozenset[str], names: dict[str, str], ctx: Ctx, out: set[str], depth: int
    ) -> None:
        found = self._parts.get(id(n))
        if found is None:
            found = self._parts[id(n)] = parts(n)
        for root, path, ref in found:
            if ref is None:
                head = names.get(root) if root in bound else (root if root in ROLE_ROOTS else None)
                if head is not None:
                    out.add(f"{head}.{path}")
            else:
                self._walk(ref, self._fn(ref, bound)(ctx), bound, names, ctx, out, depth + 1)

    def _predicate(
        self, ref: A.Ref, bound: frozenset[str], names: dict[str, str], ctx: Ctx, out: set[str], depth: int
    ) -> None:
        pred, args = self.pack.predicates[ref.name], ref.args
        value = self._fn(ref, bound)(ctx)
        if value is None:
            return
        env = ctx.roles
        inner: dict[str, str] = {}
        saved: list[tuple[str, Any]] = []
        for param, arg in zip(pred.args, args, strict=True):
            if not isinstance(arg, A.Fact) or arg.path:
                return
            head = names.get(arg.root) if arg.root in bound else arg.root
            if head is None:
                return
            inner[param] = head
            saved.append((param, env.get(param)))
            env[param] = env.get(arg.root)
        try:
            self._walk(pred.node, value, frozenset(pred.args), inner, ctx, out, depth + 1)
        finally:
            for param, old in saved:
                if old is None:
                    env.pop(param, None)
                else:
                    env[param] = old

    def _agg(
        self, n: A.Agg, want: Any, bound: frozenset[str], names: dict[str, str], ctx: Ctx, out: set[str], depth: int
    ) -> None:
        members = ctx.household.members
        if members is None:
            return
        inner = bound | {n.var}
        body = self._fn(n.body, inner)
        cond = self._fn(n.cond, inner) if n.cond is not None else None
        env = ctx.roles
        saved = env.get(n.var)
        try:
            for m in members:
                env[n.var] = m
                here = {**names, n.var: f"household.members[{m.id}]"}
                if cond is not None and cond(ctx) is not True:
                    continue
                v = body(ctx)
                # any() that holds: the members it holds for; all() that fails: the members it fails for.
                if (n.fn == "any" and want is True and v is not True) or (
                    n.fn == "all" and want is False and v is not False
                ):
                    continue
                if v is not None:
                    self._walk(n.body, v, inner, here, ctx, out, depth + 1)
        finally:
            if saved is None:
                env.pop(n.var, None)
            else:
                env[n.var] = saved


def parts(n: A.Node) -> list[tuple[str, str, A.Ref | None]]:
    """What a leaf names, in walk order: each fact with a path (its root, its dotted path), each predicate call."""
    out: list[tuple[str, str, A.Ref | None]] = []
    for m in A.walk(n):
        if isinstance(m, A.Fact) and m.path:
            out.append((m.root, ".".join(m.path), None))
        elif isinstance(m, A.Ref) and m.kind == "predicate":
            out.append(("", "", m))
    return out
