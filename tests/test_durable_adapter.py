"""The durable-rules adapter: value normalisation, compilation, and the matcher against a reference evaluator.

Tests of ``normalise_fact`` and ``compile_rules`` are pure Python and always run; the matcher tests skip when
the ``durable`` extra is not installed.
"""

from __future__ import annotations

import enum
import operator
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from riskeval.errors import TriggerError
from riskeval.triggers.durable import _facts as _durable_facts
from riskeval.triggers.durable import _host as _durable
from riskeval.triggers.durable import _ruleset as _durable_ruleset
from riskeval.triggers.durable._facts import normalise_fact
from riskeval.triggers.durable._host import MISSING_EXTRA, DurableMatcher
from riskeval.triggers.durable._ruleset import Cond, compile_rules

Rules = Sequence[tuple[str, Cond]]


@pytest.fixture
def matcher() -> Callable[..., DurableMatcher]:
    """Build DurableMatchers; skips the test when durable-rules is not installed."""
    pytest.importorskip("durable")
    return DurableMatcher


class Colour(enum.StrEnum):
    RED = "red"


class Grade(enum.IntEnum):
    ONE = 1


# --- normalise_fact --------------------------------------------------------------------------------------


def test_dates_become_day_numbers() -> None:
    """A date becomes its proleptic day number."""
    assert normalise_fact({"d": date(2025, 3, 1)}) == {"f_d": date(2025, 3, 1).toordinal()}


def test_decimal_money_becomes_fen_rounded_half_even() -> None:
    """Decimal yuan become integer fen, ties rounded to even."""
    cases = {"1500": 150000, "12.34": 1234, "1.005": 100, "1.015": 102, "-0.005": 0, "0.125": 12}
    for text, fen in cases.items():
        assert normalise_fact({"m": Decimal(text)}) == {"f_m": fen}, text


def test_float_money_is_read_by_its_shortest_repr() -> None:
    """A float is read as the decimal it prints as (2.675 is 267.5 fen, so 268), never sent as a float."""
    assert normalise_fact({"a": 0.1, "b": 2.675, "c": 1.005, "d": -3.0}) == {
        "f_a": 10,
        "f_b": 268,
        "f_c": 100,
        "f_d": -300,
    }


def test_enums_become_their_values() -> None:
    """A StrEnum becomes its str, an IntEnum its int."""
    out = normalise_fact({"c": Colour.RED, "g": Grade.ONE})
    assert out == {"f_c": "red", "f_g": 1}
    assert type(out["f_c"]) is str
    assert type(out["f_g"]) is int


def test_bools_and_ints_keep_their_type() -> None:
    """True stays a bool and 1 stays an int (the engine must not confuse them)."""
    out = normalise_fact({"b": True, "i": 1, "z": 0})
    assert [type(v) for v in out.values()] == [bool, int, int]


def test_none_is_unknown_and_left_out() -> None:
    """A None value is unknown: the key is absent from the engine form."""
    assert normalise_fact({"a": None, "b": 2}) == {"f_b": 2}


def test_every_key_is_prefixed_so_reserved_names_cannot_clash() -> None:
    """Keys get an f_ prefix, so a caller's sid and id are ordinary fields."""
    assert normalise_fact({"sid": "x", "id": 7, "status": "ok"}) == {"f_sid": "x", "f_id": 7, "f_status": "ok"}


@pytest.mark.parametrize("key", ["$s", "$or", "$"])
def test_keys_starting_with_dollar_are_rejected(key: str) -> None:
    """A key starting with $ (durable's operator namespace) is rejected, naming the key."""
    with pytest.raises(TriggerError, match=r"\$"):
        normalise_fact({key: 1})


@pytest.mark.parametrize("key", ["", 3, None])
def test_keys_that_are_not_non_empty_str_are_rejected(key: Any) -> None:
    """A key that is not a non-empty str is rejected."""
    with pytest.raises(TriggerError, match="non-empty str"):
        normalise_fact({key: 1})


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), -float("inf"), Decimal("NaN"), Decimal("Infinity"), Decimal("sNaN")]
)
def test_nan_and_infinity_are_rejected_naming_the_key(value: object) -> None:
    """NaN and infinities are rejected with the key in the message."""
    with pytest.raises(TriggerError, match=r"'amount'.*not a finite number"):
        normalise_fact({"amount": value})


