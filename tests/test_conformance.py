"""Every form of a pack gives the reference form's answers: the semantic cases and the differential law.

The semantic cases (``riskeval/testing/semantics.yaml``) run through the scalar form, the vector form and,
for the conditions a trigger may hold, the negation normal form that the durable executor matches. The
differential law runs the vector form against the scalar form on drawn packs. ``RISKEVAL_CONFORMANCE=long``
draws many more packs.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from riskeval.evaluate.scalar import ABSENT, Compiler, Ctx
from riskeval.facts import Child, Household, Member
from riskeval.pack import Pack
from riskeval.pack.expr import nodes as A
from riskeval.pack.expr.nnf import IR, IRError, compile_condition
from riskeval.pack.expr.types import BOOL
from riskeval.testing import conformance, scalar_form, vector_form
from riskeval.testing._conformance import Record, Report, long_run, run_cases
from riskeval.testing._semantics import Answer, Case, CasePacks, case_packs, semantics, show

CASES = semantics().cases
IDS = [c.id for c in CASES]
# The law's packs in CI: about 0.4 s each here (a pack loaded, both forms compiled and run).
CI_PACKS = 40


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Answer]]:
    """Every case's answer by each form, computed once (cases of one date and pack share a population)."""
    return {
        "scalar": run_cases(scalar_form, tmp_path_factory.mktemp("scalar")),
        "vector": run_cases(vector_form, tmp_path_factory.mktemp("vector")),
    }


