"""Stress the durable-rules adapter: many random events, every answer checked, memory watched.

Run it in its own process (the engine is a C extension with global state):

    python benchmarks/stress_durable.py --n 100000 [--seed 0]

It builds one matcher with a rule per event type of DOMAIN.md §5 (plus one rule spanning all U0 types), feeds
it random events whose details are known, unknown (None) or absent, checks every answer against a pure-Python
evaluator of the same conditions, samples RSS (VmRSS) every 10,000 events and prints throughput, RSS at the
start, after 10k and at the end, the largest growth, and the mismatches. The last line is ``RESULT {json}``.
Exit status 0 only with no mismatch, no error and every event-type rule fired at least once.
"""

from __future__ import annotations

import argparse
import json
import operator
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from riskeval.errors import TriggerError
from riskeval.triggers.durable._host import DurableMatcher
from riskeval.triggers.durable._ruleset import Cond

DAY = date(2025, 6, 1)
U0 = ["abuse_reported", "child_alone", "child_missing", "caregiver_lost", "child_crisis", "home_disaster"]


def cmp(op: str, field: str, value: object) -> Cond:
    return ("cmp", op, field, value)


def event(kind: str, *details: Cond) -> Cond:
    return ("all", [cmp("==", "event_type", kind), *details])


def one_of(field: str, values: list[str]) -> Cond:
    return ("any", [cmp("==", field, v) for v in values])


RULES: list[tuple[str, Cond]] = [
    ("abuse_reported", event("abuse_reported", one_of("kind", ["abuse", "domestic_violence", "sexual_abuse"]))),
    (
        "child_alone",
        event(
            "child_alone",
            (
                "any",
                [
                    ("all", [cmp("<", "child_age", 16), cmp("==", "living_alone", True)]),
                    ("all", [cmp("<", "child_age", 8), cmp("==", "unattended", True)]),
                ],
            ),
        ),
    ),
    ("child_missing", event("child_missing")),
    ("caregiver_lost", event("caregiver_lost", cmp("==", "only_caregiver", True))),
    ("child_crisis", event("child_crisis")),
    ("home_disaster", event("home_disaster", cmp("!=", "home_usable", True))),
    ("parent_died", event("parent_died", cmp("!=", "only_caregiver", True))),
    ("parent_detained", event("parent_detained", cmp(">", "until", DAY + timedelta(days=30)))),
    ("parent_lost_contact", event("parent_lost_contact", cmp("<=", "reported_on", DAY - timedelta(days=182)))),
    (
        "court_declaration",
        event("court_declaration", one_of("kind", ["declared_dead", "declared_missing", "deported"])),
    ),
    (
        "serious_illness_diagnosed",
        event(
            "serious_illness_diagnosed",
            ("any", [cmp(">=", "hospital_days", 30), cmp("==", "serious", True)]),
        ),
    ),
    ("disability_certified", event("disability_certified", cmp("<=", "grade", 2), cmp(">=", "grade", 1))),
    (
        "school_dropout",
        event("school_dropout", ("any", [cmp(">=", "absent_days", 10), cmp("==", "dropped_out", True)])),
    ),
    ("parent_left_for_work", event("parent_left_for_work", cmp("!=", "county", "610103"))),
    ("parent_returned", event("parent_returned")),
    ("household_moved", event("household_moved", cmp("!=", "county", "610103"))),
    ("housing_lost", event("housing_lost", one_of("kind", ["eviction_notice", "homeless", "dilapidated"]))),
    ("parents_separated", event("parents_separated", cmp("!=", "kind", "reconciled"))),
    ("child_support_stopped", event("child_support_stopped", cmp(">=", "months", 2))),
    (
        "job_lost",
        event("job_lost", ("any", [cmp(">=", "drop_pct", 30), cmp("==", "breadwinner", True)])),
    ),
    ("dibao_changed", event("dibao_changed", one_of("status", ["stopped", "reduced"]))),
    ("medical_expense", event("medical_expense", cmp(">=", "amount", Decimal("5000.00")))),
    ("parent_released", event("parent_released")),
    ("adoption_finalised", event("adoption_finalised")),
    ("visit_overdue", event("visit_overdue", cmp(">", "days_late", 14))),
    ("access_refused", event("access_refused")),
    ("u0_any", ("any", [cmp("==", "event_type", t) for t in U0])),
]
TYPES = [name for name, _ in RULES if name != "u0_any"]