@pytest.mark.parametrize("value", [{"a": 1}, [1], (1,), {1}, frozenset(), b"x", object()])
def test_nested_containers_and_other_types_are_rejected(value: object) -> None:
    """Containers (the engine would flatten them) and unknown types are rejected, naming the key."""
    with pytest.raises(TriggerError, match="'details': unsupported"):
        normalise_fact({"details": value})


def test_datetimes_are_rejected() -> None:
    """A datetime is not silently truncated to its date."""
    with pytest.raises(TriggerError, match="datetime"):
        normalise_fact({"at": datetime(2025, 1, 1, 12, 0)})


def test_ints_beyond_int64_are_rejected() -> None:
    """Ints outside int64 are rejected (the engine saturates them: 2**63 would equal 2**63 - 1)."""
    assert normalise_fact({"n": 2**63 - 1, "m": -(2**63)}) == {"f_n": 2**63 - 1, "f_m": -(2**63)}
    for n in (2**63, -(2**63) - 1):
        with pytest.raises(TriggerError, match="int64"):
            normalise_fact({"n": n})


def test_strings_the_engine_cannot_compare_are_rejected() -> None:
    """Strings over 65,535 bytes (compared wrongly by the engine) and invalid Unicode are rejected."""
    assert normalise_fact({"s": "a" * 65_535}) == {"f_s": "a" * 65_535}
    with pytest.raises(TriggerError, match="65,535"):
        normalise_fact({"s": "a" * 65_536})
    with pytest.raises(TriggerError, match="not valid Unicode"):
        normalise_fact({"s": "\ud800"})


def test_more_than_250_known_properties_are_rejected() -> None:
    """At most 250 known properties; unknown (None) ones do not count."""
    fact: dict[str, object] = {f"k{i}": i for i in range(250)}
    assert len(normalise_fact({**fact, "unknown": None})) == 250
    with pytest.raises(TriggerError, match="250"):
        normalise_fact({**fact, "one_more": 1})


def test_a_key_whose_engine_hash_is_a_reserved_name_is_rejected() -> None:
    """f_mmfmgqh has the engine hash of 'sid'; sent as is, it would hijack the session."""
    assert _durable_facts._fnv1a32("f_mmfmgqh") == _durable_facts._fnv1a32("sid")
    with pytest.raises(TriggerError, match=r"'mmfmgqh'.*reserved name 'sid'"):
        normalise_fact({"mmfmgqh": 1})


# --- compile_rules ---------------------------------------------------------------------------------------


def test_compiled_form_is_durables_json_ruleset() -> None:
    """Each rule becomes {"all": [{"m": ...}], "run": name}: bare equality, $ operators, $and for conjunctions."""
    ruleset = compile_rules(
        [
            ("eq", ("cmp", "==", "type", "parent_died")),
            ("both", ("all", [("cmp", "<=", "age", 3), ("cmp", "==", "type", "x"), ("cmp", "!=", "ok", True)])),
        ]
    )
    assert ruleset["r0_0"] == {"all": [{"m": {"f_type": "parent_died"}}], "run": "r0_0"}
    assert ruleset["r1_0"] == {
        "all": [{"m": {"$and": [{"f_type": "x"}, {"$lte": {"f_age": 3}}, {"$neq": {"f_ok": True}}]}}],
        "run": "r1_0",
    }
    assert ruleset["w"] == {"all": [{"m": {"warm": True}}], "run": "w"}
    ops = compile_rules([(op, ("cmp", op, "n", 1)) for op in ("<", "<=", ">", ">=")])
    assert [next(iter(ops[f"r{i}_0"]["all"][0]["m"])) for i in range(4)] == ["$lt", "$lte", "$gt", "$gte"]


def test_disjunctions_become_one_durable_rule_each() -> None:
    """An "any" is expanded to disjunctive normal form: one durable rule per disjunct."""
    cond = ("all", [("cmp", "==", "t", "a"), ("any", [("cmp", "==", "x", 1), ("cmp", "==", "y", 2)])])
    ruleset = compile_rules([("r", cond)])
    assert sorted(ruleset) == ["r0_0", "r0_1", "w"]
    assert {str(ruleset[k]["all"][0]["m"]) for k in ("r0_0", "r0_1")} == {
        str({"$and": [{"f_t": "a"}, {"f_x": 1}]}),
        str({"$and": [{"f_t": "a"}, {"f_y": 2}]}),
    }


