"""What a rule expression may name (:class:`Scope`), and the one error a bad expression raises."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from riskeval.pack._yaml import Mark
from riskeval.pack.expr.types import Type

CASCADE = "cascade"  # an error that follows from another, already reported; loaders drop it


class ExprError(Exception):
    """One problem in one expression, located at the offending node."""

    def __init__(self, node: ast.AST | None, code: str, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.code = code
        self.message = message
        self.mark: Mark | None = None  # set by parse()


@dataclass
class Scope:
    """What names an expression may use, and their types."""

    params: dict[str, Type]
    param_values: dict[str, list[Any]]
    predicates: dict[str, int]  # name -> number of member parameters
    categories: set[str]
    factors: set[str]
    severities: set[str] = field(default_factory=set)
    tier_inputs: bool = False
    bound: dict[str, Type] = field(default_factory=dict)
    on_reference: Callable[[str, str], None] | None = None  # (kind, name) for the dependency graph
    # Kinds of names ("param", "predicate", "category", "factor") whose file could not be read: an unknown
    # name of such a kind is not reported again (ExprError code CASCADE), the file's own problem is.
    unchecked: frozenset[str] = frozenset()

    def with_bound(self, names: dict[str, Type]) -> Scope:
        return Scope(
            self.params, self.param_values, self.predicates, self.categories, self.factors,
            self.severities, self.tier_inputs, {**self.bound, **names}, self.on_reference, self.unchecked,
        )  # fmt: skip

    def cascade(self, node: ast.AST | None, kind: str) -> None:
        """Give up quietly on a name of a kind whose file could not be read."""
        if kind in self.unchecked:
            raise ExprError(node, CASCADE, f"a {kind} name cannot be checked: its file has problems")


def suggest(word: str, options: Iterable[str]) -> str:
    """A "did you mean" tail for a misspelt name, or an empty string."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Where:
    """Where each part of one expression sits in its rule file."""

    def __init__(self, text: str, base: Mark, chars: Sequence[Mark] | None) -> None:
        self.base = base
        self.chars = chars
        self.lead = len(text) - len(text.lstrip())
        self.source = text.strip()
        self.flat = _flatten(self.source)

    def of(self, node: ast.AST | None) -> Mark:
        """The position of a node parsed from the flat text (ast columns count UTF-8 bytes)."""
        col = getattr(node, "col_offset", None)
        if col is None or getattr(node, "lineno", None) != 1:
            return self.base
        return self.at(len(self.flat.encode("utf-8")[:col].decode("utf-8", errors="ignore")))

    def at(self, index: int) -> Mark:
        """The position of character ``index`` (from 0) of the stripped text."""
        if self.chars is not None:
            i = self.lead + index
            return self.chars[i] if 0 <= i < len(self.chars) else self.base
        before = self.source[:index]
        line = before.count("\n")
        return self.base.shifted(line, index - before.rfind("\n") - 1 if line else index + self.lead)


def _flatten(text: str) -> str:
    """One line of the same length: a condition may span lines (YAML blocks) without Python's parentheses."""
    return text.replace("\r", " ").replace("\n", " ")


def node_mark(base: Mark, node: ast.AST | None) -> Mark:
    """The file position of a node inside an expression copied verbatim from ``base``."""
    line, col = getattr(node, "lineno", None), getattr(node, "col_offset", None)
    if line is None or col is None:
        return base
    return base.shifted(line - 1, col)
