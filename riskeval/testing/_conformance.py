"""``conformance()``: the semantic cases and the differential law, run against any form of a pack.

A *form* is a factory ``form(pack) -> program``; ``program(households, on)`` gives one record per child, in
the households' order, shaped like a child of ``assess()``'s JSON result (``child_id``, ``status``,
``categories``, ``factors`` with ``code`` and ``severity``, ``tier``, ``data_gaps`` with ``kind`` and
``rule``). :func:`scalar_form` is the reference; :func:`vector_form` is the population form.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from riskeval._assess import assess
from riskeval.batch import assess_batch
from riskeval.facts import Household
from riskeval.pack import Pack
from riskeval.testing._draw import ASSESSMENT_DATE
from riskeval.testing._packs import DrawnPack, packs
from riskeval.testing._semantics import Answer, Case, answer, case_packs, semantics, show
from riskeval.testing._strategies import households

Record = Mapping[str, Any]
Program = Callable[[Sequence[Household], date], Iterable[Record]]
Form = Callable[[Pack], Program]

# Days on which counting months and ages is delicate (month ends, a common year's Feb 28, Feb 29).
_DAYS = (ASSESSMENT_DATE, date(2026, 8, 31), date(2027, 2, 28), date(2028, 2, 29))


def scalar_form(pack: Pack) -> Program:
    """The reference form: ``assess()``, one household at a time."""

    def run(hhs: Sequence[Household], on: date) -> list[Record]:
        out: list[Record] = []
        for hh in hhs:
            result = assess(hh, on=on, pack=pack, explain=False, schedule=False).model_dump(mode="json")
            out += result["children"]
        return out

    return run


def vector_form(pack: Pack) -> Program:
    """The numpy form: ``assess_batch()`` over the households as one population."""

    def run(hhs: Sequence[Household], on: date) -> list[Record]:
        result = assess_batch(list(hhs), on=on, pack=pack)
        if result.rejected:
            raise AssertionError(f"the vector form rejected valid households: {result.errors}")
        return list(result.to_records())

    return run


@dataclass
class Report:
    """What a conformance run tried, and every difference it found (empty when the form conforms)."""

    cases: int = 0
    packs: int = 0
    expressions: int = 0
    households: int = 0
    children: int = 0
    failures: list[str] = field(default_factory=list)


def run_cases(form: Form, folder: Path, cases: Sequence[Case] | None = None) -> dict[str, Answer]:
    """Every semantic case's answer by a form: households of one date and one pack go in one call."""
    sem = semantics()
    chosen = sem.cases if cases is None else tuple(cases)
    built = case_packs(folder, chosen, sem.parameters, sem.predicates)
    groups: dict[tuple[int, date], list[Case]] = {}
    for case in chosen:
        groups.setdefault((built.where[case.condition][0], case.on), []).append(case)
    out: dict[str, Answer] = {}
    for (k, on), group in groups.items():
        program = form(built.packs[k])
        records = list(program([c.household(f"h{i}") for i, c in enumerate(group)], on))
        if len(records) != len(group):
            raise AssertionError(f"{len(group)} children in, {len(records)} records out")
        for case, record in zip(group, records, strict=True):
            out[case.id] = answer(record, built.where[case.condition][1])
    return out


def outcome(record: Record) -> dict[str, Any]:
    """What two forms must agree on for a child: status, categories, factors (levels), tier, the rules unknown."""
    return {
        "child_id": record["child_id"],
        "status": record["status"],
        "categories": sorted(record["categories"]),
        "factors": sorted((f["code"], f["severity"]) for f in record["factors"]),
        "tier": record["tier"],
        "data_gaps": sorted((g["kind"], g["rule"], g.get("severity") or "") for g in record["data_gaps"]),
    }


