"""Which trigger executors this interpreter can run, for the tests of both (shared by several files).

durable-rules is an optional extra that does not import on Python 3.13+: a test of the durable executor is
skipped there, with the reason, not failed. ``RISKEVAL_HIDE_DURABLE=1`` hides an installed durable-rules,
to run the suite as a machine without it would (the note on how the suite was run says so).
"""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

if os.environ.get("RISKEVAL_HIDE_DURABLE"):
    sys.modules["durable"] = None  # type: ignore[assignment]


def durable_available() -> bool:
    """Whether durable-rules can be imported here."""
    if "durable" in sys.modules and sys.modules["durable"] is None:
        return False
    return importlib.util.find_spec("durable") is not None


needs_durable = pytest.mark.skipif(not durable_available(), reason="durable-rules (riskeval[durable]) is not installed")
# Both executors must give the same triggers; the durable one where it can run.
EXECUTORS = ["riskeval", pytest.param("durable", marks=needs_durable)]
