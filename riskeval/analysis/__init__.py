"""The policy analyst's tools: compare packs over a population, count the visits, see which rules and facts matter.

Everything here reads batch results (``riskeval.assess_batch``) and packs; nothing decides anything the
engine did not. Tables and plots use the tier colours and order the pack declares (``tiers.yaml`` ``display``).

Example:
    >>> import datetime, riskeval
    >>> pack = riskeval.load_pack()
    >>> richer = pack.with_parameters({"dibao_standard": lambda v: round(v * 1.1, 2)}, version="dibao+10pct")
    >>> population = riskeval.read_population("examples/population")
    >>> c = riskeval.compare(population, pack, richer, on=datetime.date(2025, 12, 1))
    >>> views = c.to_pandas(), c.movers(), c.workload(minutes_per_visit=90)  # and c.plot() with riskeval[plot]
    >>> len(c.movers())  # the 低保 line is far from these 11 children's known incomes: nobody moves
    0
"""

from riskeval.analysis._compare import Comparison, Mover, RuleChange, compare
from riskeval.analysis._coverage import Coverage, RuleCoverage, coverage
from riskeval.analysis._distribution import plot_tiers_by_category, tiers_by_category
from riskeval.analysis._missing import FactImpact, MissingFacts, missing_facts
from riskeval.analysis._plot import cjk_font
from riskeval.analysis._states import state_codes, state_labels
from riskeval.analysis._workload import KINDS, Workload, workload

__all__ = [
    "KINDS",
    "Comparison",
    "Coverage",
    "FactImpact",
    "MissingFacts",
    "Mover",
    "RuleChange",
    "RuleCoverage",
    "Workload",
    "cjk_font",
    "compare",
    "coverage",
    "missing_facts",
    "plot_tiers_by_category",
    "state_codes",
    "state_labels",
    "tiers_by_category",
    "workload",
]
