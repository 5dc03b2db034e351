"""Load a rule pack folder: located YAML, file schemas, expressions, static checks, identity."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError

from riskeval.errors import ErrorRecord, PackError
from riskeval.facts import format_loc
from riskeval.pack import _ast as A
from riskeval.pack._checks import check_never_fires, find_cycle
from riskeval.pack._expr import CASCADE, ExprError, Scope, parse, suggest
from riskeval.pack._files import (
    Category,
    Factor,
    PackFile,
    Parameter,
    Predicate,
    TiersFile,
)
from riskeval.pack._files import Rule as RuleRow
from riskeval.pack._model import FactorDef, Pack, Rule
from riskeval.pack._params import gaps, type_of
from riskeval.pack._types import BOOL, LIST, MEMBER, NUMBER, ROOTS, STR, Type
from riskeval.pack._yaml import Located, Mark, load_located, scalar_chars

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
    if path is None:
        return _load_cached(default_pack_dir().resolve(), ())
    folder = Path(path).resolve()
    return _load_cached(folder, _signature(folder))


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """What a pack folder holds, cheaply: a pack edited on disk is loaded again, not served stale."""
    try:
        return tuple(
            sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in os.scandir(folder) if e.is_file())
        )
    except OSError:
        return ()


@lru_cache(maxsize=16)
def _load_cached(folder: Path, signature: tuple[tuple[str, int, int], ...]) -> Pack:
    return _Loader(folder).load()


class _Loader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[ErrorRecord] = []
        self.docs: dict[str, Located] = {}
        self.edges: dict[tuple[str, str], set[tuple[str, str]]] = {}
        self.param_uses: dict[str, Mark] = {}
        self.param_users: dict[str, list[str]] = {}  # parameter -> "category x", the rules that read it
        self.failed: set[str] = set()  # stems of files that could not be read or are not the right shape

    def problem(self, mark: Mark, code: str, message: str, value: Any = None) -> None:
        self.problems.append(ErrorRecord(loc=str(mark), code=code, message=message, value=value))

    # --- files -----------------------------------------------------------------------------
    def read(self, stem: str) -> Located | None:
        path = self.folder / f"{stem}.yaml"
        display = f"{self.folder.name}/{stem}.yaml"
        if not path.is_file():
            self.failed.add(stem)
            self.problem(Mark(display, 1, 1), "missing_file", f"the pack has no {stem}.yaml")
            return None
        try:
            doc = load_located(path, display)
        except yaml.MarkedYAMLError as exc:
            self.failed.add(stem)
            m = exc.problem_mark or exc.context_mark
            mark = Mark(display, m.line + 1, m.column + 1) if m else Mark(display, 1, 1)
            near = _rule_near(path, mark.line)
            where = f" (in or after rule {near!r})" if near else ""
            found = f"; {exc.context}" if exc.context and exc.problem else ""
            self.problem(mark, "yaml", f"malformed YAML{where}: {exc.problem or exc.context}{found}")
            return None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.failed.add(stem)
            self.problem(Mark(display, 1, 1), "yaml", f"malformed YAML: {exc}")
            return None
        self.docs[stem] = doc
        return doc

    def model(self, doc: Located | None, cls: type[M], path: tuple[str | int, ...] = (), what: str = "") -> M | None:
        """Validate the value at ``path`` against a file schema; ``what`` names it in messages."""
        if doc is None:
            return None
        data: Any = doc.data
        for part in path:
            data = data[part]
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                inner = tuple(err["loc"])
                loc = path + inner
                found = err.get("input")
                key = format_loc(list(inner)) if inner else ""
                if err["type"] == "missing":
                    msg = f"missing required key {str(inner[-1])!r}"
                elif err["type"] == "extra_forbidden":
                    fields = _fields_at(cls, inner[:-1])
                    msg = f"unknown key {str(inner[-1])!r}{suggest(str(inner[-1]), fields)}"
                    if fields:
                        msg += f"; expected one of: {', '.join(fields)}"
                else:
                    shown = type(found).__name__ if isinstance(found, dict | list) else repr(found)
                    msg = f"{key + ': ' if key else ''}{err['msg'].lower()}; found {shown}"
                head = what or (format_loc(list(path)) if path else Path(doc.file).name)
                self.problem(doc.mark(loc), "schema", f"{head}: {msg}", None)
            return None

    def rows(self, doc: Located | None, cls: type[M]) -> list[tuple[M, tuple[int]]]:
        if doc is None:
            return []
        if not isinstance(doc.data, list):
            self.failed.add(Path(doc.file).stem)
            self.problem(doc.mark(()), "schema", f"expected a list of rules, found {type(doc.data).__name__}")
            return []
        out: list[tuple[M, tuple[int]]] = []
        kind = _KINDS.get(Path(doc.file).stem, "row")
        for i, raw in enumerate(doc.data):
            rid = raw.get("id") if isinstance(raw, dict) else None
            row = self.model(doc, cls, (i,), f"{kind} {rid}" if isinstance(rid, str) else f"{kind} #{i + 1}")
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
        meta = self.model(docs["pack"], PackFile, what="pack.yaml")
        params = self.parameters(docs["parameters"])
        tiers = self.model(docs["tiers"], TiersFile, what="tiers.yaml")
        triggers, trigger_rules = self.triggers(docs["triggers"])
        schedule = self.schedule(docs["schedule"])
        preds = self.rows(docs["predicates"], Predicate)
        cats = self.rows(docs["categories"], Category)
        facs = self.rows(docs["factors"], Factor)
        self.duplicates(preds, cats, facs)
        severities = set(tiers.severities) if tiers else set()
        # Names come from the raw rows too: a row that failed its schema is reported once, not at each use.
        scope = Scope(
            params={**self.raw_params(docs["parameters"]), **{n: t for n, (t, _) in params.items()}},
            param_values={n: [v.value for v in p.values] for n, (_, p) in params.items()},
            predicates={**_raw_ids(docs["predicates"]), **{p.id: len(p.args) for p, _ in preds}},
            categories={*_raw_ids(docs["categories"]), *(c.id for c, _ in cats)},
            factors={*_raw_ids(docs["factors"]), *(f.id for f, _ in facs)},
            severities=severities,
            unchecked=frozenset(kind for stem, kind in _KINDS.items() if stem in self.failed and kind != "tier row"),
        )
        predicates = {p.id: r for p, loc in preds if (r := self.rule("predicate", p, loc, scope, args=p.args))}
        categories = {c.id: r for c, loc in cats if (r := self.rule("category", c, loc, scope))}
        factors = self.factors(facs, scope, severities)
        tier_rules = self.tiers(tiers, scope, params)
        for cycle in find_cycle(self.edges):
            kind, name = cycle[0]
            path = " → ".join(f"{k} {n}" for k, n in cycle)
            self.problem(self.rule_mark(kind, name), "cycle", f"{kind} {name} depends on itself: {path}")
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
                    max(float(v.value) for v in params_now[spec.points].values if not isinstance(v.value, list | str))
                )
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
            self.failed.add("parameters")
            self.problem(doc.mark(()), "schema", "parameters.yaml must map NAME to {label, source, values}")
            return out
        for name in doc.data:
            p = self.model(doc, Parameter, (name,), f"parameter {name}")
            if p is None:
                continue
            t = type_of(p)
            if t is None:
                self.problem(doc.mark((name, "values")), "type", f"parameter {name!r}: its values have different types")
                continue
            out[name] = (t, p)
        return out

    def raw_params(self, doc: Located | None) -> dict[str, Type]:
        """The type of every parameter as written, also of those that failed their schema."""
        out: dict[str, Type] = {}
        if doc is None or not isinstance(doc.data, dict):
            return out
        for name, raw in doc.data.items():
            values = raw.get("values") if isinstance(raw, dict) else None
            if isinstance(name, str) and isinstance(values, list):
                kinds = {_kind(v.get("value")) for v in values if isinstance(v, dict)}
                kind = kinds.pop() if len(kinds) == 1 else None
                if kind is not None:
                    out[name] = kind
        return out

    def triggers(self, doc: Located | None) -> tuple[Any, dict[str, Rule]]:
        """triggers.yaml, compiled by the trigger module (which owns that file's format)."""
        from riskeval.pack._triggers import compile_triggers  # here, not on top: it imports this module

        return compile_triggers(self, doc)

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
                mark = self.docs[stem].mark((*loc, "id"))
                if row.id in seen:
                    self.problem(
                        mark,
                        "duplicate_id",
                        f"{_KINDS[stem]} {row.id}: the id {row.id!r} is already defined at {seen[row.id]}; "
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
            return parse(text, base, _with_ref(scope, on_ref), chars)
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
        tier_scope = dataclasses.replace(scope, tier_inputs=True)
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
            if key == "on_roster" and r.effective is not None:
                self.no_dates(doc.mark(("roster", key, "effective")), f"roster {r.id}")
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
        """Every parameter has a value on every day the pack is in effect."""
        start = meta.effective.from_ or date.min
        doc = self.docs.get("parameters")
        period = f"{meta.effective.from_ or ''}..{meta.effective.to or ''}"
        for name, (_, param) in params.items():
            for d in gaps(param, start, meta.effective.to)[:1]:
                periods = ", ".join(f"{v.from_}..{v.to or ''}" for v in param.values)
                users = self.param_users.get(name, [])
                used = f"; read by {', '.join(users)}" if users else ""
                self.problem(
                    doc.mark((name, "values")) if doc else Mark("parameters.yaml", 1, 1),
                    "missing_value",
                    f"parameter {name}: no value on {d}, inside the pack's effective period {period}: "
                    f"expected a period covering it, found {periods}{used}",
                )

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

    def order(self, categories: dict[str, Rule], factors: dict[str, FactorDef]) -> tuple[tuple[str, str], ...]:
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


_KINDS = {
    "parameters": "param",
    "predicates": "predicate",
    "categories": "category",
    "factors": "factor",
    "tiers": "tier row",
}
# Names a predicate argument may not take: the evaluator would read the role, not the argument.
RESERVED = frozenset({*ROOTS, "params", "category", "factor", "true", "false", "score", "severity"})


def _kind(value: Any) -> Type | None:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, list):
        return LIST
    if isinstance(value, str):
        return STR
    return NUMBER if isinstance(value, int | float) else None


def _raw_ids(doc: Located | None) -> dict[str, int]:
    """The ids of the rows of a rule file as written, with their number of arguments (schema or not)."""
    out: dict[str, int] = {}
    if doc is not None and isinstance(doc.data, list):
        for row in doc.data:
            if isinstance(row, dict) and isinstance(row.get("id"), str):
                args = row.get("args")
                out[row["id"]] = len(args) if isinstance(args, list) else 0
    return out


def _rule_near(path: Path, line: int) -> str | None:
    """The id of the rule that a line of a file belongs to (or follows), for messages about broken YAML."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[:line]
    except (OSError, UnicodeDecodeError):
        return None
    for text in reversed(lines):
        m = re.match(r"^\s*(?:-\s+)?id:\s*['\"]?([A-Za-z0-9_.-]+)", text)
        if m:
            return m.group(1)
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*):\s*$", text)  # a top-level key (parameters.yaml)
        if m:
            return m.group(1)
    return None


def _fields_at(cls: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys a file schema allows at a path inside ``cls`` (for "did you mean" on unknown keys)."""
    model: Any = cls
    for part in loc:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        field = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        if field is not None:  # else a key of a mapping (severities: {H: ...}): the model stays
            model = _model_in(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or n for n, f in model.model_fields.items()]
    return []


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside an annotation like ``list[Tier] | None`` or ``dict[str, Severity]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(get_args(annotation)):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _with_ref(scope: Scope, on_ref: Any) -> Scope:
    s = scope.with_bound({})
    s.on_reference = on_ref
    return s
