"""Time assess_batch on a synthetic district of 1,000,000 children against the budget (DESIGN.md: ≤ 1 s).

Run: .venv/bin/python benchmarks/bench_batch.py [--children 1000000] [--sample 2000] [--string-ids] [--profile]

Reports, in one run:
- intake: the two pandas DataFrames validated and joined into columns (every cell checked);
- evaluate: the full default pack over those columns, to the result arrays (status, tier, frequency,
  score, category and factor bitmasks, data-gap flags) - "columns to tiers";
- end to end: ``assess_batch(Population(children, members))``, both of the above;
- the ratio to ``assess()`` in a loop, timed on a sample of households from the same population and
  extrapolated per child (same run, same core fields: explain=False, schedule=False; and with defaults);
- peak memory: tracemalloc's peak during one end-to-end call, and the process's maximum RSS.
Wall times are the best and the median of several repeats: this shared 2-core machine is noisy.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import ON, population

import riskeval
from riskeval.batch import BatchResult
from riskeval.evaluate import vector_program
from riskeval.population import intake_tables
from riskeval.population.layout import household_dict

BUDGET_S = 1.0


def timed(call: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """Best and median wall time of ``repeats`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--children", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=2000, help="children assessed one household at a time")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--string-ids", action="store_true", help="ids as text instead of whole numbers")
    ap.add_argument("--profile", action="store_true", help="print the evaluation's profile")
    args = ap.parse_args()

    pack = riskeval.load_pack()
    t0 = time.perf_counter()
    pop = population(args.children, string_ids=args.string_ids)
    ids = "text" if args.string_ids else "numbers"
    took = time.perf_counter() - t0
    print(
        f"synthetic population: {args.children:,} children, {len(pop.members):,} members ({took:.1f} s; ids as {ids})"
    )
    prog = vector_program(pack)
    riskeval.assess_batch(population(1000), on=ON, pack=pack)  # compile the pack, warm numpy

    best_in, med_in, intake = timed(lambda: intake_tables(pop, ON), args.repeats)
    best_ev, med_ev, out = timed(lambda: prog.run(intake.cols, ON), args.repeats)
    best_res, med_res, result = timed(lambda: BatchResult(pack, ON, intake, prog.run(intake.cols, ON)), args.repeats)
    best_all, med_all, result = timed(lambda: riskeval.assess_batch(pop, on=ON, pack=pack), args.repeats)
    assert result.rows_in == result.assessed + result.rejected == args.children

    gc.collect()
    tracemalloc.start()
    riskeval.assess_batch(pop, on=ON, pack=pack)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    cols = intake.cols
    households: list[dict[str, Any]] = []
    seen = 0
    for h in range(cols.h):
        households.append(household_dict(cols, h))
        seen += len(households[-1]["children"])
        if seen >= args.sample:
            break

    def scalar(**options: Any) -> None:
        for hh in households:
            riskeval.assess(hh, on=ON, pack=pack, **options)

    best_sc, _, _ = timed(lambda: scalar(explain=False, schedule=False), 3)
    best_full, _, _ = timed(lambda: scalar(), 1)
    per_child = best_sc / seen
    loop_1m = per_child * args.children

    n = args.children
    print(f"\n{'step':<46}{'best':>9}{'median':>9}   per child")
    for label, best, med in (
        ("intake (DataFrames -> validated columns)", best_in, med_in),
        ("evaluate (columns -> result arrays)", best_ev, med_ev),
        ("evaluate + BatchResult arrays", best_res, med_res),
        ("end to end: assess_batch(Population)", best_all, med_all),
    ):
        print(f"{label:<46}{best:>8.3f}s{med:>8.3f}s   {best / n * 1e6:.2f} µs")
    verdict = "within" if best_res <= BUDGET_S else "OVER"
    print(
        f"\nbudget ≤ {BUDGET_S:.1f} s for {n:,} children from columns to tiers: {best_res:.3f} s ({verdict});"
        f" end to end from DataFrames {best_all:.3f} s"
    )
    print(
        f"assess() in a loop: {per_child * 1e6:.0f} µs per child (explain=False, schedule=False; "
        f"{best_full / seen * 1e6:.0f} µs with explanations and visit plans), sampled on {seen:,} children"
    )
    print(
        f"  -> {loop_1m:,.0f} s for {n:,} children; assess_batch is {loop_1m / best_all:,.0f}x faster end to end"
        f" ({loop_1m / best_res:,.0f}x from columns)"
    )
    print(
        f"peak memory: {peak / 2**20:,.0f} MiB allocated during one end-to-end call (tracemalloc);"
        f" process max RSS {rss:,.0f} MiB"
    )
    print("\n" + str(result.summary()))
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(prog.run, intake.cols, ON)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        prof = cProfile.Profile()
        prof.runcall(intake_tables, pop, ON)
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
    del out


if __name__ == "__main__":
    main()
