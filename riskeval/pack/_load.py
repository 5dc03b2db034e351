"""Load a rule pack folder: located YAML, file schemas, expressions, static checks, identity."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from riskeval.errors import ErrorRecord, PackError
from riskeval.facts import format_loc
from riskeval.pack import _ast as A
from riskeval.pack._checks import check_never_fires, find_cycle
from riskeval.pack._expr import ExprError, Scope, node_mark, parse, suggest
from riskeval.pack._files import (
    Category,
    Factor,
    PackFile,
    Parameter,
    Predicate,
    TiersFile,
    TriggersFile,
)
from riskeval.pack._files import Rule as RuleRow
from riskeval.pack._model import FactorDef, Pack, Rule
from riskeval.pack._params import gaps, type_of
from riskeval.pack._types import Type
from riskeval.pack._yaml import Located, Mark, load_located

DEFAULT_PACK = "beilin-2025"
FILES = ("pack", "parameters", "predicates", "categories", "factors", "tiers", "schedule", "triggers")
M = TypeVar("M", bound=BaseModel)


def default_pack_dir() -> Path:
    """The embedded default pack: inside the installed wheel, or ``rules/`` of a checkout."""
    shipped = resources.files("riskeval") / "_rules" / DEFAULT_PACK
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2] / "rules" / DEFAULT_PACK


def load_pack(path: str | Path | None = None) -> Pack:
    """Load, check and compile a rule pack (the embedded default pack when ``path`` is None).

    Raises:
        PackError: with every problem found, each located as ``file:line:col``.
    """
    folder = Path(path) if path is not None else default_pack_dir()
    return _load_cached(folder.resolve())


@cache
def _load_cached(folder: Path) -> Pack:
    return _Loader(folder).load()


class _Loader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[ErrorRecord] = []
        self.docs: dict[str, Located] = {}
        self.edges: dict[tuple[str, str], set[tuple[str, str]]] = {}
        self.param_uses: dict[str, Mark] = {}

    def problem(self, mark: Mark, code: str, message: str, value: Any = None) -> None:
        self.problems.append(ErrorRecord(loc=str(mark), code=code, message=message, value=value))

    # --- files -----------------------------------------------------------------------------
    def read(self, stem: str) -> Located | None:
        path = self.folder / f"{stem}.yaml"
        display = f"{self.folder.name}/{stem}.yaml"
        if not path.is_file():
            self.problem(Mark(display, 1, 1), "missing_file", f"the pack has no {stem}.yaml")
            return None
        try:
            doc = load_located(path, display)
        except yaml.MarkedYAMLError as exc:
            m = exc.problem_mark or exc.context_mark
            mark = Mark(display, m.line + 1, m.column + 1) if m else Mark(display, 1, 1)
            self.problem(mark, "yaml", f"malformed YAML: {exc.problem or exc.context}")
            return None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.problem(Mark(display, 1, 1), "yaml", f"malformed YAML: {exc}")
            return None
        self.docs[stem] = doc
        return doc

    def model(self, doc: Located | None, cls: type[M], path: tuple[str | int, ...] = ()) -> M | None:
        if doc is None:
            return None
        data: Any = doc.data
        for part in path:
            data = data[part]
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = path + tuple(err["loc"])
                found = err.get("input")
                found_s = "" if isinstance(found, dict | list) else f"; found {found!r}"
                msg = err["msg"]
                if err["type"] == "extra_forbidden":
                    fields = [f.alias or n for n, f in cls.model_fields.items()]
                    msg = f"unknown key {loc[-1]!r}{suggest(str(loc[-1]), fields)}"
                    found_s = ""
                self.problem(doc.mark(loc), "schema", f"{format_loc(list(loc))}: {msg}{found_s}", None)
            return None

    def rows(self, doc: Located | None, cls: type[M]) -> list[tuple[M, tuple[int]]]:
        if doc is None:
            return []
        if not isinstance(doc.data, list):
            self.problem(doc.mark(()), "schema", f"expected a list of rules, found {type(doc.data).__name__}")
            return []
        out: list[tuple[M, tuple[int]]] = []
        for i in range(len(doc.data)):
            row = self.model(doc, cls, (i,))
            if row is not None:
                out.append((row, (i,)))
        return out

    # --- the whole pack ----------------------------------------------------------------------
    def load(self) -> Pack:
        if not self.folder.is_dir():
            raise PackError(
                [ErrorRecord(str(self.folder), "missing_pack", f"no rule pack folder at {self.folder}")],
                f"rule pack not found: {self.folder}",
            )
        docs = {stem: self.read(stem) for stem in FILES}
        meta = self.model(docs["pack"], PackFile)
        params = self.parameters(docs["parameters"])
        tiers = self.model(docs["tiers"], TiersFile)
        triggers, trigger_rules = self.triggers(docs["triggers"])
        schedule = self.schedule(docs["schedule"])
        preds = self.rows(docs["predicates"], Predicate)
        cats = self.rows(docs["categories"], Category)
        facs = self.rows(docs["factors"], Factor)
        self.duplicates(preds, cats, facs)
        severities = set(tiers.severities) if tiers else set()
        scope = Scope(
            params={n: t for n, (t, _) in params.items()},
            param_values={n: [v.value for v in p.values] for n, (_, p) in params.items()},
            predicates={p.id: len(p.args) for p, _ in preds},
            categories={c.id for c, _ in cats},
            factors={f.id for f, _ in facs},
            severities=severities,
        )
        predicates = {
            p.id: r for p, loc in preds if (r := self.rule("predicate", p, loc, scope, args=p.args))
        }
        categories = {c.id: r for c, loc in cats if (r := self.rule("category", c, loc, scope))}
        factors = self.factors(facs, scope, severities)
        tier_rules = self.tiers(tiers, scope, params)
        for kind, name in find_cycle(self.edges):
            self.problem(
                self.rule_mark(kind, name), "cycle", f"{kind} {name!r} depends on itself: {name} → … → {name}"
            )
        if meta is not None:
            self.param_dates(meta, params)
        for rule in [*predicates.values(), *categories.values(), *tier_rules[0]]:
            self.never_fires(rule)
        for f in factors.values():
            for lv in f.levels:
                self.never_fires(lv)
        if self.problems or meta is None or tiers is None or tier_rules[1] is None:
            if not self.problems:
                self.problem(Mark(self.folder.name, 1, 1), "invalid", "the pack is incomplete")
            raise PackError(self.problems, f"rule pack {self.folder.name}: {len(self.problems)} problem(s)")
        rows, (exited, on_roster) = tier_rules[0], tier_rules[1]
        order = self.order(categories, factors)
        rank = {s: (100 if spec.mandatory else 0) for s, spec in tiers.severities.items()}
        params_now = {n: p for n, (_, p) in params.items()}
        for s, spec in tiers.severities.items():
            if spec.points:
                rank[s] += int(
                    max(
                        float(v.value)
                        for v in params_now[spec.points].values
                        if not isinstance(v.value, list | str)
                    )
                )  # type: ignore[arg-type]
        return Pack(
            meta=meta,
            path=self.folder,
            sha256=self.digest(),
            parameters=params_now,
            predicates=predicates,
            categories=categories,
            factors=factors,
            order=order,
            severities=dict(tiers.severities),
            severity_rank=rank,
            domains=dict(tiers.domains),
            domain_cap=tiers.domain_cap,
            tiers=tuple(tiers.tiers),
            frequencies={f.id: f.label for f in tiers.frequencies},
            tier_rows=tuple(rows),
            exited=exited,
            on_roster=on_roster,
            schedule=schedule,
            triggers=triggers,
            trigger_rules=trigger_rules,
        )

    def parameters(self, doc: Located | None) -> dict[str, tuple[Type, Parameter]]:
        out: dict[str, tuple[Type, Parameter]] = {}
        if doc is None:
            return out
        if not isinstance(doc.data, dict):
            self.problem(doc.mark(()), "schema", "parameters.yaml must map NAME to {label, source, values}")
            return out
        for name in doc.data:
            p = self.model(doc, Parameter, (name,))
            if p is None:
                continue
            t = type_of(p)
            if t is None:
                self.problem(
                    doc.mark((name, "values")), "type", f"parameter {name!r}: its values have different types"
                )
                continue
            out[name] = (t, p)
        return out

    def triggers(self, doc: Located | None) -> tuple[Any, dict[str, Rule]]:
        """triggers.yaml, compiled by the trigger module when it is there (it owns that file's format)."""
        try:
            from riskeval.pack._triggers import compile_triggers  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            return self.model(doc, TriggersFile) or TriggersFile(), {}
        return compile_triggers(self, doc)  # type: ignore[no-any-return, unused-ignore]

    def schedule(self, doc: Located | None) -> Any:
        if doc is None:
            return None
        try:
            from riskeval.schedule import ScheduleSpec
        except ImportError:  # the calendar module is optional until it lands
            return doc.data
        return self.model(doc, ScheduleSpec)

    def duplicates(self, *groups: list[tuple[Any, tuple[int]]]) -> None:
        names = ("predicates", "categories", "factors")
        seen: dict[str, str] = {}
        for stem, rows in zip(names, groups, strict=True):
            for row, loc in rows:
                if row.id in seen:
                    self.problem(
                        self.docs[stem].mark((*loc, "id")),
                        "duplicate_id",
                        f"id {row.id!r} is already defined in {seen[row.id]}",
                    )
                else:
                    seen[row.id] = f"{stem}.yaml"

    def expr(
        self, kind: str, rule_id: str, text: Any, doc: Located, loc: tuple[str | int, ...], scope: Scope
    ) -> A.Node | None:
        base = doc.mark(loc)
        raw = doc.data
        for part in loc:
            raw = raw[part]
        if isinstance(raw, str) and "\n" not in raw.strip() and base.col > 0:
            line = (
                (self.folder / f"{Path(doc.file).stem}.yaml")
                .read_text(encoding="utf-8")
                .splitlines()[base.line - 1]
            )
            lead = len(line[base.col - 1 :]) - len(line[base.col - 1 :].lstrip("\"'"))
            base = Mark(base.file, base.line, base.col + lead)
        me = (kind, rule_id)
        self.edges.setdefault(me, set())

        def on_ref(k: str, name: str) -> None:
            if k == "param":
                self.param_uses.setdefault(name, base)
            elif k in ("predicate", "category", "factor"):
                self.edges[me].add((k, name))

        try:
            return parse(text, base, _with_ref(scope, on_ref))
        except ExprError as exc:
            self.problem(
                node_mark(base, exc.node),
                exc.code,
                f"{kind} {rule_id}: {exc.message}",
                text if isinstance(text, str) else None,
            )
            return None

    def rule(
        self, kind: str, row: RuleRow, loc: tuple[int], scope: Scope, args: list[str] | None = None
    ) -> Rule | None:
        doc = (
            self.docs[kind + ("s" if kind != "category" else "")]
            if kind != "category"
            else self.docs["categories"]
        )
        if args:
            from riskeval.pack._types import MEMBER

            scope = scope.with_bound(dict.fromkeys(args, MEMBER))
        node = self.expr(kind, row.id, row.when, doc, (*loc, "when"), scope)
        if node is None:
            return None
        return Rule(
            kind,
            row.id,
            row.label,
            row.source,
            node,
            doc.mark(loc),
            row.effective,
            tuple(args or ()),
            text=row.when,
        )

    def factors(
        self, rows: list[tuple[Factor, tuple[int]]], scope: Scope, severities: set[str]
    ) -> dict[str, FactorDef]:
        out: dict[str, FactorDef] = {}
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
                out[f.id] = FactorDef(f.id, f.label, f.domain, f.source, tuple(levels))
        return out

    def tiers(
        self, tiers: TiersFile | None, scope: Scope, params: dict[str, tuple[Type, Any]]
    ) -> tuple[list[Rule], tuple[Rule, Rule] | None]:
        doc = self.docs.get("tiers")
        if tiers is None or doc is None:
            return [], None
        ids = [t.id for t in tiers.tiers]
        freqs = {f.id for f in tiers.frequencies}
        for i, t in enumerate(tiers.tiers):
            if t.visit_frequency not in freqs:
                self.problem(
                    doc.mark(("tiers", i, "visit_frequency")),
                    "unknown_name",
                    f"tier {t.id}: no visit frequency {t.visit_frequency!r}{suggest(t.visit_frequency, freqs)}",
                )
        for name, spec in tiers.severities.items():
            if spec.points and spec.points not in params:
                self.problem(
                    doc.mark(("severities", name, "points")),
                    "unknown_param",
                    f"severity {name}: unknown parameter {spec.points!r}{suggest(spec.points, params)}",
                )
        if tiers.domain_cap not in params:
            self.problem(
                doc.mark(("domain_cap",)),
                "unknown_param",
                f"domain_cap: unknown parameter {tiers.domain_cap!r}{suggest(tiers.domain_cap, params)}",
            )
        tier_scope = Scope(
            scope.params,
            scope.param_values,
            scope.predicates,
            scope.categories,
            scope.factors,
            scope.severities,
            tier_inputs=True,
        )
        rows: list[Rule] = []
        reached: set[str] = set()
        for i, row in enumerate(tiers.rows):
            if row.tier not in ids:
                self.problem(
                    doc.mark(("rows", i, "tier")),
                    "unknown_name",
                    f"tier row {row.id}: no tier {row.tier!r}{suggest(row.tier, ids)}",
                )
                continue
            node = self.expr("tier_row", row.id, row.when, doc, ("rows", i, "when"), tier_scope)
            if node is not None:
                rows.append(
                    Rule(
                        "tier_row",
                        row.id,
                        row.label,
                        row.source,
                        node,
                        doc.mark(("rows", i)),
                        row.effective,
                        tier=row.tier,
                        text=row.when,
                    )
                )
                reached.add(row.tier)
        for i, t in enumerate(tiers.tiers):
            if t.id not in reached:
                self.problem(
                    doc.mark(("tiers", i)),
                    "unreachable",
                    f"tier {t.id!r} can never be reached: no row of the tier table gives it",
                )
        roster = []
        for key in ("exited", "on_roster"):
            r = getattr(tiers.roster, key)
            node = self.expr(
                "roster",
                r.id,
                r.when,
                doc,
                ("roster", key, "when"),
                tier_scope if key == "on_roster" else scope,
            )
            if node is not None:
                roster.append(
                    Rule(
                        "roster",
                        r.id,
                        r.label,
                        r.source,
                        node,
                        doc.mark(("roster", key)),
                        r.effective,
                        text=r.when,
                    )
                )
        return rows, (roster[0], roster[1]) if len(roster) == 2 else None

    def param_dates(self, meta: PackFile, params: dict[str, tuple[Type, Parameter]]) -> None:
        start = meta.effective.from_ or date.min
        for name, mark in self.param_uses.items():
            if name in params:
                for d in gaps(params[name][1], start, meta.effective.to)[:1]:
                    self.problem(
                        mark,
                        "missing_value",
                        f"parameter {name!r} has no value on {d}, inside the pack's effective period",
                    )

    def never_fires(self, rule: Rule) -> None:
        why = check_never_fires(rule.node)
        if why:
            self.problem(rule.mark, "never_fires", f"{rule.kind} {rule.id} can never hold: {why}")

    def rule_mark(self, kind: str, name: str) -> Mark:
        stem = {"predicate": "predicates", "category": "categories", "factor": "factors"}[kind]
        doc = self.docs.get(stem)
        if doc is None or not isinstance(doc.data, list):
            return Mark(f"{stem}.yaml", 1, 1)
        for i, row in enumerate(doc.data):
            if isinstance(row, dict) and row.get("id") == name:
                return doc.mark((i,))
        return doc.mark(())

    def order(
        self, categories: dict[str, Rule], factors: dict[str, FactorDef]
    ) -> tuple[tuple[str, str], ...]:
        """Categories and factors, each after every category or factor it reads (through predicates too)."""

        def reads(node: tuple[str, str], seen: set[tuple[str, str]]) -> set[tuple[str, str]]:
            out: set[tuple[str, str]] = set()
            for dep in self.edges.get(node, ()):
                if dep in seen:
                    continue
                seen.add(dep)
                if dep[0] == "predicate":
                    out |= reads(dep, seen)
                else:
                    out.add(dep)
            return out

        todo = [("category", c) for c in categories] + [("factor", f) for f in factors]
        done: list[tuple[str, str]] = []
        placed: set[tuple[str, str]] = set()
        deps = {n: reads(n, set()) & set(todo) for n in todo}
        while len(done) < len(todo):
            for n in todo:
                if n not in placed and deps[n] <= placed:
                    done.append(n)
                    placed.add(n)
                    break
            else:  # a cycle, already reported
                break
        return tuple(done)

    def digest(self) -> str:
        """sha256 of the pack's normalised content: what the files say, not how they are spaced."""
        canon = {stem: doc.data for stem, doc in sorted(self.docs.items())}
        blob = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _with_ref(scope: Scope, on_ref: Any) -> Scope:
    s = scope.with_bound({})
    s.on_reference = on_ref
    return s
