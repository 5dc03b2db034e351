"""The system date that birth dates are checked against is read once per day (riskeval.facts._as_of): it is
the system's date whenever it is asked for, across a midnight and a clock set back or forward."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from riskeval.facts import _as_of, validation_today

PAST = date(2000, 1, 1)


def test_the_date_is_the_systems() -> None:
    """Read twice (the second time from what the first kept), it is date.today()."""
    assert validation_today(PAST) == date.today()
    assert validation_today(PAST) == date.today()
    assert validation_today(date.max) == date.max


@pytest.mark.parametrize("offset", [-86_400.0, 86_400.0], ids=["clock set back", "past midnight"])
def test_a_kept_date_outside_its_span_is_read_again(monkeypatch: pytest.MonkeyPatch, offset: float) -> None:
    """A date kept for a span of time the clock is no longer in (the clock moved, or midnight passed) is not
    used: the system's date is read again."""
    stale = date.today() - timedelta(days=3)
    now = time.time()
    monkeypatch.setattr(_as_of, "_TODAY", [(stale, now + offset, now + offset + 3_600)])
    assert validation_today(PAST) == date.today()
    monkeypatch.setattr(_as_of, "_TODAY", [(stale, now - 3_600, now + 3_600)])  # inside its span: kept
    assert validation_today(PAST) == stale
