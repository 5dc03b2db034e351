"""The version of riskeval: the one place it is written (pyproject reads it; the audit stamp carries it)."""

__version__ = "0.3.0"
