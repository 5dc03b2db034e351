"""The scalar form: each typed expression compiled once into Python closures over one child.

Values are three-valued: ``True``/``False``/``None`` (unknown). ``ABSENT`` stands for a fact that
is known not to exist (a field of a certificate the person does not hold): comparisons with it are
false (``!=`` true), never unknown.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from typing import Any

from riskeval.facts import Child, Household, Member
from riskeval.pack import _ast as A
from riskeval.pack._model import Pack, Rule


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
Fn = Callable[["Ctx"], Any]
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "+": operator.add, "-": operator.sub, "*": operator.mul,
}  # fmt: skip


def _last_day(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def years_between(a: date, b: date) -> int:
    """Completed years from a to b (周岁: the birthday itself completes the year).

    A Feb 29 birthday falls on Feb 28 in a common year: a period ends on the month's last day
    when the month has no corresponding day (民法典 Art. 202), as the visit calendar counts it.
    """
    day = min(a.day, _last_day(b.year, a.month))
    return b.year - a.year - ((b.month, b.day) < (a.month, day))


def months_between(a: date, b: date) -> int:
    """Completed months from a to b, with the same month-end rule (Jan 31 + 1 month = Feb 28)."""
    day = min(a.day, _last_day(b.year, b.month))
    return (b.year - a.year) * 12 + b.month - a.month - (b.day < day)


class Ctx:
    """Everything one child's evaluation reads and remembers."""

    __slots__ = ("child", "household", "memo", "names", "on", "params", "results", "roles", "tier", "unknown", "vars")

    def __init__(self, household: Household, child: Child, on: date, params: dict[str, Any]) -> None:
        self.household = household
        self.child = child
        self.on = on
        self.params = params
        by_id = {m.id: m for m in household.members or []}
        self.roles: dict[str, Any] = {
            "child": child,
            "household": household,
            "father": by_id.get(child.father) if child.father else None,
            "mother": by_id.get(child.mother) if child.mother else None,
            "caregiver": by_id.get(child.caregiver) if child.caregiver else None,
            "on": on,
        }
        self.vars: dict[str, Member] = {}
        self.names: dict[str, str] = {}  # bound variable -> how a data gap names it (father, members[m2])
        self.memo: dict[tuple[Any, ...], tuple[Any, list[str]]] = {}
        self.results: dict[tuple[str, str], tuple[Any, list[str]]] = {}
        self.unknown: list[str] = []
        self.tier: dict[str, Any] = {}


