"""Visits per month over a horizon, checked against calendars counted by hand on the CN 2025-2026 notices."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import numpy as np
import pytest

import riskeval
from riskeval.population import Population, to_tables

ON = datetime.date(2025, 12, 1)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "households"


def _household(name: str, hid: str, **child: object) -> dict[str, object]:
    h = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    h["id"] = hid
    h["children"] = [{**h["children"][0], "id": f"{hid}-c", "name": None, **child}]
    return h


def _dibao(hid: str, income: float, **child: object) -> dict[str, object]:
    h = _household("in-difficulty.json", hid, **child)
    h["economy"]["income_per_capita"] = income  # type: ignore[index]
    h["economy"]["dibao"] = "none"  # type: ignore[index]
    return h


def _by_month(w: riskeval.Workload, kind: str) -> dict[str, int]:
    k = w.kinds.index(kind)
    return {m: int(v) for m, v in zip(w.months, w.counts[:, :, k].sum(axis=0), strict=True) if v}


def test_a_monthly_child_over_twelve_months() -> None:
    """Special (monthly) from 2025-12-01, no last visit. Due on the 1st of each month, a rest day moved to the
    working day before (schedule.yaml): Jan 1 (New Year) -> Dec 31; Feb 1 (Sun) -> Jan 30; Mar 1 (Sun) ->
    Feb 27; May 1 (Labour Day) -> Apr 30; Aug 1 (Sat) -> Jul 31; Oct 1 (National Day) -> Sep 30; Nov 1 (Sun)
    -> Oct 30; Dec 1 2026 is past the horizon. Holidays: Spring Festival Feb 17, Children's Day Jun 1,
    Mid-Autumn Sep 25 2026."""
    h = _dibao("monthly", 850)
    result = riskeval.assess_batch([h], on=ON)
    assert result.tier_labels[int(result.tier[0])] == "special"
    w = riskeval.workload(result, [h])
    assert w.months[0] == "2025-12" and w.months[-1] == "2026-11" and len(w.months) == 12
    assert _by_month(w, "cadence") == {
        "2025-12": 1, "2026-01": 1, "2026-02": 1, "2026-04": 2, "2026-06": 1, "2026-07": 2, "2026-09": 2, "2026-10": 1,
    }  # fmt: skip
    assert _by_month(w, "holiday") == {"2026-02": 1, "2026-06": 1, "2026-09": 1}
    assert w.total == 11 + 3


def test_a_quarterly_child_counts_from_its_last_visit() -> None:
    """General (quarterly), last visited 2025-10-20: due Jan 20 (Tue), Apr 20 (Mon), Jul 20 (Mon), Oct 20 (Tue)."""
    h = _household("in-difficulty.json", "quarterly", last_visit="2025-10-20")
    result = riskeval.assess_batch([h], on=ON)
    assert result.tier_labels[int(result.tier[0])] == "general"
    w = riskeval.workload(result, [h])
    assert _by_month(w, "cadence") == {"2026-01": 1, "2026-04": 1, "2026-07": 1, "2026-10": 1}


def test_an_overdue_visit_is_owed_in_the_first_month() -> None:
    """Last visited 2025-08-01, quarterly: Nov 1 was missed, so one visit now, then Mar 1 (Sun -> Feb 27),
    Jun 1, Sep 1 counted from the start date."""
    h = _household("in-difficulty.json", "overdue", last_visit="2025-08-01")
    w = riskeval.workload(riskeval.assess_batch([h], on=ON), [h])
    assert _by_month(w, "cadence") == {"2025-12": 1, "2026-02": 1, "2026-06": 1, "2026-09": 1}


def test_first_visits_by_their_deadline() -> None:
    """Identified on Fri 2025-11-28 and not yet visited: 5 working days -> Fri Dec 5 (December). Identified
    2025-12-26: Jan 1 is a holiday, so 5 working days end on Mon Jan 5 (January)."""
    a = _household("in-difficulty.json", "first-a", identified_on="2025-11-28")
    b = _household("in-difficulty.json", "first-b", identified_on="2025-12-26")
    w = riskeval.workload(riskeval.assess_batch([a, b], on=datetime.date(2025, 12, 27)), [a, b], months=3)
    assert _by_month(w, "first_visit") == {"2025-12": 1, "2026-01": 1}


def test_an_aged_out_child_gets_its_follow_ups() -> None:
    """Letter household 3: born 2007-05-08, 18 on 2025-05-08, follow-ups due Aug 8 and Nov 8 2025. On Dec 1
    with no visit on record both are owed now (December); visited on Sep 1, only November's is."""
    h = json.loads((EXAMPLES / "letter-3-aged-out.json").read_text(encoding="utf-8"))
    assert h["children"][0]["birth_date"] == "2007-05-08"
    result = riskeval.assess_batch([h], on=ON)
    assert result.status_labels[int(result.status[0])] == result.pack.exited.id
    w = riskeval.workload(result, [h])
    assert _by_month(w, "follow_up") == {"2025-12": 2}
    assert _by_month(w, "cadence") == {} and _by_month(w, "holiday") == {}
    h["children"][0]["last_visit"] = "2025-09-01"
    w = riskeval.workload(riskeval.assess_batch([h], on=ON), [h])
    assert _by_month(w, "follow_up") == {"2025-12": 1}


def test_grouped_by_a_column_the_population_carries_with_staff_hours() -> None:
    """A street column (no fact: reported and ignored by the rules) groups the visits; 90 minutes a visit.
    Two monthly children (14 visits each, above) on one street; a quarterly one on the other: Mar 1 (Sun) ->
    Feb 27, Jun 1, Sep 1 (Dec 1 2026 is past the horizon) and the 3 holidays."""
    households = [_dibao("s1", 850), _dibao("s2", 850), _household("in-difficulty.json", "s3")]
    tables = to_tables([riskeval.parse_household(h) for h in households])
    tables.children["street"] = ["东关南街", "东关南街", "张家村"]
    population = Population(tables.children, tables.members)
    result = riskeval.assess_batch(population, on=ON)
    w = riskeval.workload(result, population, by="street", minutes_per_visit=90)
    totals = {g: float(w.counts[i].sum()) for i, g in enumerate(w.groups)}
    assert totals == {"东关南街": 2 * 14, "张家村": 3 + 3}
    hours = w.hours()
    assert hours is not None and float(hours.sum()) == pytest.approx((28 + 6) * 1.5)
    frame = w.to_pandas()
    assert set(frame.columns) == {"group", "month", "kind", "visits", "hours"}
    assert float(frame["visits"].sum()) == w.total


def test_an_unknown_grouping_column_says_which_columns_there_are() -> None:
    """by= a column the table lacks is a KeyError listing the columns it has."""
    h = _dibao("x", 850)
    with pytest.raises(KeyError, match="no column 'street'"):
        riskeval.workload(riskeval.assess_batch([h], on=ON), [h], by="street")


def test_a_workload_minus_itself_is_zero_and_horizons_must_match() -> None:
    """Subtraction is per group, month and kind; different horizons are refused."""
    h = _dibao("x", 850)
    r = riskeval.assess_batch([h], on=ON)
    w = riskeval.workload(r, [h])
    assert not np.any((w - w).counts)
    with pytest.raises(ValueError, match="horizons"):
        _ = w - riskeval.workload(r, [h], months=6)
