"""The meaning of rule expressions: three-valued logic, ABSENT, comparisons, `in`, aggregations, dates, params.

Each condition below is a category of a custom pack (the default pack's files plus these rows) built in a
temporary folder; it is evaluated by the scalar form for one child, giving True, False or None (unknown).
"""

from __future__ import annotations

import ast
import builtins
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval import EvaluationError, PackError, load_pack
from riskeval.evaluate.scalar._compile import Compiler, Ctx
from riskeval.pack import Pack, default_pack_dir

ON = date(2025, 12, 1)
T, F, U = True, False, None

CONDITIONS = {
    # three-valued logic
    "t_and": "child.adopted and child.working",
    "t_or": "child.adopted or child.working",
    "t_not": "not child.adopted",
    "t_age_lt6": "child.age < 6",
    "t_known_age": "known(child.age)",
    # ABSENT: fields of a certificate the person does not hold
    "t_grade_le2": "child.disability.grade <= 2",
    "t_grade_ne2": "child.disability.grade != 2",
    "t_not_grade_le2": "not (child.disability.grade <= 2)",
    "t_type_in": "child.disability.type in ['intellectual', 'mental']",
    "t_components": "has_any(child.disability.components, ['mental'])",
    "t_components_len": "len(child.disability.components) >= 1",
    "t_known_grade": "known(child.disability.grade)",
    "t_mother_grade": "mother.disability.grade <= 2",
    # comparison chains
    "t_chain": "6 <= child.age < 16",
    "t_date_chain": "child.birth_date < child.residence.since <= on",
    # in
    "t_school_in": "child.school in ['dropped_out', 'not_enrolled']",
    "t_school_not_in": "child.school not in ['dropped_out', 'not_enrolled']",
    "t_safety_has": "'abuse' in child.safety",
    "t_safety_not_has": "'abuse' not in child.safety",
    "t_school_in_param": "child.school in params.t_schools",
    # aggregations over household.members
    "t_any_ill": "any(m.serious_illness for m in household.members)",
    "t_all_ill": "all(m.serious_illness for m in household.members)",
    "t_count_ill_2": "count(m.serious_illness for m in household.members) >= 2",
    "t_count_ill_0": "count(m.serious_illness for m in household.members) == 0",
    "t_sum_spending": "sum(m.medical_spending_12m for m in household.members) >= 1000",
    "t_any_ill_living": "any(m.serious_illness for m in household.members if m.lives_with_children)",
    "t_sum_grades": "sum(m.disability.grade for m in household.members) >= 1",
    # predicates with member arguments
    "t_both_dead": "t_dead(father) and t_dead(mother)",
    # dates
    "t_res_1m": "months_between(child.residence.since, on) >= 1",
    "t_res_6m": "months_between(child.residence.since, on) >= 6",
    "t_res_12m": "months_between(child.residence.since, on) >= 12",
    "t_res_30d": "days_between(child.residence.since, on) >= 30",
    "t_years_18": "years_between(child.birth_date, on) >= 18",
    "t_age_18": "child.age >= 18",
    "t_res_over_12m": "on > add_months(child.residence.since, 12)",
    "t_res_back_1m": "add_months(on, -1) >= child.residence.since",
    # dated parameters
    "t_limit": "child.age < params.t_limit",
    "t_late": "child.age < params.t_late",
}
PARAMETERS = """
t_limit:
  label: {zh: 测试, en: Test}
  source: TEST expressions
  values: [{from: 2000-01-01, to: 2025-06-30, value: 10}, {from: 2025-07-01, value: 12}]
t_late:
  label: {zh: 测试, en: Test}
  source: TEST expressions
  values: [{from: 2000-01-01, to: 2030-12-31, value: 5}]
t_schools:
  label: {zh: 测试, en: Test}
  source: TEST expressions
  values: [{from: 2000-01-01, value: [dropped_out]}]
"""
PREDICATES = """
- id: t_dead
  args: [m]
  label: {zh: 测试, en: Test}
  when: m.status in ['deceased', 'declared_dead']
  source: TEST expressions
"""


