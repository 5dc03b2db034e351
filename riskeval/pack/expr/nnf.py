"""Trigger conditions, from the typed AST to the durable executor's condition IR.

The IR is in negation normal form: ``("all", [...])``, ``("any", [...])``, ``("cmp", op, field, value)``
and ``("true",)``; negations are pushed down to the comparisons, whose operators are complemented.
A field is a fact path, read from one event and one child: ``event.months``, ``child.age``,
``subject.disability.grade``. Three kinds of companion field make the IR exact under riskeval's logic:

- ``PATH:ITEM`` (``child.safety:abuse``): whether a known list holds an item;
- ``PATH#known``: whether a fact is known (the ``known()`` helper), always present;
- ``PATH#absent``: the fact is known not to exist (a field of a certificate the person does not hold).

An unknown fact is left out of the fact, and a comparison on a missing field holds for neither
executor: under Kleene's tables a condition in negation normal form is true exactly when the
comparisons it needs are known and hold, so "matches" and "evaluates to true" are the same thing.
``ABSENT`` is the one value that needs help: a comparison with it is false, ``!=`` true, so a leaf
that would hold on it becomes ``any[leaf, PATH#absent == true]``.

What cannot be said as a comparison of one fact with one value (arithmetic on facts, date
helpers, aggregations over members, a fact compared with another fact) is rejected when the pack loads;
arithmetic over literals and parameters is folded to its value.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from riskeval.facts import Child, Household, Member
from riskeval.pack.expr import nodes as A

IR = tuple[Any, ...]
TRUE: IR = ("true",)
FALSE: IR = ("any", [])
_COMPLEMENT = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_FLIP = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
_PY = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}  # fmt: skip
_ARITH = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
MAX_INLINE = 16


class IRError(Exception):
    """A condition the durable executor cannot run; ``node`` locates it in the rule file."""

    def __init__(self, node: A.Node | None, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


@dataclass(frozen=True, slots=True)
class FieldRef:
    """How to read one IR field: a fact path, and which companion of it (if any)."""

    root: str
    path: tuple[str, ...]
    flag: Literal["", "item", "known", "absent"] = ""
    item: str = ""

    @property
    def name(self) -> str:
        base = ".".join((self.root, *self.path))
        if self.flag == "item":
            return f"{base}:{self.item}"
        return f"{base}#{self.flag}" if self.flag else base


@dataclass
class Compiled:
    """One condition's IR, the fields it reads, and the parameters it was specialised with."""

    ir: IR
    fields: dict[str, FieldRef] = field(default_factory=dict)
    params: set[str] = field(default_factory=set)


def compile_condition(
    node: A.Node,
    *,
    predicates: Mapping[str, tuple[tuple[str, ...], A.Node]],
    params: Mapping[str, Any],
    roots: Mapping[str, type[BaseModel]],
) -> Compiled:
    """Compile a typed boolean expression to the IR, with parameter values substituted.

    Args:
        node: the condition (a trigger row's ``when``).
        predicates: name -> (member parameters, body) of every predicate it may call.
        params: the parameter values to substitute (those of one date).
        roots: the fact model behind each root name the condition may read.

    Raises:
        IRError: a part of the condition that is not a comparison of a fact with a value.
    """
    out = Compiled(TRUE)
    out.ir = _Compiler(predicates, params, roots, out).cond(node, False, {}, 0)
    return out


