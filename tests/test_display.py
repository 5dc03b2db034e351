"""Rich display in notebooks: each _repr_html_ is well-formed HTML that shows the decision first, in the
pack's tier colours, and never a name."""

from __future__ import annotations

import datetime
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

import riskeval
from riskeval.analysis import compare, coverage, missing_facts

ON = datetime.date(2025, 12, 1)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
VOID = {"br", "hr", "img", "meta", "input"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def well_formed(html: str) -> str:
    """The text of an HTML fragment whose every element is closed in order (else an AssertionError)."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    return " ".join(checker.text)


@pytest.fixture(scope="module")
def letter() -> riskeval.HouseholdAssessment:
    facts = json.loads((EXAMPLES / "households" / "letter-2-dropout.json").read_text(encoding="utf-8"))
    return riskeval.assess(facts, on=ON)


def test_household_html_shows_each_child_decision_first(letter: riskeval.HouseholdAssessment) -> None:
    """The table's decision cell is the tier in the pack's colour; the stamp and the date are in the head."""
    html = letter._repr_html_()
    text = well_formed(html)
    child = letter.children[0]
    assert child.tier is not None and child.tier in text
    assert riskeval.load_pack().colours[child.tier] in html
    assert letter.pack is not None and letter.pack.version in text and "2025-12-01" in text
    assert html.index(child.tier) < html.index("<details>")  # the decision before the details


def test_child_html_folds_the_details_and_echoes_no_name(letter: riskeval.HouseholdAssessment) -> None:
    """Factors, data gaps and the explanation are folded; the child's name in the facts never appears."""
    child = letter.children[0]
    html = child._repr_html_()
    text = well_formed(html)
    assert "<details>" in html and "data gaps" in text
    facts = json.loads((EXAMPLES / "households" / "letter-2-dropout.json").read_text(encoding="utf-8"))
    names = [c.get("name") for c in facts["children"]] + [m.get("name") for m in facts.get("members", [])]
    assert [n for n in names if n and n in html] == []


def test_batch_result_and_summary_html_and_frame() -> None:
    """A batch shows its counts by tier and status; summary().to_pandas() is one row per count, tiers in order."""
    result = riskeval.assess_batch(riskeval.read_population(EXAMPLES / "population"), on=ON)
    text = well_formed(result._repr_html_())
    assert f"{result.assessed} assessed" in text and "special" in text
    well_formed(result.summary()._repr_html_())
    frame = result.summary().to_pandas()
    tiers = frame[frame.what == "tier"]
    assert list(tiers.value) == list(result.tier_labels)
    assert int(frame.loc[frame.what == "status", "children"].sum()) == result.assessed


def test_analysis_html_is_well_formed() -> None:
    """Comparison, Workload, Coverage, MissingFacts and PackDiff render as closed HTML with their headline."""
    pack = riskeval.load_pack()
    population = riskeval.read_population(EXAMPLES / "population")
    variant = pack.with_parameters({"left_behind_rural_only": True}, version="rural-only")
    c = compare(population, pack, variant, on=ON)
    assert "children move" in well_formed(c._repr_html_())
    assert "visits" in well_formed(c.workload(minutes_per_visit=60)._repr_html_())
    assert "unknown facts" in well_formed(missing_facts(c.base)._repr_html_())
    assert "never fired" in well_formed(coverage(population, pack, on=ON, decisive=False)._repr_html_())
    assert "change(s)" in well_formed(pack.diff(variant)._repr_html_())


def test_a_decision_with_unknowns_that_matter_says_where_the_child_may_be(
    letter: riskeval.HouseholdAssessment,
) -> None:
    """Unknown is never shown as settled: a child with a gap that could make it urgent says 'may be urgent'."""
    child = letter.children[0]
    assert any(g.tier_if_true == "urgent" for g in child.data_gaps)
    text = well_formed(child._repr_html_())
    assert "unknowns: may be" in text and "urgent" in text
