"""The scalar form's leaves and connectives: closures over one child's context.

They read facts, compare, combine with Kleene's ``and``/``or``, do arithmetic and call the date helpers,
recording unknown reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from riskeval.evaluate.scalar._context import Ctx
from riskeval.evaluate.semantics import ABSENT, OPS, Bounds, bounded
from riskeval.facts import Child, Member
from riskeval.pack.expr import nodes as A
from riskeval.schedule.dates import add_months, months_between, years_between

Fn = Callable[[Ctx], Any]
Years = Callable[[date, date], int]  # completed years, by the pack's leap-day rule (schedule.dates)


def and_of(fs: list[Fn]) -> Fn:
    return _connective(fs, False)


def or_of(fs: list[Fn]) -> Fn:
    return _connective(fs, True)


def _connective(fs: list[Fn], decisive: bool) -> Fn:
    """Kleene's ``and`` (one false operand decides) or ``or`` (one true operand decides), left to right."""
    otherwise = not decisive
    if len(fs) == 2:
        first, second = fs

        def two(ctx: Ctx) -> Any:  # most have two operands: no loop
            a = first(ctx)
            if a is decisive:
                return decisive
            b = second(ctx)
            if b is decisive:
                return decisive
            return None if a is None or b is None else otherwise

        return two

    def many(ctx: Ctx) -> Any:
        unknown = False
        for f in fs:
            v = f(ctx)
            if v is decisive:
                return decisive
            if v is None:
                unknown = True
        return None if unknown else otherwise

    return many


def compare(name: str, left: Fn, right: Fn) -> Fn:
    op, is_ne = OPS[name], name == "!="

    def cmp(ctx: Ctx) -> Any:
        a = left(ctx)
        b = right(ctx)
        if a is ABSENT or b is ABSENT:
            return is_ne
        if a is None or b is None:
            return None
        if type(a) is Bounds or type(b) is Bounds:
            return bounded(name, a, b)
        return bool(op(a, b))

    return cmp


def arith(op: str, left: Fn, right: Fn) -> Fn:
    return _binary(OPS.get(op) or _divide, left, right)


def _divide(a: Any, b: Any) -> Any:
    return None if b == 0 else a / b


def _binary(f: Callable[[Any, Any], Any], left: Fn, right: Fn) -> Fn:
    """Arithmetic and the date helpers: unknown in, unknown out; a fact that does not exist stays so."""

    def binary(ctx: Ctx) -> Any:
        a, b = left(ctx), right(ctx)
        if a is None or b is None:
            return None
        if a is ABSENT or b is ABSENT:
            return ABSENT
        return f(a, b)

    return binary


def call(fn: str, args: list[Fn], years: Years = years_between) -> Fn:
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
        "years_between": years,
        "add_months": add_months,
    }[fn]
    a_fn, b_fn = args
    return _binary(between, a_fn, b_fn)


def fact(n: A.Fact, is_var: bool, years: Years = years_between) -> Fn:
    root, path = n.root, n.path
    last = len(path) - 1
    if len(path) == 1 and path[0] != "age":
        (field,) = path
        # A role's gap paths are fixed strings; a variable's depend on whom it is bound to (None: ask _head).
        gap_root = None if is_var else root
        gap = None if is_var else f"{root}.{field}"

        def one_field(ctx: Ctx) -> Any:  # the common case, kept short: it runs ~150 times per child
            obj = ctx.roles.get(root)
            if obj is None:
                ctx.unknown.append(gap_root or _head(ctx, root))
                return None
            value = getattr(obj, field)
            if value is None:
                ctx.unknown.append(gap or f"{_head(ctx, root)}.{field}")
            return value

        return one_field
    if not path:  # a member passed to a predicate: the role or variable itself

        def itself(ctx: Ctx) -> Any:
            obj = ctx.roles.get(root)
            if obj is None:
                ctx.unknown.append(_head(ctx, root) if is_var else root)
            return obj

        return itself
    if len(path) == 2 and "age" not in path:
        first, second = path

        def two_fields(ctx: Ctx) -> Any:  # household.economy.dibao, m.disability.grade
            obj = ctx.roles.get(root)
            if obj is None:
                ctx.unknown.append(_head(ctx, root) if is_var else root)
                return None
            obj = getattr(obj, first)
            if obj is None:
                ctx.unknown.append(_gap(ctx, root, is_var, path[:1]))
                return None
            if obj is False:
                return ABSENT
            obj = getattr(obj, second)
            if obj is None:
                ctx.unknown.append(_gap(ctx, root, is_var, path))
            return obj

        return two_fields

    if path == ("age",):  # child.age, m.age: every age rule reads it, often several times per child
        born = None if is_var else f"{root}.birth_date"

        def age(ctx: Ctx) -> Any:
            obj = ctx.roles.get(root)
            if obj is None:
                ctx.unknown.append(_head(ctx, root) if is_var else root)
                return None
            if not isinstance(obj, Child | Member):
                return obj.age  # another holder of an age (a trigger's view of a person)
            if obj.birth_date is None:
                ctx.unknown.append(born or _gap(ctx, root, True, ("birth_date",)))
                return None
            return years(obj.birth_date, ctx.on)

        return age

    def fact(ctx: Ctx) -> Any:
        obj = ctx.roles.get(root)
        if obj is None:
            ctx.unknown.append(_head(ctx, root) if is_var else root)
            return None
        for i, part in enumerate(path):
            if part == "age" and isinstance(obj, Child | Member):
                obj = None if obj.birth_date is None else years(obj.birth_date, ctx.on)
                if obj is None:
                    ctx.unknown.append(_gap(ctx, root, is_var, (*path[:i], "birth_date")))
                    return None
                continue
            obj = getattr(obj, part)
            if obj is None:
                ctx.unknown.append(_gap(ctx, root, is_var, path[: i + 1]))
                return None
            if obj is False and i < last:
                return ABSENT
        return obj

    return fact


def _gap(ctx: Ctx, root: str, is_var: bool, path: tuple[str, ...]) -> str:
    """A fact's path for a data gap, naming members by role or id (never by name)."""
    return ".".join((_head(ctx, root) if is_var else root, *path))


def _head(ctx: Ctx, var: str) -> str:
    """How a bound variable is named in a gap: as the caller named the member, else by the member's id."""
    name = ctx.names.get(var)
    if name is not None:
        return name
    m = ctx.roles.get(var)
    return f"household.members[{m.id}]" if m is not None else var
