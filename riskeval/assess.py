"""assess(): one household's facts in, each child's categories, factors, tier and gaps out."""

from __future__ import annotations

from datetime import date
from typing import Any

from riskeval.evaluate._program import ChildEval, Program
from riskeval.facts import Household, parse_household
from riskeval.pack import Pack, load_pack
from riskeval.results import ChildAssessment, DataGap, FactorResult, HouseholdAssessment


def program_for(pack: Pack) -> Program:
    """The scalar program of a pack, compiled on first use."""
    prog = pack.compiled.get("scalar")
    if prog is None:
        prog = pack.compiled["scalar"] = Program(pack)
    return prog  # type: ignore[no-any-return]


def evaluate(household: Household | dict[str, Any] | str, *, on: date, pack: Pack | None = None) -> tuple[Household, Pack, list[ChildEval]]:
    """Validate and evaluate every child: the evaluation records that results and explanations come from."""
    pack = pack if pack is not None else load_pack()
    hh = parse_household(household, today=max(on, date.today()))
    prog = program_for(pack)
    return hh, pack, [prog.evaluate(hh, child, on) for child in hh.children]


def assess(household: Household | dict[str, Any] | str, *, on: date, pack: Pack | None = None) -> HouseholdAssessment:
    """Assess every child of a household on a date.

    Args:
        household: a Household, or its facts as a dict or JSON text (validated; FactsError on bad input).
        on: the assessment date: ages, durations and parameter values are taken on this day.
        pack: a loaded rule pack (default: the embedded default pack).

    Example:
        >>> import riskeval, datetime
        >>> result = riskeval.assess({"id": "h1", "children": [{"id": "c1"}]}, on=datetime.date(2025, 12, 1))
        >>> result.children[0].status
        'not_on_roster'
    """
    hh, _pack, evals = evaluate(household, on=on, pack=pack)
    return HouseholdAssessment(household_id=hh.id, children=[child_result(e) for e in evals])


def child_result(e: ChildEval) -> ChildAssessment:
    """The JSON-facing result of one child's evaluation record."""
    return ChildAssessment(
        child_id=e.child_id,
        status=e.status,
        categories=e.categories,
        factors=[FactorResult(code=h.code, severity=h.severity, points=h.points, values=h.values) for h in e.factors],
        score=e.score,
        tier=e.tier,
        visit_frequency=e.visit_frequency,
        data_gaps=[
            DataGap(kind=g.kind, rule=g.rule, facts=g.facts, severity=g.severity, tier_if_true=g.tier_if_true, status_if_true=g.status_if_true)
            for g in e.gaps
        ],
    )