def row(rule_id: str, when: str) -> str:
    return f'\n- id: {rule_id}\n  label: {{zh: 测试, en: Test}}\n  source: TEST expressions\n  when: "{when}"\n'


def custom_pack_dir(folder: Path, conditions: dict[str, str]) -> Path:
    """The default pack's rule files with the test parameters, predicates and conditions added."""
    shutil.copytree(default_pack_dir(), folder, ignore=shutil.ignore_patterns("tests"))
    for name, text in (
        ("parameters.yaml", PARAMETERS),
        ("predicates.yaml", PREDICATES),
        ("categories.yaml", "".join(row(k, v) for k, v in conditions.items())),
    ):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")
    meta = folder / "pack.yaml"  # the pack ends when t_late does, so that its end is no gap
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("  from: 2025-01-01\n", "  from: 2025-01-01\n  to: 2030-12-31\n")
    )
    return folder


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    return load_pack(custom_pack_dir(tmp_path_factory.mktemp("expressions") / "pk", CONDITIONS))


_COMPILERS: dict[int, Compiler] = {}


def truth(
    pack: Pack,
    rule_id: str,
    child: dict[str, Any] | None = None,
    members: list[dict[str, Any]] | None = None,
    on: date = ON,
) -> bool | None:
    """The value of one condition for one child (id c) of a household: True, False or None (unknown)."""
    household = riskeval.parse_household(
        {"id": "h", "members": members or [], "children": [{"id": "c", **(child or {})}]}, today=on
    )
    compiler = _COMPILERS.setdefault(id(pack), Compiler(pack))
    ctx = Ctx(household, household.children[0], on, pack.params_on(on))
    value: bool | None = compiler.rule(pack.categories[rule_id])(ctx)
    return value


# --- three-valued logic --------------------------------------------------------------------------------------

KLEENE_AND = {(T, T): T, (T, F): F, (T, U): U, (F, T): F, (F, F): F, (F, U): F, (U, T): U, (U, F): F, (U, U): U}
KLEENE_OR = {(T, T): T, (T, F): T, (T, U): T, (F, T): T, (F, F): F, (F, U): U, (U, T): T, (U, F): U, (U, U): U}


@pytest.mark.parametrize(("a", "b"), list(KLEENE_AND))
def test_and_or_follow_kleene_tables(pack: Pack, a: bool | None, b: bool | None) -> None:
    """`and` is false if either side is false, `or` true if either is true; otherwise unknown wins."""
    child = {"adopted": a, "working": b}
    assert truth(pack, "t_and", child) is KLEENE_AND[a, b]
    assert truth(pack, "t_or", child) is KLEENE_OR[a, b]


@pytest.mark.parametrize(("a", "expected"), [(T, F), (F, T), (U, U)])
def test_not_of_unknown_is_unknown(pack: Pack, a: bool | None, expected: bool | None) -> None:
    """`not` flips true and false and keeps unknown unknown."""
    assert truth(pack, "t_not", {"adopted": a}) is expected


def test_unknown_fact_makes_a_comparison_unknown(pack: Pack) -> None:
    """Without a birth date, child.age < 6 is unknown, and known(child.age) is false (never unknown)."""
    assert truth(pack, "t_age_lt6", {}) is None
    assert truth(pack, "t_known_age", {}) is False
    assert truth(pack, "t_age_lt6", {"birth_date": "2022-01-01"}) is True
    assert truth(pack, "t_known_age", {"birth_date": "2022-01-01"}) is True


def test_an_unknown_condition_is_a_data_gap_in_the_result(pack: Pack) -> None:
    """Through assess(), an unknown condition is a data gap naming its missing fact, neither true nor false."""
    household = {"id": "h", "children": [{"id": "c", "adopted": True}]}
    child = riskeval.assess(household, on=ON, pack=pack).children[0]
    assert "t_and" not in child.categories
    gap = next(g for g in child.data_gaps if g.rule == "t_and")
    assert (gap.kind, gap.facts) == ("category", ["child.working"])
    assert "t_or" in child.categories
    assert not [g for g in child.data_gaps if g.rule == "t_or"]