def test_true_empty_all_and_empty_any() -> None:
    """("true",) and all([]) test the always-present key; any([]) compiles to no rule at all."""
    ruleset = compile_rules([("t", ("true",)), ("a", ("all", [])), ("n", ("any", []))])
    assert ruleset["r0_0"]["all"] == ruleset["r1_0"]["all"] == [{"m": {"always": True}}]
    assert not any(k.startswith("r2_") for k in ruleset)


def test_absorbed_disjuncts_are_dropped() -> None:
    """a or (a and b) compiles to the single disjunct a."""
    a = ("cmp", "==", "a", 1)
    ruleset = compile_rules([("r", ("any", [a, ("all", [a, ("cmp", "==", "b", 2)])]))])
    assert sorted(ruleset) == ["r0_0", "w"]


def test_rule_values_are_normalised_like_facts() -> None:
    """Dates, money and enums in conditions take the same engine form as in facts."""
    ruleset = compile_rules(
        [
            ("d", ("cmp", "<", "since", date(2025, 1, 1))),
            ("m", ("cmp", ">=", "income", Decimal("1500.50"))),
            ("e", ("cmp", "==", "colour", Colour.RED)),
        ]
    )
    assert ruleset["r0_0"]["all"][0]["m"] == {"$lt": {"f_since": date(2025, 1, 1).toordinal()}}
    assert ruleset["r1_0"]["all"][0]["m"] == {"$gte": {"f_income": 150050}}
    assert ruleset["r2_0"]["all"][0]["m"] == {"f_colour": "red"}


def test_ordering_of_strings_is_rejected() -> None:
    """String < is rejected: the engine says "a" < "a!" is false."""
    with pytest.raises(TriggerError, match="orders strings wrongly"):
        compile_rules([("r", ("cmp", "<", "name", "a!"))])


@pytest.mark.parametrize(
    ("first", "second"),
    [(1, "1"), (1, True), (1, Decimal("1")), (1, date(2025, 1, 1)), (Decimal("1"), date(2025, 1, 1))],
)
def test_a_field_compared_as_two_kinds_is_rejected(first: object, second: object) -> None:
    """One field, one kind: int, bool, str, money and date never meet in one comparison."""
    with pytest.raises(TriggerError, match="'x' is compared as"):
        compile_rules([("a", ("cmp", "==", "x", first)), ("b", ("cmp", "==", "x", second))])


def test_rule_constants_finer_than_a_fen_are_rejected() -> None:
    """A money constant must be exact in fen (0.005 yuan is not)."""
    with pytest.raises(TriggerError, match="exact to the fen"):
        compile_rules([("r", ("cmp", ">", "income", Decimal("0.005")))])


@pytest.mark.parametrize(
    "cond",
    [
        ("cmp", "=~", "x", 1),
        ("cmp", "==", 3, 1),
        ("cmp", "==", "x"),
        ("cmp", "==", "x", None),
        ("cmp", "==", "x", 1.5j),
        ("not", ("cmp", "==", "x", 1)),
        ("all", "x"),
        ("true", 1),
        (),
        "x == 1",
    ],
)
def test_malformed_conditions_are_rejected(cond: Any) -> None:
    """Anything but the four condition shapes is rejected, naming the rule."""
    with pytest.raises(TriggerError, match="rule 'bad'"):
        compile_rules([("bad", cond)])


def test_duplicate_and_malformed_rule_names_are_rejected() -> None:
    """Rule names are unique non-empty strings."""
    c = ("true",)
    with pytest.raises(TriggerError, match="duplicate"):
        compile_rules([("a", c), ("a", c)])
    with pytest.raises(TriggerError, match="expected \\(name, condition\\)"):
        compile_rules([("", c)])


def test_fields_with_the_same_engine_hash_are_rejected() -> None:
    """f_kajc4v and f_kbda0a share an engine hash: a rule on one would fire on the other."""
    assert _durable_facts._fnv1a32("f_kajc4v") == _durable_facts._fnv1a32("f_kbda0a")
    with pytest.raises(TriggerError, match="same durable-rules hash"):
        compile_rules([("a", ("cmp", "==", "kajc4v", 1)), ("b", ("cmp", "==", "kbda0a", 1))])


def test_400_equality_tests_on_one_field_compile() -> None:
    """400 values of one field under one node are within the limit."""
    compile_rules([(f"r{i}", ("cmp", "==", "x", i)) for i in range(400)])


