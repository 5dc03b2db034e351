"""The few ``ast`` shapes the generated scalar form is made of, and its constants table.

Every value that comes from a pack (a literal, a parameter's name, a fact's gap path, a rule's key) is put in
the table and read through a generated name (``K0``, ``K1``...): pack text never becomes code.
"""

from __future__ import annotations

import ast
from datetime import date
from typing import Any

Expr = ast.expr
_PLAIN = (str, int, float, bool, type(None), tuple, frozenset, date)
Stmt = ast.stmt


class Consts:
    """The generated module's constants: value -> a name ``K<n>`` bound in the module's globals."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self._names: dict[tuple[str, str], str] = {}

    def name(self, value: Any) -> ast.Name:
        # Plain values keyed by type and repr, not by value: 1, 1.0 and True are equal but are not the same
        # constant; anything else (a rule, its reads) by identity.
        key = (type(value).__qualname__, repr(value) if isinstance(value, _PLAIN) else str(id(value)))
        found = self._names.get(key)
        if found is None:
            found = self._names[key] = f"K{len(self.values)}"
            self.values[found] = value
        return load(found)


def load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def assign(name: str, value: Expr) -> ast.Assign:
    return ast.Assign(targets=[store(name)], value=value)


def attr(obj: Expr, name: str) -> ast.Attribute:
    return ast.Attribute(value=obj, attr=name, ctx=ast.Load())


def call(fn: Expr, *args: Expr) -> ast.Call:
    return ast.Call(func=fn, args=list(args), keywords=[])


def method(obj: Expr, name: str, *args: Expr) -> ast.Expr:
    return ast.Expr(value=call(attr(obj, name), *args))


def is_(a: Expr, b: Expr) -> ast.Compare:
    return ast.Compare(left=a, ops=[ast.Is()], comparators=[b])


def is_not(a: Expr, b: Expr) -> ast.Compare:
    return ast.Compare(left=a, ops=[ast.IsNot()], comparators=[b])


def lit(value: bool | int | None) -> ast.Constant:
    """The generator's own literals (None, True, False, small counters), never a pack's value."""
    return ast.Constant(value=value)


NONE, TRUE, FALSE = lit(None), lit(True), lit(False)


def if_(test: Expr, body: list[Stmt], orelse: list[Stmt] | None = None) -> ast.If:
    return ast.If(test=test, body=body, orelse=orelse if orelse is not None else [])


def or_(*values: Expr) -> ast.BoolOp:
    return ast.BoolOp(op=ast.Or(), values=list(values))


def and_(*values: Expr) -> ast.BoolOp:
    return ast.BoolOp(op=ast.And(), values=list(values))


def index(obj: Expr, key: Expr) -> ast.Subscript:
    return ast.Subscript(value=obj, slice=key, ctx=ast.Load())


def tuple_(*items: Expr) -> ast.Tuple:
    return ast.Tuple(elts=list(items), ctx=ast.Load())


def function(name: str, params: list[str], body: list[Stmt]) -> ast.FunctionDef:
    args = ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params], kwonlyargs=[], kw_defaults=[],
                         defaults=[])  # fmt: skip
    return ast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None)
