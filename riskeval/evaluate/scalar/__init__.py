"""A pack compiled to the scalar form, and the evaluation of one child against it."""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from riskeval.errors import EvaluationError
from riskeval.evaluate.plan import (
    Reads,
    Token,
    constant_parts,
    duties_by_factor,
    edges,
    keyed,
    open_duties,
    reach,
    role_facts,
    rule_deps,
)
from riskeval.evaluate.scalar._astcheck import GeneratedCodeError, check_generated
from riskeval.evaluate.scalar._codegen import generate, generate_scoped
from riskeval.evaluate.scalar._codegen_why import WalkGenerator
from riskeval.evaluate.scalar._compile import Compiler, Ctx
from riskeval.evaluate.scalar._emit_pass import Step
from riskeval.evaluate.scalar._leaves import Fn, and_of, arith, call, compare, fact, or_of
from riskeval.evaluate.scalar._shown_values import SCALARS, plain, read_values
from riskeval.evaluate.scalar._why import Why
from riskeval.evaluate.semantics import ABSENT
from riskeval.facts import Child, Household
from riskeval.pack import Factor, Pack, Rule
from riskeval.pack.expr import nodes as A

NOT_ON_ROSTER, UNDETERMINED = "not_on_roster", "undetermined"  # the statuses no pack rule names
_FORCING = threading.Lock()  # Evaluation._force
_CONSTANTS = ("tier table", "constant parts")  # a memo key no predicate call can take
_PURE = (A.TierInput, A.Ref, A.Const, A.Param, A.BoolOp, A.Not, A.Compare, A.Arith, A.In)


__all__ = [
    "ABSENT",
    "NOT_ON_ROSTER",
    "UNDETERMINED",
    "Compiler",
    "Ctx",
    "Evaluation",
    "FactorHit",
    "Fn",
    "Gap",
    "GeneratedCodeError",
    "ScalarProgram",
    "and_of",
    "arith",
    "call",
    "check_generated",
    "compare",
    "fact",
    "generate_scoped",
    "or_of",
]


@dataclass(slots=True, eq=False)
class FactorHit:
    """A factor that holds, at its most severe level that holds; ``values``: the known facts the level read."""

    code: str
    severity: str
    points: int
    level: Rule
    # The values; or None, and ``read``: the generated function reading them and the child's context, called
    # when they are first asked for. An explanation or a dump reads them, a caller after the tier alone does not.
    found: dict[str, Any] | None
    read: tuple[Callable[[Ctx], dict[str, Any]], Ctx] | None = field(default=None, repr=False)

    @property
    def values(self) -> dict[str, Any]:
        found = self.found
        if found is None:
            read = self.read  # one attribute: a thread reads both parts or neither
            if read is None:  # another thread made them (it sets ``found`` before it drops ``read``)
                return self.found  # type: ignore[return-value]
            found = self.found = read[0](read[1])  # facts only read: two threads at once make equal dicts
            self.read = None
        return found

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FactorHit):
            return NotImplemented
        return (self.code, self.severity, self.points, self.level, self.values) == (
            other.code, other.severity, other.points, other.level, other.values)  # fmt: skip

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was


@dataclass(slots=True)
class Gap:
    kind: str  # "category" | "factor" | "roster"
    rule: str
    facts: list[str]
    severity: str | None = None
    tier_if_true: str | None = None
    status_if_true: str | None = None


