"""Facts that cannot hold on the assessment date, and the assessment date itself.

A date that records something that has happened (a birth, a visit) cannot be after the assessment date.
An unborn child has no tier."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts._models import Household

# Checked against the assessment date alone, never the system date, so that a household is accepted alike
# whatever day it is assessed: assess() here, assess_batch() on its columns (population/_tables.py).
RECORDED_DATES = ("birth_date", "identified_on", "last_visit", "last_full_assessment")


# Plans run years past the assessment date (visits, full assessments, age milestones, due dates): two
# centuries of headroom keep every date they compute inside the calendar, which ends with year 9999, for
# every duration a pack may hold (riskeval._limits bounds them to well under that).
LATEST = date(9799, 12, 31)


def assessment_date(on: object) -> date:
    """``on`` itself, or a TypeError (a ValueError past LATEST) that names it: a datetime carries a time of
    day and a time zone that the day of an assessment must not depend on, so it is refused, not cut."""
    if type(on) is date:
        if on > LATEST:
            raise ValueError(f"on: {on} is too late to plan visits from (at most {LATEST})")
        return on
    found = f"a datetime ({on!r}): pass on.date()" if isinstance(on, date) else f"{type(on).__name__} {on!r}"
    raise TypeError(f"on: expected a datetime.date such as date(2025, 12, 1), found {found}")


def validation_today(on: date) -> date:
    """The "today" the fact models check birth dates against: the system date, or ``on`` when later (a
    plan ahead); a birth after ``on`` is then refused by :func:`recorded_by`, whatever the system date."""
    return max(on, _system_date())


# The system date with the span of system time it holds for (from when it was read to the next local
# midnight): date.today() asks the C library for the local time, about 2 µs, as much as a tenth of a
# household's validation. A clock set back before the span, or past it, reads the date again.
_TODAY: list[tuple[date, float, float]] = [(date.min, 0.0, 0.0)]


def _system_date() -> date:
    day, start, end = _TODAY[0]
    now = time.time()
    if start <= now < end:
        return day
    day = date.today()
    now = time.time()  # read after the date: a midnight in between leaves an empty span, read again next time
    if day < date.max:
        _TODAY[0] = (day, now, datetime.combine(day + timedelta(days=1), datetime.min.time()).timestamp())
    return day


def recorded_by(hh: Household, on: date) -> None:
    """Raise FactsError naming every recorded date of the household after ``on``."""
    late = [
        (f"children[{i}].{name}", value)
        for i, c in enumerate(hh.children)
        for name in RECORDED_DATES
        if (value := getattr(c, name)) is not None and value > on
    ]
    late += [
        (f"members[{i}].birth_date", m.birth_date)
        for i, m in enumerate(hh.members or ())
        if m.birth_date is not None and m.birth_date > on
    ]
    if late:
        say = "{} {} is after the assessment date {}"
        records = [
            ErrorRecord(loc, "date_after_as_of", say.format(loc.rsplit(".", 1)[1], v, on), str(v)) for loc, v in late
        ]
        raise FactsError(records, f"household: {len(records)} date(s) after the assessment date")
