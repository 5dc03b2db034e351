"""The type checker of rule expressions: names and facts, constants, operators, comparisons and ``in``.

Calls (predicates, helpers, aggregations) are checked by the subclass :class:`CallChecker`, below.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any

from riskeval.pack._yaml import Mark
from riskeval.pack.expr import nodes as A
from riskeval.pack.expr._scope import ExprError, Scope, Where, suggest
from riskeval.pack.expr.types import BOOL, DATE, LIST, MEMBER, NUMBER, ROOTS, STR, Type, fields_of

_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_OP_WORDS = {ast.Is: "is", ast.IsNot: "is not"}


class TypeChecker:
    """Checks one expression's syntax tree against a scope and builds its typed tree (:mod:`.nodes`)."""

    def __init__(self, scope: Scope, where: Where) -> None:
        self.scope = scope
        self.where = where

    def at(self, node: ast.AST) -> Mark:
        return self.where.of(node)

    def expr(self, n: ast.AST) -> A.Node:
        match n:
            case ast.BoolOp(op=op, values=values):
                ops = tuple(self.boolean(v) for v in values)
                return A.BoolOp(type=BOOL, mark=self.at(n), op="and" if isinstance(op, ast.And) else "or", operands=ops)
            case ast.UnaryOp(op=ast.Not(), operand=o):
                return A.Not(type=BOOL, mark=self.at(n), operand=self.boolean(o))
            case ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=v)) if _is_number(v):
                return A.Const(type=NUMBER, mark=self.at(n), value=-v)  # type: ignore[operator]
            case ast.Compare():
                return self.compare(n)
            case ast.BinOp(op=op, left=left, right=right) if type(op) in _ARITH:
                a, b = self.expr(left), self.expr(right)
                for side, t in ((left, a), (right, b)):
                    if t.type != NUMBER:
                        raise ExprError(
                            side,
                            "type",
                            f"arithmetic needs numbers: expected a number, found {show(side)}, a {t.type}",
                        )
                return A.Arith(type=NUMBER, mark=self.at(n), op=_ARITH[type(op)], left=a, right=b)
            case ast.Constant(value=v):
                return self.constant(n, v)
            case ast.Name() | ast.Attribute():
                return self.name(n)
            case ast.Call():
                return self.call(n)
            case ast.List() | ast.Tuple():
                raise ExprError(n, "forbidden", "a literal list is allowed only after `in` or in has_any(...)")
            case ast.Lambda():
                raise ExprError(n, "forbidden", "lambdas are not part of the rule language")
            case ast.ListComp() | ast.SetComp() | ast.DictComp() | ast.GeneratorExp():
                raise ExprError(
                    n,
                    "forbidden",
                    "comprehensions are allowed only as any/all/count/sum(... for m in household.members)",
                )
            case ast.Subscript():
                raise ExprError(n, "forbidden", "indexing ([...]) is not part of the rule language")
        raise ExprError(n, "forbidden", f"{type(n).__name__} is not part of the rule language")  # fmt: skip

    def boolean(self, n: ast.AST) -> A.Node:
        node = self.expr(n)
        if node.type != BOOL:
            raise ExprError(
                n,
                "type",
                f"`and`/`or`/`not` need conditions: expected true or false, found {show(n)}, a {node.type}",
            )
        return node

    def constant(self, n: ast.AST, v: Any) -> A.Node:
        if isinstance(v, bool):
            return A.Const(type=BOOL, mark=self.at(n), value=v)
        if _is_number(v):
            return A.Const(type=NUMBER, mark=self.at(n), value=v)
        if isinstance(v, str):
            return A.Const(type=STR, mark=self.at(n), value=v)
        raise ExprError(n, "forbidden", f"literal {v!r} is not allowed (use numbers, strings, true/false)")

    # --- names -------------------------------------------------------------------------------
    def name(self, n: ast.Name | ast.Attribute) -> A.Node:
        parts = dotted(n)
        head, rest = parts[0], parts[1:]
        for part in rest:
            if part.startswith("_"):
                raise ExprError(n, "forbidden", f"attribute {part!r}: names starting with _ are not allowed")
        sc = self.scope
        if head in ("true", "false") and not rest:  # YAML authors write lowercase booleans
            return A.Const(type=BOOL, mark=self.at(n), value=head == "true")
        if head == "params":
            return self.param(n, rest)
        if head in ("category", "factor") and head not in sc.bound:
            known = sc.categories if head == "category" else sc.factors
            if len(rest) != 1 or rest[0] not in known:
                sc.cascade(n, head)
                word = rest[0] if rest else ""
                raise ExprError(n, "unknown_name", f"no {head} {word!r}{suggest(word, known)}")
            self.ref(head, rest[0])
            return A.Ref(type=BOOL, mark=self.at(n), kind=head, name=rest[0])
        if sc.tier_inputs and head == "score" and not rest:
            return A.TierInput(type=NUMBER, mark=self.at(n), name="score")
        if sc.tier_inputs and head == "severity":
            if len(rest) != 1 or rest[0] not in sc.severities:
                word = rest[0] if rest else ""
                raise ExprError(n, "unknown_name", f"no severity {word!r}{suggest(word, sc.severities)}")
            return A.TierInput(type=NUMBER, mark=self.at(n), name="severity", key=rest[0])
        root_type = sc.bound.get(head) or ROOTS.get(head)
        if root_type is not None:
            return self.fact(n, head, root_type, rest)
        if head in sc.predicates and not rest:
            if sc.predicates[head]:
                raise ExprError(n, "arity", f"predicate {head!r} takes {sc.predicates[head]} member argument(s)")
            self.ref("predicate", head)
            return A.Ref(type=BOOL, mark=self.at(n), kind="predicate", name=head)
        if not rest:
            sc.cascade(n, "predicate")
        names = [*ROOTS, *sc.bound, *sc.predicates, "params", "category", "factor"]
        if sc.tier_inputs:
            names += ["score", "severity"]
        raise ExprError(n, "unknown_name", f"unknown name {head!r}{suggest(head, names)}")

    def ref(self, kind: str, name: str) -> None:
        if self.scope.on_reference is not None:
            self.scope.on_reference(kind, name)

    def param(self, n: ast.AST, rest: list[str]) -> A.Node:
        if len(rest) != 1:
            raise ExprError(n, "unknown_name", "write a parameter as params.NAME")
        name = rest[0]
        if name not in self.scope.params:
            self.scope.cascade(n, "param")
            raise ExprError(n, "unknown_param", f"unknown parameter {name!r}{suggest(name, self.scope.params)}")
        self.ref("param", name)
        return A.Param(type=self.scope.params[name], mark=self.at(n), name=name)

    def fact(self, n: ast.AST, root: str, t: Type, path: list[str]) -> A.Node:
        walked: list[str] = []
        for part in path:
            if t.kind != "record" or t.model is None:
                raise ExprError(n, "unknown_fact", f"{'.'.join([root, *walked])} is a {t} and has no field {part!r}")
            fields = fields_of(t.model)
            if part not in fields:
                where = ".".join([root, *walked])
                raise ExprError(n, "unknown_fact", f"{where} has no field {part!r}{suggest(part, fields)}")
            t = fields[part]
            walked.append(part)
        if t.kind == "record" and t is not MEMBER and t.model is not None and t != MEMBER:
            raise ExprError(n, "type", f"{'.'.join([root, *path])} is a record; name one of its fields")
        return A.Fact(type=t, mark=self.at(n), root=root, path=tuple(path))

    # --- comparisons ---------------------------------------------------------------------------
    def compare(self, n: ast.Compare) -> A.Node:
        if len(n.ops) > 1 and any(isinstance(op, ast.In | ast.NotIn) for op in n.ops):
            raise ExprError(n, "forbidden", "`in` cannot be chained with another comparison; use `and`")
        left_ast, left = n.left, self.expr(n.left)
        parts: list[A.Node] = []
        for op, right_ast in zip(n.ops, n.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                parts.append(self.membership(n, left_ast, left, right_ast, isinstance(op, ast.NotIn)))
                continue
            if type(op) not in _CMP:
                raise ExprError(
                    n,
                    "forbidden",
                    f"comparison `{_OP_WORDS.get(type(op), type(op).__name__)}` is not allowed",
                )
            right = self.expr(right_ast)
            sym = _CMP[type(op)]
            self.comparable(n, (left_ast, left), (right_ast, right), sym)
            parts.append(A.Compare(type=BOOL, mark=self.at(n), op=sym, left=left, right=right))
            left_ast, left = right_ast, right
        if len(parts) == 1:
            return parts[0]
        return A.BoolOp(type=BOOL, mark=self.at(n), op="and", operands=tuple(parts))

    def comparable(self, n: ast.AST, a: tuple[ast.AST, A.Node], b: tuple[ast.AST, A.Node], op: str) -> None:
        for (x_ast, x), (y_ast, y) in ((a, b), (b, a)):
            if x.type.kind == "enum":
                self.enum_value(y_ast, x.type, y, f"{show(x_ast)} (a {enum_name(x.type)})")
                if op not in ("==", "!="):
                    raise ExprError(n, "type", f"{show(x_ast)} (a {enum_name(x.type)}) has no order: "
                                               f"expected == or `in`, found {op}")  # fmt: skip
                return
        (a_ast, an), (b_ast, bn) = a, b
        if an.type != bn.type:
            raise ExprError(n, "type", f"cannot compare {show(a_ast)} with {show(b_ast)}: "
                                       f"expected a {an.type} on the right, found a {bn.type}")  # fmt: skip
        if op not in ("==", "!=") and an.type not in (NUMBER, DATE):
            raise ExprError(n, "type", f"{op} orders numbers or dates: expected a number or a date, "
                                       f"found {show(a_ast)}, a {an.type}")  # fmt: skip
        if an.type.kind in {"record", "members", "enumlist", "list"}:
            raise ExprError(n, "type", f"cannot compare {show(a_ast)}, a {an.type}: name one of its fields")

    def enum_value(self, n: ast.AST, enum_type: Type, other: A.Node, subject: str = "") -> None:
        """An enum is compared with a literal or a parameter whose every value must be in the enum."""
        allowed = enum_type.values()
        if other.type == enum_type:
            return
        what = subject or f"a {enum_name(enum_type)}"
        values: list[Any]
        if isinstance(other, A.Const):
            values = [other.value]
        elif isinstance(other, A.Param):
            values = [v for vs in self.scope.param_values.get(other.name, []) for v in _as_list(vs)]
        else:
            found = f"found {show(n)}, a {other.type}"
            raise ExprError(
                n,
                "type",
                f"compare {what} with a literal or a parameter: expected one of its values, {found}",
            )
        for v in values:
            if v not in allowed:
                source = f" in parameter {other.name!r}" if isinstance(other, A.Param) else ""
                raise ExprError(
                    n, "enum", f"{v!r}{source} is not a value of {what}{suggest(str(v), allowed)}; "
                    f"allowed values: {', '.join(allowed)}",
                )  # fmt: skip

    def membership(self, n: ast.AST, item_ast: ast.AST, item: A.Node, right_ast: ast.AST, negate: bool) -> A.Node:
        if isinstance(right_ast, ast.List | ast.Tuple):
            items = tuple(self.expr(e) for e in right_ast.elts)
            if not items:
                raise ExprError(right_ast, "type", "`in []` can never hold: expected at least one value")
            for e, it in zip(right_ast.elts, items, strict=True):
                if not isinstance(it, A.Const):
                    raise ExprError(e, "forbidden", f"`in` takes a list of literals, found {show(e)}")
                self.comparable(n, (item_ast, item), (e, it), "==")
            return A.In(type=BOOL, mark=self.at(n), item=item, items=items, negate=negate)
        right = self.expr(right_ast)
        if isinstance(right, A.Param) and right.type == LIST:
            if item.type.kind == "enum":
                self.enum_value(right_ast, item.type, right, f"{show(item_ast)} (a {enum_name(item.type)})")
            return A.In(type=BOOL, mark=self.at(n), item=item, items=(right,), negate=negate)
        if right.type.kind == "enumlist":
            if not isinstance(item, A.Const):
                found = f"found {show(item_ast)}"
                raise ExprError(item_ast, "forbidden", f"test membership in {show(right_ast)} with a literal, {found}")
            listed = f"{show(right_ast)} (a list of {enum_name(right.type)})"
            self.enum_value(item_ast, Type("enum", enum=right.type.enum), item, listed)
            return A.In(type=BOOL, mark=self.at(n), item=item, container=right, negate=negate)
        raise ExprError(right_ast, "type", "`in` needs a literal list, a list parameter or a list fact: "
                                           f"found {show(right_ast)}, a {right.type}")  # fmt: skip

    def call(self, n: ast.Call) -> A.Node:
        """A call: checked by the subclass :class:`CallChecker`."""
        raise NotImplementedError


def dotted(n: ast.AST) -> list[str]:
    parts: list[str] = []
    while isinstance(n, ast.Attribute):
        parts.append(n.attr)
        n = n.value
    if not isinstance(n, ast.Name):
        raise ExprError(n, "forbidden", "attributes may only follow a name (like child.age)")
    parts.append(n.id)
    parts.reverse()
    if any(p.startswith("__") for p in parts):
        raise ExprError(n, "forbidden", "dunder names are not part of the rule language")
    return parts


def show(n: ast.AST) -> str:
    """A sub-expression as the author wrote it (normalised), shortened for a message."""
    text = ast.unparse(n)
    return text if len(text) <= 60 else text[:57] + "..."


def enum_name(t: Type) -> str:
    return t.enum.__name__ if t.enum is not None else str(t)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _as_list(v: Any) -> list[Any]:
    return list(v) if isinstance(v, list) else [v]


# Calls: predicates, the date helpers and the aggregations over members.

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