@dataclass(slots=True)
class Evaluation:
    """What the evaluator decided for one child, and on what: the record explanations are rendered from."""

    child_id: str
    status: str
    categories: list[str] = field(default_factory=list)
    factors: list[FactorHit] = field(default_factory=list)
    score: int = 0
    domain_points: dict[str, int] = field(default_factory=dict)
    tier: str | None = None
    tier_row: Rule | None = None
    visit_frequency: str | None = None
    # Every category, factor and duty as evaluated: True, False or None (unknown); for laws, audits and tables.
    rule_values: dict[tuple[str, str], bool | None] = field(default_factory=dict)
    # The household's members in order, with their relation to the child: how explanations name the
    # member behind a fact an aggregation read (by place and relation, never by id or name).
    members: dict[str, str | None] = field(default_factory=dict)
    # The pack's duties that hold (a mandatory report): what the child director must also do.
    duties: list[Rule] = field(default_factory=list)
    # The most serious floor row of the tier table that holds: no override may go below its tier.
    floor_row: Rule | None = None
    # What `category_values` and `shown` are computed from when first read (by an explanation), not by every
    # evaluation: the holding categories' reads, the holding rules' nodes, the child's context, and the
    # predicate memo as the rules left it (the what-ifs of the data gaps may add values of another tally).
    # (the scalar program's generated form keeps, instead of a category's reads, the function reading them)
    _values: list[tuple[str, Reads | Callable[[Ctx], dict[str, Any]]]] = field(
        default_factory=list, repr=False, compare=False
    )
    _pending: list[tuple[tuple[str, str], A.Node]] = field(default_factory=list, repr=False, compare=False)
    _ctx: Ctx | None = field(default=None, repr=False, compare=False)
    _program: ScalarProgram | None = field(default=None, repr=False, compare=False)
    _memo: dict[tuple[Any, ...], tuple[Any, list[str]]] = field(default_factory=dict, repr=False, compare=False)
    _category_values: dict[str, dict[str, Any]] | None = field(default=None, repr=False, compare=False)
    _shown: dict[tuple[str, str], frozenset[str]] | None = field(default=None, repr=False, compare=False)
    # The data gaps (``gaps``), or None while their what-ifs wait to be run: each re-decides the tier table,
    # about a fifth of an evaluation, and a caller who reads no data gap should not pay for them.
    _gaps: list[Gap] | None = field(default_factory=list, repr=False, compare=False)
    _what_ifs: Callable[[Evaluation], None] | None = field(default=None, repr=False, compare=False)

    @property
    def gaps(self) -> list[Gap]:
        """For each unknown rule that could change the outcome: the facts behind it, and the tier and status if
        it held (see ``ScalarProgram.gaps``)."""
        if self._gaps is None:
            with _FORCING:  # the what-ifs set rule results in the context, as the explanation's walk binds names
                if self._gaps is None:
                    try:
                        self._what_ifs(self)  # type: ignore[misc]
                    except BaseException:
                        self._gaps = None  # read again, run again: never a partial list
                        raise
                    self._what_ifs = None
        return self._gaps  # type: ignore[return-value]

    @property
    def gaps_pending(self) -> bool:
        """Whether the data gaps are still to be worked out (there may be none)."""
        return self._gaps is None

    @property
    def category_values(self) -> dict[str, dict[str, Any]]:
        """Of each category that holds: the known facts it read (fact path -> value)."""
        if self._category_values is None:
            self._force()
        return self._category_values  # type: ignore[return-value]

    @property
    def shown(self) -> dict[tuple[str, str], frozenset[str]]:
        """Of each category and factor that holds, by (kind, id): the keys of its values that the deciding
        branch read (what an explanation names); the values keep every fact the rule read."""
        if self._shown is None:
            self._force()
        return self._shown  # type: ignore[return-value]

    def _force(self) -> None:
        # One thread at a time: the walk binds variables in the context, and a result may be read from several.
        with _FORCING:
            if self._shown is not None:
                return
            ctx, prog = self._ctx, self._program
            values: dict[str, dict[str, Any]] = {}
            shown: dict[tuple[str, str], frozenset[str]] = {}
            if ctx is not None and prog is not None:
                values = {rid: reads(ctx) if callable(reads) else read_values(ctx, reads, prog.years)
                          for rid, reads in self._values}  # fmt: skip
                # The rules' results are final, and a rule reads only those before it.
                saved, ctx.memo = ctx.memo, self._memo
                try:
                    shown = prog.why.shown(self._pending, ctx)
                finally:
                    ctx.memo = saved
            self._values, self._pending, self._ctx, self._program, self._memo = [], [], None, None, {}
            self._category_values, self._shown = values, shown


