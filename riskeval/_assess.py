"""assess(): a household's facts in; each child's categories, factors, tier, gaps, plan and explanation out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache, partial
from typing import Any

from riskeval import audit
from riskeval._build import Lazy, trusted
from riskeval._label import Label
from riskeval.errors import ErrorRecord, FactsError
from riskeval.evaluate import Evaluation, FactorHit, default_pack, scalar_program
from riskeval.explain import explain as _explain
from riskeval.facts import (
    Household,
    assessment_date,
    parse_household,
    recorded_by,
    surely_writable,
    validation_today,
)
from riskeval.overrides import Override, check_overrides
from riskeval.pack import Pack, Rule
from riskeval.results import (
    ChildAssessment,
    DataGap,
    Duty,
    Explanation,
    FactorResult,
    HouseholdAssessment,
    PackStamp,
)
from riskeval.schedule import VisitPlan, calendar_version, plan_visits


def evaluate(
    household: Household | dict[str, Any] | str, *, on: date, pack: Pack | None = None
) -> tuple[Household, Pack, list[Evaluation]]:
    """Validate and evaluate every child: the evaluation records that results and explanations come from."""
    on = assessment_date(on)
    pack = pack if pack is not None else default_pack()
    hh = parse_household(household, today=validation_today(on))
    recorded_by(hh, on)
    prog = scalar_program(pack)
    return hh, pack, [prog.evaluate(hh, child, on) for child in hh.children]


def assess(
    household: Household | dict[str, Any] | str,
    *,
    on: date,
    pack: Pack | None = None,
    explain: bool = True,
    schedule: bool = True,
    overrides: Sequence[Override | Mapping[str, Any]] = (),
) -> HouseholdAssessment:
    """Assess every child of a household on a date.

    Args:
        household: a Household, or its facts as a dict or JSON text (validated; FactsError on bad input).
        on: the assessment date: ages, durations and parameter values are taken on this day.
        pack: a loaded rule pack (default: the embedded default pack).
        explain: render each child's explanation in Chinese and English.
        schedule: plan each child's visits (first visit, cadence, holidays, full assessment, milestones).
        overrides: discretionary tier overrides (:class:`~riskeval.overrides.Override` or dicts), at most
            one per child; OverrideError when one breaks the rules.

    Example:
        >>> import riskeval, datetime
        >>> result = riskeval.assess({"id": "h1", "children": [{"id": "c1"}]}, on=datetime.date(2025, 12, 1))
        >>> result.children[0].status  # nothing is known: whether the child is on the roster is to be verified
        'undetermined'
    """
    hh, pack, evals = evaluate(household, on=on, pack=pack)
    moved = check_overrides(overrides, evals, pack, on) if overrides else {}
    if hh is household:
        # The caller's own model, which the caller may change later: what the data gaps, the factors' values
        # and the explanation name is read now.
        for e in evals:
            e.gaps  # noqa: B018
            for h in e.factors:
                h.values  # noqa: B018
            if explain:
                e.shown  # noqa: B018
    children = []
    for i, (child, e) in enumerate(zip(hh.children, evals, strict=True)):
        o = moved.get(e.child_id)
        tier, frequency = _final(e, pack, o)
        # The plan and the explanation are computed when first read (or dumped): riskeval._build.Lazy. Their
        # inputs are taken now; a plan that would refuse the facts is made now, so assess() raises as before.
        plan: VisitPlan | Lazy | None = None
        if schedule:
            dates = (child.birth_date, child.identified_on, child.last_visit, child.last_full_assessment)
            plan = Lazy(partial(_plan, pack, dates, e.status, tier, frequency, on, i))
            if _plan_refuses(pack, dates, e.status, frequency, on):
                plan = plan.make()
        children.append(
            child_result(
                e,
                pack,
                override=o,
                schedule=plan,
                explanation=Lazy(partial(_explain, e, pack, on=on, override=o)) if explain else None,
            )
        )
    return trusted(
        HouseholdAssessment,
        {
            "household_id": hh.id,
            "children": children,
            "pack": _stamp(pack.id, pack.version, pack.sha256),
            "riskeval": audit.riskeval_version(),
            "calendar": calendar_version(),
            "as_of": on,
            "input_sha256": _digest(household, hh),
        },
    )


def _digest(household: Household | dict[str, Any] | str, hh: Household) -> str | Lazy:
    """The input digest, computed now or when first read. Writing the canonical JSON is also what refuses text
    that UTF-8 cannot encode (a located FactsError from assess()), so it waits only for input that surely holds
    none; and never for the caller's own model, which the caller may change later."""
    if hh is household or not surely_writable(household):
        return audit.input_sha256(hh)
    return Lazy(partial(audit.input_sha256, hh))