def test_tests_that_would_hang_the_engine_are_rejected_at_compile_time() -> None:
    """511 tests under one node make durable loop forever; over 400 is rejected, on one field or many."""
    with pytest.raises(TriggerError, match="durable-rules hangs at 511"):
        compile_rules([(f"r{i}", ("cmp", "==", "x", i)) for i in range(512)])
    with pytest.raises(TriggerError, match="durable-rules hangs at 511"):
        compile_rules([(f"r{i}", ("cmp", "==", f"x{i}", 1)) for i in range(401)])


def test_the_same_field_under_different_nodes_does_not_count_together() -> None:
    """500 values of x spread under 25 event types stay under the per-node limit."""
    rules = [
        (f"r{t}_{i}", ("all", [("cmp", "==", "type", f"t{t}"), ("cmp", "==", "x", t * 20 + i)]))
        for t in range(25)
        for i in range(20)
    ]
    compile_rules(rules)


def test_rulesets_that_could_overflow_the_matching_stack_are_rejected() -> None:
    """70 tests like x < i could all match one fact; the engine's stack holds 64 (error 303)."""
    with pytest.raises(TriggerError, match="matching stack holds 64"):
        compile_rules([(f"r{i}", ("cmp", "<", "x", i)) for i in range(70)])


def test_normal_form_blow_up_is_rejected() -> None:
    """A conjunction of nine binary disjunctions (512 disjuncts) is rejected."""
    cond = ("all", [("any", [("cmp", "==", f"a{i}", 1), ("cmp", "==", f"b{i}", 1)]) for i in range(9)])
    with pytest.raises(TriggerError, match="disjuncts"):
        compile_rules([("r", cond)])


def test_too_many_rules_on_the_same_tests_are_rejected() -> None:
    """Over 200 disjuncts ending on the same tests are rejected (the engine stops at 256)."""
    with pytest.raises(TriggerError, match="end on the same tests"):
        compile_rules([(f"r{i}", ("cmp", "==", "x", 1)) for i in range(201)])


def test_compiling_does_not_need_durable(monkeypatch: pytest.MonkeyPatch) -> None:
    """compile_rules and normalise_fact run without the extra."""
    monkeypatch.setitem(sys.modules, "durable", None)
    monkeypatch.setitem(sys.modules, "durable.engine", None)
    assert compile_rules([("r", ("cmp", "==", "x", 1))])["r0_0"]["all"] == [{"m": {"f_x": 1}}]