class ScalarProgram:
    """The compiled pack: the generated functions (or the closures) of its rules and the pass over them, the
    static list of facts each rule reads."""

    def __init__(self, pack: Pack, *, closures: bool = False) -> None:
        """``closures=True``: the reference form (``_compile``'s closures), for the laws that pin the generated
        functions (``_codegen``), which the shipped form runs."""
        self.pack = pack
        self.closures = closures
        c = reference = Compiler(pack)
        self.years = c.years  # completed years by the pack's leap-day rule, for the values shown
        self.reads: dict[int, list[tuple[str, str, tuple[str, ...]]]] = {}
        order: list[Step] = []  # the pass's steps, factor levels most severe first
        for kind, name in pack.order:
            if kind == "category":
                rule = pack.categories[name]
                self.reads[id(rule)] = keyed(role_facts(rule.node, pack, {}))
                order.append((kind, rule, None))
            else:
                f = pack.factors[name]
                levels = sorted(f.levels, key=lambda r: -pack.severity_rank[r.severity or ""])
                self.reads |= {id(lv): keyed(role_facts(lv.node, pack, {})) for lv in levels}
                order.append((kind, f, levels))
        self.main: Callable[..., None] | None = None  # the generated pass (None: the reference's loop)
        if not closures:
            c = _Generated(pack, c, order, self.reads)  # type: ignore[assignment]
            self.main = c.main  # type: ignore[attr-defined]
        self.categories: list[tuple[Rule, Fn]] = []
        self.factors: list[tuple[Factor, list[tuple[Rule, Fn]]]] = []
        for kind, name in pack.order:
            if kind == "category":
                rule = pack.categories[name]
                self.categories.append((rule, c.rule(rule)))
            else:
                f = pack.factors[name]
                levels = sorted(f.levels, key=lambda r: -pack.severity_rank[r.severity or ""])
                self.factors.append((f, [(lv, c.rule(lv)) for lv in levels]))
        self.steps: list[tuple[str, Any]] = []
        for kind, name in pack.order:
            if kind == "category":
                self.steps.append(("category", next(x for x in self.categories if x[0].id == name)))
            else:
                self.steps.append(("factor", next(x for x in self.factors if x[0].id == name)))
        self.tier_rows = [(r, c.rule(r)) for r in pack.tier_rows]
        self.why = Why(pack, reference, None if closures else c.walk)  # type: ignore[attr-defined]
        self.exited = c.rule(pack.exited)
        self.on_roster = c.rule(pack.on_roster)
        self.duties = [(r, c.rule(r)) for r in pack.duties]
        # A factor a duty reads keeps its data gap even when the tier would not change, while that duty is in
        # force and does not hold: the gap may hide it (an urgent child's unknown safety record, the report).
        self.duties_by_factor = duties_by_factor(pack)
        self.floors = [(r, fn) for r, fn in self.tier_rows if r.floor]
        self.mandatory = {s for s, spec in pack.severities.items() if spec.mandatory}
        self.rank = {t.id: i for i, t in enumerate(pack.tiers)}
        # The tier table is re-decided for every data gap; when it reads only tier inputs, rule results
        # and parameters (the default pack's does), its answer is memoised on exactly those inputs.
        deciders = [r.node for r in pack.tier_rows] + [pack.on_roster.node]
        nodes = [n for root in deciders for n in A.walk(root)]
        # Parts of the table that read the child's facts (a predicate, say) but no rule result nor tier input
        # have one value per child in every what-if: computed once, they join the memo's key.
        constant = [part for root in deciders for part in constant_parts(root, pack)]
        self.decide_constants = [c.compile(part) for part in constant]
        inside = {id(x) for part in constant for x in A.walk(part)}
        self.decide_refs = sorted({(n.kind, n.name) for n in nodes if isinstance(n, A.Ref) and id(n) not in inside})
        # Anything else that reads facts (a predicate that also reads a rule result) leaves no key: no memo.
        self.decide_pure = all(
            id(n) in inside or (isinstance(n, _PURE) and not (isinstance(n, A.Ref) and n.kind == "predicate"))
            for n in nodes
        )
        self.decide_memo: dict[tuple[Any, ...], tuple[str | None, Rule | None, bool | None]] = {}
        self.decide_reads = reach(deciders, pack)
        self.domains = {f.id: f.domain for f, _ in self.factors}
        self.frequency = {t.id: t.visit_frequency for t in pack.tiers}
        self._plans: dict[int, list[tuple[Any, ...]]] = {}
        self._flags: dict[int, tuple[Any, ...]] = {}
        self._level_points: dict[int, dict[int, int]] = {}
        self._ref_positions = {ref: i for i, ref in enumerate(self.decide_refs)}
        self._edges = edges(pack)
        # What each category and factor reads (facts, roles, other rules): for re-evaluating after a change.
        self.deps = {("category", r.id): rule_deps([r.node], pack) for r, _ in self.categories}
        self.deps |= {("factor", f.id): rule_deps([lv.node for lv in f.levels], pack) for f, _ in self.factors}
        # What decides beyond the rules' values (the tier table's own constant parts included): an incremental
        # evaluation whose changed facts it does not read, and whose rules kept their values, keeps its record.
        self.decision_deps = rule_deps(
            [pack.exited.node, pack.on_roster.node, *(r.node for r in pack.tier_rows), *(r.node for r in pack.duties)],
            pack,
        )

    def epoch(self, on: date) -> int:
        """Which stretch of days between two changes of the pack (a rule or a parameter value starting or
        ending) a date falls in: every date of one stretch evaluates alike, apart from ages and durations."""
        return bisect_right(self._edges, on)

    def plan(self, on: date) -> list[tuple[Any, ...]]:
        """The steps as they apply on a date: a rule not in force is a constant false; points resolved."""
        epoch = self.epoch(on)
        plan = self._plans.get(epoch)
        if plan is not None:
            return plan
        pack, params = self.pack, self.pack.params_on(on)
        plan = []
        for kind, step in self.steps:
            if kind == "category":
                rule, fn = step
                plan.append((("category", rule.id), rule, fn if rule.applies_on(on) else _false))
            else:
                fdef, levels = step
                sev = [(lv, fn if lv.applies_on(on) else _false, lv.severity or "") for lv, fn in levels]
                plan.append((("factor", fdef.id), fdef, [(lv, fn, s, pack.points(s, params)) for lv, fn, s in sev]))
        self._plans[epoch] = plan
        return plan

    def _points(self, on: date) -> dict[int, int]:
        """Each factor level's points on a date, by the level's id."""
        epoch = self.epoch(on)
        found = self._level_points.get(epoch)
        if found is None:
            found = self._level_points[epoch] = {
                id(lv): points for _key, _rule, step in self.plan(on) if type(step) is list
                for lv, _fn, _s, points in step
            }  # fmt: skip
        return found

    def flags(self, on: date) -> tuple[Any, ...]:
        """The plan as the generated pass reads it: whether each category is in force; of each factor's
        levels, whether in force and its points."""
        epoch = self.epoch(on)
        known = self._flags.get(epoch)
        if known is not None:
            return known
        found: list[Any] = []
        for _key, _rule, step in self.plan(on):
            if type(step) is list:
                found += [x for _lv, fn, _s, points in step for x in (fn is not _false, points)]
            else:
                found.append(step is not _false)
        known = self._flags[epoch] = tuple(found)
        return known

    def evaluate(
        self,
        household: Household,
        child: Child,
        on: date,
        *,
        gaps: bool = True,
        values: bool = True,
        since: tuple[Evaluation, frozenset[Token]] | None = None,
    ) -> Evaluation:
        """Evaluate one child. ``gaps=False`` skips the data-gap what-ifs, ``values=False`` the facts each
        holding rule read (``category_values``, each factor's ``values`` stay empty): for callers that need
        only categories, factors and the tier, such as the trigger monitor.

        ``since=(record, changed)``: the child's record on this date before some facts changed, and the
        tokens of those facts (``plan.changed``); a rule that reads none of them, nor a rule whose value
        changed, keeps its value. Only with ``gaps=False, values=False``, which need no reads. (The monitor
        also gives a record of another date on which the same parameters and rules are in force, with the
        tokens of every fact a date comparison reads: ``triggers._dates``.)
        """
        pack = self.pack
        params = pack.params_on(on)
        ctx = Ctx(household, child, on, params)
        out = Evaluation(child_id=child.id, status=NOT_ON_ROSTER)
        exited = self.exited(ctx) if pack.exited.applies_on(on) else False
        if exited is True:
            out.status = pack.exited.id
            return out
        unknown, results = ctx.unknown, ctx.results
        exit_gap = unknown[:] if exited is None else None
        unknown.clear()
        unknown_factors: list[tuple[Factor, Rule, list[str], FactorHit | None]] = []
        unknown_cats: list[tuple[Rule, list[str]]] = []
        categories, factors = out.categories, out.factors
        pending = out._pending
        kept: dict[tuple[str, str], bool | None] = {}
        reopen: list[tuple[Any, Any]] = []  # the kept rules (a category or a factor) that are unknown
        if since is not None and since[0].rule_values and not gaps and not values:
            kept, dirty = since[0].rule_values, set(since[1])
            marked = len(dirty)  # a rule whose value changed adds its token
            hit_of = {h.code: h for h in since[0].factors}
        if self.main is not None and not kept:  # the generated pass
            self.main(ctx, self.flags(on), values, gaps, categories, factors, out._values, pending, unknown_cats,
                      unknown_factors)  # fmt: skip
        else:
            deps = self.deps
            for key, rule, step in self.plan(on):
                if kept:
                    if deps[key].isdisjoint(dirty):
                        value = kept[key]
                        results[key] = (value, [])
                        if value is True:
                            if type(step) is list:
                                factors.append(hit_of[rule.id])
                            else:
                                categories.append(rule.id)
                        elif value is None:
                            reopen.append((rule, step))
                        continue
                if type(step) is not list:  # a category
                    value = step(ctx)
                    # Only an unknown result needs the facts behind it (for its gap, and for rules reading it).
                    reads = []
                    if value is True:
                        categories.append(rule.id)
                        if values:
                            out._values.append((rule.id, self.reads[id(rule)]))
                            pending.append((key, rule.node))
                    elif value is None:
                        reads = _dedup(unknown)
                        unknown_cats.append((rule, reads))
                    unknown.clear()
                    results[key] = (value, reads)
                    if kept and value is not kept[key]:  # a changed result: whatever reads it runs again too
                        dirty.add(("rule", *key))
                    continue
                value, unknown_level, hit = False, None, None
                for lv, fn, sev, points in step:
                    v = fn(ctx)
                    if v is True:
                        value = True
                        hit = FactorHit(
                            rule.id, sev, points, lv, read_values(ctx, self.reads[id(lv)], self.years) if values else {}
                        )
                        factors.append(hit)
                        if values:
                            pending.append((key, lv.node))
                        break
                    if v is None and unknown_level is None:
                        unknown_level = lv
                reads = []
                if unknown_level is not None:
                    if value is not True:
                        value = None
                        reads = _dedup(unknown)
                        unknown_factors.append((rule, unknown_level, reads, None))
                    elif gaps:
                        # Held at a lower level while a more severe one is unknown (G10 at Md, its H open): a gap
                        # of its own, whose what-if replaces the hit. The factor's value stays known: true.
                        unknown_factors.append((rule, unknown_level, _dedup(unknown), hit))
                unknown.clear()
                results[key] = (value, reads)
                if kept and value is not kept[key]:
                    dirty.add(("rule", *key))
        if kept and len(dirty) == marked and since is not None and self._decided_alike(since[0], since[1], factors):
            # No rule's value changed, no hit's level, and nothing else the decision reads: the record stands.
            return since[0]
        if pending:  # what `shown` is computed from when first read
            out._ctx, out._program, out._memo = ctx, self, dict(ctx.memo)
        domains = self.domains
        hits = [(domains[h.code], h.severity, h.points) for h in factors]
        out.tier, out.tier_row, out.score, out.domain_points, on_roster = self.decide(ctx, hits)
        duty_values: dict[tuple[str, str], bool | None] = {}
        if self.duties:  # read with the table's inputs as decided; only a duty known to hold is one
            for rule, fn in self.duties:
                v = fn(ctx) if rule.applies_on(on) else False
                duty_values[("duty", rule.id)] = True if v is True else None if v is None else False
            out.duties = [rule for rule, _ in self.duties if duty_values[("duty", rule.id)] is True]
            unknown.clear()
        # The status is three-valued: the table's tier is shown (and what-ifs compare with it) only for a
        # child the roster rule puts on the roster; it is withdrawn below if the status is undetermined.
        out.status = pack.on_roster.id if on_roster is True else NOT_ON_ROSTER
        if on_roster is not True:
            out.tier, out.tier_row = None, None
        elif out.tier is None:
            raise EvaluationError(
                f"child {child.id}: on the roster, but no row of the tier table holds (pack {pack.id} "
                f"{pack.version}); give the table a catch-all row"
            )
        else:
            out.visit_frequency = self.frequency[out.tier]
            if self.floors and values:  # for overrides, which only assess() takes (values on)
                out.floor_row = self._floor(ctx)
        if gaps and (exit_gap is not None or unknown_cats or unknown_factors):
            if on_roster is True and exited is False:
                # The status and tier are final, so the what-ifs (which compare with them) can wait for a read.
                out._gaps = None
                out._what_ifs = lambda e: self.gaps(ctx, e, hits, domains, unknown_cats, unknown_factors, exit_gap,
                                                    on_roster)  # fmt: skip
            else:
                self.gaps(ctx, out, hits, domains, unknown_cats, unknown_factors, exit_gap, on_roster)
        # Undetermined: the exit or roster rule is unknown, or the child is off the roster while a rule that
        # is unknown would put them on it (the roster rule reads the tier inputs, whose counts hold no unknown).
        open_ = exited is None or on_roster is None
        if reopen and not open_ and out.status == NOT_ON_ROSTER:
            # A kept rule that is unknown may be what would list the child: run again now for its unknown level.
            for rule, step in reopen:
                self._unknown_again(ctx, rule, step, unknown_cats, unknown_factors)
        if not open_ and out.status == NOT_ON_ROSTER and (unknown_cats or unknown_factors):
            if gaps:
                found = out.gaps
            else:
                probe = Evaluation(child.id, out.status, score=out.score, domain_points=out.domain_points,
                                   duties=out.duties)  # fmt: skip
                self.gaps(ctx, probe, hits, domains, unknown_cats, unknown_factors, None, on_roster)
                found = probe.gaps
            open_ = any(g.status_if_true != NOT_ON_ROSTER for g in found if g.kind != "roster")
        if open_:
            out.status = UNDETERMINED
            out.tier = out.tier_row = out.visit_frequency = out.floor_row = None
        out.rule_values = {key: value for key, (value, _) in results.items()} | duty_values
        if values:
            out.members = {m.id: m.relation._value_ if m.relation else None for m in household.members or ()}
        return out

    def _unknown_again(self, ctx: Ctx, rule: Any, step: Any, cats: list[tuple[Rule, list[str]]],
                       factors: list[tuple[Factor, Rule, list[str], FactorHit | None]]) -> None:  # fmt: skip
        """A rule an incremental evaluation kept as unknown, run again (nothing it reads changed, and a rule reads
        only the rules before it, whose results are final) for what the status check reads of an unknown rule."""
        unknown = ctx.unknown
        unknown.clear()
        if type(step) is not list:  # a category
            if step(ctx) is None:
                cats.append((rule, _dedup(unknown)))
        else:
            first: Rule | None = None
            for lv, fn, _sev, _points in step:
                v = fn(ctx)
                if v is None and first is None:
                    first = lv
            if first is not None:
                factors.append((rule, first, _dedup(unknown), None))
        unknown.clear()

    def _decided_alike(self, was: Evaluation, tokens: frozenset[Token], hits: list[FactorHit]) -> bool:
        """Whether the exit rule, the roster rule, the tier table and the duties read none of ``tokens``, and
        the factor hits are the record's, level for level (the rules' values being unchanged)."""
        if not self.decision_deps.isdisjoint(tokens) or len(hits) != len(was.factors):
            return False
        return all(a.code == b.code and a.level is b.level and a.points == b.points
                   for a, b in zip(hits, was.factors, strict=True))  # fmt: skip

    def decide(
        self, ctx: Ctx, hits: list[tuple[str, str, int]]
    ) -> tuple[str | None, Rule | None, int, dict[str, int], bool | None]:
        """Score, severity counts, the tier table (highest tier wins) and the roster rule (None: unknown)."""
        cap = int(ctx.params[self.pack.domain_cap])
        per_domain: dict[str, int] = {}
        counts: dict[str, int] = {}
        for domain, sev, points in hits:
            per_domain[domain] = per_domain.get(domain, 0) + points
            counts[sev] = counts.get(sev, 0) + 1
        capped = {d: min(p, cap) for d, p in per_domain.items()}
        score = sum(capped.values())
        tier, row, on_roster = self._table(ctx, score, counts, self._refs(ctx) if self.decide_pure else None)
        return tier, row, score, capped, on_roster

    def _floor(self, ctx: Ctx) -> Rule | None:
        """The most serious floor row that holds, read with the table's inputs as decided."""
        best: Rule | None = None
        mark = len(ctx.unknown)
        for rule, fn in self.floors:
            if rule.applies_on(ctx.on) and fn(ctx) is True:
                if best is None or self.rank[rule.tier or ""] < self.rank[best.tier or ""]:
                    best = rule
        del ctx.unknown[mark:]
        return best

    def _refs(self, ctx: Ctx) -> tuple[Any, ...]:
        results = ctx.results
        refs = [results[r][0] if r in results else None for r in self.decide_refs]
        if self.decide_constants:
            # The same in every what-if of this child: computed once, kept with the child's other memos.
            found = ctx.memo.get(_CONSTANTS)
            if found is None:
                mark = len(ctx.unknown)
                found = ctx.memo[_CONSTANTS] = (tuple(part(ctx) for part in self.decide_constants), [])
                del ctx.unknown[mark:]  # what the table reads is no rule's data gap
            refs += found[0]
        return tuple(refs)

    def _table(
        self, ctx: Ctx, score: int, counts: dict[str, int], refs: tuple[Any, ...] | None
    ) -> tuple[str | None, Rule | None, bool | None]:
        """The tier table and the roster rule (None: unknown) on these inputs; memoised on them when ``refs``
        is given."""
        ctx.tier = {"score": score, "severity": counts}
        key: tuple[Any, ...] | None = None
        if refs is not None:
            key = (self.epoch(ctx.on), score, tuple(sorted(counts.items())), refs)
            hit = self.decide_memo.get(key)
            if hit is not None:
                return hit
        best: tuple[int, Rule] | None = None
        for rule, fn in self.tier_rows:
            if rule.applies_on(ctx.on) and fn(ctx) is True:
                rank = self.rank[rule.tier or ""]
                if best is None or rank < best[0]:
                    best = (rank, rule)
        mark = len(ctx.unknown)
        listed = self.on_roster(ctx)
        del ctx.unknown[mark:]  # what the roster rule reads is no rule's data gap
        decided = (best[1].tier if best else None, best[1] if best else None, listed)
        if key is not None:
            if len(self.decide_memo) > 4096:
                self.decide_memo.clear()
            self.decide_memo[key] = decided
        return decided

    def gaps(self, ctx: Ctx, out: Evaluation, hits: list[tuple[str, str, int]], domains: dict[str, str],
             cats: list[tuple[Rule, list[str]]], factors: list[tuple[Factor, Rule, list[str], FactorHit | None]],
             exit_gap: list[str] | None, listed: bool | None) -> None:  # fmt: skip
        """For each unknown rule: the facts behind it, and the tier and status if it turned out to hold.

        Each what-if changes one input of the tier table (a category that holds, or one more hit), so it
        is decided from the evaluation's own tally, not by adding everything up again.
        """
        pack = self.pack
        gaps = out._gaps
        if gaps is None:
            gaps = out._gaps = []
        if exit_gap is not None:
            gaps.append(Gap("roster", pack.exited.id, _dedup(exit_gap), status_if_true=pack.exited.id))
        cap = int(ctx.params[pack.domain_cap])
        counts: dict[str, int] = {}
        for _, sev, _ in hits:
            counts[sev] = counts.get(sev, 0) + 1
        refs = self._refs(ctx) if self.decide_pure else None
        positions, decide_reads = self._ref_positions, self.decide_reads
        now = (out.tier if listed is True else None, self._status(listed))
        for rule, reads in cats:
            key = ("category", rule.id)
            if key not in decide_reads:  # neither the tier table nor the roster rule reads it
                gaps.append(Gap("category", rule.id, reads, None, *now))
            else:
                saved = ctx.results[key]
                ctx.results[key] = (True, [])
                what_refs = None
                if refs is not None:  # the table's inputs with this one rule holding
                    i = positions.get(key)
                    what_refs = self._refs(ctx) if i is None else (*refs[:i], True, *refs[i + 1 :])
                tier, _, roster = self._table(ctx, out.score, counts, what_refs)
                ctx.results[key] = saved
                gaps.append(Gap("category", rule.id, reads, None, tier if roster is True else None,
                                self._status(roster)))  # fmt: skip
        level_points = self._points(ctx.on)
        # Unknown factors of one domain and severity (G1-G4 are all G/M) add the same hit: decide once.
        what_if: dict[tuple[Any, ...], tuple[str | None, bool | None]] = {}
        by_factor = self.duties_by_factor
        for fdef, level, reads, held in factors:
            sev = level.severity or ""
            points = level_points[id(level)]
            # One more hit; or, for a factor held at a lower level, that hit replaced by this one.
            hit = (fdef.domain, sev, points, held.severity if held else None, held.points if held else 0)
            if hit not in what_if:
                before = out.domain_points.get(fdef.domain, 0)  # already capped; the cap bounds the sum too
                raw = sum(p for d, _, p in hits if d == fdef.domain) - hit[4]
                score = out.score - before + min(raw + points, cap)
                more = {**counts, sev: counts.get(sev, 0) + 1}
                if held is not None:
                    more[held.severity] -= 1
                    if not more[held.severity]:
                        del more[held.severity]
                tier, _, roster = self._table(ctx, score, more, refs)
                what_if[hit] = (tier if roster is True else None, roster)
            tier, roster = what_if[hit]
            changes = tier != out.tier or roster is not listed
            if changes or (fdef.id in by_factor and open_duties(by_factor, fdef.id, out.duties, ctx.on)):
                gaps.append(Gap("factor", fdef.id, reads, sev, tier, self._status(roster)))
        ctx.tier = {"score": out.score, "severity": counts}  # leave the context as decided

    def _status(self, listed: bool | None) -> str:
        """The status a what-if gives, from the roster rule's value there (the exit rule is not re-read)."""
        return self.pack.on_roster.id if listed is True else NOT_ON_ROSTER if listed is False else UNDETERMINED


