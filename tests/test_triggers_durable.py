"""The durable-rules executor: the same triggers as riskeval's on generated logs, and a 100,000-event stress run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from _executors import needs_durable
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_triggers_pack import copy_pack

import riskeval
from riskeval.errors import TriggerError
from riskeval.facts import Event, Household
from riskeval.testing import event_logs, households
from riskeval.triggers import Monitor
from riskeval.triggers._apply import affected, problems, updated
from riskeval.triggers._match import Situation

LAW = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
LOGS = households().flatmap(lambda h: st.tuples(st.just(h), event_logs(h, max_size=15)))
SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_triggers.py"
MAX_GROWTH_KB = 20 * 1024

# Extra rows that reach every corner of the IR: ABSENT certificates, known(), list items, predicates,
# negations over them, float and money comparisons, parameters, the derived event facts.
RICH = [
    ("rich_severe", "parent_died", "U0", "severe_disability(subject) and not (subject.disability.grade <= 1)"),
    ("rich_cert", "disability_certified", "U1", "subject.disability.type != 'mental' and event.grade <= 2"),
    ("rich_alone", "child_alone", "U1", "child.age < params.living_alone_max_age and 'abuse' not in child.safety"),
    ("rich_poor", "dibao_changed", "U1",
     "household.economy.dibao in ['dibao', 'tekun'] or not known(household.housing)"),
    ("rich_drop", "job_lost", "U1", "event.drop_pct >= params.income_drop_pct or subject.employment == 'unemployed'"),
    ("rich_kind", "parent_detained", "U0",
     "event.kind in ['imprisoned', 'compulsory_rehab'] and not caring_adult(subject)"),
    ("rich_dead", "court_declaration", "U0",
     "deceased(subject) or declared_missing(subject) or not has_any(child.behaviour, ['truancy', 'delinquency'])"),
    ("rich_money", "medical_expense", "U1",
     "event.amount > params.serious_illness_spending or household.economy.medical_spending_12m >= params.spending_h"),
    ("rich_carer", "caregiver_lost", "U1", "caregiver.status != 'present' and event.adults_home >= 1"),
    ("rich_names", "parent_left_for_work", "U0", "not event.names_parent or father.contact in ['rarely', 'none']"),
    ("rich_school", "school_dropout", "U0",
     "child.age <= params.compulsory_school_max_age and child.age >= params.compulsory_school_min_age"
     " and not child.working"),
    ("rich_income", "parents_separated", "U1",
     "household.economy.income_per_capita < params.dibao_standard * params.low_income_ratio"
     " or child.disability.grade >= 3"),
]  # fmt: skip


@pytest.fixture(scope="module")
def rich_pack(tmp_path_factory: pytest.TempPathFactory) -> riskeval.Pack:
    """The default pack with the RICH rows added to triggers.yaml."""
    folder = copy_pack(tmp_path_factory.mktemp("rich"))
    path = folder / "triggers.yaml"
    doc = yaml.safe_load(path.read_text("utf-8"))
    for rid, event_type, urgency, when in RICH:
        label = {"zh": rid, "en": rid}
        doc["rules"].append({"id": rid, "event": event_type, "urgency": urgency, "when": when, "label": label,
                             "reason": label, "source": "a test row"})  # fmt: skip
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    return riskeval.load_pack(folder)


def _same_triggers(pack: riskeval.Pack | None, h: Household, log: list[Event], reassess: bool) -> None:
    a = Monitor(pack, reassess=reassess).replay([h], log)
    b = Monitor(pack, executor="durable", reassess=reassess).replay([h], log)
    assert [t.model_dump(mode="json") for t in a.triggers] == [t.model_dump(mode="json") for t in b.triggers]
    assert [e.as_dict() for e in a.errors] == [e.as_dict() for e in b.errors]


@needs_durable
@LAW
@given(LOGS)
def test_both_executors_give_the_same_triggers_on_generated_logs(log: tuple[Household, list[Event]]) -> None:
    """The differential law: riskeval's and durable-rules' executors give equal triggers, changes included."""
    _same_triggers(None, *log, reassess=True)


@needs_durable
@LAW
@given(LOGS)
def test_both_executors_agree_on_a_pack_that_reaches_every_corner_of_the_ir(
    rich_pack: riskeval.Pack, log: tuple[Household, list[Event]]
) -> None:
    """The law again, with rows over ABSENT certificates, known(), list items, predicates, money and floats."""
    _same_triggers(rich_pack, *log, reassess=False)


@needs_durable
@LAW
@given(LOGS)
def test_both_executors_match_the_same_rows_in_every_situation(
    rich_pack: riskeval.Pack, log: tuple[Household, list[Event]]
) -> None:
    """Not only the winning row: for each event and child the two executors hold the same set of rows."""
    h, evs = log
    a = Monitor(rich_pack, reassess=False)._executor
    b = Monitor(rich_pack, executor="durable", reassess=False)._executor
    for ev in evs:
        if problems(h, ev):
            continue
        after = updated(h, ev)
        params = rich_pack.params_on(ev.date)
        for child in affected(after, ev):
            mine, theirs = Situation(after, child, ev, params), Situation(after, child, ev, params)
            assert a.match(mine) == b.match(theirs), (ev.type, child.id)


@needs_durable
def test_100000_generated_events_of_every_type_in_a_subprocess() -> None:
    """The stress run: >= 100,000 events of every type through both executors, no mismatch, RSS flat (< 20 MB)."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--stress", "100000"], capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    assert result["n"] >= 100_000
    assert result["mismatches"] == 0
    assert result["types_missing"] == []
    assert result["rss_growth_after_2_chunks_kb"] < MAX_GROWTH_KB, result


def test_without_the_extra_the_durable_executor_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Monitor(executor="durable") without durable-rules raises ImportError naming riskeval[durable]."""
    from riskeval.triggers.durable import _host as _durable

    def missing() -> Any:
        raise TriggerError(_durable.MISSING_EXTRA)

    monkeypatch.setattr(_durable, "_load", missing)
    with pytest.raises(ImportError, match=r"riskeval\[durable\]"):
        Monitor(executor="durable")