class _Compiler:
    def __init__(
        self,
        predicates: Mapping[str, tuple[tuple[str, ...], A.Node]],
        params: Mapping[str, Any],
        roots: Mapping[str, type[BaseModel]],
        out: Compiled,
    ) -> None:
        self.predicates = predicates
        self.params = params
        self.roots = roots
        self.out = out

    # --- boolean structure ---------------------------------------------------------------------
    def cond(self, n: A.Node, neg: bool, bind: dict[str, str], depth: int) -> IR:
        match n:
            case A.Const(value=v) if isinstance(v, bool):
                return TRUE if v != neg else FALSE
            case A.Param(name=name):
                return TRUE if bool(self.param(n, name)) != neg else FALSE
            case A.Not(operand=o):
                return self.cond(o, not neg, bind, depth)
            case A.BoolOp(op=op, operands=ops):
                conj = (op == "and") != neg
                parts = [self.cond(o, neg, bind, depth) for o in ops]
                return _all(parts) if conj else _any(parts)
            case A.Compare(op=op, left=left, right=right):
                return self.compare(n, op, left, right, neg, bind)
            case A.In():
                return self.membership(n, neg, bind)
            case A.Fact():
                ref = self.fact(n, bind)
                return self.leaf(n, ref, "==", True, neg)
            case A.Call(fn="known", args=(arg,)):
                if not isinstance(arg, A.Fact):
                    # Whether a computed value is known depends on every fact it reads: no one field says it.
                    if _reads_facts(arg):
                        raise IRError(arg, _unsupported(arg))
                    self.value(arg)  # a constant is known, unless it divides by zero (refused there)
                    return TRUE if not neg else FALSE
                ref = self.fact(arg, bind)
                known = FieldRef(ref.root, ref.path, "known")
                self.use(known)
                return ("cmp", "==", known.name, not neg)
            case A.Call(fn="has_any", args=(container, *items)) if isinstance(container, A.Fact):
                ref = self.fact(container, bind)
                leaves = [self.item_leaf(n, ref, self.value(i), neg) for i in items]
                return _all(leaves) if neg else _any(leaves)
            case A.Ref(kind="predicate", name=name, args=args):
                return self.inline(n, name, args, neg, bind, depth)
        raise IRError(n, _unsupported(n))

    def inline(self, n: A.Node, name: str, args: tuple[A.Node, ...], neg: bool, bind: dict[str, str], depth: int) -> IR:
        if depth >= MAX_INLINE or name not in self.predicates:
            raise IRError(n, f"predicate {name!r} cannot be used in a trigger condition")
        params, body = self.predicates[name]
        inner: dict[str, str] = {}
        for p, a in zip(params, args, strict=True):
            if not isinstance(a, A.Fact) or a.path:
                raise IRError(a, f"predicate {name!r} takes a member role (father, mother, subject...)")
            inner[p] = bind.get(a.root, a.root)
        try:
            return self.cond(body, neg, inner, depth + 1)
        except IRError as exc:
            raise IRError(n, f"predicate {name!r}: {exc.message}") from None

    # --- leaves --------------------------------------------------------------------------------
    def compare(self, n: A.Node, op: str, left: A.Node, right: A.Node, neg: bool, bind: dict[str, str]) -> IR:
        lf, rf = isinstance(left, A.Fact), isinstance(right, A.Fact)
        if lf and rf:
            raise IRError(n, "a trigger condition compares a fact with a value, not with another fact")
        if not lf and not rf:
            held = bool(_PY[op](self.value(left), self.value(right)))
            return TRUE if held != neg else FALSE
        if rf:
            left, right, op = right, left, _FLIP[op]
        assert isinstance(left, A.Fact)
        return self.leaf(n, self.fact(left, bind), op, self.value(right), neg)

    def membership(self, n: A.In, neg: bool, bind: dict[str, str]) -> IR:
        neg = neg != n.negate
        if n.container is not None:
            if not isinstance(n.container, A.Fact):
                raise IRError(n, _unsupported(n.container))
            return self.item_leaf(n, self.fact(n.container, bind), self.value(n.item), neg)
        values: list[Any] = []
        for it in n.items:
            v = self.value(it)
            values.extend(v if isinstance(v, list) else [v])
        if not isinstance(n.item, A.Fact):
            held = self.value(n.item) in values
            return TRUE if held != neg else FALSE
        ref = self.fact(n.item, bind)
        leaves = [self.leaf(n, ref, "==", v, neg) for v in values]
        return _all(leaves) if neg else _any(leaves)

    def leaf(self, n: A.Node, ref: FieldRef, op: str, value: Any, neg: bool) -> IR:
        """``fact OP value``, negated when ``neg``, holding on ABSENT exactly when riskeval's does."""
        holds_on_absent = (op == "!=") != neg
        if neg:
            op = _COMPLEMENT[op]
        if isinstance(value, bool) and op == "!=":
            op, value = "==", not value
        self.use(ref)
        cmp: IR = ("cmp", op, ref.name, value)
        if holds_on_absent and self.absent_able(ref):
            absent = FieldRef(ref.root, ref.path, "absent")
            self.use(absent)
            return ("any", [cmp, ("cmp", "==", absent.name, True)])
        return cmp

    def item_leaf(self, n: A.Node, ref: FieldRef, item: Any, neg: bool) -> IR:
        """``item in list``: a known list holds it (or, negated, does not); ABSENT holds none."""
        flag = FieldRef(ref.root, ref.path, "item", str(item))
        self.use(flag)
        cmp: IR = ("cmp", "==", flag.name, not neg)
        if neg and self.absent_able(ref):
            absent = FieldRef(ref.root, ref.path, "absent")
            self.use(absent)
            return ("any", [cmp, ("cmp", "==", absent.name, True)])
        return cmp

    # --- values and facts ------------------------------------------------------------------------
    def value(self, n: A.Node) -> Any:
        """A constant: a literal, a parameter, or arithmetic over them (folded here, as riskeval computes it)."""
        match n:
            case A.Const(value=v):
                return v
            case A.Param(name=name):
                return self.param(n, name)
            case A.Arith(op=op, left=left, right=right) if not _reads_facts(n):
                a, b = self.value(left), self.value(right)
                if op == "/":
                    if b == 0:
                        raise IRError(n, "division by zero in a constant")
                    return a / b
                return _ARITH[op](a, b)
        raise IRError(n, _unsupported(n))

    def param(self, n: A.Node, name: str) -> Any:
        if name not in self.params:
            raise IRError(n, f"parameter {name!r} has no value")
        self.out.params.add(name)
        return self.params[name]

    def fact(self, n: A.Fact, bind: dict[str, str]) -> FieldRef:
        root = bind.get(n.root, n.root)
        if root not in self.roots:
            raise IRError(n, f"{n.dotted()}: a trigger condition reads the event, the child and its household")
        return FieldRef(root, n.path)

    def use(self, ref: FieldRef) -> None:
        self.out.fields[ref.name] = ref

    def absent_able(self, ref: FieldRef) -> bool:
        """Whether a fact can be ABSENT: its path crosses a field that may be ``False`` (no certificate)."""
        model: Any = self.roots[ref.root]
        for part in ref.path[:-1]:
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                return False
            hint = typing.get_type_hints(model).get(part)
            args = get_args(hint)
            if any(get_origin(a) is Literal and False in get_args(a) for a in args):
                return True
            model = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), hint)
        return False