class _Generated:
    """The generated functions of every node the program runs, made in one module, handed out as ``Compiler``
    hands out closures."""

    def __init__(self, pack: Pack, c: Compiler, order: list[Step], reads: dict[int, Any]) -> None:
        self.pack = pack
        roots = [r.node for r in pack.categories.values()]
        roots += [lv.node for f in pack.factors.values() for lv in f.levels]
        roots += [r.node for r in (*pack.tier_rows, pack.exited, pack.on_roster, *pack.duties)]
        roots += [part for root in [r.node for r in pack.tier_rows] + [pack.on_roster.node]
                  for part in constant_parts(root, pack)]  # fmt: skip
        runtime = {"HIT": FactorHit, "DEDUP": _dedup, "SCALARS": SCALARS, "PLAIN": plain}
        fns, self.main, predicates = generate(pack, roots, c.years, order, reads, runtime)
        self.fns = {id(n): fn for n, fn in zip(roots, fns, strict=True)}
        self._walks: WalkGenerator | None = None
        self._made = (c.years, predicates)

    def walk(self, node: A.Node) -> Fn | None:
        """The deciding-branch walk of a rule's node, generated (``_codegen_why``) when first asked for."""
        if self._walks is None:
            self._walks = WalkGenerator(self.pack, *self._made)
        return self._walks.walk(node)

    def rule(self, rule: Rule) -> Fn:
        return self.fns[id(rule.node)]

    def compile(self, n: A.Node) -> Fn:
        return self.fns[id(n)]


def _false(ctx: Ctx) -> bool:
    return False


def _dedup(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
