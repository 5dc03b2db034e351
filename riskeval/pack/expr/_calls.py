"""The type checker of calls in rule expressions: predicates, the helpers, and aggregations over members."""

from __future__ import annotations

import ast
import builtins

from riskeval.pack.expr import nodes as A
from riskeval.pack.expr._check import TypeChecker, dotted, enum_name, show
from riskeval.pack.expr._scope import ExprError, suggest
from riskeval.pack.expr.types import BOOL, DATE, MEMBER, NUMBER, ROOTS, Type

AGGREGATES = ("any", "all", "count", "sum")
# name -> (argument kinds, result type); "x" = any scalar
HELPERS: dict[str, tuple[tuple[str, ...], Type]] = {
    "days_between": (("date", "date"), NUMBER),
    "months_between": (("date", "date"), NUMBER),
    "years_between": (("date", "date"), NUMBER),
    "add_months": (("date", "number"), DATE),
    "len": (("enumlist",), NUMBER),
    "has_any": (("enumlist", "list"), BOOL),
    "known": (("x",), BOOL),
}


class CallChecker(TypeChecker):
    """The whole type checker: a :class:`TypeChecker` that also checks calls."""

    def call(self, n: ast.Call) -> A.Node:
        if not isinstance(n.func, ast.Name):
            raise ExprError(
                n,
                "forbidden",
                f"calling {show(n.func)} is not allowed: only named helpers and predicates can be called",
            )
        fn = n.func.id
        if n.keywords:
            raise ExprError(n, "forbidden", "keyword arguments are not allowed")
        if fn in AGGREGATES:
            return self.aggregate(n, fn)
        if fn in HELPERS:
            return self.helper(n, fn)
        if fn in self.scope.predicates:
            want = self.scope.predicates[fn]
            if len(n.args) != want:
                raise ExprError(n, "arity", f"predicate {fn!r} takes {want} member argument(s), found {len(n.args)}")
            args = tuple(self.expr(a) for a in n.args)
            for a, arg in zip(n.args, args, strict=True):
                if arg.type != MEMBER:
                    raise ExprError(a, "type", f"predicate {fn!r} takes a member (father, mother, caregiver, m)")
            self.ref("predicate", fn)
            return A.Ref(type=BOOL, mark=self.at(n), kind="predicate", name=fn, args=args)
        options = [*HELPERS, *AGGREGATES, *self.scope.predicates]
        if fn.startswith("_") or hasattr(builtins, fn):
            raise ExprError(
                n, "forbidden", f"call to {fn!r} is not allowed: a rule calls only predicates, the helpers "
                f"{', '.join(HELPERS)} and the aggregations {', '.join(AGGREGATES)}{suggest(fn, options)}",
            )  # fmt: skip
        self.scope.cascade(n, "predicate")
        raise ExprError(n, "unknown_name", f"no predicate or helper {fn!r}{suggest(fn, options)}")

    def helper(self, n: ast.Call, fn: str) -> A.Node:
        kinds, result = HELPERS[fn]
        if len(n.args) != len(kinds):
            raise ExprError(n, "arity", f"{fn}() takes {len(kinds)} argument(s), found {len(n.args)}")
        args: list[A.Node] = []
        for a, kind in zip(n.args, kinds, strict=True):
            if kind == "list":
                if not isinstance(a, ast.List | ast.Tuple):
                    raise ExprError(a, "type", f"{fn}() takes a literal list here")
                args.extend(self.expr(e) for e in a.elts)
                continue
            arg = self.expr(a)
            ok = (kind == "x" and arg.type.kind not in {"record", "members"}) or arg.type.kind == kind
            if not ok:
                raise ExprError(a, "type", f"{fn}() needs a {kind} here, found a {arg.type}")
            args.append(arg)
        if fn == "has_any":
            elts = n.args[1].elts if isinstance(n.args[1], ast.List | ast.Tuple) else []
            for e, it in zip(elts, args[1:], strict=True):
                self.enum_value(
                    e,
                    Type("enum", enum=args[0].type.enum),
                    it,
                    f"{show(n.args[0])} (a list of {enum_name(args[0].type)})",
                )
        if fn == "add_months":
            self.whole_months(n.args[1], args[1])
        return A.Call(type=result, mark=self.at(n), fn=fn, args=tuple(args))

    def whole_months(self, at: ast.AST, arg: A.Node) -> None:
        """Months are counted whole; checking the count here keeps a bad one from failing an assessment."""
        if isinstance(arg, A.Const):
            values = [arg.value]
        elif isinstance(arg, A.Param):
            values = self.scope.param_values.get(arg.name, [])
        else:
            raise ExprError(at, "type", "add_months() takes a whole number of months: a literal or params.NAME")
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int | float) or v != int(v):
                raise ExprError(at, "type", f"add_months() counts whole months, found {v!r}")

    def aggregate(self, n: ast.Call, fn: str) -> A.Node:
        if len(n.args) != 1 or not isinstance(n.args[0], ast.GeneratorExp):
            raise ExprError(n, "forbidden", f"{fn}() takes one generator: {fn}(... for m in household.members)")
        gen = n.args[0]
        if len(gen.generators) != 1:
            raise ExprError(gen, "forbidden", "one `for` per aggregation")
        comp = gen.generators[0]
        if not isinstance(comp.target, ast.Name) or comp.is_async:
            raise ExprError(gen, "forbidden", "write `for m in household.members`")
        source = dotted(comp.iter) if isinstance(comp.iter, ast.Attribute | ast.Name) else []
        if source != ["household", "members"]:
            raise ExprError(comp.iter, "forbidden", "aggregations range over household.members only")
        if len(comp.ifs) > 1:
            raise ExprError(gen, "forbidden", "at most one `if` in an aggregation")
        var = comp.target.id
        if var in ROOTS or var in self.scope.bound:
            raise ExprError(comp.target, "forbidden", f"{var!r} is already a name; choose another variable")
        inner = CallChecker(self.scope.with_bound({var: MEMBER}), self.where)
        body = inner.expr(gen.elt)
        cond = inner.boolean(comp.ifs[0]) if comp.ifs else None
        want = NUMBER if fn == "sum" else BOOL
        if body.type != want:
            raise ExprError(gen.elt, "type", f"{fn}() needs a {want} for each member, found a {body.type}")
        return A.Agg(
            type=NUMBER if fn in ("count", "sum") else BOOL,
            mark=self.at(n),
            fn=fn,
            var=var,
            body=body,
            cond=cond,
        )
