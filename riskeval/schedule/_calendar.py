"""Working days and festival dates: the one module that imports ``holidays`` (dates are counted in ``dates``).

The ``holidays`` library knows each country's public holidays and, for China, the make-up working days
(调休, weekend days that are official working days) of every year whose State Council notice it has
transcribed (``weekend_workdays``). Asking it day by day is slow (tens of microseconds), so a
:class:`WorkCalendar` asks once per year and keeps the working days of that year as a sorted list of
ordinals and a set: a membership test or a bisect is then all a call costs.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from typing import Any, Literal

import holidays
from holidays.calendars.chinese import _ChineseLunisolar

from riskeval.schedule import dates

# importlib.metadata, not holidays.__version__: the package does not declare it an export (mypy strict).
_HOLIDAYS_VERSION = metadata.version("holidays")
LunarFeast = Literal["chinese_new_year", "dragon_boat", "mid_autumn", "double_ninth"]

# The library's Chinese lunisolar tables. They are not exported publicly; this is the single place that
# reaches them, and tests/test_schedule.py checks the result against holidays.China's own festival days.
_LUNISOLAR = _ChineseLunisolar()


def lunar_feast_date(feast: LunarFeast, year: int) -> dt.date | None:
    """Return the Gregorian date of a Chinese lunisolar feast in ``year``, or None outside the tables."""
    if feast == "chinese_new_year":
        found, _estimated = _LUNISOLAR.lunar_new_year_date(year)
    elif feast == "dragon_boat":
        found, _estimated = _LUNISOLAR.dragon_boat_date(year)
    elif feast == "mid_autumn":
        found, _estimated = _LUNISOLAR.mid_autumn_date(year)
    else:
        found, _estimated = _LUNISOLAR.double_ninth_date(year)
    return found if isinstance(found, dt.date) else None


def check_country(country: str, subdivision: str | None) -> str | None:
    """Return why ``holidays`` cannot give this calendar, or None when it can."""
    supported: dict[str, Any] = holidays.list_supported_countries()
    if country not in supported:
        return f"country {country!r} is not known to the holidays library (an ISO 3166-1 alpha-2 code)"
    if subdivision is not None and subdivision not in supported[country]:
        known = ", ".join(supported[country]) or "none"
        return f"subdivision {subdivision!r} of {country} is not known to the holidays library (known: {known})"
    return None


def check_coverage(country: str, subdivision: str | None, year: int) -> str | None:
    """Return why the installed ``holidays`` does not know ``year``'s official calendar, or None when it does.

    For a country with make-up working days (China's 调休), a year the library has transcribed has some; an
    older release computes the public holidays of a later year by rule but has none of its make-up days, so
    weekends it should count as working days would be rest days and deadlines would fall a day late.
    """
    found = holidays.country_holidays(country, subdiv=subdivision, years=year)
    if not hasattr(found, "weekend_workdays"):
        return None
    if any(day.year == year for day in found.weekend_workdays):
        return None
    return (
        f"the installed holidays library ({_HOLIDAYS_VERSION}) has no make-up working days of {year} for "
        f"{country}: its official calendar is not transcribed there; upgrade holidays, or lower official_through"
    )


def calendar_version() -> str:
    """The version of the holidays library that counts working days (stamped on every result)."""
    return f"holidays {_HOLIDAYS_VERSION}"


class WorkCalendar:
    """Working days of one country (and subdivision), with pack overrides, computed a year at a time."""

    def __init__(self, country: str, subdivision: str | None, overrides: Iterable[tuple[dt.date, bool]]) -> None:
        self._holidays = holidays.country_holidays(country, subdiv=subdivision)
        self._overrides = dict(overrides)
        self._years: dict[int, tuple[list[int], frozenset[int]]] = {}
        self._lock = threading.Lock()

    def _year(self, year: int) -> tuple[list[int], frozenset[int]]:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        with self._lock:
            if year in self._years:
                return self._years[year]
            hols = self._holidays
            # A make-up day can belong to next year's notice (e.g. a Saturday in late December worked for
            # the New Year holiday), so next year is loaded before this year is read.
            _ = dt.date(year + 1, 1, 1) in hols
            days: list[int] = []
            day = dt.date(year, 1, 1)
            one = dt.timedelta(days=1)
            while day.year == year:
                working = self._overrides.get(day)
                if working is None:
                    working = bool(hols.is_working_day(day))
                if working:
                    days.append(day.toordinal())
                day += one
            entry = (days, frozenset(days))
            self._years[year] = entry
            return entry

    def is_working_day(self, day: dt.date) -> bool:
        """Return True when ``day`` is an official working day."""
        entry = self._years.get(day.year) or self._year(day.year)
        return day.toordinal() in entry[1]

    def previous_working_day(self, day: dt.date) -> dt.date:
        """Return the last working day on or before ``day``."""
        year = day.year
        days = (self._years.get(year) or self._year(year))[0]
        index = bisect_right(days, day.toordinal()) - 1
        while index < 0:  # a year begins with rest days: the last working day of the year before
            year -= 1
            days = (self._years.get(year) or self._year(year))[0]
            index = len(days) - 1
        return dt.date.fromordinal(days[index])

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """Return the ``n``-th working day after ``start`` (start excluded); ``start`` itself when n is 0."""
        if n < 0:
            raise ValueError(f"n must be 0 or more working days, got {n}")
        if n == 0:
            return start
        year = start.year
        days = (self._years.get(year) or self._year(year))[0]
        index = bisect_right(days, start.toordinal()) + n - 1
        while index >= len(days):
            index -= len(days)
            year += 1
            days = (self._years.get(year) or self._year(year))[0]
        return dt.date.fromordinal(days[index])


_CALENDARS: dict[tuple[str, str | None, tuple[tuple[dt.date, bool], ...]], WorkCalendar] = {}
_CALENDARS_LOCK = threading.Lock()


def work_calendar(country: str, subdivision: str | None, overrides: tuple[tuple[dt.date, bool], ...]) -> WorkCalendar:
    """Return the shared calendar for this country, subdivision and overrides (one per process)."""
    key = (country, subdivision, overrides)
    with _CALENDARS_LOCK:
        found = _CALENDARS.get(key)
        if found is None:
            found = _CALENDARS[key] = WorkCalendar(country, subdivision, overrides)
        return found


@lru_cache(maxsize=4096)
def holiday_date(
    year: int, *, month: int | None, day: int | None, lunar: LunarFeast | None, offset_days: int
) -> dt.date | None:
    """Return a holiday's date in ``year``: a Gregorian month/day or a lunisolar feast, plus an offset.

    Memoised: a plan looks up each pack holiday in up to three years, and the lunisolar tables take a few
    microseconds per lookup; the answer depends on nothing but the arguments.
    """
    if lunar is not None:
        found = lunar_feast_date(lunar, year)
        if found is None:
            return None
    elif month is not None and day is not None:
        found = dt.date(year, month, min(day, dates.month_days(year, month)))
    else:
        raise ValueError("a holiday needs lunar, or month and day")
    return found + dt.timedelta(days=offset_days)
