"""triggers.yaml: the default rows, the load-time checks (each a located record), and the condition IR."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval import PackError
from riskeval.facts import EventType
from riskeval.pack import default_pack_dir
from riskeval.pack._triggers import EventFacts, TriggersFile, trigger_scope
from riskeval.pack._yaml import Mark
from riskeval.pack.expr import parse
from riskeval.pack.expr.nnf import IRError, compile_condition, ir_text, roots_for

PACK = riskeval.load_pack()
LOC = re.compile(r"^.+/triggers\.yaml:(?P<line>\d+):(?P<col>\d+)$")


def copy_pack(tmp_path: Path, name: str = "pk") -> Path:
    """A fresh copy of the default pack's rule files in tmp_path."""
    folder = tmp_path / name
    shutil.copytree(default_pack_dir(), folder, ignore=shutil.ignore_patterns("tests"))
    return folder


def test_the_default_pack_has_a_row_for_every_event_type_and_the_four_urgencies() -> None:
    """Every event type of DOMAIN.md §5 has a row; U0-U3 with 0 days, 3 and 10 working days, 30 days."""
    spec = PACK.triggers
    assert isinstance(spec, TriggersFile)
    assert {r.event for r in spec.rules} == {t.value for t in EventType}
    assert list(spec.urgencies) == ["U0", "U1", "U2", "U3"]
    days = [(u.deadline.working_days, u.deadline.calendar_days) for u in spec.urgencies.values()]
    assert days == [(None, 0), (3, None), (10, None), (None, 30)]
    assert all(r.source and r.reason.zh and r.reason.en for r in spec.rules)


def test_the_default_rows_follow_domain_section_5() -> None:
    """The unconditional row of each event type has the urgency DOMAIN.md §5 gives it."""
    domain = {
        "U0": "abuse_reported child_alone child_missing caregiver_lost child_crisis home_disaster",
        "U1": "parent_died parent_detained court_declaration serious_illness_diagnosed school_dropout "
        "parent_left_for_work housing_lost visit_overdue access_refused",
        "U2": "parent_lost_contact disability_certified household_moved parents_separated child_support_stopped "
        "job_lost dibao_changed medical_expense parent_released adoption_finalised",
        "U3": "parent_returned",
    }
    spec = PACK.triggers
    assert isinstance(spec, TriggersFile)
    by_type = {r.event: r.urgency for r in spec.rules if r.id == r.event}
    assert by_type == {t: u for u, types in domain.items() for t in types.split()}


# --- bad triggers.yaml: one located record each --------------------------------------------------------

