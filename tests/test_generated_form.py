"""The generated scalar form (one module per pack, built as an ``ast`` tree) gives exactly what the closures give,
and no text ever reaches ``eval``, ``exec`` or ``compile``.

The closures (``ScalarProgram(pack, closures=True)``) are the reference the generated functions are pinned to:
every field of every child's evaluation, the data gaps with their facts in order, the values read and the
branches shown, on drawn households with the default pack and on drawn packs.
"""

from __future__ import annotations

import ast
import builtins
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st

import riskeval
from riskeval.errors import EvaluationError, PackError
from riskeval.evaluate import scalar_program
from riskeval.evaluate.scalar import (
    Compiler,
    Ctx,
    Evaluation,
    GeneratedCodeError,
    ScalarProgram,
    _codegen,
    check_generated,
    generate_scoped,
)
from riskeval.facts import Household
from riskeval.pack import Pack
from riskeval.testing import ASSESSMENT_DATE, households
from riskeval.testing._packs import DrawnPack, packs
from riskeval.triggers._dates import date_comparisons

ROOT = Path(riskeval.__file__).resolve().parent
DAYS = st.sampled_from((ASSESSMENT_DATE, date(2026, 8, 31), date(2027, 2, 28), date(2028, 2, 29)))
PACK = riskeval.load_pack()
REFERENCE = ScalarProgram(PACK, closures=True)


def record(e: Evaluation) -> dict[str, Any]:
    """Every field of an evaluation, the ones computed when read included."""
    return {
        "child_id": e.child_id, "status": e.status, "categories": e.categories,
        "factors": [(h.code, h.severity, h.points, h.level.id, h.values) for h in e.factors], "score": e.score,
        "domain_points": e.domain_points, "tier": e.tier, "tier_row": e.tier_row, "frequency": e.visit_frequency,
        "gaps": e.gaps, "rule_values": e.rule_values, "members": e.members, "duties": [d.id for d in e.duties],
        "floor_row": e.floor_row, "shown": e.shown, "category_values": e.category_values,
    }  # fmt: skip


def outcome(prog: ScalarProgram, hh: Household, on: date, **kw: Any) -> list[Any]:
    out: list[Any] = []
    for child in hh.children:
        try:
            out.append(record(prog.evaluate(hh, child, on, **kw)))
        except EvaluationError as exc:  # the same refusal, for the same child
            out.append(("refused", str(exc)))
    return out


def test_the_shipped_form_is_the_generated_one() -> None:
    assert scalar_program(PACK).main is not None
    assert REFERENCE.main is None


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(households(), DAYS, st.sampled_from(((True, True), (True, False), (False, True), (False, False))))
def test_generated_and_closures_agree_on_every_field(hh: Household, on: date, modes: tuple[bool, bool]) -> None:
    gaps, values = modes
    assert outcome(scalar_program(PACK), hh, on, gaps=gaps, values=values) == outcome(
        REFERENCE, hh, on, gaps=gaps, values=values
    )


@seed(12)  # as the conformance law: CI runs repeat
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.data())
def test_generated_and_closures_agree_on_drawn_packs(tmp_path_factory: pytest.TempPathFactory, data: Any) -> None:
    try:
        drawn: DrawnPack = data.draw(packs(tmp_path_factory.mktemp("pack")))
    except PackError:  # a drawn pack the checker refuses (a bound no value meets): no pack to compare on
        assume(False)
    pack: Pack = drawn.pack
    generated, reference = ScalarProgram(pack), ScalarProgram(pack, closures=True)
    for _ in range(3):
        hh, on = data.draw(households()), data.draw(DAYS)
        assert outcome(generated, hh, on) == outcome(reference, hh, on), drawn.text


