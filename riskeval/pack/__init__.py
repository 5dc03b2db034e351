"""The rule-pack language: loading, checking and compiling a folder of YAML rules."""

from riskeval.pack._load import default_pack_dir, load_pack
from riskeval.pack._model import FactorDef, Pack, Rule

__all__ = ["FactorDef", "Pack", "Rule", "default_pack_dir", "load_pack"]
