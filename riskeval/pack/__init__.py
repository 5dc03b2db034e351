"""The rule-pack language: loading, checking and compiling a folder of YAML rules."""

from riskeval.pack import _variant  # noqa: F401 - importing it lends Pack its variant()
from riskeval.pack._diff import Change, PackDiff
from riskeval.pack._files import VariantOf
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
    "Change",
    "ChangesCorrelation",
    "EntersTierCorrelation",
    "EventFacts",
    "Factor",
    "Pack",
    "PackDiff",
    "Rule",
    "TriggerRow",
    "TriggersFile",
    "VariantOf",
    "WindowCorrelation",
    "deadline_days",
    "default_pack_dir",
    "load_pack",
]