# --- ABSENT -------------------------------------------------------------------------------------------------


def test_fields_of_an_absent_certificate_compare_false(pack: Pack) -> None:
    """With `disability: false`, grade <= 2 and type in [...] are false (not unknown); grade != 2 is true."""
    child = {"disability": False}
    assert truth(pack, "t_grade_le2", child) is False
    assert truth(pack, "t_type_in", child) is False
    assert truth(pack, "t_grade_ne2", child) is True
    assert truth(pack, "t_not_grade_le2", child) is True
    assert truth(pack, "t_components", child) is False
    assert truth(pack, "t_components_len", child) is False
    assert truth(pack, "t_known_grade", child) is True


def test_fields_of_an_unknown_certificate_are_unknown(pack: Pack) -> None:
    """With no disability fact at all, the same conditions are unknown, not false."""
    for rule_id in ("t_grade_le2", "t_type_in", "t_grade_ne2", "t_components", "t_components_len"):
        assert truth(pack, rule_id, {}) is None, rule_id
    assert truth(pack, "t_known_grade", {}) is False


def test_a_held_certificate_is_compared_by_its_fields(pack: Pack) -> None:
    """A grade-2 certificate satisfies grade <= 2; a certificate without a grade leaves it unknown."""
    assert truth(pack, "t_grade_le2", {"disability": {"type": "physical", "grade": 2}}) is True
    assert truth(pack, "t_grade_le2", {"disability": {"type": "physical", "grade": 3}}) is False
    assert truth(pack, "t_grade_le2", {"disability": {"type": "physical"}}) is None


def test_absent_certificate_of_a_member(pack: Pack) -> None:
    """mother.disability.grade <= 2 is false for a mother without a certificate, unknown for no mother."""
    members = [{"id": "m", "relation": "mother", "disability": False}]
    assert truth(pack, "t_mother_grade", {"mother": "m"}, members) is False
    assert truth(pack, "t_mother_grade", {}, members) is None


# --- comparison chains and `in` -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "expected"),
    [("2019-12-02", F), ("2019-12-01", T), ("2009-12-02", T), ("2009-12-01", F), (None, U)],
)
def test_a_chain_holds_when_every_link_holds(pack: Pack, birth_date: str | None, expected: bool | None) -> None:
    """6 <= child.age < 16 means 6 <= age and age < 16: the 6th birthday is in, the 16th is out."""
    assert truth(pack, "t_chain", {"birth_date": birth_date}) is expected


def test_a_chain_with_one_false_link_is_false_even_if_another_is_unknown(pack: Pack) -> None:
    """birth_date < residence.since <= on is false when residence.since is after `on`, unknown when missing."""
    born = "2015-01-01"
    assert truth(pack, "t_date_chain", {"birth_date": born, "residence": {"since": "2020-01-01"}}) is True
    assert truth(pack, "t_date_chain", {"birth_date": born, "residence": {"since": "2014-01-01"}}) is False
    assert truth(pack, "t_date_chain", {"birth_date": born, "residence": {}}) is None
    assert truth(pack, "t_date_chain", {"residence": {"since": "2026-01-01"}}) is False


@pytest.mark.parametrize(("school", "inside"), [("dropped_out", T), ("enrolled", F), (None, U)])
def test_in_and_not_in_a_literal_list(pack: Pack, school: str | None, inside: bool | None) -> None:
    """`x in [...]` is unknown when x is; `not in` is its negation (unknown stays unknown)."""
    assert truth(pack, "t_school_in", {"school": school}) is inside
    assert truth(pack, "t_school_not_in", {"school": school}) is (None if inside is None else not inside)


@pytest.mark.parametrize(("safety", "has"), [(["abuse", "missing"], T), ([], F), (["missing"], F), (None, U)])
def test_membership_in_a_list_fact(pack: Pack, safety: list[str] | None, has: bool | None) -> None:
    """'abuse' in child.safety: an empty list is a known no; a missing list is unknown."""
    assert truth(pack, "t_safety_has", {"safety": safety}) is has
    assert truth(pack, "t_safety_not_has", {"safety": safety}) is (None if has is None else not has)