@pytest.mark.parametrize("form", ["scalar", "vector"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_form_gives_the_meaning_the_data_file_states(
    answers: dict[str, dict[str, Answer]], form: str, case: Case
) -> None:
    """A condition's value for the case's facts is the expected true, false or unknown (unknown is never false)."""
    got = answers[form][case.id]
    assert got is case.expect, f"{case.text}: {show(got)}, expected {show(case.expect)}"


# --- the negation normal form of trigger conditions -------------------------------------------------------

ROOTS = {"child": Child, "father": Member, "mother": Member, "caregiver": Member, "household": Household}
_PY: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip


def _reads_facts(n: A.Node) -> bool:
    return any(isinstance(x, A.Fact | A.Ref | A.Agg | A.Call | A.TierInput) for x in A.walk(n))


def trigger_eligible(pack: Pack, node: A.Node) -> bool:
    """What a trigger condition may say (docs/triggers: a fact of the child, its members or household compared
    with a value), decided from the typed tree, independently of the NNF compiler."""
    for n in A.walk(node):
        match n:
            case A.Agg() | A.TierInput() | A.Fact(root="on"):
                return False
            case A.Ref(kind="predicate", name=name, args=args):
                if any(not isinstance(a, A.Fact) or a.path for a in args):
                    return False
                if not trigger_eligible(pack, pack.predicates[name].node):
                    return False
            case A.Ref():
                return False
            case A.Call(fn=fn, args=args):
                if fn not in ("known", "has_any") or (fn == "known" and not isinstance(args[0], A.Fact)):
                    return False
            case A.Arith() if _reads_facts(n):
                return False
            case A.Compare(left=A.Fact(), right=A.Fact()):
                return False
    return True


def _holds(ir: IR, fact: dict[str, Any]) -> bool:
    """An IR condition matched as durable-rules matches it: a comparison on a missing field never holds."""
    if ir[0] == "true":
        return True
    if ir[0] == "all":
        return all(_holds(p, fact) for p in ir[1])
    if ir[0] == "any":
        return any(_holds(p, fact) for p in ir[1])
    _, op, name, value = ir
    return name in fact and bool(_PY[op](fact[name], value))


def nnf_answer(pack: Pack, node: A.Node, household: Household, on: date) -> Answer:
    """A condition's value by its negation normal form: true when it matches, false when its negation does."""
    params = pack.params_on(on)
    predicates = {name: (r.args, r.node) for name, r in pack.predicates.items()}
    ctx = Ctx(household, household.children[0], on, params)
    compiler = Compiler(pack)
    matched = []
    for cond in (node, A.Not(type=BOOL, operand=node)):
        compiled = compile_condition(cond, predicates=predicates, params=params, roots=ROOTS)
        fact: dict[str, Any] = {}
        for ref in compiled.fields.values():  # flattened as the durable executor flattens a situation
            v = compiler.compile(A.Fact(type=BOOL, root=ref.root, path=ref.path))(ctx)
            if ref.flag == "known":
                fact[ref.name] = v is not None
            elif ref.flag == "absent":
                if v is ABSENT:
                    fact[ref.name] = True
            elif v is None or v is ABSENT:
                continue
            elif ref.flag == "item":
                fact[ref.name] = ref.item in v
            else:
                fact[ref.name] = v
        matched.append(_holds(compiled.ir, fact))
    assert not all(matched), "a condition and its negation both match"
    return True if matched[0] else False if matched[1] else None


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> CasePacks:
    sem = semantics()
    return case_packs(tmp_path_factory.mktemp("nnf"), sem.cases, sem.parameters, sem.predicates)


def _node(built: CasePacks, case: Case) -> tuple[Pack, A.Node]:
    k, category = built.where[case.condition]
    pack = built.packs[k]
    return pack, pack.categories[category].node


def test_the_nnf_compiler_takes_exactly_the_trigger_eligible_conditions(built: CasePacks) -> None:
    """A condition a trigger may hold compiles to the IR; any other is refused (IRError), never mistranslated."""
    wrong = []
    for case in CASES:
        pack, node = _node(built, case)
        try:
            compile_condition(node, predicates={n: (r.args, r.node) for n, r in pack.predicates.items()},
                              params=pack.params_on(case.on), roots=ROOTS)  # fmt: skip
            compiles = True
        except IRError:
            compiles = False
        if compiles != trigger_eligible(pack, node):
            wrong.append(f"{case.id}: {case.text} (compiles: {compiles})")
    assert wrong == []


def test_the_negation_normal_form_gives_the_meaning_the_data_file_states(built: CasePacks) -> None:
    """For every condition a trigger may hold, matching its NNF (and its negation's) gives the expected answer;
    a good part of the data file is such a condition (so that a change making none eligible cannot pass)."""
    eligible = [c for c in CASES if trigger_eligible(*_node(built, c))]
    wrong = []
    for case in eligible:
        got = nnf_answer(*_node(built, case), case.household(), case.on)
        if got is not case.expect:
            wrong.append(f"{case.id}: {case.text} gave {show(got)}, expected {show(case.expect)}")
    assert wrong == []
    assert len(eligible) >= 100, len(eligible)


# --- conformance(): the public function, and that it can fail ---------------------------------------------


def _without_gaps(pack: Pack) -> Callable[[Sequence[Household], date], Iterable[Record]]:
    """A broken form: the scalar form with every data gap dropped (unknown read as false)."""
    run = scalar_form(pack)
    return lambda hhs, on: [{**r, "data_gaps": []} for r in run(hhs, on)]


def test_the_data_file_ships_with_riskeval_and_says_every_answer() -> None:
    """The cases are package data; each expects true, false or unknown, and every answer occurs."""
    assert len(CASES) >= 250
    assert len(set(IDS)) == len(IDS)
    assert {c.expect for c in CASES} == {True, False, None}


def test_a_value_case_fails_on_a_wrong_value(tmp_path: Path) -> None:
    """A `value` case is a comparison with its expected value: a wrong expectation gives false, not true."""
    case = next(c for c in CASES if c.id == "add-months-jan-31")
    wrong = Case("wrong", case.text, f"days_between({case.text}, on) == {(case.on - date(2025, 3, 3)).days}",
                 True, case.on, case.facts)  # fmt: skip
    got = run_cases(scalar_form, tmp_path, [case, wrong])
    assert (got["add-months-jan-31"], got["wrong"]) == (True, False)


def test_conformance_rejects_a_form_that_reads_unknown_as_false() -> None:
    """A form that drops data gaps fails the semantic cases (unknown is never false)."""
    with pytest.raises(AssertionError, match="expected unknown"):
        conformance(_without_gaps, differential=False)


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # the failing example's households
def test_the_differential_law_rejects_a_form_that_differs() -> None:
    """The law finds a child on which a form without data gaps differs from the reference, within a few packs."""
    with pytest.raises(AssertionError, match="data_gaps"):
        conformance(_without_gaps, cases=False, max_examples=20, shrink=False)


def test_the_vector_form_conforms_to_the_reference() -> None:
    """On drawn packs (typed expressions over the fact schema) and drawn households, vector == scalar on every
    child: status, categories, factor levels, tier and the rules unknown; in CI a fixed seed, long runs random."""
    long = long_run()
    report: Report = conformance(
        vector_form,
        cases=False,  # run case by case above, for a readable failure
        max_examples=None if long else CI_PACKS,
        seed_value=None if long else 12,
    )
    print(f"\nconformance: {report.packs} packs, {report.expressions} expressions, {report.children} children")
    assert report.failures == []
    assert report.packs >= (CI_PACKS if not long else 1)
    assert report.expressions >= report.packs * 4
