"""Fuzz: event logs with mutated events, raw bytes and repeated ids, replayed and posted: every event is
applied or rejected with a record (events = applied + rejected), never a raw exception or a leak; the same
log gives the same bytes."""

from __future__ import annotations

from typing import Any

from _fuzz import as_json, budget, check_records, household_json, mutate, nasty, outcome, text, tried
from hypothesis import given
from hypothesis import strategies as st

import riskeval
from riskeval.testing import ASSESSMENT_DATE, event_logs, households

RAW = [b"{bad", b"", b"   ", b"null", b"[]", b"\xff", '{"id": "张三丰"}'.encode(), b'{"id": 1e999}', b"[" * 5000]


@st.composite
def _logs(draw: st.DrawFn) -> tuple[riskeval.Household, list[Any]]:
    hh = draw(households())
    log = [e.model_dump(mode="json", exclude_none=True) for e in draw(event_logs(hh, max_size=8))]
    return hh, log


@budget(ci=25)
@given(_logs(), st.data())
def test_a_mutated_event_log_replays_with_every_event_counted(case: Any, data: st.DataObject) -> None:
    """replay(): events = applied + rejected, records located, the same log gives the same bytes."""
    tried("events_replay")
    hh, log = case
    events: list[Any] = [mutate(data, e, most=2) if data.draw(st.booleans(), label="mutate") else e for e in log]
    for _ in range(data.draw(st.integers(0, 2), label="extra")):
        extra = data.draw(st.sampled_from(["raw", "copy", "nasty"]), label="kind")
        if extra == "raw":
            events.append(data.draw(st.sampled_from(RAW)))
        elif extra == "copy" and log:
            events.append(dict(data.draw(st.sampled_from(log))))  # a duplicate id, maybe on another date
        else:
            events.append(nasty(data))
    households = [household_json(hh)]
    kind, replay = outcome(lambda: riskeval.Monitor().replay(households, events))
    assert kind == "ok", replay
    assert replay.events == len(events) == replay.applied + replay.rejected
    if replay.errors:
        check_records(replay.errors)
    again = riskeval.Monitor().replay(households, events)
    assert as_json(again.as_dict()) == as_json(replay.as_dict())
    streamed: list[Any] = []
    riskeval.Monitor().replay(households, events, on_trigger=streamed.append)
    assert [t.model_dump() for t in streamed] == [t.model_dump() for t in replay.triggers]


@budget(ci=20)
@given(_logs(), st.data())
def test_posting_a_mutated_log_gives_triggers_or_records(case: Any, data: st.DataObject) -> None:
    """post(): each event gives its triggers or a located record, one at a time."""
    tried("events_post")
    hh, log = case
    monitor = riskeval.Monitor(reassess=data.draw(st.booleans(), label="reassess"))
    monitor.track([household_json(hh)])
    for e in log:
        event = mutate(data, e, most=2) if data.draw(st.booleans(), label="mutate") else e
        if data.draw(st.booleans(), label="as text"):
            event = text(event)  # json.dumps raises RecursionError on an event holding DEEP_DICT
        kind, found = outcome(lambda event=event: monitor.post(event))
        if kind == "ok":
            as_json([t.model_dump(mode="json") for t in found])
    kind, due = outcome(lambda: monitor.due(on=ASSESSMENT_DATE))
    assert kind == "ok", due