def differ(pack: Pack, form: Form, hhs: Sequence[Household], on: date, reference: Form = scalar_form) -> list[str]:
    """How a form's records differ from the reference's, child by child (empty when they agree)."""
    want = [outcome(r) for r in reference(pack)(hhs, on)]
    got = [outcome(r) for r in form(pack)(hhs, on)]
    if len(want) != len(got):
        return [f"{len(want)} children by the reference, {len(got)} by the form"]
    out = []
    for w, g in zip(want, got, strict=True):
        if w != g:
            keys = [k for k in w if w[k] != g[k]]
            out.append(f"child {w['child_id']} on {on}: " + "; ".join(f"{k}: {w[k]} != {g[k]}" for k in keys))
    return out


def long_run() -> bool:
    """Whether the environment asks for the long run (``RISKEVAL_CONFORMANCE=long``)."""
    return os.environ.get("RISKEVAL_CONFORMANCE", "").lower() == "long"


def conformance(
    form: Form,
    *,
    cases: bool = True,
    differential: bool = True,
    max_examples: int | None = None,
    households_per_pack: int = 4,
    seed_value: int | None = 12,
    shrink: bool = True,
) -> Report:
    """Check that a form of a pack gives what the reference form (``riskeval.evaluate.scalar``) gives.

    Runs every semantic case shipped with riskeval (``riskeval/testing/semantics.yaml``: a condition, facts,
    a date, the expected true, false or unknown) and the differential law: on small random packs (the default
    pack plus drawn parameters, predicates, categories, factors and tier rows, each condition a well-typed
    expression drawn from the fact schema) and households drawn by :func:`households`, the form and the
    reference agree on every child's status, categories, factors with their levels, tier and data gaps.

    Args:
        form: ``form(pack) -> program``; ``program(households, on)`` gives one record per child (see module).
        cases: run the semantic cases.
        differential: run the differential law.
        max_examples: how many packs the law draws (default 25; 2,000 when ``RISKEVAL_CONFORMANCE=long``).
        households_per_pack: at most this many households per drawn pack (each on a drawn date).
        seed_value: hypothesis' seed, so that CI runs repeat (None: a random run, as a long run wants).
        shrink: look for the smallest pack and households that still differ (slower on failure, clearer).

    Returns:
        A :class:`Report` of what was tried.

    Raises:
        AssertionError: a case the form answers otherwise, or a child on which it differs from the reference.
    """
    report = Report()
    with tempfile.TemporaryDirectory(prefix="riskeval-conformance-") as tmp:
        if cases:
            sem = semantics()
            got = run_cases(form, Path(tmp))
            report.cases = len(sem.cases)
            report.failures += [
                f"case {c.id}: {c.text} gave {show(got[c.id])}, expected {show(c.expect)}"
                for c in sem.cases
                if got[c.id] is not c.expect
            ]
            if report.failures:
                raise AssertionError(_message(report))
        if differential:
            _law(form, Path(tmp), report, max_examples, households_per_pack, seed_value, shrink)
    return report


def _law(
    form: Form, folder: Path, report: Report, max_examples: int | None, per_pack: int, seed_value: int | None,
    shrink: bool,
) -> None:  # fmt: skip
    examples = max_examples if max_examples is not None else (2000 if long_run() else 25)
    population = st.lists(households(), min_size=1, max_size=per_pack, unique_by=lambda h: h.id)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate, *((Phase.shrink,) if shrink else ())),
        suppress_health_check=list(HealthCheck),
    )
    @given(packs(folder), population, st.sampled_from(_DAYS))
    def law(drawn: DrawnPack, hhs: list[Household], on: date) -> None:
        report.packs += 1
        report.expressions += drawn.expressions
        report.households += len(hhs)
        found = differ(drawn.pack, form, hhs, on)
        report.children += sum(len(h.children) for h in hhs)
        if found:
            report.failures[:] = [f"pack {drawn.text}", *found]
            raise AssertionError(_message(report))

    run = seed(seed_value)(law) if seed_value is not None else law
    run()


def _message(report: Report) -> str:
    shown = report.failures[:40]
    more = len(report.failures) - len(shown)
    return "the form does not conform:\n  " + "\n  ".join(shown) + (f"\n  ... and {more} more" if more > 0 else "")
