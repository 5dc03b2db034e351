"""The scalar form: each typed expression compiled once into Python closures over one child.

Values are three-valued: ``True``/``False``/``None`` (unknown), and ``ABSENT`` (see ``riskeval.evaluate.semantics``).
"""

from __future__ import annotations

from typing import Any

from riskeval.evaluate.plan import leap_day
from riskeval.evaluate.scalar._context import Ctx
from riskeval.evaluate.scalar._leaves import Fn, and_of, arith, call, compare, fact, or_of
from riskeval.evaluate.semantics import ABSENT, OPS, Bounds, kleene_and, kleene_or
from riskeval.pack import Pack, Rule
from riskeval.pack.expr import nodes as A
from riskeval.schedule.dates import years_counter

__all__ = ["ABSENT", "Compiler", "Ctx"]  # ABSENT: the trigger matcher reads it from here


class Compiler:
    """Compiles the nodes of one pack; predicates are compiled once and shared.

    Whether a name is a role (child, father...) or a bound member variable is settled here, from the
    scope, so that a compiled read does one lookup and a role's gap path is a string built once.
    """

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.years = years_counter(leap_day(pack))
        self.predicates: dict[str, tuple[tuple[str, ...], Fn]] = {}
        for name, rule in pack.predicates.items():
            self.predicates[name] = (rule.args, self.compile(rule.node, frozenset(rule.args)))

    def rule(self, rule: Rule) -> Fn:
        return self.compile(rule.node)

    def compile(self, n: A.Node, bound: frozenset[str] = frozenset()) -> Fn:
        match n:
            case A.Const(value=v):
                return lambda ctx: v
            case A.Param(name=name):
                return lambda ctx: ctx.params[name]
            case A.Fact(root=root):
                return fact(n, root in bound, self.years)
            case A.Not(operand=o):
                f = self.compile(o, bound)

                def not_(ctx: Ctx) -> Any:
                    v = f(ctx)
                    return None if v is None else not v

                return not_
            case A.BoolOp(op="and", operands=ops):
                return and_of([self.compile(o, bound) for o in ops])
            case A.BoolOp(operands=ops):
                return or_of([self.compile(o, bound) for o in ops])
            case A.Compare(op=op, left=left, right=right):
                return self._compare(op, left, right, bound)
            case A.In():
                return self._in(n, bound)
            case A.Arith(op=op, left=left, right=right):
                return arith(op, self.compile(left, bound), self.compile(right, bound))
            case A.Agg():
                return self._agg(n, bound)
            case A.Call(fn=fn, args=args):
                return call(fn, [self.compile(a, bound) for a in args], self.years)
            case A.Ref(kind="predicate", name=name, args=args):
                return self._predicate(name, args, bound)
            case A.Ref(kind=kind, name=name):
                key = (kind, name)

                def ref(ctx: Ctx) -> Any:
                    value, reads = ctx.results[key]
                    if value is None:
                        ctx.unknown.extend(reads)
                    return value

                return ref
            case A.TierInput(name="score"):
                return lambda ctx: ctx.tier["score"]
            case A.TierInput(key=key):
                return lambda ctx: ctx.tier["severity"].get(key, 0)
        raise TypeError(f"cannot compile {type(n).__name__}")

    def _compare(self, op: str, left: A.Node, right: A.Node, bound: frozenset[str]) -> Fn:
        f, is_ne = OPS[op], op == "!="
        if is_count(left) or is_count(right):
            return compare(op, self._operand(left, bound), self._operand(right, bound))
        lf = self.compile(left, bound)
        # Most comparisons hold a fact against a literal or a parameter: one call instead of three.
        if isinstance(right, A.Const) and right.value is not None:
            c = right.value

            def cmp_const(ctx: Ctx) -> Any:
                a = lf(ctx)
                if a is None:
                    return None
                return is_ne if a is ABSENT else bool(f(a, c))

            return cmp_const
        if isinstance(right, A.Param):
            name = right.name

            def cmp_param(ctx: Ctx) -> Any:
                a = lf(ctx)
                if a is ABSENT:
                    return is_ne
                b = ctx.params[name]
                if a is None or b is None:
                    return None
                return bool(f(a, b))

            return cmp_param
        return compare(op, lf, self.compile(right, bound))

    def _predicate(self, name: str, args: tuple[A.Node, ...], bound: frozenset[str]) -> Fn:
        fns = [self.compile(a, bound) for a in args]
        # How the callee's facts are named in a gap: by the role passed in, or as the caller's variable is
        # named (a member bound by an aggregate has no name: its facts are named by the member's id).
        heads = [(a.root, a.root in bound) if isinstance(a, A.Fact) else ("?", False) for a in args]
        predicates = self.predicates
        if len(fns) == 1:
            root, is_var = heads[0]
            same = is_var and (root,) == self.pack.predicates[name].args
            return _predicate1(name, predicates, fns[0], root, is_var, same)

        def pred(ctx: Ctx) -> Any:
            params, body = predicates[name]
            members = [a(ctx) for a in fns]
            for m in members:
                if m is None:  # not `None in members`: that calls each model's __eq__
                    return None
            key = (name, *[m.id for m in members])
            hit = ctx.memo.get(key)
            if hit is not None:
                if hit[0] is None:
                    ctx.unknown.extend(hit[1])
                return hit[0]
            shown = [ctx.names.get(r) if is_var else r for r, is_var in heads]
            # Only this predicate's own parameters change: save and restore just those.
            env, names = ctx.roles, ctx.names
            saved = [(p, env.get(p), names.get(p)) for p in params]
            for p, m, w in zip(params, members, shown, strict=True):
                env[p] = m
                _set(names, p, w)
            start = len(ctx.unknown)
            try:
                value = body(ctx)
            finally:
                for p, old_member, old_name in saved:
                    _set(env, p, old_member)
                    _set(names, p, old_name)
            ctx.memo[key] = (value, ctx.unknown[start:])
            return value

        return pred

    def _in(self, n: A.In, bound: frozenset[str]) -> Fn:
        item = self.compile(n.item, bound)
        negate = n.negate
        if n.container is not None:
            container = self.compile(n.container, bound)

            def contains(ctx: Ctx) -> Any:
                c = container(ctx)
                if c is None:
                    return None
                return (c is not ABSENT and item(ctx) in c) != negate

            return contains
        if len(n.items) == 1 and isinstance(n.items[0], A.Param):
            pname = n.items[0].name

            def in_param(ctx: Ctx) -> Any:
                v = item(ctx)
                return None if v is None else (v is not ABSENT and v in ctx.params[pname]) != negate

            return in_param
        values = frozenset(c.value for c in n.items if isinstance(c, A.Const))

        def in_list(ctx: Ctx) -> Any:
            v = item(ctx)
            return None if v is None else (v is not ABSENT and v in values) != negate

        return in_list

    def _operand(self, n: A.Node, bound: frozenset[str]) -> Fn:
        return self._agg(n, bound, bounds=True) if isinstance(n, A.Agg) and n.fn == "count" else self.compile(n, bound)

    def _agg(self, n: A.Agg, bound: frozenset[str], *, bounds: bool = False) -> Fn:
        inner = bound | {n.var}
        body = self.compile(n.body, inner)
        cond = self.compile(n.cond, inner) if n.cond is not None else None
        var, fn = n.var, n.fn
        logical = fn in ("any", "all", "count")

        def agg(ctx: Ctx) -> Any:
            members = ctx.household.members
            if members is None:  # the household's adults were not reported
                ctx.unknown.append("household.members")
                return None
            out: list[Any] = []
            env = ctx.roles
            saved = env.get(var)
            saved_name = ctx.names.pop(var, None)
            try:
                for m in members:
                    env[var] = m
                    c = True if cond is None else cond(ctx)
                    if c is False:
                        continue
                    v = body(ctx)
                    if logical:
                        v = kleene_and(c, v) if fn != "all" else kleene_or(None if c is None else not c, v)
                    elif c is None:
                        v = None
                    out.append(v)
            finally:
                _set(env, var, saved)
                if saved_name is not None:
                    ctx.names[var] = saved_name
            if fn == "any":
                return True if True in out else (None if None in out else False)
            if fn == "all":
                return False if False in out else (None if None in out else True)
            if any(v is None for v in out):
                if bounds:  # for a comparison: the known true, and at most every unknown one besides
                    lo = sum(1 for v in out if v is not None and v)
                    return Bounds(lo, lo + sum(1 for v in out if v is None))
                return None
            if fn == "count":
                return sum(1 for v in out if v)
            return sum(v for v in out if v is not ABSENT)  # a certificate not held adds nothing

        return agg