def test_missing_extra_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without durable, building a matcher raises TriggerError with the pip command."""
    monkeypatch.setitem(sys.modules, "durable", None)
    monkeypatch.setitem(sys.modules, "durable.engine", None)
    monkeypatch.setattr(_durable, "_engine", None)
    with pytest.raises(TriggerError) as info:
        DurableMatcher([("r", ("cmp", "==", "x", 1))])
    assert str(info.value) == MISSING_EXTRA
    assert info.value.__cause__ is None


# --- the matcher -----------------------------------------------------------------------------------------

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def reference(cond: Cond, fact: Mapping[str, object]) -> bool:
    """Definitely true under Kleene logic, for NNF: a comparison on an unknown field is false."""
    head = cond[0]
    if head == "true":
        return True
    if head == "all":
        return all(reference(c, fact) for c in cond[1])
    if head == "any":
        return any(reference(c, fact) for c in cond[1])
    _, op, field, value = cond
    known = fact.get(field)
    return known is not None and OPS[op](known, value)


def expected(rules: Rules, fact: Mapping[str, object]) -> list[str]:
    return sorted(name for name, cond in rules if reference(cond, fact))


def test_all_matching_rules_are_returned(matcher: Callable[..., DurableMatcher]) -> None:
    """Several rules true for one fact all come back, sorted (durable's post would fire one)."""
    m = matcher(
        [
            ("z_type", ("cmp", "==", "type", "parent_died")),
            ("a_age", ("cmp", "<", "age", 6)),
            ("m_any", ("any", [("cmp", "==", "type", "x"), ("cmp", ">=", "age", 5)])),
            ("never", ("cmp", ">", "age", 9)),
        ]
    )
    assert m.match({"type": "parent_died", "age": 5}) == ["a_age", "m_any", "z_type"]


def test_no_match_is_an_empty_list(matcher: Callable[..., DurableMatcher]) -> None:
    """A fact that matches no rule gives [] (not MessageNotHandledException)."""
    m = matcher([("r", ("cmp", "==", "type", "parent_died"))])
    assert m.match({"type": "school_dropout"}) == []
    assert m.match({}) == []


def test_a_disjunction_fires_when_another_branch_reads_a_missing_field(
    matcher: Callable[..., DurableMatcher],
) -> None:
    """any(a == 1, b == 2) is true for {a: 1}: the unknown b does not block the known branch."""
    m = matcher([("r", ("any", [("cmp", "==", "a", 1), ("cmp", "==", "b", 2)]))])
    assert m.match({"a": 1}) == ["r"]
    assert m.match({"b": 2, "a": None}) == ["r"]
    assert m.match({"a": 0}) == []


@pytest.mark.parametrize("op", sorted(OPS))
def test_every_comparison_on_an_unknown_field_is_not_true(matcher: Callable[..., DurableMatcher], op: str) -> None:
    """x op 1 does not fire when x is absent or None, not even x != 1."""
    m = matcher([("r", ("cmp", op, "x", 1))])
    assert m.match({}) == []
    assert m.match({"x": None, "y": 1}) == []


def test_a_fact_value_of_another_kind_is_rejected(matcher: Callable[..., DurableMatcher]) -> None:
    """An int for a field the rules compare as money is a scale error, not a silent mismatch."""
    m = matcher([("r", ("cmp", "<", "income", Decimal("1500")))])
    assert m.match({"income": Decimal("1400.00"), "event_id": "e1"}) == ["r"]
    with pytest.raises(TriggerError, match=r"event 'e1'.*'income' is int.*money"):
        m.match({"income": 1400, "event_id": "e1"})


def test_unread_fact_keys_are_validated_but_not_sent(matcher: Callable[..., DurableMatcher]) -> None:
    """Fields no rule reads never reach the engine, yet a bad value there is still rejected."""
    m = matcher([("r", ("cmp", "==", "x", 1))])
    assert m.match({"x": 1, **{f"k{i}": "v" for i in range(249)}}) == ["r"]
    with pytest.raises(TriggerError, match="'other'"):
        m.match({"x": 1, "other": float("nan")})


def test_the_same_rules_are_registered_once(matcher: Callable[..., DurableMatcher]) -> None:
    """Rebuilding a matcher with the same rules reuses the registered ruleset (no leak)."""
    rules = [("r", ("cmp", "==", "leak_probe", 42))]
    first = matcher(rules)
    count = len(_durable._REGISTERED)
    second = matcher(rules)
    assert len(_durable._REGISTERED) == count
    assert first._durable == second._durable


def test_no_background_threads_are_started(matcher: Callable[..., DurableMatcher]) -> None:
    """Neither building a matcher nor matching starts a thread (the stock host starts two timers)."""
    before = set(threading.enumerate())
    m = matcher([("r", ("cmp", "==", "thread_probe", 1))])
    m.match({"thread_probe": 1})
    assert set(threading.enumerate()) == before


def test_5000_matches_leave_no_live_session(
    matcher: Callable[..., DurableMatcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every session is deleted: 5,000 matches (the engine holds 1,024) with fresh sids, none left behind."""
    m = matcher([("r", ("cmp", "==", "x", 1))])
    sids: list[str] = []
    new_sid = _durable._new_sid
    monkeypatch.setattr(_durable, "_new_sid", lambda: sids.append(new_sid()) or sids[-1])
    for i in range(5000):
        assert m.match({"x": i % 2}) == (["r"] if i % 2 else [])
    assert len(sids) == len(set(sids)) == 5000
    engine, handle = _durable._load()[0], m._durable[1]
    for sid in sids[::500] + sids[-3:]:
        with pytest.raises(Exception, match="error code: 309"):  # sid not found
            engine.delete_state(handle, sid)


def test_an_action_failure_becomes_a_trigger_error(
    matcher: Callable[..., DurableMatcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An action that raises is a TriggerError naming the event (durable would swallow it into the state)."""

    def boom(c: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(_durable, "_ACTIONS", {"r0_0": boom, "w": _durable._ignore})
    m = matcher([("r", ("cmp", "==", "action_probe", 1))])
    with pytest.raises(TriggerError, match=r"event 'e9'.*RuntimeError: boom") as info:
        m.match({"action_probe": 1, "event_id": "e9"})
    assert info.value.__cause__ is None
    assert info.value.__context__ is None
    _durable._forget(m._durable[0] if m._durable else "")  # its ruleset keeps the failing action
    assert m.match({"action_probe": 0}) == []  # a session whose action failed was deleted all the same


def test_an_engine_error_code_becomes_a_trigger_error(
    matcher: Callable[..., DurableMatcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the guards lifted, the engine's error code surfaces as a TriggerError naming the fact."""
    monkeypatch.setattr(_durable_facts, "MAX_PROPERTIES", 400)
    monkeypatch.setattr(_durable_ruleset, "MAX_STACK", 400)
    m = matcher([(f"r{i}", ("cmp", "==", f"p{i}", 1)) for i in range(260)])
    with pytest.raises(TriggerError, match=r"fact id 'f1'.*error code: 30\d") as info:
        m.match({"id": "f1", **{f"p{i}": 1 for i in range(260)}})
    assert info.value.__context__ is None
    assert m.match({"p0": 1}) == ["r0"]


def test_a_failed_delete_retires_the_ruleset(
    matcher: Callable[..., DurableMatcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a session cannot be deleted, the match fails and the next one runs on a freshly registered copy."""
    m = matcher([("r", ("cmp", "==", "delete_probe", 1))])
    old = m._durable
    monkeypatch.setattr(_durable._load()[0], "delete_state", lambda handle, sid: [][0])
    with pytest.raises(TriggerError, match="could not delete its session: IndexError"):
        m.match({"delete_probe": 1})
    monkeypatch.undo()
    assert m.match({"delete_probe": 1}) == ["r"]
    assert m._durable not in (None, old)


def test_a_first_session_that_matches_nothing_does_not_crash() -> None:
    """Regression: durable segfaults deleting a ruleset's first session when it matched nothing."""
    pytest.importorskip("durable")
    script = (
        "from riskeval.triggers.durable._host import DurableMatcher\n"
        "for k in range(30):\n"
        "    m = DurableMatcher([('r', ('cmp', '>=', 'b', k))])\n"
        "    assert m.match({'b': -1}) == [] and m.match({}) == [] and m.match({'b': k}) == ['r']\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_threads_share_the_engine_safely(matcher: Callable[..., DurableMatcher]) -> None:
    """Matches from four threads give the same answers as the reference."""
    rules = [(f"r{i}", ("any", [("cmp", "==", "t", i), ("cmp", ">", "n", i * 10)])) for i in range(5)]
    m = matcher(rules)
    errors: list[str] = []

    def work(seed: int) -> None:
        for i in range(400):
            fact = {"t": (seed + i) % 6, "n": (seed * i) % 60}
            if m.match(fact) != expected(rules, fact):
                errors.append(f"{fact}")

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


# --- the differential law --------------------------------------------------------------------------------

TRICKY = ["", "a", "a ", "a!", 'a"', "a\\", "a\n", "中文", "é", "\x00", "$s", "sid", "true", "1"]
KINDS: dict[str, st.SearchStrategy[Any]] = {
    "i": st.one_of(st.integers(-3, 3), st.sampled_from([2**63 - 1, -(2**63)])),
    "j": st.integers(-3, 3),
    "s": st.one_of(st.sampled_from(TRICKY), st.text(max_size=4)),
    "b": st.booleans(),
    "d": st.dates(date(2024, 12, 30), date(2025, 1, 3)),
    "m": st.decimals(-3, 3, places=2),
}


@st.composite
def comparisons(draw: st.DrawFn) -> Cond:
    field = draw(st.sampled_from(sorted(KINDS)))
    ops = ["==", "!="] if field == "s" else sorted(OPS)
    return ("cmp", draw(st.sampled_from(ops)), field, draw(KINDS[field]))


conditions: st.SearchStrategy[Cond] = st.recursive(
    st.one_of(comparisons(), st.just(("true",))),
    lambda inner: st.tuples(st.sampled_from(["all", "any"]), st.lists(inner, max_size=3)),
    max_leaves=8,
)
# every field independently known, None (unknown) or absent (unknown)
facts = st.fixed_dictionaries({}, optional={k: st.one_of(st.none(), v) for k, v in KINDS.items()})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    conds=st.lists(conditions, min_size=1, max_size=5),
    fact_list=st.lists(facts, min_size=1, max_size=8),
)
def test_matcher_agrees_with_the_reference_evaluator(conds: list[Cond], fact_list: list[dict[str, Any]]) -> None:
    """For random NNF conditions and facts with unknowns, match() returns exactly the definitely-true rules."""
    pytest.importorskip("durable")
    rules = [(f"rule{i}", c) for i, c in enumerate(conds)]
    try:
        m = DurableMatcher(rules)
    except TriggerError as exc:  # a ruleset beyond the engine's limits is rare at this size
        if "disjuncts" not in str(exc) and "stack" not in str(exc):
            raise
        reject()
    for fact in fact_list:
        assert m.match(fact) == expected(rules, fact), fact
