"""Events per second through the Monitor, for each executor; and the durable-rules stress run.

    .venv/bin/python benchmarks/bench_triggers.py                 # the benchmark
    .venv/bin/python benchmarks/bench_triggers.py --stress 100000 # durable vs riskeval, RSS every chunk

Events are generated with the public hypothesis strategies (households() and events(h), derandomized, so
runs repeat): a pool of households with their event logs, every event type. The stress run replays the
pool again and again on renamed copies (new household and event ids, dates moved back one day per copy),
until it has passed the number of events asked for, through both executors, chunk by chunk: every
trigger must be equal, and the process's RSS (VmRSS) is sampled after every chunk. Its last line is
``RESULT {json}``; the exit status is 0 only with no mismatch and every event type seen.

Budgets (DESIGN.md): >= 20,000 events/s with the default executor, >= 10,000/s with durable-rules.
Times are CPU time of this process (``process_time``): the shared machine's load disturbs them less.
Re-assessment is counted (the children the monitor evaluates per event; it reuses an evaluation when the
event leaves the child's facts equal on the same date) and timed on its own: the naive cost, two
evaluations of every child of the household per event.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from riskeval.evaluate import scalar_program as program_for
from riskeval.facts import Event, EventType, Household
from riskeval.testing import event_logs, households
from riskeval.triggers import Monitor, Trigger


def pool(n_households: int, per_household: int) -> list[tuple[Household, list[Event]]]:
    """Generated households, each with a log of events that name its children and members."""
    out: list[tuple[Household, list[Event]]] = []

    @settings(
        max_examples=n_households,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        h = data.draw(households())
        if not h.children:
            return
        out.append((h, data.draw(event_logs(h, min_size=per_household, max_size=per_household))))

    draw()
    # Hypothesis repeats small values: the draws share household ids (and event ids across households),
    # and the monitor rightly refuses a repeated household. Unique ids give every log its own household.
    unique = []
    for i, (h, log) in enumerate(out):
        hid = f"hh{i:05d}"
        log = [e.model_copy(update={"id": f"{hid}-e{j}", "household": hid}) for j, e in enumerate(log)]
        unique.append((h.model_copy(update={"id": hid}), log))
    return unique


def copy_of(logs: list[tuple[Household, list[Event]]], k: int) -> tuple[list[Household], list[Event]]:
    """Copy ``k`` of the pool: new household and event ids, event dates ``k`` days earlier."""
    hs, evs = [], []
    for h, log in logs:
        hid = f"{h.id}-r{k}"
        hs.append(h.model_copy(update={"id": hid}))
        shift = timedelta(days=k)
        evs += [e.model_copy(update={"id": f"{e.id}-r{k}", "household": hid, "date": e.date - shift}) for e in log]
    return hs, evs


def key(t: Trigger) -> tuple[Any, ...]:
    return (t.event_id, t.household_id, tuple(t.child_ids), t.urgency, t.due_date, t.rule_id,
            tuple(e.rule_id for e in t.escalations))  # fmt: skip


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu(call: Callable[[], object]) -> float:
    start = time.process_time()
    call()
    return time.process_time() - start


def benchmark(n_households: int, per_household: int) -> dict[str, Any]:
    logs = pool(n_households, per_household)
    hs = [h for h, _ in logs]
    evs = [e for _, log in logs for e in log]
    n = len(evs)
    out: dict[str, Any] = {"events": n, "households": len(hs), "types": len({e.type for e in evs})}
    for executor in ("riskeval", "durable"):
        for reassess in (False, True):
            try:
                m = Monitor(executor=executor, reassess=reassess)
            except ImportError as exc:
                out[executor] = f"unavailable: {exc}"
                break
            m.replay(hs, evs[:200])  # warm: compiled rules, calendar years, parameter cache
            name = f"{executor}{'' if reassess else '_no_reassess'}_events_per_s"
            out[name] = round(n / min(cpu(lambda m=m: m.replay(hs, evs)) for _ in range(3)))
            if reassess and executor == "riskeval":
                out["monitor_child_evaluations_per_event"] = round(evaluations(m, hs, evs) / n, 3)
    # The naive loop over the same API: one post() per event on a tracking monitor.
    m = Monitor(reassess=False)
    ordered = sorted(evs, key=lambda e: e.date)

    def posts() -> None:
        m.track(hs)
        for e in ordered:
            with contextlib.suppress(ValueError):  # a rejected event: FactsError
                m.post(e)

    out["riskeval_no_reassess_post_loop_events_per_s"] = round(n / cpu(posts))
    # What re-assessing naively costs: two evaluations of every child of the household, per event.
    prog = program_for(Monitor().pack)
    by_id = {h.id: h for h in hs}
    evals = sum(2 * len(by_id[e.household].children) for e in evs)

    def assess_all() -> None:
        for e in evs:
            h = by_id[e.household]
            for _ in range(2):
                for c in h.children:
                    prog.evaluate(h, c, e.date, gaps=False)  # as the monitor does

    seconds = cpu(assess_all)
    out["naive_reassess_us_per_event"] = round(seconds / n * 1e6, 1)
    out["naive_child_evaluations_per_event"] = round(evals / n, 2)
    out["us_per_child_evaluation"] = round(seconds / evals * 1e6, 1)
    return out


def evaluations(m: Monitor, hs: list[Household], evs: list[Event]) -> int:
    """How many children a replay of the log evaluates (counted on the pack's shared program)."""
    prog = program_for(m.pack)
    evaluate, count = prog.evaluate, 0

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        return evaluate(*args, **kwargs)

    prog.evaluate = counting  # type: ignore[method-assign]
    try:
        m.replay(hs, evs)
    finally:
        del prog.evaluate
    return count


def stress(total: int, n_households: int, per_household: int) -> dict[str, Any]:
    logs = pool(n_households, per_household)
    a, b = Monitor(reassess=False), Monitor(executor="durable", reassess=False)
    seen: Counter[str] = Counter()
    done = mismatches = triggers = rejected = 0
    samples: list[int] = [rss_kb()]
    start = time.perf_counter()
    k = 0
    while done < total:
        hs, evs = copy_of(logs, k)
        ra, rb = a.replay(hs, evs), b.replay(hs, evs)
        ka, kb = [key(t) for t in ra.triggers], [key(t) for t in rb.triggers]
        mismatches += sum(x != y for x, y in zip(ka, kb, strict=False)) + abs(len(ka) - len(kb))
        mismatches += [e.as_dict() for e in ra.errors] != [e.as_dict() for e in rb.errors]
        seen.update(e.type.value for e in evs)
        done += len(evs)
        triggers += len(ka)
        rejected += ra.rejected
        samples.append(rss_kb())
        k += 1
    seconds = time.perf_counter() - start
    missing = sorted(t.value for t in EventType if t.value not in seen)
    after_first = samples[2] if len(samples) > 2 else samples[-1]
    return {
        "n": done,
        "chunks": k,
        "triggers": triggers,
        "rejected": rejected,
        "mismatches": mismatches,
        "types_missing": missing,
        "types": dict(sorted(seen.items())),
        "rss_kb_start": samples[0],
        "rss_kb_after_2_chunks": after_first,
        "rss_kb_end": samples[-1],
        "rss_growth_after_2_chunks_kb": samples[-1] - after_first,
        "rss_kb_max": max(samples),
        "wall_s": round(seconds, 1),
        "events_per_s_both_executors": round(done / seconds),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stress", type=int, default=0, metavar="N", help="run the stress test over N events")
    parser.add_argument("--households", type=int, default=150)
    parser.add_argument("--per-household", type=int, default=30)
    args = parser.parse_args()
    if args.stress:
        result = stress(args.stress, args.households, args.per_household)
        print("RESULT " + json.dumps(result))
        return 0 if result["mismatches"] == 0 and not result["types_missing"] else 1
    print(json.dumps(benchmark(args.households, args.per_household), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
