"""The rule-pack language: loading, checking and compiling a folder of YAML rules."""

from riskeval.pack._load import default_pack_dir, load_pack
from riskeval.pack._model import Factor, Pack, Rule
from riskeval.pack._triggers import (
    ChangesCorrelation,
    EntersTierCorrelation,
    EventFacts,
    TriggerRow,
    TriggersFile,
    WindowCorrelation,
    deadline_days,
)

__all__ = [
    "ChangesCorrelation",
    "EntersTierCorrelation",
    "EventFacts",
    "Factor",
    "Pack",
    "Rule",
    "TriggerRow",
    "TriggersFile",
    "WindowCorrelation",
    "deadline_days",
    "default_pack_dir",
    "load_pack",
]
