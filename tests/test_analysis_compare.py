"""riskeval.compare on a population whose answer is known by construction: the 低保 line moves from 900 to 990."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path

import numpy as np
import pytest

import riskeval
from riskeval.analysis import compare

ON = datetime.date(2025, 12, 1)
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "households" / "in-difficulty.json"


def household(hid: str, income: float, dibao: str = "none") -> dict[str, object]:
    """The example 低保 household (every fact known), renamed, with another income and 低保 status."""
    h = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    h = copy.deepcopy(h)
    h["id"] = hid
    for c in h["children"]:
        c["id"] = f"{hid}-child"
        c.pop("name", None)
    h["economy"].update({"dibao": dibao, "income_per_capita": income})
    return h


# By construction, with every other fact known and no other risk:
#   income 950, no 低保: above 900 (E3 only, not on the roster) and below 990 (E1, high: special) -> moves
#   income 850, no 低保: below both lines (E1: special)                                            -> stays
#   income 2000, no 低保: above both (nothing)                                                     -> stays off
#   on 低保 (E2 moderate, in difficulty): general either way                                       -> stays
POPULATION = [
    *(household(f"rise-{k}", 950) for k in range(3)),
    *(household(f"below-{k}", 850) for k in range(2)),
    *(household(f"above-{k}", 2000) for k in range(2)),
    household("on-dibao", 700, "dibao"),
]


@pytest.fixture(scope="module")
def comparison() -> riskeval.Comparison:
    pack = riskeval.load_pack()
    return compare(POPULATION, pack, pack.with_parameters({"dibao_standard": 990}, version="dibao990"), on=ON)


def test_the_transition_matrix_is_the_constructed_one(comparison: riskeval.Comparison) -> None:
    """3 children go from off the roster to special; 2 stay special, 2 stay off, 1 stays general."""
    assert comparison.transitions() == {
        ("not_on_roster", "special"): 3,
        ("not_on_roster", "not_on_roster"): 2,
        ("special", "special"): 2,
        ("general", "general"): 1,
    }
    assert comparison.moved == 3
    assert int(comparison.matrix.sum()) == len(POPULATION)


def test_states_are_tiers_in_pack_order_then_the_statuses_of_the_result(comparison: riskeval.Comparison) -> None:
    """Rows and columns: the pack's tiers highest first, then every roster status the batch result knows."""
    pack = comparison.base.pack
    tiers = tuple(t.id for t in pack.tiers)
    assert comparison.states[: len(tiers)] == tiers
    others = set(comparison.base.status_labels) - {pack.on_roster.id}
    assert set(comparison.states[len(tiers) :]) == others


def test_movers_name_the_rule_that_made_the_difference(comparison: riskeval.Comparison) -> None:
    """Each mover is one of the constructed three, gained E1 and in_difficulty, decided by the high-factor row."""
    movers = comparison.movers()
    assert sorted(m.household_id for m in movers) == ["rise-0", "rise-1", "rise-2"]
    for m in movers:
        assert (m.before, m.after) == ("not_on_roster", "special")
        assert "+E1" in m.because and "+in_difficulty" in m.because and "-E3" in m.because
        assert (m.tier_row_before, m.tier_row_after) == (None, "special_high_factor")


def test_category_flows_and_rule_counts(comparison: riskeval.Comparison) -> None:
    """in_difficulty gains 3 children and loses none; E1 holds for 5 instead of 2, E3 for 2 fewer."""
    flows = {c["category"]: c for c in comparison.categories()}
    assert (flows["in_difficulty"]["before"], flows["in_difficulty"]["after"]) == (3, 6)
    assert (flows["in_difficulty"]["entered"], flows["in_difficulty"]["left"]) == (3, 0)
    rules = {(r.kind, r.rule): r for r in comparison.rules()}
    assert (rules[("factor", "E1")].held_before, rules[("factor", "E1")].held_after) == (2, 5)
    assert rules[("factor", "E3")].delta == -3


def test_workload_delta_is_the_movers_monthly_calendar(comparison: riskeval.Comparison) -> None:
    """Three new monthly children: 11 cadence visits and 3 holiday visits each in 12 months (hand-counted
    in test_analysis_workload), nothing else changes."""
    delta = comparison.workload()
    assert delta.total == 3 * 14
    kinds = dict(zip(delta.kinds, delta.counts.sum(axis=(0, 1)), strict=True))
    assert (kinds["cadence"], kinds["holiday"], kinds["first_visit"]) == (33, 9, 0)


def test_to_pandas_tables(comparison: riskeval.Comparison) -> None:
    """The matrix with ordered categorical axes; movers, categories and rules as frames."""
    frame = comparison.to_pandas()
    assert list(frame.index) == list(comparison.states) and frame.index.ordered
    assert int(frame.loc["not_on_roster", "special"]) == 3
    assert len(comparison.to_pandas("movers")) == 3
    assert set(comparison.to_pandas("rules").columns) >= {"rule", "held_before", "held_after", "delta"}
    with pytest.raises(ValueError, match="what"):
        comparison.to_pandas("nothing")


def test_compare_refuses_results_of_different_children() -> None:
    """A Comparison of two results that do not hold the same children is refused, not misaligned."""
    pack = riskeval.load_pack()
    a = riskeval.assess_batch(POPULATION[:2], on=ON, pack=pack)
    b = riskeval.assess_batch(POPULATION[1:3], on=ON, pack=pack)
    with pytest.raises(ValueError, match="same children"):
        riskeval.Comparison(a, b)


def test_the_same_pack_moves_nobody(comparison: riskeval.Comparison) -> None:
    """Comparing a pack with itself gives a diagonal matrix and an empty workload delta."""
    pack = riskeval.load_pack()
    same = compare(POPULATION, pack, pack, on=ON)
    assert same.moved == 0 and np.count_nonzero(same.matrix - np.diag(np.diag(same.matrix))) == 0
    assert same.workload().total == 0
