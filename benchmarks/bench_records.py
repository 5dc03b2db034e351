"""assess_batch over households as dicts (what a welfare system's JSON records are), this tree against another.

Run (the baseline is a git worktree of the commit to compare with, DESIGN.md's cc07eb4):

    git worktree add --detach /tmp/riskeval-cc07eb4 cc07eb4
    .venv/bin/python benchmarks/bench_records.py --baseline /tmp/riskeval-cc07eb4 [--children 20000] [--rounds 5]

The households are made once (``synthetic.population`` turned into dicts, unknown facts left out, as a JSON
export does) and written to a file; each round then runs both trees, in alternating order, each in a fresh
process that reads the file, warms up (the pack compiled, a small batch) and times one
``assess_batch(list of dicts)`` in CPU time. Reported: µs per child, best and median per tree, the ratio of
the bests, and the spread of the per-round ratios (min-max). Both trees must accept every household.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKER = """
import datetime, json, sys, time, gc
import riskeval
dicts = json.load(open(sys.argv[1], encoding="utf-8"))
on = datetime.date.fromisoformat(sys.argv[2])
riskeval.assess_batch(dicts[:50], on=on)  # the pack compiled, caches warm
gc.collect()
start = time.process_time()
result = riskeval.assess_batch(dicts, on=on)
took = time.process_time() - start
print(json.dumps({"seconds": took, "children": result.assessed, "rejected": result.rejected,
                  "riskeval": riskeval.__file__}))
"""


def make(children: int, path: Path) -> str:
    """Write ``children`` children's households as JSON (a list of dicts); return the as-of date."""
    sys.path.insert(0, str(HERE))
    from synthetic import ON, population, without_unknowns

    from riskeval.population import intake_tables
    from riskeval.population.layout import household_dict

    it = intake_tables(population(children, string_ids=True), ON)
    households = [without_unknowns(household_dict(it.cols, h)) for h in range(it.cols.h)]
    path.write_text(json.dumps(households, ensure_ascii=False), "utf-8")
    return ON.isoformat()


def run(tree: Path, data: Path, on: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", WORKER, str(data), on], env=env, cwd=tree, capture_output=True,
                         text=True, check=True)  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", type=Path, required=True, help="a worktree of the commit to compare with")
    ap.add_argument("--children", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    here = HERE.parent
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "households.json"
        on = make(args.children, data)
        per: dict[str, list[float]] = {"this": [], "baseline": []}
        ratios: list[float] = []
        trees: dict[str, str] = {}
        for r in range(args.rounds):
            order = [("this", here), ("baseline", args.baseline)]
            got: dict[str, float] = {}
            for name, tree in order if r % 2 == 0 else order[::-1]:
                res = run(tree, data, on)
                if res["rejected"]:
                    raise SystemExit(f"{name} rejected {res['rejected']} households: not the same work")
                got[name] = res["seconds"] / res["children"] * 1e6
                trees[name] = res["riskeval"]
                per[name].append(got[name])
            ratios.append(got["baseline"] / got["this"])
            print(f"round {r + 1}: this {got['this']:.1f} µs/child, baseline {got['baseline']:.1f} µs/child, "
                  f"ratio {ratios[-1]:.1f}", flush=True)  # fmt: skip
    print("riskeval imported: " + ", ".join(f"{k} {v}" for k, v in trees.items()))
    best = {k: min(v) for k, v in per.items()}
    print(f"children: {args.children}, rounds: {args.rounds} (CPU time per child, assess_batch(list of dicts))")
    for name, values in per.items():
        print(f"  {name:<9} best {best[name]:7.1f} µs   median {statistics.median(values):7.1f} µs")
    spread = f"per-round {min(ratios):.1f}-{max(ratios):.1f}x"
    print(f"  ratio of the bests: {best['baseline'] / best['this']:.1f}x ({spread})")


if __name__ == "__main__":
    main()
