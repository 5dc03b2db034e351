"""Rule coverage over a constructed population, and the missing-facts ranking where the answer is known."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path

import pytest

import riskeval
from riskeval.analysis import coverage, missing_facts

ON = datetime.date(2025, 12, 1)
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "households" / "in-difficulty.json"


def household(hid: str, **economy: object) -> dict[str, object]:
    """The example 低保 household (every fact known), renamed, with its economy changed."""
    h = copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    h["id"] = hid
    h["children"][0]["id"] = f"{hid}-c"
    h["children"][0].pop("name", None)
    h["economy"].update(economy)
    return h


# Below the 低保 line (E1: special), above 1.5x (nothing), and with the income unknown (E1 a data gap).
POPULATION = [
    household("poor-1", dibao="none", income_per_capita=500),
    household("poor-2", dibao="none", income_per_capita=500),
    household("rich", dibao="none", income_per_capita=5000),
    household("unknown-1", dibao="none", income_per_capita=None),
    household("unknown-2", dibao="none", income_per_capita=None),
    household("unknown-3", dibao="none", income_per_capita=None),
]


@pytest.fixture(scope="module")
def cov() -> riskeval.analysis.Coverage:
    return coverage(POPULATION, riskeval.load_pack(), on=ON, decisive=["E1", "C10", "in_difficulty"])


def test_held_unknown_false_add_up_for_each_rule(cov: riskeval.analysis.Coverage) -> None:
    """Every rule's counts add up to the children; E1 held for the two poor, was unknown for the three."""
    assert cov.children == len(POPULATION)
    for r in cov.rows:
        assert r.held + r.unknown + r.false == cov.children
    e1 = next(r for r in cov.rows if r.rule == "E1")
    assert (e1.held, e1.unknown, e1.false) == (2, 3, 1)


def test_decisive_is_counted_by_switching_the_rule_off(cov: riskeval.analysis.Coverage) -> None:
    """Without E1 the two poor children leave the special tier: E1 is decisive for 2; C10 for none."""
    by = {r.rule: r for r in cov.rows}
    assert by["E1"].decisive == 2
    assert by["C10"].decisive == 0 and by["C10"].never_fired
    assert by["G1"].decisive is None  # not asked for
    assert "C10" in cov.never_fired() and "E1" not in cov.never_fired()


def test_coverage_tables(cov: riskeval.analysis.Coverage) -> None:
    """to_pandas keeps 'not computed' as NA (never 0); the HTML names the rules that never fired."""
    frame = cov.to_pandas()
    assert frame.loc[frame.rule == "G1", "decisive"].isna().all()
    assert int(frame.loc[frame.rule == "E1", "decisive"].iloc[0]) == 2
    assert "never fired" in cov._repr_html_() and "E1" in str(cov)


def test_missing_income_ranks_first_and_says_where_the_children_could_go() -> None:
    """Income unknown for 3 children, each of whom would be special with E1: '3 could become special'."""
    result = riskeval.assess_batch(POPULATION, on=ON)
    ranking = missing_facts(result)
    top = ranking.rows[0]
    assert top.fact == "household.economy.income_per_capita"
    assert (top.unknown, top.could_change, top.could_become) == (3, 3, {"special": 3})
    assert str(top) == "household.economy.income_per_capita unknown for 3 children: 3 could become special"
    frame = ranking.to_pandas()
    assert list(frame.columns[:3]) == ["fact", "unknown", "could_change"]
    assert int(frame.loc[0, "could_become.special"]) == 3


def test_a_fact_that_cannot_change_the_state_is_listed_as_such() -> None:
    """A gap whose rule would not move the child (already special) counts as unknown, not as could-change."""
    special = household("special", dibao="none", income_per_capita=500, medical_spending_12m=None)
    ranking = missing_facts(riskeval.assess_batch([special], on=ON))
    for row in ranking:
        if row.fact == "household.economy.medical_spending_12m":
            assert row.could_become.get("special", 0) == 0