@lru_cache(maxsize=64)
def _stamp(pack_id: str, version: str, sha256: str) -> PackStamp:
    # Immutable, and the same for every result of a pack: built once.
    return PackStamp(id=pack_id, version=version, sha256=sha256)


def _final(e: Evaluation, pack: Pack, override: Override | None) -> tuple[str | None, str | None]:
    """The final tier and visit frequency: the override's when there is one, else the computed ones."""
    if override is None:
        return e.tier, e.visit_frequency
    return override.tier, next(t.visit_frequency for t in pack.tiers if t.id == override.tier)


_Dates = tuple[date | None, date | None, date | None, date | None]


def _plan_refuses(pack: Pack, dates: _Dates, status: str, frequency: str | None, on: date) -> bool:
    """Whether plan_visits would raise on these inputs: a date after ``on``, or a cadence the schedule lacks."""
    if any(d is not None and d > on for d in dates):
        return True
    return status == pack.on_roster.id and frequency is not None and frequency not in pack.schedule.cadences


def _plan(
    pack: Pack, dates: _Dates, status: str, tier: str | None, frequency: str | None, on: date, index: int
) -> VisitPlan:
    """The visit plan of one child on its final tier (``dates``: its birth, identification, last visit and
    last full assessment); a date after ``on`` is located on the child."""
    birth_date, identified_on, last_visit, last_full_assessment = dates
    try:
        return plan_visits(
            pack.schedule,
            on=on,
            status=status,
            tier=tier,
            visit_frequency=frequency,
            birth_date=birth_date,
            identified_on=identified_on,
            last_visit=last_visit,
            last_full_assessment=last_full_assessment,
            urgent_tier=pack.tiers[0].id,
            on_roster_status=pack.on_roster.id,
            exited_status=pack.exited.id,
        )
    except FactsError as exc:
        records = [ErrorRecord(f"children[{index}].{r.loc}", r.code, r.message, r.value) for r in exc.records]
        raise FactsError(records, f"visit plan: {len(records)} problem(s)") from None


def _duty(rule: Rule) -> Duty:
    label = trusted(Label, {"zh": rule.label.zh, "en": rule.label.en})
    return trusted(Duty, {"id": rule.id, "label": label, "source": rule.source})


def child_result(
    e: Evaluation,
    pack: Pack | None = None,
    *,
    override: Override | None = None,
    schedule: VisitPlan | Lazy | None = None,
    explanation: Explanation | Lazy | None = None,
) -> ChildAssessment:
    """The JSON-facing result of one child's evaluation record (the final tier follows ``override``)."""
    tier, frequency = _final(e, pack, override) if pack is not None else (e.tier, e.visit_frequency)
    # Built without a second validation (riskeval._build): every value comes from the evaluation record,
    # the pack or a validated model; lists and dicts are copied as validation would copy them. The factors'
    # and the data gaps' models are made when first read (or dumped), from the record, which nothing changes.
    return trusted(
        ChildAssessment,
        {
            "child_id": e.child_id,
            "status": e.status,
            "categories": list(e.categories),
            "factors": Lazy(partial(_factor_results, e.factors)) if e.factors else [],
            "score": e.score,
            "tier": tier,
            "visit_frequency": frequency,
            "data_gaps": Lazy(partial(_data_gaps, e)) if e.gaps_pending or e.gaps else [],
            "duties": [_duty(d) for d in e.duties],
            "computed_tier": e.tier,
            "tier_row": e.tier_row.id if e.tier_row is not None else None,
            "override": override,
            "schedule": schedule,
            "explanation": explanation,
        },
    )


def _factor_results(hits: list[FactorHit]) -> list[FactorResult]:
    return [
        trusted(FactorResult, {"code": h.code, "severity": h.severity, "points": h.points, "values": dict(h.values)})
        for h in hits
    ]


def _data_gaps(e: Evaluation) -> list[DataGap]:
    return [
        trusted(
            DataGap,
            {
                "kind": g.kind,
                "rule": g.rule,
                "facts": list(g.facts),
                "severity": g.severity,
                "tier_if_true": g.tier_if_true,
                "status_if_true": g.status_if_true,
            },
        )
        for g in e.gaps
    ]
