"""Rule expressions: a safe subset of Python syntax, parsed against a whitelist into typed nodes.

The pipeline: ``parse`` (this module: the limits, comments, and where each part sits in its file) →
``_check`` (the type checker: names, operators, comparisons and calls, against the fact schema) →
:mod:`.nodes` (the typed tree both compiled forms read) → :mod:`.nnf` (the negation normal form that trigger
conditions and durable-rules use). The scope and the error are ``_scope``'s, re-exported here. Nothing
in a rule file is ever executed.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Sequence

from riskeval.pack._yaml import Mark
from riskeval.pack.expr import nodes as A
from riskeval.pack.expr._check import AGGREGATES, HELPERS, CallChecker, show
from riskeval.pack.expr._scope import CASCADE, ExprError, Scope, Where, node_mark, suggest
from riskeval.pack.expr.types import BOOL

__all__ = [
    "AGGREGATES",
    "CASCADE",
    "HELPERS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "ExprError",
    "Scope",
    "Where",
    "node_mark",
    "parse",
    "suggest",
]

MAX_LENGTH = 2000
MAX_DEPTH = 30
MAX_NODES = 400


def parse(text: str, mark: Mark, scope: Scope, chars: Sequence[Mark] | None = None) -> A.Node:
    """Parse and type-check one boolean rule expression. Raises ExprError, with ``mark`` set.

    Args:
        text: the expression.
        mark: where the expression starts in its file.
        scope: the names it may use.
        chars: the file position of every character of ``text`` (see ``_yaml.scalar_chars``); without
            them, positions are counted from ``mark`` as if the text were copied verbatim.
    """
    where = Where(text if isinstance(text, str) else "", mark, chars)
    try:
        return _parse(text, where, scope)
    except ExprError as exc:
        if exc.mark is None:
            exc.mark = where.of(exc.node)
        raise


def _parse(text: str, where: Where, scope: Scope) -> A.Node:
    if not isinstance(text, str):
        raise ExprError(None, "type", f"expected an expression (a string), found {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(None, "too_long", f"expression is {len(text)} characters; the limit is {MAX_LENGTH}")
    try:
        tree = ast.parse(where.flat, mode="eval")
    except SyntaxError as exc:
        err = ExprError(None, "syntax", f"not a valid expression: {exc.msg}")
        if exc.offset is not None:
            err.mark = where.at(max(exc.offset - 1, 0))
        raise err from None
    for tok in tokenize.generate_tokens(io.StringIO(where.flat).readline):
        if tok.type == tokenize.COMMENT:  # in a folded block it would silently drop the rest of the condition
            err = ExprError(None, "forbidden", "a comment (#) inside a condition is not allowed: expected the "
                            "condition only, found a comment; put it on its own YAML line or in `note`")  # fmt: skip
            err.mark = where.at(tok.start[1])
            raise err
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise ExprError(None, "too_long", f"expression has {count} parts; the limit is {MAX_NODES}")
    _check_depth(tree.body, 0)
    node = CallChecker(scope, where).expr(tree.body)
    if node.type != BOOL:
        raise ExprError(
            tree.body,
            "type",
            f"expected a condition (true or false), found {show(tree.body)}, a {node.type}",
        )
    return node


def _check_depth(node: ast.AST, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ExprError(node, "too_deep", f"expression is nested more than {MAX_DEPTH} levels deep")
    for child in ast.iter_child_nodes(node):
        _check_depth(child, depth + 1)
