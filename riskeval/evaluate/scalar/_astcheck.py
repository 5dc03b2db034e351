"""The check a generated module passes before ``compile()``: only the generator's node kinds and names.

The generator builds the tree from a pack's typed nodes; this check does not trust it. Every node must be of
a kind the generator emits, every name must follow its naming scheme (a pack's text can never be a name: its
values are read from the constants table), every attribute must be one of the context's or a field of the
fact schema, and every literal must be one of the generator's own (None, True, False, 0, 1).
"""

from __future__ import annotations

import ast
import re
from typing import Any

_KINDS = (
    ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Return, ast.Assign, ast.AugAssign, ast.If, ast.For,
    ast.Continue, ast.Expr, ast.Name, ast.Load, ast.Store, ast.Attribute, ast.Subscript, ast.Slice, ast.Call,
    ast.Compare, ast.Is, ast.IsNot, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.BoolOp,
    ast.Or, ast.And, ast.UnaryOp, ast.Not, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Tuple, ast.List,
    ast.Constant, ast.IfExp, ast.Dict,
)  # fmt: skip
_SCHEME = re.compile(r"[KtrahfplSv][0-9]+|S")
# The context's parts, the runtime helpers, and the two builtins a generated function calls.
_FIXED = frozenset(("X", "U", "M", "R", "P", "RES", "T", "HH", "ON", "ABSENT", "BOUNDS", "BOUNDED", "KAND", "KOR",
                    "SUM", "HEAD", "DIV", "DAYS", "MONTHS", "YEARS", "ADDM", "len", "type", "L", "V", "G", "CATS",
                    "HITS", "VALS", "PEND", "UCATS", "UFACS", "HIT", "DEDUP", "main", "SCALARS", "PLAIN"))  # fmt: skip
_CONTEXT = frozenset(("unknown", "memo", "params", "results", "roles", "tier", "household", "on", "append",
                      "extend", "get", "id", "birth_date", "members", "clear"))  # fmt: skip
_LITERALS = (None, True, False, 0, 1)


class GeneratedCodeError(Exception):
    """The generator built something it should not have: a bug, never a pack's fault."""


def check_generated(tree: ast.Module, fields: frozenset[str]) -> None:
    """Raise ``GeneratedCodeError`` unless every node of ``tree`` is one the generator may emit; number the
    statements on the way (one line each, in order: a traceback or a profile tells them apart), which
    ``compile()`` needs and one walk of the tens of thousands of nodes can do."""
    allowed = _CONTEXT | fields
    line = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, lineno = stack.pop()
        _check(node, allowed)
        if isinstance(node, ast.stmt):
            line += 1
            lineno = line
        if node._attributes:
            node.lineno = node.end_lineno = lineno  # type: ignore[attr-defined]
            node.col_offset = node.end_col_offset = 0  # type: ignore[attr-defined]
        children: list[ast.AST] = []
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                children.append(value)
            elif type(value) is list:
                children += [v for v in value if isinstance(v, ast.AST)]
        stack += [(c, lineno) for c in reversed(children)]


def _check(node: ast.AST, allowed: frozenset[str]) -> None:
    if not isinstance(node, _KINDS):
        raise GeneratedCodeError(f"node kind {type(node).__name__} is not generated")
    if isinstance(node, ast.Name):
        _name(node.id)
    elif isinstance(node, ast.FunctionDef):
        _name(node.name)
        if node.decorator_list or node.returns is not None:
            raise GeneratedCodeError("a generated function has no decorators nor annotations")
    elif isinstance(node, ast.arg):
        _name(node.arg)
        if node.annotation is not None:
            raise GeneratedCodeError("a generated argument has no annotation")
    elif isinstance(node, ast.Attribute):
        if node.attr not in allowed or node.attr.startswith("_"):
            raise GeneratedCodeError(f"attribute {node.attr!r} is neither the context's nor a fact's")
    elif isinstance(node, ast.Constant):
        _literal(node.value)
    elif isinstance(node, ast.Call) and (node.keywords or not isinstance(node.func, ast.Name | ast.Attribute)):
        raise GeneratedCodeError("a generated call is to a name or a method, with positional arguments")


def _name(name: str) -> None:
    if name not in _FIXED and not _SCHEME.fullmatch(name):
        raise GeneratedCodeError(f"name {name!r} is not of the generator's scheme")


def _literal(value: Any) -> None:
    if not any(type(value) is type(x) and value == x for x in _LITERALS):
        raise GeneratedCodeError(f"literal {value!r} is not the generator's own (pack values are constants)")