def test_in_a_list_parameter(pack: Pack) -> None:
    """`x in params.NAME` reads the parameter's list on the assessment date."""
    assert truth(pack, "t_school_in_param", {"school": "dropped_out"}) is True
    assert truth(pack, "t_school_in_param", {"school": "not_enrolled"}) is False
    assert truth(pack, "t_school_in_param", {}) is None


# --- aggregations -------------------------------------------------------------------------------------------


def ill(*values: bool | None, living: bool | None = True) -> list[dict[str, Any]]:
    return [{"id": f"m{i}", "serious_illness": v, "lives_with_children": living} for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("values", "any_", "all_"),
    [((T, U), T, U), ((F, U), U, F), ((F, F), F, F), ((T, T), T, T), ((), F, T), ((U,), U, U)],
)
def test_any_and_all_are_kleene_over_members(
    pack: Pack, values: tuple[bool | None, ...], any_: bool | None, all_: bool | None
) -> None:
    """any() is an `or` over members and all() an `and`: one true (false) member decides; no members: F / T."""
    assert truth(pack, "t_any_ill", {}, ill(*values)) is any_
    assert truth(pack, "t_all_ill", {}, ill(*values)) is all_


def test_count_with_unknown_members_is_compared_by_its_bounds(pack: Pack) -> None:
    """count() counts true members; with unknown ones it is a range, and a comparison is known only when
    every count in the range gives the same answer (not a lower count taken as the count)."""
    assert truth(pack, "t_count_ill_2", {}, ill(T, T, F)) is True
    assert truth(pack, "t_count_ill_2", {}, ill(T, F, F)) is False
    assert truth(pack, "t_count_ill_0", {}, ill(F, F)) is True
    assert truth(pack, "t_count_ill_0", {}, ill(F, U)) is None  # 0 or 1
    assert truth(pack, "t_count_ill_2", {}, ill(T, T, U)) is True  # 2 or 3: both at least 2
    assert truth(pack, "t_count_ill_2", {}, ill(T, U, F)) is None  # 1 or 2
    assert truth(pack, "t_count_ill_2", {}, ill(F, U, F)) is False  # 0 or 1: never 2
    assert truth(pack, "t_count_ill_0", {}, ill(T, U)) is False  # 1 or 2: never 0


def test_sum_over_members(pack: Pack) -> None:
    """sum() adds a number per member; one unknown member makes the sum unknown."""
    spend = [{"id": "a", "medical_spending_12m": 600}, {"id": "b", "medical_spending_12m": 500}]
    assert truth(pack, "t_sum_spending", {}, spend) is True
    assert truth(pack, "t_sum_spending", {}, spend[:1]) is False
    assert truth(pack, "t_sum_spending", {}, [*spend[:1], {"id": "b"}]) is None


def test_an_aggregation_filter_skips_known_non_matches(pack: Pack) -> None:
    """`if` drops members for whom it is false; a member for whom it is unknown keeps the result open."""
    assert truth(pack, "t_any_ill_living", {}, ill(T, living=False)) is False
    assert truth(pack, "t_any_ill_living", {}, ill(T, living=None)) is None
    assert truth(pack, "t_any_ill_living", {}, ill(T, living=True)) is True


def test_sum_over_a_field_of_absent_certificates(pack: Pack) -> None:
    """A member without a certificate adds nothing to a sum of grades (ABSENT is no value, not an error)."""
    members: list[dict[str, Any]] = [
        {"id": "a", "disability": False},
        {"id": "b", "disability": {"type": "physical", "grade": 3}},
    ]
    assert truth(pack, "t_sum_grades", {}, members) is True


def test_a_predicate_about_a_missing_member_is_unknown(pack: Pack) -> None:
    """t_dead(father) is unknown without a father; `and` with a known false still gives false."""
    members = [{"id": "f", "status": "deceased"}, {"id": "m", "status": "present"}]
    assert truth(pack, "t_both_dead", {"father": "f", "mother": "m"}, members) is False
    members[1]["status"] = "declared_dead"
    assert truth(pack, "t_both_dead", {"father": "f", "mother": "m"}, members) is True
    assert truth(pack, "t_both_dead", {"mother": "m"}, members) is None
    members[1]["status"] = "present"
    assert truth(pack, "t_both_dead", {"mother": "m"}, members) is False


