"""The home visits a population's plans imply, month by month over a horizon, by group and by kind of visit.

Each child's calendar follows the pack's ``schedule.yaml`` as ``riskeval.schedule.plan_visits`` does, but over
the whole horizon instead of the next three visits: cadence visits from the last visit (an overdue one is owed
in the first month, and the cadence restarts from the start date), a due date on a rest day moved by the
pack's rule; the first visit of a child identified and not yet visited, by its deadline; one visit per pack
holiday in the horizon for every child on the roster; the follow-ups of a child who aged out; and a
verification visit for any status whose plan asks for one (found by asking the planner, not by name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from riskeval import _display
from riskeval._extras import need
from riskeval.analysis._plot import workload_plot
from riskeval.analysis._population import aligned, children_table, dates, groups
from riskeval.batch import BatchResult
from riskeval.schedule import ScheduleFile, add_months, birthday, deadline_date, plan_visits

KINDS = ("cadence", "first_visit", "holiday", "follow_up", "verification")


@dataclass(frozen=True)
class Workload:
    """Visits per group, month and kind (``counts[g, m, k]``), and staff hours when minutes are given."""

    start: dt.date
    months: tuple[str, ...]  # "YYYY-MM", the horizon's months from the start date's
    groups: tuple[str, ...]
    kinds: tuple[str, ...]
    counts: np.ndarray
    minutes: dict[str, float] = field(default_factory=dict)  # kind -> minutes per visit (empty: no hours)
    title: str = "visits"

    @property
    def total(self) -> float:
        """Every visit of the horizon."""
        return float(self.counts.sum())

    def per_month(self) -> dict[str, float]:
        """Visits in each month, all groups and kinds."""
        return {m: float(v) for m, v in zip(self.months, self.counts.sum(axis=(0, 2)), strict=True)}

    def hours(self) -> np.ndarray | None:
        """Staff hours per group, month and kind (None when no minutes per visit were given)."""
        if not self.minutes:
            return None
        per = np.array([self.minutes.get(k, 0.0) for k in self.kinds], float) / 60.0
        hours: np.ndarray = self.counts * per
        return hours

    def __sub__(self, other: Workload) -> Workload:
        """This workload minus ``other`` (a comparison's delta), over the groups of both."""
        if self.months != other.months or self.kinds != other.kinds:
            raise ValueError("workloads over different horizons cannot be subtracted")
        names = tuple(dict.fromkeys((*self.groups, *other.groups)))
        out = np.zeros((len(names), len(self.months), len(self.kinds)))
        for w, sign in ((self, 1.0), (other, -1.0)):
            for g, name in enumerate(w.groups):
                out[names.index(name)] += sign * w.counts[g]
        return Workload(self.start, self.months, names, self.kinds, out, self.minutes, f"{self.title} - {other.title}")

    def to_pandas(self) -> Any:
        """One row per group, month and kind: ``visits`` (and ``hours`` with minutes per visit)."""
        pd = need("pandas", "Workload.to_pandas")
        g, m, k = np.indices(self.counts.shape).reshape(3, -1)
        frame = pd.DataFrame(
            {
                "group": np.array(self.groups, object)[g],
                "month": np.array(self.months, object)[m],
                "kind": pd.Categorical(np.array(self.kinds, object)[k], categories=list(self.kinds), ordered=True),
                "visits": self.counts.reshape(-1),
            }
        )
        hours = self.hours()
        if hours is not None:
            frame["hours"] = hours.reshape(-1)
        return frame

    def _repr_html_(self) -> str:
        by_month = self.counts.sum(axis=0)
        hours = self.hours()
        head = ["month", *self.kinds, "total", *(["hours"] if hours is not None else [])]
        rows = []
        for m, month in enumerate(self.months):
            row: list[Any] = [month, *(_num(v) for v in by_month[m]), _num(by_month[m].sum())]
            if hours is not None:
                row.append(f"{hours[:, m].sum():.1f}")
            rows.append(row)
        title = f"<p><b>{_display.esc(self.title)}</b>: {_num(self.total)} over {len(self.months)} months"
        if hours is not None:
            title += f", {hours.sum():.1f} staff hours"
        title += f" (from {self.start})</p>"
        parts = [title, _display.table(head, rows)]
        if len(self.groups) > 1:
            per_group = [[name, _num(self.counts[g].sum())] for g, name in enumerate(self.groups)]
            parts.append(
                _display.folded(f"by group ({len(self.groups)})", _display.table(["group", "visits"], per_group))
            )
        return _display.block(*parts)

    def plot(self, ax: Any = None, lang: str = "en") -> Any:
        """Stacked bars: visits per month by kind (needs the ``plot`` extra)."""
        return workload_plot(self, ax=ax, lang=lang)


def workload(
    result: BatchResult,
    population: Any = None,
    *,
    months: int = 12,
    start: dt.date | None = None,
    by: str | Sequence[Any] | None = None,
    minutes_per_visit: float | Mapping[str, float] | None = None,
) -> Workload:
    """The visits the population's plans imply, month by month.

    Args:
        result: a batch result (its statuses, tiers and visit frequencies decide).
        population: what the result was assessed from; its ``identified_on``, ``last_visit`` and ``birth_date``
            columns place first visits, cadences and follow-ups, and ``by`` may name any of its columns.
            Without it every cadence counts from the start date and no first visit or follow-up is known.
        months: the horizon, from ``start`` (default: the assessment date).
        by: a column of the children table (``street``, ``child_director``), or one value per child.
        minutes_per_visit: staff minutes per visit, one number or one per kind of visit.
    """
    start = start or result.on
    spec: ScheduleFile = result.pack.schedule
    end = add_months(start, months)
    month_keys = _months(start, end)
    group_of = groups(result, population, by)
    names = tuple(dict.fromkeys(group_of.tolist())) or ("all",)
    counts = np.zeros((len(names), len(month_keys), len(KINDS)))
    table = children_table(population) if population is not None else None

    def col(name: str) -> list[dt.date | None]:
        if table is None:
            return [None] * len(result)
        try:
            return dates(aligned(result, table, name))
        except KeyError:
            return [None] * len(result)

    identified, last, born = col("identified_on"), col("last_visit"), col("birth_date")
    on_roster = result.status_labels.index(result.pack.on_roster.id)
    exited = result.status_labels.index(result.pack.exited.id)
    holidays = _holidays(spec, start, end)
    verify = _verification(result, spec, start)
    urgent = result.tier_labels.index(result.pack.tiers[0].id)
    cadence_of = {f: spec.cadences[f].months for f in result.frequency_labels if f in spec.cadences}

    def add(g: int, day: dt.date, kind: str) -> None:
        day = max(day, start)  # owed already: in the first month
        if day < end:
            counts[g, month_keys.index(f"{day:%Y-%m}"), KINDS.index(kind)] += 1

    index = {name: i for i, name in enumerate(names)}
    for i in range(len(result)):
        g = index[group_of[i]]
        status = int(result.status[i])
        if status == on_roster:
            freq = int(result.frequency[i])
            months_ = cadence_of.get(result.frequency_labels[freq]) if freq >= 0 else None
            if months_:
                for day in _cadence(spec, months_, start, end, last[i]):
                    add(g, day, "cadence")
            found = identified[i]
            if found is not None and last[i] is None:
                rule = spec.first_visit.urgent if int(result.tier[i]) == urgent else spec.first_visit.standard
                add(g, deadline_date(found, rule, spec), "first_visit")
            for day in holidays:
                add(g, day, "holiday")
        elif status == exited and (birth := born[i]) is not None:
            aged_out = birthday(birth, spec.exited_follow_up.after_age, spec)
            seen = last[i]
            for m in spec.exited_follow_up.months:
                day = add_months(aged_out, m)
                if seen is None or seen < day:
                    add(g, _moved(spec, day, start), "follow_up")
        elif status in verify:
            add(g, verify[status], "verification")
    return Workload(start, month_keys, names, KINDS, counts, _minutes(minutes_per_visit), "visits")


def _months(start: dt.date, end: dt.date) -> tuple[str, ...]:
    out, day = [], start.replace(day=1)
    while day < end:
        out.append(f"{day:%Y-%m}")
        day = add_months(day, 1)
    return tuple(out)


def _cadence(spec: ScheduleFile, months: int, start: dt.date, end: dt.date, last: dt.date | None) -> list[dt.date]:
    anchor = last if last is not None else start
    due = add_months(anchor, months)
    out: list[dt.date] = []
    if due < start:  # overdue: owed now, and the cadence restarts from the start date
        out.append(start)
        anchor = start
    k = 1
    while (day := add_months(anchor, months * k)) < end:
        out.append(_moved(spec, day, start))
        k += 1
    return out


def _moved(spec: ScheduleFile, day: dt.date, start: dt.date) -> dt.date:
    """A due date on a rest day moved by the pack's rule (never before the start date)."""
    rule = spec.plan.due_on_rest_day
    work = spec.calendar.work
    if rule == "keep" or day < start or work.is_working_day(day):
        return day
    moved: dt.date = work.previous_working_day(day) if rule == "previous_working_day" else work.add_working_days(day, 1)
    return max(moved, start)


def _holidays(spec: ScheduleFile, start: dt.date, end: dt.date) -> list[dt.date]:
    out = []
    for holiday in spec.holiday_visits.holidays:
        for year in range(start.year, end.year + 1):
            day = holiday.date_in(year)
            if start <= day < end:
                out.append(day)
    return sorted(out)


def _verification(result: BatchResult, spec: ScheduleFile, start: dt.date) -> dict[int, dt.date]:
    """The statuses whose plan holds a verification visit, and its date (asked of the planner)."""
    out: dict[int, dt.date] = {}
    known = (result.pack.on_roster.id, result.pack.exited.id)
    for code, status in enumerate(result.status_labels):
        if status in known:
            continue
        plan = plan_visits(spec, on=start, status=status, tier=None, visit_frequency=None, birth_date=None)
        visit = getattr(plan, "verification", None)
        if visit is not None:
            out[code] = visit.date
    return out


def _minutes(minutes: float | Mapping[str, float] | None) -> dict[str, float]:
    if minutes is None:
        return {}
    if isinstance(minutes, Mapping):
        unknown = set(minutes) - set(KINDS)
        if unknown:
            raise ValueError(f"minutes_per_visit: no kind of visit {sorted(unknown)}; the kinds: {', '.join(KINDS)}")
        return {k: float(v) for k, v in minutes.items()}
    return dict.fromkeys(KINDS, float(minutes))


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
