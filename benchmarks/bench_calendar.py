"""Time the visit calendar: add_working_days, is_working_day and plan_visits, median µs per call.

Run: .venv/bin/python benchmarks/bench_calendar.py
The calendar is warmed first (each year's working days are computed once per process, then cached).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import yaml

from riskeval.schedule import ScheduleFile, add_working_days, is_working_day, plan_visits

SPEC = ScheduleFile.model_validate(
    yaml.safe_load((Path(__file__).resolve().parents[1] / "rules/beilin-2025/schedule.yaml").read_text("utf-8"))
)


def median_us(call: Callable[[int], object], n: int, repeats: int = 7) -> float:
    """Return the median over ``repeats`` runs of the mean µs per call of ``call(i)`` for i < n.

    CPU time of this process (``process_time``), not wall time: the shared machine's load then
    disturbs the numbers less.
    """
    runs = []
    for _ in range(repeats):
        start = time.process_time()
        for i in range(n):
            call(i)
        runs.append((time.process_time() - start) / n * 1e6)
    return statistics.median(runs)


def main() -> None:
    """Warm the calendar, then print the median µs per call of each function."""
    rng = random.Random(1)
    days = [date(2024, 1, 1) + timedelta(days=rng.randrange(3 * 365)) for _ in range(1000)]
    counts = [rng.choice((3, 5, 10)) for _ in range(1000)]
    births = [date(2008, 1, 1) + timedelta(days=rng.randrange(17 * 365)) for _ in range(1000)]
    t0 = time.perf_counter()
    add_working_days(date(2024, 1, 1), 800, SPEC)  # fills 2024–2027
    print(f"warm-up (working days of 2024-2027, computed once): {(time.perf_counter() - t0) * 1e3:.1f} ms")

    def awd(i: int) -> object:
        return add_working_days(days[i % 1000], counts[i % 1000], SPEC)

    def iwd(i: int) -> object:
        return is_working_day(days[i % 1000], SPEC)

    def plan(i: int) -> object:
        on = days[i % 1000]
        return plan_visits(
            SPEC,
            on=on,
            status="on_roster",
            tier="urgent" if i % 7 == 0 else "special",
            visit_frequency="monthly" if i % 2 else "quarterly",
            birth_date=min(births[i % 1000], on),
            identified_on=on - timedelta(days=i % 10),
            last_visit=None if i % 3 == 0 else on - timedelta(days=20 + i % 90),
            last_full_assessment=on - timedelta(days=200 + i % 300),
        )

    def plan_json(i: int) -> object:
        return plan(i).model_dump(mode="json")  # type: ignore[attr-defined]

    print(f"add_working_days: {median_us(awd, 100_000):6.2f} µs/call (median of 7 runs)")
    print(f"is_working_day:   {median_us(iwd, 100_000):6.2f} µs/call")
    print(f"plan_visits:      {median_us(plan, 10_000):6.2f} µs/call")
    print(f"plan + JSON dump: {median_us(plan_json, 10_000):6.2f} µs/call")


if __name__ == "__main__":
    main()
