"""Loading a rule pack folder, step by step, into a checked :class:`Pack` with its identity.

The steps in order (files, parameters, rules, factors, the tier table, triggers and schedule, static
checks), the order rules are evaluated in, and the pack's identity (its digest).

Each step is another module's: :mod:`._read` (files and schemas), :mod:`._paramfile`, :mod:`._rules`
(predicates, categories, factors), :mod:`._tiers`, :mod:`._triggers`; expressions are :mod:`.expr`'s.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from riskeval import _display
from riskeval._limits import MAX_PACK_CHAIN
from riskeval.errors import ErrorRecord, PackError, scrub_text
from riskeval.pack._checks import find_cycle, too_deep
from riskeval.pack._files import Category, FactorRow, PackFile, Predicate, TiersFile
from riskeval.pack._model import Factor, Pack, Rule
from riskeval.pack._paramfile import check_dates, read_parameters, types_as_written
from riskeval.pack._read import KINDS, raw_ids
from riskeval.pack._rules import RuleCompiler
from riskeval.pack._tiers import compile_tiers, severity_rank
from riskeval.pack._triggers import compile_triggers
from riskeval.pack._yaml import Located, Mark
from riskeval.pack.expr import Scope
from riskeval.schedule import ScheduleFile

DEFAULT_PACK = "beilin-2025"
FILES = ("pack", "parameters", "predicates", "categories", "factors", "tiers", "schedule", "triggers")


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
    return Loader(folder).load()


class Loader(RuleCompiler):
    """One load of one pack folder; problems are recorded in the order the steps find them."""

    def present(self) -> bool:
        """Whether there is a pack to read (a folder; documents held in memory always are)."""
        return self.folder.is_dir()

    def load(self) -> Pack:
        if not self.present():
            where = scrub_text(str(self.folder))  # a path typed by hand may hold a name
            raise PackError(
                [ErrorRecord(where, "missing_pack", f"no rule pack folder at {where}")],
                f"rule pack not found: {where}",
            )
        docs = {stem: self.read(stem) for stem in FILES}
        meta = self.model(docs["pack"], PackFile, what="pack.yaml")
        params = read_parameters(self, docs["parameters"])
        tiers = self.model(docs["tiers"], TiersFile, what="tiers.yaml")
        triggers, trigger_rules = self.triggers(docs["triggers"], [t.id for t in tiers.tiers] if tiers else None)
        schedule = self.schedule(docs["schedule"])
        preds = self.rows(docs["predicates"], Predicate)
        cats = self.rows(docs["categories"], Category)
        facs = self.rows(docs["factors"], FactorRow)
        self.duplicates(preds, cats, facs)
        severities = set(tiers.severities) if tiers else set()
        # Names come from the raw rows too: a row that failed its schema is reported once, not at each use.
        scope = Scope(
            params={**types_as_written(docs["parameters"]), **{n: t for n, (t, _) in params.items()}},
            param_values={n: [v.value for v in p.values] for n, (_, p) in params.items()},
            predicates={**raw_ids(docs["predicates"]), **{p.id: len(p.args) for p, _ in preds}},
            categories={*raw_ids(docs["categories"]), *(c.id for c, _ in cats)},
            factors={*raw_ids(docs["factors"]), *(f.id for f, _ in facs)},
            severities=severities,
            unchecked=frozenset(kind for stem, kind in KINDS.items() if stem in self.failed and kind != "tier row"),
        )
        predicates = {p.id: r for p, loc in preds if (r := self.rule("predicate", p, loc, scope, args=p.args))}
        categories = {c.id: r for c, loc in cats if (r := self.rule("category", c, loc, scope))}
        factors = self.factors(facs, scope, severities)
        tier_rules = compile_tiers(self, tiers, scope, params)
        cycles = find_cycle(self.edges)
        for cycle in cycles:
            kind, name = cycle[0]
            path = " → ".join(f"{k} {n}" for k, n in cycle)
            self.problem(self.rule_mark(kind, name), "cycle", f"{kind} {name} depends on itself: {path}")
        for (kind, name), depth in [] if cycles else too_deep(self.edges, MAX_PACK_CHAIN):
            message = f"{kind} {name} reads rules {depth} deep (through predicates); at most {MAX_PACK_CHAIN}"
            self.problem(self.rule_mark(kind, name), "too_deep", message, depth)
        if self.problems and any(p.code in ("cycle", "too_deep") for p in self.problems):
            # ordering and compiling walk these chains: stop here, with every problem found so far
            raise PackError(self.problems, f"rule pack {self.folder.name}: {len(self.problems)} problem(s)")
        if meta is not None:
            check_dates(self, meta, params)
        # A variant may switch a rule off (`when: false`) on purpose: that is what it says, not a mistake.
        off = set(meta.variant_of.switched_off) if meta is not None and meta.variant_of is not None else set()
        for rule in [*predicates.values(), *categories.values(), *tier_rules[0], *tier_rules[2]]:
            if rule.id not in off:
                self.never_fires(rule)
        for f in factors.values():
            for lv in f.levels:
                if f.id not in off:
                    self.never_fires(lv)
        if self.problems or meta is None or tiers is None or tier_rules[1] is None:
            if not self.problems:
                self.problem(Mark(self.folder.name, 1, 1), "invalid", "the pack is incomplete")
            raise PackError(self.problems, f"rule pack {self.folder.name}: {len(self.problems)} problem(s)")
        rows, (exited, on_roster) = tier_rules[0], tier_rules[1]
        order = self.order(categories, factors)
        params_now = {n: p for n, (_, p) in params.items()}
        colours = dict(tiers.display.colours) if tiers.display else {}
        pack = Pack(
            meta=meta,
            path=self.folder,
            sha256=self.digest(),
            parameters=params_now,
            predicates=predicates,
            categories=categories,
            factors=factors,
            order=order,
            severities=dict(tiers.severities),
            severity_rank=severity_rank(tiers, params_now),
            domains=dict(tiers.domains),
            domain_cap=tiers.domain_cap,
            tiers=tuple(tiers.tiers),
            frequencies={f.id: f.label for f in tiers.frequencies},
            tier_rows=tuple(rows),
            duties=tuple(tier_rules[2]),
            exited=exited,
            on_roster=on_roster,
            schedule=schedule,
            triggers=triggers,
            trigger_rules=trigger_rules,
            colours=colours,
            documents=dict(self.docs),
        )
        _display.remember(pack.sha256, colours)
        return pack

    def triggers(self, doc: Located | None, tier_ids: list[str] | None) -> tuple[Any, dict[str, Rule]]:
        """triggers.yaml, compiled by the trigger module (which owns that file's format)."""

        return compile_triggers(self, doc, tier_ids)

    def schedule(self, doc: Located | None) -> Any:
        if doc is None:
            return None
        return self.model(doc, ScheduleFile)

    def order(self, categories: dict[str, Rule], factors: dict[str, Factor]) -> tuple[tuple[str, str], ...]:
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
        return content_digest({stem: doc.data for stem, doc in self.docs.items()})


def content_digest(content: dict[str, Any]) -> str:
    """sha256 of a pack's documents' data, file by file (a pack's ``sha256``)."""
    canon = dict(sorted(content.items()))
    blob = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