def _predicate1(
    name: str, predicates: dict[str, tuple[tuple[str, ...], Fn]], arg: Fn, root: str, is_var: bool, same: bool
) -> Fn:
    """The one-member predicate (every predicate of the default pack), without the general loops.

    ``same``: called on the caller's variable of the parameter's own name (``capable_adult(m)`` inside a
    body over ``m``): the binding, and how its facts are named, are already what the callee needs.
    """

    def pred1(ctx: Ctx) -> Any:
        member = arg(ctx)
        if member is None:
            return None
        key = (name, member.id)
        hit = ctx.memo.get(key)
        if hit is not None:
            if hit[0] is None:
                ctx.unknown.extend(hit[1])
            return hit[0]
        (param,), body = predicates[name]
        unknown = ctx.unknown
        start = len(unknown)
        if same:
            value = body(ctx)
            ctx.memo[key] = (value, unknown[start:])
            return value
        env, names = ctx.roles, ctx.names
        old_member, old_name = env.get(param), names.get(param)
        shown = names.get(root) if is_var else root
        env[param] = member
        if shown is None:
            names.pop(param, None)
        else:
            names[param] = shown
        try:
            value = body(ctx)
        finally:
            if old_member is None:
                del env[param]
            else:
                env[param] = old_member
            if old_name is None:
                names.pop(param, None)
            else:
                names[param] = old_name
        ctx.memo[key] = (value, unknown[start:])
        return value

    return pred1


def _set(d: dict[str, Any], key: str, value: Any) -> None:
    """Bind, or unbind when there is nothing to restore."""
    if value is None:
        d.pop(key, None)
    else:
        d[key] = value


def is_count(n: A.Node) -> bool:
    return isinstance(n, A.Agg) and n.fn == "count"
