"""durable-rules, the optional second executor of trigger rules: the only package that touches it.

durable-rules (``riskeval[durable]``) is imported when a :class:`~riskeval.triggers.Monitor` first asks for
it, not when this package is: ``_host`` owns the engine and its session discipline, ``_facts`` turns an
event into the engine's values, ``_ruleset`` turns trigger conditions into its JSON rulesets. Every engine
error becomes a :class:`~riskeval.errors.TriggerError`; no durable type leaves this package.
"""

from riskeval.triggers.durable import _host as host

__all__ = ["host"]
