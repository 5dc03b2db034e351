"""riskeval: tiered risk assessment of children in difficult circumstances, from declarative rule packs."""

from riskeval._assess import assess
from riskeval._version import __version__
from riskeval.analysis import Comparison, Workload, compare, workload
from riskeval.batch import BatchResult, BatchSummary, assess_batch
from riskeval.errors import (
    ErrorRecord,
    EvaluationError,
    FactsError,
    PackError,
    RiskevalError,
    TriggerError,
)
from riskeval.facts import Child, Event, Household, Member, parse_event, parse_household
from riskeval.overrides import Override, OverrideError
from riskeval.pack import Pack, PackDiff, default_pack_dir, load_pack
from riskeval.population import Population, read_population
from riskeval.results import ChildAssessment, DataGap, Explanation, FactorResult, HouseholdAssessment, PackStamp
from riskeval.stream import assess_stream
from riskeval.triggers import Monitor, Replay, Trigger

__all__ = [
    "BatchResult",
    "BatchSummary",
    "Child",
    "ChildAssessment",
    "Comparison",
    "DataGap",
    "ErrorRecord",
    "EvaluationError",
    "Event",
    "Explanation",
    "FactorResult",
    "FactsError",
    "Household",
    "HouseholdAssessment",
    "Member",
    "Monitor",
    "Override",
    "OverrideError",
    "Pack",
    "PackDiff",
    "PackError",
    "PackStamp",
    "Population",
    "Replay",
    "RiskevalError",
    "Trigger",
    "TriggerError",
    "Workload",
    "__version__",
    "assess",
    "assess_batch",
    "assess_stream",
    "compare",
    "default_pack_dir",
    "load_pack",
    "parse_event",
    "parse_household",
    "read_population",
    "workload",
]
