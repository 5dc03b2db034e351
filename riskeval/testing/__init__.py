"""Hypothesis strategies for riskeval's facts, and the conformance suite every form of a pack must pass.

``households()``, ``events()`` and ``event_logs()`` draw valid facts for property tests.
``conformance(form)`` runs the semantic cases shipped in ``semantics.yaml`` (what conditions mean, as data)
and the differential law (on drawn packs and households, the form gives what the reference scalar form
gives) against any form of a pack; ``scalar_form`` and ``vector_form`` are the two riskeval has.

Needs the optional extra ``testing``::

    pip install 'riskeval[testing]'

Example:
    >>> from hypothesis import given
    >>> from riskeval.testing import event_logs, events, households
    >>> @given(households())
    ... def test_validates(household): ...
"""

from riskeval._extras import missing

try:
    import hypothesis  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(missing("hypothesis", "riskeval.testing")) from exc

from riskeval.testing._conformance import conformance, scalar_form, vector_form
from riskeval.testing._draw import ASSESSMENT_DATE
from riskeval.testing._events import event_logs, events
from riskeval.testing._strategies import households

__all__ = ["ASSESSMENT_DATE", "conformance", "event_logs", "events", "households", "scalar_form", "vector_form"]