DETAILS: dict[str, Callable[[random.Random], object]] = {
    "kind": lambda r: r.choice(
        [
            "abuse",
            "domestic_violence",
            "sexual_abuse",
            "declared_dead",
            "deported",
            "eviction_notice",
            "homeless",
            "dilapidated",
            "reconciled",
            "custody_change",
            "other",
        ]
    ),
    "child_age": lambda r: r.randint(0, 18),
    "living_alone": lambda r: r.random() < 0.5,
    "unattended": lambda r: r.random() < 0.5,
    "only_caregiver": lambda r: r.random() < 0.5,
    "home_usable": lambda r: r.random() < 0.5,
    "until": lambda r: DAY + timedelta(days=r.randint(-60, 400)),
    "reported_on": lambda r: DAY - timedelta(days=r.randint(0, 400)),
    "hospital_days": lambda r: r.randint(0, 60),
    "serious": lambda r: r.random() < 0.5,
    "grade": lambda r: r.randint(1, 4),
    "absent_days": lambda r: r.randint(0, 20),
    "dropped_out": lambda r: r.random() < 0.5,
    "county": lambda r: r.choice(["610103", "610104", "610502"]),
    "months": lambda r: r.randint(0, 6),
    "drop_pct": lambda r: r.randint(0, 80),
    "breadwinner": lambda r: r.random() < 0.5,
    "status": lambda r: r.choice(["granted", "stopped", "reduced"]),
    "amount": lambda r: Decimal(r.randint(0, 1_000_000)) / 100,
    "days_late": lambda r: r.randint(0, 30),
}

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def reference(cond: Cond, fact: Mapping[str, object]) -> bool:
    """Definitely true under Kleene logic, for NNF: a comparison on an unknown field is false."""
    if cond[0] == "true":
        return True
    if cond[0] == "all":
        return all(reference(c, fact) for c in cond[1])
    if cond[0] == "any":
        return any(reference(c, fact) for c in cond[1])
    _, op, field, value = cond
    known = fact.get(field)
    return known is not None and OPS[op](known, value)


def random_fact(rng: random.Random, index: int) -> dict[str, object]:
    fact: dict[str, object] = {"event_id": f"e{index}", "household": f"h{rng.randint(1, 5000)}"}
    roll = rng.random()
    if roll < 0.97:
        fact["event_type"] = rng.choice(TYPES)
    elif roll < 0.985:
        fact["event_type"] = "unknown_type"
    else:
        fact["event_type"] = None
    for field, make in DETAILS.items():
        roll = rng.random()
        if roll < 0.5:
            fact[field] = make(rng)
        elif roll < 0.6:
            fact[field] = None
    return fact


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="number of events (default 100000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    matcher = DurableMatcher(RULES, name="stress")
    for i in range(200):  # warm the allocator and caches before the first RSS sample
        matcher.match(random_fact(rng, -i))
    samples = [rss_kb()]
    mismatches: list[str] = []
    errors: list[str] = []
    fired: Counter[str] = Counter()
    in_match = in_match_cpu = 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(args.n):
        fact = random_fact(rng, i)
        want = sorted(name for name, cond in RULES if reference(cond, fact))
        began, began_cpu = time.perf_counter(), time.process_time()
        try:
            got = matcher.match(fact)
        except TriggerError as exc:
            errors.append(str(exc))
            continue
        finally:
            in_match += time.perf_counter() - began
            in_match_cpu += time.process_time() - began_cpu
        fired.update(got)
        if got != want and len(mismatches) < 20:
            mismatches.append(f"{fact}: durable {got}, reference {want}")
        elif got != want:
            mismatches.append("")
        if (i + 1) % 10_000 == 0:
            samples.append(rss_kb())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    samples.append(rss_kb())

    start, end = samples[0], samples[-1]
    after_10k = samples[1] if len(samples) > 2 else end
    result = {
        "n": args.n,
        "rules": len(RULES),
        "seed": args.seed,
        "match_per_s": round(args.n / in_match),
        "match_per_s_cpu": round(args.n / in_match_cpu) if in_match_cpu else None,
        "loop_per_s_wall": round(args.n / wall),
        "loop_per_s_cpu": round(args.n / cpu) if cpu else None,
        "rss_start_kb": start,
        "rss_10k_kb": after_10k,
        "rss_end_kb": end,
        "max_growth_kb": max(samples) - start,
        "growth_after_10k_kb": max(samples[1:]) - after_10k,
        "mismatches": len(mismatches),
        "errors": len(errors),
        "rules_never_fired": sorted(set(TYPES) - set(fired)),
    }
    print(f"durable-rules stress: {args.n} events, {len(RULES)} rules, seed {args.seed}")
    print(
        f"throughput in match(): {result['match_per_s']} events/s wall ({in_match / args.n * 1e6:.1f} us each), "
        f"{result['match_per_s_cpu']} events/s CPU ({in_match_cpu / args.n * 1e6:.1f} us each); "
        f"whole loop with generation and reference check {result['loop_per_s_wall']}/s wall, "
        f"{result['loop_per_s_cpu']}/s CPU"
    )
    print(
        f"RSS: start {start / 1024:.1f} MB, after 10k {after_10k / 1024:.1f} MB, end {end / 1024:.1f} MB; "
        f"max growth {result['max_growth_kb']} kB from start, {result['growth_after_10k_kb']} kB after 10k"
    )
    print(f"mismatches: {len(mismatches)}; errors: {len(errors)}; firings: {sum(fired.values())}")
    for line in [m for m in mismatches if m][:5] + errors[:5]:
        print("  " + line)
    print("RESULT " + json.dumps(result, sort_keys=True))
    covered = args.n < 5000 or not result["rules_never_fired"]
    return 0 if not mismatches and not errors and covered else 1


if __name__ == "__main__":
    sys.exit(main())