# --- dates --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "on", "rule_id", "expected"),
    [
        ("2025-01-15", "2025-02-14", "t_res_1m", F),
        ("2025-01-15", "2025-02-15", "t_res_1m", T),
        ("2025-01-31", "2025-02-27", "t_res_1m", F),
        ("2025-01-31", "2025-03-01", "t_res_1m", T),
        ("2025-06-30", "2025-12-29", "t_res_6m", F),
        ("2025-06-30", "2025-12-30", "t_res_6m", T),
        ("2024-02-29", "2025-03-01", "t_res_12m", T),
        ("2025-01-31", "2025-03-01", "t_res_30d", F),
        ("2025-01-31", "2025-03-02", "t_res_30d", T),
    ],
)
def test_months_and_days_between(pack: Pack, since: str, on: str, rule_id: str, expected: bool) -> None:
    """A month is complete on the same day of a later month; days_between counts calendar days."""
    on_date = date.fromisoformat(on)
    assert truth(pack, rule_id, {"residence": {"since": since}}, on=on_date) is expected


@pytest.mark.parametrize(
    ("since", "on", "rule_id", "expected"),
    [
        ("2024-12-01", "2025-12-01", "t_res_over_12m", F),  # the anniversary: 12 months, not more
        ("2024-12-01", "2025-12-02", "t_res_over_12m", T),
        ("2024-02-29", "2025-02-28", "t_res_over_12m", F),  # Art. 202: the anniversary is Feb 28
        ("2024-02-29", "2025-03-01", "t_res_over_12m", T),
        ("2025-01-31", "2025-02-28", "t_res_back_1m", F),  # one month before Feb 28 is Jan 28
        ("2025-01-28", "2025-02-28", "t_res_back_1m", T),
        ("2025-02-28", "2025-03-31", "t_res_back_1m", T),  # one month before Mar 31 is Feb 28
        ("2025-03-01", "2025-03-31", "t_res_back_1m", F),
    ],
)
def test_add_months_lands_on_the_same_day_or_the_months_last(
    pack: Pack, since: str, on: str, rule_id: str, expected: bool
) -> None:
    """add_months says "more than N months" exactly, which completed months cannot."""
    assert truth(pack, rule_id, {"residence": {"since": since}}, on=date.fromisoformat(on)) is expected


def test_add_months_of_an_unknown_date_is_unknown(pack: Pack) -> None:
    assert truth(pack, "t_res_over_12m", {"residence": {"since": None}}) is None


@pytest.mark.parametrize(
    ("since", "on", "rule_id"),
    [
        ("2025-01-31", "2025-02-28", "t_res_1m"),
        ("2025-01-30", "2025-02-28", "t_res_1m"),
        ("2024-08-31", "2025-02-28", "t_res_6m"),
        ("2024-02-29", "2025-02-28", "t_res_12m"),
    ],
)
def test_months_end_on_the_last_day_of_a_shorter_month(pack: Pack, since: str, on: str, rule_id: str) -> None:
    """A period from the 31st (or Feb 29) is complete on the last day of a month without that day (Art. 202)."""
    assert truth(pack, rule_id, {"residence": {"since": since}}, on=date.fromisoformat(on)) is True
    before = date.fromisoformat(on).replace(day=27)
    assert truth(pack, rule_id, {"residence": {"since": since}}, on=before) is False


@pytest.mark.parametrize(
    ("on", "expected"),
    [("2025-11-30", F), ("2025-12-01", T), ("2026-02-27", T)],
)
def test_age_is_completed_years(pack: Pack, on: str, expected: bool) -> None:
    """child.age and years_between count completed years: 18 on the 18th birthday, not the day before."""
    child = {"birth_date": "2007-12-01"}
    assert truth(pack, "t_age_18", child, on=date.fromisoformat(on)) is expected
    assert truth(pack, "t_years_18", child, on=date.fromisoformat(on)) is expected


