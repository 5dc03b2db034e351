"""The monitor carries a household's outlook on a date over an event that changes none of the facts the
outlook's comparisons read (Outlook.reads): the outlook computed anew is then the same."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskeval.evaluate.plan import changed
from riskeval.facts import Event, Household
from riskeval.pack import load_pack
from riskeval.testing import event_logs, households
from riskeval.triggers._apply import problems, updated
from riskeval.triggers._dates import Outlook

PACK = load_pack()
DAY = date(2025, 6, 4)
STEPS = households(on=DAY).flatmap(
    lambda h: st.tuples(st.just(h), event_logs(h, min_size=1, max_size=12), st.sampled_from([0, 1, 31, 183, 366]))
)


def test_the_default_packs_outlook_names_what_it_reads() -> None:
    outlook = Outlook.of(PACK)
    assert outlook is not None and outlook.reads is not None
    assert ("child", "birth_date") in outlook.reads


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS)
def test_an_event_that_changes_no_fact_the_outlook_reads_leaves_the_outlook(
    case: tuple[Household, list[Event], int],
) -> None:
    h, log, offset = case
    outlook = Outlook.of(PACK)
    assert outlook is not None and outlook.reads is not None
    on = DAY + timedelta(days=offset)
    for e in log:
        if problems(h, e):
            continue
        after = updated(h, e)
        if len(after.children) == len(h.children):
            tokens = [changed(h, after, cb, ca) for cb, ca in zip(h.children, after.children, strict=True)]
            if all(t is not None and t.isdisjoint(outlook.reads) for t in tokens):
                assert outlook.on(after, on) == outlook.on(h, on)
        h = after
