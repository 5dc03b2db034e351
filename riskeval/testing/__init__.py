"""Hypothesis strategies for riskeval's facts: valid households and events for property tests.

Needs the optional extra ``testing``::

    pip install riskeval[testing]

Example:
    >>> from hypothesis import given
    >>> from riskeval.testing import event_logs, events, households
    >>> @given(households())
    ... def test_validates(household): ...
"""

try:
    import hypothesis  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("riskeval.testing needs hypothesis, an optional extra: pip install riskeval[testing]") from exc

from riskeval.testing._draw import ASSESSMENT_DATE
from riskeval.testing._events import event_logs, events
from riskeval.testing._strategies import households

__all__ = ["ASSESSMENT_DATE", "event_logs", "events", "households"]
