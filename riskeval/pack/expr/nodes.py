"""The typed syntax tree of rule expressions: one tree, compiled to the scalar and the numpy forms.

Every node carries its type and its position in the rule file (for messages and explanations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from riskeval.pack._yaml import Mark
from riskeval.pack.expr.types import Type


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    type: Type
    mark: Mark | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Const(Node):
    value: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact(Node):
    """A fact read from a root (child, father, household, a bound member variable...) along a path."""

    root: str
    path: tuple[str, ...]

    def dotted(self) -> str:
        return ".".join((self.root, *self.path))


@dataclass(frozen=True, slots=True, kw_only=True)
class Param(Node):
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Ref(Node):
    """A reference to another rule: a predicate (maybe with member arguments), a category or a factor."""

    kind: str  # "predicate" | "category" | "factor"
    name: str
    args: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TierInput(Node):
    """What the tier table reads: the score, or how many factors hold at one severity."""

    name: str  # "score" | "severity"
    key: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True, slots=True, kw_only=True)
class BoolOp(Node):
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Compare(Node):
    op: str  # "==" "!=" "<" "<=" ">" ">="
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, kw_only=True)
class In(Node):
    """``x in [a, b]`` (items: literal nodes or one list parameter) or ``'a' in child.safety`` (container)."""

    item: Node
    items: tuple[Node, ...] = ()
    container: Node | None = None
    negate: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Arith(Node):
    op: str  # "+" "-" "*" "/"
    left: Node
    right: Node


@dataclass(frozen=True, slots=True, kw_only=True)
class Agg(Node):
    """``any/all/count/sum(body for var in household.members [if cond])``."""

    fn: str
    var: str
    body: Node
    cond: Node | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Node):
    """A helper from the fixed whitelist (date arithmetic, len, has_any, known)."""

    fn: str
    args: tuple[Node, ...]


def walk(node: Node) -> list[Node]:
    """Every node of a tree, parents before children."""
    out: list[Node] = []
    stack: list[Node] = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(children(n)))
    return out


def children(n: Node) -> list[Node]:
    """The direct sub-expressions of a node."""
    match n:
        case Not(operand=o):
            return [o]
        case BoolOp(operands=ops):
            return list(ops)
        case Compare(left=a, right=b) | Arith(left=a, right=b):
            return [a, b]
        case In(item=i, items=items, container=c):
            return [i, *items, *([c] if c is not None else [])]
        case Agg(body=b, cond=c):
            return [b, *([c] if c is not None else [])]
        case Call(args=args) | Ref(args=args):
            return list(args)
    return []