class Compiler:
    """Compiles the nodes of one pack; predicates are compiled once and shared."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.predicates: dict[str, tuple[tuple[str, ...], Fn]] = {}
        for name, rule in pack.predicates.items():
            self.predicates[name] = (rule.args, self.compile(rule.node))

    def rule(self, rule: Rule) -> Fn:
        return self.compile(rule.node)

    def compile(self, n: A.Node) -> Fn:
        match n:
            case A.Const(value=v):
                return lambda ctx: v
            case A.Param(name=name):
                return lambda ctx: ctx.params[name]
            case A.Fact():
                return _fact(n)
            case A.Not(operand=o):
                f = self.compile(o)

                def not_(ctx: Ctx) -> Any:
                    v = f(ctx)
                    return None if v is None else not v

                return not_
            case A.BoolOp(op="and", operands=ops):
                return _and([self.compile(o) for o in ops])
            case A.BoolOp(operands=ops):
                return _or([self.compile(o) for o in ops])
            case A.Compare(op=op, left=left, right=right):
                return _compare(_OPS[op], op == "!=", self.compile(left), self.compile(right))
            case A.In():
                return self._in(n)
            case A.Arith(op=op, left=left, right=right):
                return _arith(op, self.compile(left), self.compile(right))
            case A.Agg():
                return self._agg(n)
            case A.Call(fn=fn, args=args):
                return _call(fn, [self.compile(a) for a in args])
            case A.Ref(kind="predicate", name=name, args=args):
                roots = [a.root if isinstance(a, A.Fact) else "?" for a in args]
                return self._predicate(name, [self.compile(a) for a in args], roots)
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

    def _predicate(self, name: str, args: list[Fn], roots: list[str]) -> Fn:
        if len(args) == 1:
            return self._predicate1(name, args[0], roots[0])

        def pred(ctx: Ctx) -> Any:
            params, body = self.predicates[name]
            members = [a(ctx) for a in args]
            for m in members:
                if m is None:  # not `None in members`: that calls each model's __eq__
                    return None
            key = (name, *[m.id for m in members])
            hit = ctx.memo.get(key)
            if hit is not None:
                if hit[0] is None:
                    ctx.unknown.extend(hit[1])
                return hit[0]
            shown = [_where(ctx, r, ()) for r in roots]
            # Only this predicate's own parameters change: save and restore just those.
            vars_, names = ctx.vars, ctx.names
            saved = [(p, vars_.get(p), names.get(p)) for p in params]
            for p, m, w in zip(params, members, shown, strict=True):
                vars_[p] = m
                names[p] = w
            start = len(ctx.unknown)
            try:
                value = body(ctx)
            finally:
                for p, old_member, old_name in saved:
                    if old_member is None:
                        vars_.pop(p, None)
                    else:
                        vars_[p] = old_member
                    if old_name is None:
                        names.pop(p, None)
                    else:
                        names[p] = old_name
            ctx.memo[key] = (value, ctx.unknown[start:])
            return value

        return pred

    def _predicate1(self, name: str, arg: Fn, root: str) -> Fn:
        """The one-member predicate (every predicate of the default pack), without the general loops."""

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
            (param,), body = self.predicates[name]
            vars_, names = ctx.vars, ctx.names
            old_member, old_name = vars_.get(param), names.get(param)
            shown = _where(ctx, root, ())  # before binding, as the general form does
            vars_[param] = member
            names[param] = shown
            start = len(ctx.unknown)
            try:
                value = body(ctx)
            finally:
                if old_member is None:
                    del vars_[param]
                else:
                    vars_[param] = old_member
                if old_name is None:
                    del names[param]
                else:
                    names[param] = old_name
            ctx.memo[key] = (value, ctx.unknown[start:])
            return value

        return pred1

    def _in(self, n: A.In) -> Fn:
        item = self.compile(n.item)
        negate = n.negate
        if n.container is not None:
            container = self.compile(n.container)

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

    def _agg(self, n: A.Agg) -> Fn:
        body = self.compile(n.body)
        cond = self.compile(n.cond) if n.cond is not None else None
        var, fn = n.var, n.fn

        def agg(ctx: Ctx) -> Any:
            members = ctx.household.members
            if members is None:  # the household's adults were not reported
                ctx.unknown.append("household.members")
                return None
            out: list[Any] = []
            saved = ctx.vars.get(var)
            saved_name = ctx.names.pop(var, None)
            try:
                for m in members:
                    ctx.vars[var] = m
                    c = True if cond is None else cond(ctx)
                    if c is False:
                        continue
                    v = body(ctx)
                    if fn in ("any", "all", "count"):
                        v = _kleene_and(c, v) if fn != "all" else _kleene_or(None if c is None else not c, v)
                    elif c is None:
                        v = None
                    out.append(v)
            finally:
                if saved is None:
                    ctx.vars.pop(var, None)
                else:
                    ctx.vars[var] = saved
                if saved_name is not None:
                    ctx.names[var] = saved_name
            if fn == "any":
                return True if True in out else (None if None in out else False)
            if fn == "all":
                return False if False in out else (None if None in out else True)
            if any(v is None for v in out):
                return None
            if fn == "count":
                return sum(1 for v in out if v)
            return sum(v for v in out if v is not ABSENT)  # a certificate not held adds nothing

        return agg


def _kleene_and(a: Any, b: Any) -> Any:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _kleene_or(a: Any, b: Any) -> Any:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _and(fs: list[Fn]) -> Fn:
    if len(fs) == 2:
        first, second = fs

        def and2(ctx: Ctx) -> Any:  # most conjunctions have two operands: no loop
            a = first(ctx)
            if a is False:
                return False
            b = second(ctx)
            if b is False:
                return False
            return None if a is None or b is None else True

        return and2

    def and_(ctx: Ctx) -> Any:
        unknown = False
        for f in fs:
            v = f(ctx)
            if v is False:
                return False
            if v is None:
                unknown = True
        return None if unknown else True

    return and_


def _or(fs: list[Fn]) -> Fn:
    if len(fs) == 2:
        first, second = fs

        def or2(ctx: Ctx) -> Any:
            a = first(ctx)
            if a is True:
                return True
            b = second(ctx)
            if b is True:
                return True
            return None if a is None or b is None else False

        return or2

    def or_(ctx: Ctx) -> Any:
        unknown = False
        for f in fs:
            v = f(ctx)
            if v is True:
                return True
            if v is None:
                unknown = True
        return None if unknown else False

    return or_


def _compare(op: Callable[[Any, Any], Any], is_ne: bool, left: Fn, right: Fn) -> Fn:
    def cmp(ctx: Ctx) -> Any:
        a = left(ctx)
        b = right(ctx)
        if a is ABSENT or b is ABSENT:
            return is_ne
        if a is None or b is None:
            return None
        return bool(op(a, b))

    return cmp


def _arith(op: str, left: Fn, right: Fn) -> Fn:
    f = _OPS.get(op)

    def arith(ctx: Ctx) -> Any:
        a, b = left(ctx), right(ctx)
        if a is None or b is None:
            return None
        if a is ABSENT or b is ABSENT:
            return ABSENT
        if f is None:  # division
            return None if b == 0 else a / b
        return f(a, b)

    return arith


def _call(fn: str, args: list[Fn]) -> Fn:
    if fn == "known":
        (arg,) = args
        return lambda ctx: arg(ctx) is not None
    if fn == "has_any":
        container, items = args[0], args[1:]

        def has_any(ctx: Ctx) -> Any:
            c = container(ctx)
            if c is None:
                return None
            return c is not ABSENT and any(i(ctx) in c for i in items)

        return has_any
    if fn == "len":
        (arg,) = args

        def len_(ctx: Ctx) -> Any:
            c = arg(ctx)
            return c if c is None else 0 if c is ABSENT else len(c)

        return len_
    between = {
        "days_between": lambda a, b: (b - a).days,
        "months_between": months_between,
        "years_between": years_between,
    }[fn]
    a_fn, b_fn = args

    def dates(ctx: Ctx) -> Any:
        a, b = a_fn(ctx), b_fn(ctx)
        if a is None or b is None:
            return None
        if a is ABSENT or b is ABSENT:
            return ABSENT
        return between(a, b)

    return dates


def _fact(n: A.Fact) -> Fn:
    root, path = n.root, n.path
    last = len(path) - 1
    if len(path) == 1 and path[0] != "age":
        (field,) = path

        def one_field(ctx: Ctx) -> Any:  # the common case, kept short: it runs ~150 times per child
            obj = ctx.roles.get(root) if root in ctx.roles else ctx.vars.get(root)
            if obj is None:
                ctx.unknown.append(_where(ctx, root, ()))
                return None
            value = getattr(obj, field)
            if value is None:
                ctx.unknown.append(_where(ctx, root, path))
            return value

        return one_field

    def fact(ctx: Ctx) -> Any:
        obj = ctx.roles[root] if root in ctx.roles else ctx.vars.get(root)
        if obj is None:
            ctx.unknown.append(_where(ctx, root, ()))
            return None
        for i, part in enumerate(path):
            if part == "age" and isinstance(obj, Child | Member):
                obj = None if obj.birth_date is None else years_between(obj.birth_date, ctx.on)
                if obj is None:
                    ctx.unknown.append(_where(ctx, root, (*path[:i], "birth_date")))
                    return None
                continue
            obj = getattr(obj, part)
            if obj is None:
                ctx.unknown.append(_where(ctx, root, path[: i + 1]))
                return None
            if obj is False and i < last:
                return ABSENT
        return obj

    return fact


def _where(ctx: Ctx, root: str, path: tuple[str, ...]) -> str:
    """A fact's path for a data gap, naming members by role or id (never by name)."""
    if root in ctx.roles:
        head = root
    elif root in ctx.names:
        head = ctx.names[root]
    else:
        m = ctx.vars.get(root)
        head = f"household.members[{m.id}]" if m is not None else root
    return ".".join((head, *path))