SOLE = "when: event.names_caregiver and not (known(event.adults_home) and event.adults_home >= 1)"
BAD: list[tuple[str, str, str, str]] = [
    # (id, old text, new text, expected code)
    ("unknown-event-type", "    event: school_dropout\n", "    event: school_dropuot\n", "unknown_event_type"),
    ("unknown-urgency", "    event: school_dropout\n    urgency: U1\n", "    event: school_dropout\n    urgency: U7\n",
     "unknown_name"),
    ("syntax", "when: event.months >= params.child_support_months", "when: event.months >=", "syntax"),
    ("unknown-fact", "when: event.months >= params.child_support_months",
     "when: event.monthz >= params.child_support_months", "unknown_fact"),
    ("unknown-param", "when: event.months >= params.child_support_months",
     "when: event.months >= params.child_suport_months", "unknown_param"),
    ("arithmetic-is-not-portable", "when: event.amount >= params.spending_md",
     "when: event.amount * 2 >= params.spending_md", "not_portable"),
    ("fact-vs-fact-is-not-portable", SOLE,
     "when: event.member == child.caregiver", "not_portable"),
    ("date-helper-is-not-portable", SOLE,
     "when: days_between(subject.status_since, on) > 30", "not_portable"),
    ("aggregation-is-not-portable", SOLE,
     "when: not any(m.lives_with_children for m in household.members)", "not_portable"),
    ("kind-of-another-type", SOLE,
     "when: event.kind == 'imprisonned'", "enum"),
    ("never-fires", "when: event.months >= params.child_support_months", "when: 'false'", "never_fires"),
    ("event-type-without-a-row", "  - id: access_refused\n    event: access_refused\n",
     "  - id: access_refused\n    event: visit_overdue\n", "missing_event_type"),
    ("duplicate-row-id", "  - id: access_refused\n", "  - id: visit_overdue\n", "duplicate_id"),
    ("unknown-placeholder", "en: \"Turns {age} on {date}", "en: \"Turns {age} on {birthday}", "unknown_name"),
    ("after-months-not-a-parameter", "after_months: lost_contact_min_months", "after_months: lost_contact_months",
     "unknown_param"),
    ("correlation-event-type", "events: [job_lost, dibao_changed,", "events: [job_lots, dibao_changed,",
     "unknown_event_type"),
    ("deadline-two-kinds", "      working_days: 3\n", "      working_days: 3\n      calendar_days: 3\n", "schema"),
    ("unknown-key", "    at_next_visit: true\n", "    at_next_visit: true\n    at_first_light: true\n", "schema"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "old", "new", "code"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_triggers_file_gives_one_located_record(tmp_path: Path, case: str, old: str, new: str, code: str) -> None:
    """Each mistake in triggers.yaml is one PackError record, located triggers.yaml:line:col, with its code."""
    folder = copy_pack(tmp_path)
    path = folder / "triggers.yaml"
    text = path.read_text("utf-8")
    assert old in text, case
    path.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(PackError) as info:
        riskeval.load_pack(folder)
    records = info.value.records
    assert [r.code for r in records] == [code], [r.as_dict() for r in records]
    (record,) = records
    match = LOC.match(record.loc)
    assert match, record.loc
    line = int(match["line"])
    assert 1 <= line <= text.count("\n") + 2


def test_a_misspelt_event_type_gets_a_suggestion(tmp_path: Path) -> None:
    """The record of an unknown event type says which one was meant."""
    folder = copy_pack(tmp_path)
    path = folder / "triggers.yaml"
    path.write_text(path.read_text("utf-8").replace("event: school_dropout\n", "event: school_dropuot\n"), "utf-8")
    with pytest.raises(PackError) as info:
        riskeval.load_pack(folder)
    assert "did you mean 'school_dropout'" in info.value.records[0].message


def test_a_not_portable_condition_points_at_the_offending_part(tmp_path: Path) -> None:
    """The not_portable record's column is that of the arithmetic, not of the row."""
    folder = copy_pack(tmp_path)
    path = folder / "triggers.yaml"
    text = path.read_text("utf-8")
    old = "when: event.amount >= params.spending_md"
    path.write_text(text.replace(old, "when: event.amount > 0 and event.amount / 2 >= params.spending_md"), "utf-8")
    with pytest.raises(PackError) as info:
        riskeval.load_pack(folder)
    (record,) = info.value.records
    line_text = path.read_text("utf-8").splitlines()[int(record.loc.split(":")[-2]) - 1]
    assert line_text[int(record.loc.split(":")[-1]) - 1 :].startswith("event.amount / 2")
    assert "arithmetic" in record.message


def test_arithmetic_over_parameters_is_a_constant_and_loads(tmp_path: Path) -> None:
    """params.spending_md * 2 reads no fact: it folds to a value, and the pack loads."""
    folder = copy_pack(tmp_path)
    path = folder / "triggers.yaml"
    old = "when: event.amount >= params.spending_md"
    path.write_text(path.read_text("utf-8").replace(old, "when: event.amount >= params.spending_md * 2"), "utf-8")
    assert riskeval.load_pack(folder).trigger_rules["medical_expense"].text == "event.amount >= params.spending_md * 2"


# --- the condition IR ------------------------------------------------------------------------------------

PARAMS = PACK.params_on(date(2025, 6, 1))
PREDICATES = {n: (r.args, r.node) for n, r in PACK.predicates.items()}


def ir(text: str) -> Any:
    """Compile one trigger condition to the IR, as the durable executor does."""
    scope = trigger_scope(
        {n: riskeval.pack._params.type_of(p) for n, p in PACK.parameters.items()},  # type: ignore[attr-defined]
        {n: [v.value for v in p.values] for n, p in PACK.parameters.items()},
        {n: len(r.args) for n, r in PACK.predicates.items()},
    )
    node = parse(text, Mark("t", 1, 1), scope)
    return compile_condition(node, predicates=PREDICATES, params=PARAMS, roots=roots_for(EventFacts))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("event.months >= params.child_support_months", "event.months >= 2"),
        ("not (event.months >= 2 and event.kind == 'x')", "(event.months < 2 or event.kind != 'x')"),
        ("not (event.months < 2 or child.adopted)", "(event.months >= 2 and child.adopted == False)"),
        ("2 <= event.months", "event.months >= 2"),
        ("event.kind in ['a', 'b']", "(event.kind == 'a' or event.kind == 'b')"),
        ("event.kind not in ['a', 'b']", "(event.kind != 'a' and event.kind != 'b')"),
        ("not known(event.days) or event.days > 14", "(event.days#known == False or event.days > 14)"),
        ("'abuse' in child.safety", "child.safety:abuse == True"),
        ("not has_any(child.safety, ['abuse', 'runaway'])",
         "(child.safety:abuse == False and child.safety:runaway == False)"),
        ("params.low_income_counts_as_poverty or event.months > 1", "event.months > 1"),
        ("subject.disability.grade <= 2", "subject.disability.grade <= 2"),
        ("not subject.disability.grade <= 2",
         "(subject.disability.grade > 2 or subject.disability.grade#absent == True)"),
        ("subject.disability.type != 'mental'",
         "(subject.disability.type != 'mental' or subject.disability.type#absent == True)"),
        ("deceased(subject)", "(subject.status == 'deceased' or subject.status == 'declared_dead')"),
        ("not deceased(father)", "(father.status != 'deceased' and father.status != 'declared_dead')"),
    ],
)  # fmt: skip
def test_conditions_compile_to_negation_normal_form(text: str, expected: str) -> None:
    """Negations reach the comparisons; ABSENT, known() and list items get their companion fields."""
    assert ir_text(ir(text).ir) == expected


def test_the_ir_records_the_fields_and_parameters_it_reads() -> None:
    """A compiled condition lists the fields the fact must carry and the parameters it was specialised with."""
    out = ir("event.months >= params.child_support_months and not known(event.days)")
    assert sorted(out.fields) == ["event.days#known", "event.months"]
    assert out.params == {"child_support_months"}


@pytest.mark.parametrize(
    "text",
    ["event.months + 1 > 2", "days_between(subject.status_since, on) > 30", "event.member == child.caregiver",
     "any(m.lives_with_children for m in household.members)", "long_detention(subject)"],
)  # fmt: skip
def test_what_durable_cannot_run_is_an_irerror(text: str) -> None:
    """Arithmetic, date helpers, fact-to-fact comparisons and aggregations (also inside predicates) are refused."""
    with pytest.raises(IRError):
        ir(text)
