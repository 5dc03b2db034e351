"""Compiling the rows of predicates, categories and factors into rules, with the checks on each row.

Unique ids, argument names, its expression (recording what it reads), and conditions that can never hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from riskeval.pack._bounds import bound_problems
from riskeval.pack._checks import check_never_fires
from riskeval.pack._files import FactorRow, RuleRow
from riskeval.pack._model import Factor, Rule
from riskeval.pack._read import KINDS, PackReader
from riskeval.pack._yaml import Located, Mark, scalar_chars
from riskeval.pack.expr import CASCADE, ExprError, Scope, parse, suggest
from riskeval.pack.expr import nodes as A
from riskeval.pack.expr.types import MEMBER, ROOTS

# Names a predicate argument may not take: the evaluator would read the role, not the argument.
RESERVED = frozenset({*ROOTS, "params", "category", "factor", "true", "false", "score", "severity"})


class RuleCompiler(PackReader):
    """A pack reader that also compiles rules, and records which rule reads which rule or parameter."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.edges: dict[tuple[str, str], set[tuple[str, str]]] = {}
        self.param_uses: dict[str, Mark] = {}
        self.param_users: dict[str, list[str]] = {}  # parameter -> "category x", the rules that read it

    def duplicates(self, *groups: list[tuple[Any, tuple[int]]]) -> None:
        names = ("predicates", "categories", "factors")
        seen: dict[str, str] = {}
        for stem, rows in zip(names, groups, strict=True):
            for row, loc in rows:
                mark = self.docs[stem].mark((*loc, "id"))
                if row.id in seen:
                    self.problem(
                        mark,
                        "duplicate_id",
                        f"{KINDS[stem]} {row.id}: the id {row.id!r} is already defined at {seen[row.id]}; "
                        "expected ids unique across predicates, categories and factors",
                        row.id,
                    )
                else:
                    seen[row.id] = str(mark)

    def expr(
        self, kind: str, rule_id: str, text: Any, doc: Located, loc: tuple[str | int, ...], scope: Scope
    ) -> A.Node | None:
        base = doc.mark(loc)
        chars = scalar_chars(doc.lines, base, text) if isinstance(text, str) and doc.lines else None
        me = (kind, rule_id)
        self.edges.setdefault(me, set())

        def on_ref(k: str, name: str) -> None:
            if k == "param":
                self.param_uses.setdefault(name, base)
                users = self.param_users.setdefault(name, [])
                if f"{kind} {rule_id}" not in users:
                    users.append(f"{kind} {rule_id}")
            elif k in ("predicate", "category", "factor"):
                self.edges[me].add((k, name))

        try:
            node = parse(text, base, _with_ref(scope, on_ref), chars)
            for part, code, message in bound_problems(node, scope.param_values):
                self.problem(part.mark or base, code, f"{kind} {rule_id}: {message}")
            return node
        except ExprError as exc:
            if exc.code != CASCADE:
                self.problem(
                    exc.mark or base,
                    exc.code,
                    f"{kind} {rule_id}: {exc.message}",
                    text if isinstance(text, str) else None,
                )
            return None

    def rule(
        self, kind: str, row: RuleRow, loc: tuple[int], scope: Scope, args: list[str] | None = None
    ) -> Rule | None:
        doc = self.docs[kind + ("s" if kind != "category" else "")] if kind != "category" else self.docs["categories"]
        if args:
            for j, arg in enumerate(args):
                if arg in RESERVED:
                    self.problem(
                        doc.mark((*loc, "args", j)),
                        "reserved_name",
                        f"{kind} {row.id}: argument {arg!r} is a name of the language "
                        f"({', '.join(sorted(RESERVED))}); name it m or another word",
                        arg,
                    )
                    return None
            scope = scope.with_bound(dict.fromkeys(args, MEMBER))
        if kind == "predicate" and row.effective is not None:
            self.no_dates(doc.mark((*loc, "effective")), f"predicate {row.id}")
        node = self.expr(kind, row.id, row.when, doc, (*loc, "when"), scope)
        if node is None:
            return None
        return row_rule(kind, row, node, doc.mark(loc), tuple(args or ()))

    def factors(
        self, rows: list[tuple[FactorRow, tuple[int]]], scope: Scope, severities: set[str]
    ) -> dict[str, Factor]:
        out: dict[str, Factor] = {}
        doc = self.docs.get("factors")
        for f, loc in rows:
            assert doc is not None
            levels: list[Rule] = []
            for j, level in enumerate(f.level_list()):
                where = (*loc, "levels", j) if f.levels is not None else loc
                if severities and level.severity not in severities:
                    self.problem(doc.mark((*where, "severity")), "unknown_severity",
                                 f"factor {f.id}: severity {level.severity!r} is not in the tier table's severities"
                                 f"{suggest(level.severity, severities)}")  # fmt: skip
                    continue
                node = self.expr("factor", f.id, level.when, doc, (*where, "when"), scope)
                if node is not None:
                    levels.append(
                        Rule(
                            "factor",
                            f.id,
                            level.label or f.label,
                            f.source,
                            node,
                            doc.mark(where),
                            f.effective,
                            severity=level.severity,
                            text=level.when,
                        )
                    )
            if len(levels) == len(f.level_list()):
                out[f.id] = Factor(f.id, f.label, f.domain, f.source, tuple(levels))
        return out

    def no_dates(self, mark: Mark, what: str) -> None:
        """Evaluation does not read `effective` on predicates and the on_roster rule: say so, not ignore it."""
        self.problem(
            mark,
            "schema",
            f"{what}: `effective` dates are not read here; expected none, put them on the rules that use it",
        )

    def never_fires(self, rule: Rule) -> None:
        why = check_never_fires(rule.node)
        if why:
            self.problem(rule.node.mark or rule.mark, "never_fires", f"{rule.kind} {rule.id} can never hold: {why}")

    def rule_mark(self, kind: str, name: str) -> Mark:
        stem = {"predicate": "predicates", "category": "categories", "factor": "factors"}[kind]
        doc = self.docs.get(stem)
        if doc is None or not isinstance(doc.data, list):
            return Mark(f"{stem}.yaml", 1, 1)
        for i, row in enumerate(doc.data):
            if isinstance(row, dict) and row.get("id") == name:
                return doc.mark((i,))
        return doc.mark(())


def row_rule(
    kind: str,
    row: RuleRow,
    node: A.Node,
    mark: Mark,
    args: tuple[str, ...] = (),
    tier: str | None = None,
    floor: bool = False,
) -> Rule:
    """The compiled rule of a row of a rule file: its id, label, source, dates and text, and its parsed condition."""
    return Rule(
        kind, row.id, row.label, row.source, node, mark, row.effective, args, tier=tier, text=row.when, floor=floor
    )


def _with_ref(scope: Scope, on_ref: Any) -> Scope:
    s = scope.with_bound({})
    s.on_reference = on_ref
    return s
