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
_KIND_SET = frozenset(_KINDS)
_SPECIAL = frozenset((ast.FunctionDef, ast.arg, ast.Attribute, ast.Constant, ast.Call))
# Nodes without fields or location, met only as a node's context or operator: checked, never walked.
_LEAVES = frozenset(k for k in _KINDS if not k._fields and not k._attributes)
_SCHEME = re.compile(r"[KtrahfplSvwbc][0-9]+|S")
# The context's parts, the runtime helpers, and the two builtins a generated function calls.
_FIXED = frozenset(("X", "U", "M", "R", "P", "RES", "T", "HH", "ON", "ABSENT", "BOUNDS", "BOUNDED", "KAND", "KOR",
                    "SUM", "HEAD", "DIV", "DAYS", "MONTHS", "YEARS", "ADDM", "len", "type", "L", "V", "G", "CATS",
                    "HITS", "VALS", "PEND", "UCATS", "UFACS", "HIT", "DEDUP", "main", "SCALARS", "PLAIN",
                    "O", "W"))  # fmt: skip
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
    names: set[str] = set()  # each name is checked once: a function reads its few locals many times
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, lineno = stack.pop()
        kind = type(node)
        if kind not in _KIND_SET:
            raise GeneratedCodeError(f"node kind {kind.__name__} is not generated")
        if kind is ast.Name:
            if node.id not in names:  # type: ignore[attr-defined]
                _name(node.id)  # type: ignore[attr-defined]
                names.add(node.id)  # type: ignore[attr-defined]
        if kind in _SPECIAL:
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
            if type(value) is list:
                children += [v for v in value if isinstance(v, ast.AST) and type(v) not in _LEAVES]
            elif isinstance(value, ast.AST) and type(value) not in _LEAVES:  # not a context nor an operator
                children.append(value)
        for child in reversed(children):
            if type(child) is ast.Name and type(child.ctx) in _LEAVES:  # the most common node: done here
                if child.id not in names:
                    _name(child.id)
                    names.add(child.id)
                child.lineno = child.end_lineno = lineno
                child.col_offset = child.end_col_offset = 0
            else:
                stack.append((child, lineno))


def _check(node: ast.AST, allowed: frozenset[str]) -> None:
    if isinstance(node, ast.FunctionDef):
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
