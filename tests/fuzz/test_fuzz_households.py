"""Fuzz: mutated households through assess(), assess_batch() and the Monitor: a result or a located record,
never a raw exception or a leak; the batch counts add up and agree with assess(); the same input gives the
same bytes."""

from __future__ import annotations

from typing import Any

from _fuzz import as_json, budget, check_records, household_json, mutate, outcome, tried
from hypothesis import given
from hypothesis import strategies as st

import riskeval
from riskeval.testing import ASSESSMENT_DATE, households

ON = ASSESSMENT_DATE


@budget(ci=100)
@given(households(), st.data())
def test_a_mutated_household_is_a_result_or_a_located_record(hh: riskeval.Household, data: st.DataObject) -> None:
    """assess() on a mutated household: a result or records, the same bytes twice."""
    tried("assess")
    raw = mutate(data, household_json(hh))
    kind, first = outcome(lambda: riskeval.assess(raw, on=ON))
    _, second = outcome(lambda: riskeval.assess(raw, on=ON))
    if kind == "ok":
        assert as_json(first) == as_json(second)
    else:
        assert first == second


@budget(ci=30)
@given(st.lists(households(), min_size=1, max_size=4), st.data())
def test_a_batch_of_mutated_households_counts_every_row(hhs: list[riskeval.Household], data: st.DataObject) -> None:
    """assess_batch(): rows in = assessed + rejected, every rejected row has a record, valid ones agree
    with assess()."""
    tried("assess_batch")
    raws: list[Any] = [
        mutate(data, household_json(h)) if data.draw(st.booleans(), label="mutate") else household_json(h) for h in hhs
    ]
    kind, result = outcome(lambda: riskeval.assess_batch(raws, on=ON))
    assert kind == "ok", result
    assert result.rows_in == result.assessed + result.rejected
    if result.errors:
        check_records(result.errors)
    records = list(result.to_records())
    assert len(records) == result.assessed
    again = riskeval.assess_batch(raws, on=ON)
    assert as_json(list(again.to_records())) == as_json(records)
    for k, raw in enumerate(raws):
        one_kind, one = outcome(lambda raw=raw: riskeval.assess(raw, on=ON))
        rejected = any(e.row == k for e in result.errors)
        if one_kind == "ok" and not rejected:
            mine = {(r["household_id"], r["child_id"]): r for r in records}
            for c in one.children:
                row = mine[(one.household_id, c.child_id)]
                assert (row["status"], row["tier"], sorted(row["categories"])) == (
                    c.status,
                    c.computed_tier,
                    sorted(c.categories),
                ), (raw, row, c)


@budget(ci=30)
@given(households(), st.data())
def test_the_monitor_tracks_or_records_a_mutated_household(hh: riskeval.Household, data: st.DataObject) -> None:
    """Monitor.track() and due() on a mutated household: records, never a raw exception."""
    tried("monitor_track_due")
    raw = mutate(data, household_json(hh))
    monitor = riskeval.Monitor(reassess=False)
    kind, records = outcome(lambda: monitor.track([raw]))
    assert kind == "ok", records
    if records:
        check_records(records)
    kind, due = outcome(lambda: monitor.due(on=ON))
    assert kind == "ok", due