@pytest.mark.parametrize(("on", "expected"), [("2026-02-27", F), ("2026-02-28", T), ("2028-02-29", T)])
def test_a_child_born_on_feb_29_turns_18_on_feb_28_of_a_common_year(pack: Pack, on: str, expected: bool) -> None:
    """Born Feb 29 2008: not 18 on Feb 27 2026, 18 on Feb 28 2026, as the pack's milestone calendar says."""
    child = {"birth_date": "2008-02-29"}
    assert truth(pack, "t_age_18", child, on=date.fromisoformat(on)) is expected
    assert truth(pack, "t_years_18", child, on=date.fromisoformat(on)) is expected


# --- dated parameters ---------------------------------------------------------------------------------------


def test_a_parameter_is_read_on_the_assessment_date(pack: Pack) -> None:
    """t_limit is 10 until 2025-06-30 and 12 from 2025-07-01: an 11-year-old is under it only after."""
    child = {"birth_date": "2014-01-01"}
    assert pack.params_on(date(2025, 6, 30))["t_limit"] == 10
    assert pack.params_on(date(2025, 7, 1))["t_limit"] == 12
    assert truth(pack, "t_limit", child, on=date(2025, 6, 30)) is False
    assert truth(pack, "t_limit", child, on=date(2025, 7, 1)) is True


def test_a_date_after_the_packs_period_is_a_record_naming_on_not_a_missing_parameter(pack: Pack) -> None:
    """The loader makes every parameter have a value on every day of the pack's period (t_late ends with the
    pack, 2030-12-31), so a day after it is the caller's date that is wrong: one out_of_period record at ``on``."""
    with pytest.raises(riskeval.FactsError) as caught:
        riskeval.assess({"id": "h", "children": [{"id": "c"}]}, on=date(2031, 6, 1), pack=pack)
    (record,) = caught.value.records
    assert (record.loc, record.code, record.value) == ("on", "out_of_period", "2031-06-01")
    assert "2030-12-31" in record.message and "t_late" not in record.message
    assert issubclass(EvaluationError, RuntimeError)


# --- nothing in a rule file is ever executed ----------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    [
        "__import__('os').system('touch pwned') == 0",
        "open('pwned', 'w').close() == 1",
        "getattr(child, '__class__') == 1",
        "[open('pwned', 'w') for m in household.members] == 1",
        "any(open('pwned', 'w') for m in household.members)",
        "exec('open(chr(112), chr(119))') == 1",
    ],
)
def test_a_malicious_condition_is_rejected_and_has_no_effect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """A condition that would write a file if run is a load error, and no file is written."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PackError) as info:
        load_pack(custom_pack_dir(tmp_path / "pk", {"t_evil": when}))
    records = [r for r in info.value.records if "t_evil" in r.message]
    assert [r.code for r in records] == ["forbidden"], info.value.records
    assert [p.name for p in tmp_path.iterdir()] == ["pk"], "a rule file was executed"


@pytest.fixture
def no_dynamic_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """eval and exec raise while the test runs, and compile too unless it only builds a syntax tree."""
    real_compile = builtins.compile

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a rule expression reached eval/exec/compile")

    def tree_only(source: Any, filename: Any, mode: str, flags: int = 0, *args: Any, **kwargs: Any) -> Any:
        if not flags & ast.PyCF_ONLY_AST:
            refuse()
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "compile", tree_only)


def test_loading_and_evaluating_never_use_eval_or_exec(tmp_path: Path, no_dynamic_code: None) -> None:
    """The loader parses with ast and the evaluator runs compiled closures: no eval, exec or compile."""
    pack = load_pack(custom_pack_dir(tmp_path / "pk", {"t_age_lt6": CONDITIONS["t_age_lt6"]}))
    household = {"id": "h", "children": [{"id": "c", "birth_date": "2022-01-01"}]}
    assert "t_age_lt6" in riskeval.assess(household, on=ON, pack=pack).children[0].categories
