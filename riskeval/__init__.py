"""riskeval: tiered risk assessment of children in difficult circumstances, from declarative rule packs."""

from riskeval.errors import (
    ErrorRecord,
    EvaluationError,
    FactsError,
    PackError,
    RiskevalError,
    TriggerError,
)
from riskeval.facts import Child, Event, Household, Member, parse_event, parse_household

__version__ = "0.1.0"

__all__ = [
    "Child",
    "ErrorRecord",
    "EvaluationError",
    "Event",
    "FactsError",
    "Household",
    "Member",
    "PackError",
    "RiskevalError",
    "TriggerError",
    "__version__",
    "parse_event",
    "parse_household",
]