def test_a_pack_value_is_a_constant_never_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every string, number and date of the pack is read from the constants table; the tree holds only the
    generator's own literals, and the check refuses anything else."""
    trees: list[ast.Module] = []

    def spy(tree: Any, *args: Any) -> Any:
        assert isinstance(tree, ast.Module)
        trees.append(tree)
        return builtins.compile(tree, *args)

    monkeypatch.setattr(_codegen, "compile", spy, raising=False)
    ScalarProgram(PACK)
    (tree,) = trees
    literals = {repr(n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert literals <= {"None", "True", "False", "0", "1"}
    texts = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert "dibao" in texts and not any(" " in t or "'" in t for t in texts)
    fields = _codegen.fact_fields()
    check_generated(tree, fields)
    for bad in (
        ast.Constant(value="tekun"),  # a pack's value spliced in
        ast.Name(id="__import__", ctx=ast.Load()),  # a name outside the scheme
        ast.Attribute(value=ast.Name(id="X", ctx=ast.Load()), attr="__class__", ctx=ast.Load()),
        ast.Compare(
            left=ast.Name(id="X", ctx=ast.Load()), ops=[ast.NotIn()], comparators=[ast.Name(id="U", ctx=ast.Load())]
        ),
        ast.Name(id="X", ctx=ast.Del()),  # a context the generator never writes
        ast.Lambda(
            args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=ast.Constant(value=None),
        ),
    ):
        with pytest.raises(GeneratedCodeError):
            check_generated(ast.Module(body=[ast.Expr(value=bad)], type_ignores=[]), fields)


RULES = [*PACK.categories.values(), *(lv for f in PACK.factors.values() for lv in f.levels)]


def test_the_deciding_branch_walk_is_generated_for_every_rule_of_the_default_pack() -> None:
    """The laws above compare ``shown`` with the reference's walk: for the default pack, that is the generated
    walk of every category and factor level (none left to the reference walk), the reference's is not."""
    why = scalar_program(PACK).why
    assert all(why.generated(r.node) is not None for r in RULES)
    assert all(REFERENCE.why.generated(r.node) is None for r in RULES)


def test_the_walks_modules_hold_no_pack_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each rule's walk is a module of its own, made when first asked for, checked as the rules' module is."""
    trees: list[ast.Module] = []

    def spy(tree: Any, *args: Any) -> Any:
        trees.append(tree)
        return builtins.compile(tree, *args)

    monkeypatch.setattr(_codegen, "compile", spy, raising=False)
    prog = ScalarProgram(PACK)
    assert len(trees) == 1  # the rules' module; no walk yet
    for r in RULES:
        prog.why.generated(r.node)
    assert len(trees) == 1 + len(RULES)
    fields = _codegen.fact_fields()
    for tree in trees[1:]:
        literals = {repr(n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant)}
        assert literals <= {"None", "True", "False", "0", "1"}
        check_generated(tree, fields)


def _calls(tree: ast.AST) -> list[tuple[str, ast.Call, ast.AST]]:
    """Every call of eval, exec or compile (the builtins, by name or through ``builtins``), with the function
    (or module) it sits in."""
    out = []
    scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
    for scope in scopes:
        for n in ast.walk(scope):
            if not isinstance(n, ast.Call):
                continue
            f = n.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) and \
                isinstance(f.value, ast.Name) and f.value.id == "builtins" else None  # fmt: skip
            if name in ("eval", "exec", "compile"):
                out.append((name, n, scope))
    # a call inside a function is also inside the module: keep the innermost scope; a parameter of that name
    # (vector/_decide's ``compile``, a function passed in) is not the builtin
    best: dict[int, tuple[str, ast.Call, ast.AST]] = {}
    shadowed: set[int] = set()
    for name, call, scope in out:
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef) and name in {a.arg for a in scope.args.args}:
            shadowed.add(id(call))
        if id(call) not in best or scope is not tree:
            best[id(call)] = (name, call, scope)
    return [v for k, v in best.items() if k not in shadowed]


def _bound_by(scope: ast.AST, name: str) -> list[ast.expr]:
    return [n.value for n in ast.walk(scope) if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)]  # fmt: skip


def test_eval_exec_and_compile_only_ever_receive_a_checked_ast_built_by_the_compiler() -> None:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, call, scope in _calls(tree):
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            found.append((path.relative_to(ROOT).as_posix(), name))
            assert name != "eval", f"{where}: eval"
            assert call.args and isinstance(call.args[0], ast.Name), f"{where}: {name} of something not a name"
            arg = call.args[0].id
            sources = _bound_by(scope, arg)
            assert len(sources) == 1, f"{where}: {arg} is bound {len(sources)} times"
            (source,) = sources
            assert isinstance(source, ast.Call)
            if name == "compile":
                # the tree is an ast.Module built here, and checked before it is compiled
                assert ast.unparse(source.func) == "ast.Module", f"{where}: compile of {ast.unparse(source)}"
                checks = [n for n in ast.walk(scope) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                          and n.func.id == "check_generated" and n.args and isinstance(n.args[0], ast.Name)
                          and n.args[0].id == arg and n.lineno < call.lineno]  # fmt: skip
                assert checks, f"{where}: {arg} is compiled unchecked"
                assert isinstance(call.args[1], ast.Constant), f"{where}: the file name is the compiler's own"
            else:  # exec runs only what compile() made of such a tree
                assert isinstance(source.func, ast.Name) and source.func.id == "compile", f"{where}"
    assert sorted(found) == [("evaluate/scalar/_codegen.py", "compile"), ("evaluate/scalar/_codegen.py", "exec")]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(households(), DAYS)
def test_the_monitors_date_comparisons_generated_agree_with_the_closures(hh: Household, on: date) -> None:
    """The outlook's comparisons (``triggers._dates``), generated one function per root, give each comparison
    the value its closure gives, for every child, role and member they are read for."""
    comparisons = date_comparisons(PACK)
    assert comparisons
    closures = Compiler(PACK)
    params = PACK.params_on(on)
    for root, node in comparisons:
        var = None if root in ("child", "household", "father", "mother", "caregiver") else root
        (fn,) = generate_scoped(PACK, [([node], var)], closures.years)
        closure = closures.compile(node)
        for child in hh.children:
            ctx, ref = Ctx(hh, child, on, params), Ctx(hh, child, on, params)
            if root == "child":
                assert fn(ctx) == (closure(ref),)
                continue
            for member in hh.members or ():
                if var is None:
                    ctx.roles[root] = ref.roles[root] = member
                    assert fn(ctx) == (closure(ref),)
                else:
                    ref.vars[root] = member
                    assert fn(ctx, member, None) == (closure(ref),)
