"""The one date arithmetic of riskeval: completed years and months, adding months, and birthdays.

Rules (``child.age``, ``years_between``, ``add_months``), both compiled forms, visit plans and scheduled
triggers all count dates here, so that one date is one age everywhere. Two rules of Chinese law:

- a period that ends in a month without the corresponding day ends on that month's last day
  (民法典 Art. 202): Jan 31 plus one month is Feb 28 (or 29);
- a person born on Feb 29 has a birthday in a common year on Feb 28 or on Mar 1, as the pack says
  (``schedule.yaml``: ``milestones.leap_day_birthday``). The pack decides it once, and every age, every
  milestone and the roster exit follow it. Without a schedule, Feb 28 (the month-end rule above).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

LeapDay = Literal["feb_28", "mar_1"]
DEFAULT_LEAP_DAY: LeapDay = "feb_28"


def month_days(year: int, month: int) -> int:
    """The number of days in a month."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def add_months(start: dt.date, months: Any) -> dt.date:
    """The date ``months`` after ``start``: the same day, or the month's last day when it has no such day.

    ``on > add_months(x, 12)`` says "more than 12 months", which completed months cannot. The pack's checker
    lets only a whole literal or a parameter whose every value is whole reach ``months``.
    """
    year, month0 = divmod(start.year * 12 + start.month - 1 + int(months), 12)
    day = start.day
    if day > 28:
        day = min(day, month_days(year, month0 + 1))
    return dt.date(year, month0 + 1, day)


def years_between(a: dt.date, b: dt.date) -> int:
    """Completed years from ``a`` to ``b`` (周岁: the birthday itself completes the year); Feb 29 → Feb 28."""
    month, day = a.month, a.day
    if day > 28:  # read once per age: the month-end rule costs a call only where it can apply
        day = min(day, month_days(b.year, month))
    return b.year - a.year - (b.month < month or (b.month == month and b.day < day))


def years_between_mar_1(a: dt.date, b: dt.date) -> int:
    """Completed years from ``a`` to ``b``, a Feb 29 birthday falling on Mar 1 in a common year."""
    # Unclamped: in a common year every day of February is before "Feb 29", so the year completes on Mar 1.
    return b.year - a.year - (b.month < a.month or (b.month == a.month and b.day < a.day))


def years_counter(leap_day: LeapDay) -> Callable[[dt.date, dt.date], int]:
    """The completed-years function of a pack's leap-day rule."""
    return years_between_mar_1 if leap_day == "mar_1" else years_between


def months_between(a: dt.date, b: dt.date) -> int:
    """Completed months from ``a`` to ``b``, with the month-end rule (Jan 31 + 1 month = Feb 28)."""
    day = a.day
    if day > 28:
        day = min(day, month_days(b.year, b.month))
    return (b.year - a.year) * 12 + b.month - a.month - (b.day < day)


def anniversary(start: dt.date, years: int, leap_day: LeapDay) -> dt.date:
    """``start`` plus ``years``; Feb 29 becomes Feb 28 or Mar 1 in a common year, per ``leap_day``."""
    found = add_months(start, 12 * years)
    if found.day != start.day and leap_day == "mar_1":
        found += dt.timedelta(days=1)
    return found


__all__ = [
    "DEFAULT_LEAP_DAY",
    "LeapDay",
    "add_months",
    "anniversary",
    "month_days",
    "months_between",
    "years_between",
    "years_between_mar_1",
    "years_counter",
]