def _all(parts: list[IR]) -> IR:
    if any(p == FALSE for p in parts):
        return FALSE
    kept = [p for p in parts if p != TRUE]
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else ("all", kept)


def _any(parts: list[IR]) -> IR:
    if any(p == TRUE for p in parts):
        return TRUE
    kept = [p for p in parts if p != FALSE]
    if not kept:
        return FALSE
    return kept[0] if len(kept) == 1 else ("any", kept)


def _reads_facts(n: A.Node) -> bool:
    return any(isinstance(x, A.Fact | A.Ref | A.Agg | A.Call | A.TierInput) for x in A.walk(n))


def _unsupported(n: A.Node) -> str:
    what = {
        A.Arith: "arithmetic",
        A.Agg: "an aggregation over members",
        A.TierInput: "a tier input",
        A.Call: f"the helper {getattr(n, 'fn', '')}()",
        A.Ref: f"a {getattr(n, 'kind', 'rule')} reference",
    }.get(type(n), type(n).__name__)
    return (
        f"{what} cannot run on the durable executor: a trigger condition compares facts of the event, "
        "the child or the household with values (give the event a detail, or the pack a derived fact)"
    )


def roots_for(event_model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """The fact model behind each root a trigger condition reads."""
    return {
        "event": event_model,
        "child": Child,
        "father": Member,
        "mother": Member,
        "caregiver": Member,
        "subject": Member,
        "household": Household,
    }


def ir_text(ir: IR) -> str:
    """A readable rendering of an IR condition, for messages and docs."""
    if ir[0] == "true":
        return "true"
    if ir[0] == "cmp":
        return f"{ir[2]} {ir[1]} {ir[3]!r}"
    joiner = " and " if ir[0] == "all" else " or "
    return "(" + joiner.join(ir_text(p) for p in ir[1]) + ")" if ir[1] else ("false" if ir[0] == "any" else "true")
