"""Peak memory and CPU time of DataFrames held in memory: one assess_batch against assess_stream in chunks.

Run:
    .venv/bin/python benchmarks/bench_stream_frames.py --children 1000000 [--chunk-size 100000] [--form pandas]

Each mode runs in a child process of its own (its peak RSS is ``ru_maxrss``, the tables' own memory
included), over the same generated population (``synthetic.population``, sorted by household id), in the
same run: ``batch`` is ``assess_batch(Population(children, members)).to_arrow()``; ``stream`` is
``assess_stream(children, members=members, chunk_size=N)`` with each chunk's ``to_arrow()`` (the results
are not kept, as a stream writing a file would not keep them). Reported: the tables' RSS before the run,
the peak, the CPU time of the run, and whether the two gave the same children (their count). The machine is
shared: read the ratio of one run, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa

import riskeval
from riskeval.population import Population

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from synthetic import ON, population  # noqa: E402


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _one(mode: str, children: int, chunk_size: int, form: str) -> dict[str, float]:
    pop = population(children, seed=7, on=ON)
    kids = pop.children.sort_values("household_id", kind="stable", ignore_index=True)
    members = pop.members.sort_values("household_id", kind="stable", ignore_index=True)
    if form == "pyarrow":
        kids, members = pa.Table.from_pandas(kids, preserve_index=False), pa.Table.from_pandas(members)
    pack = riskeval.load_pack()
    riskeval.assess_batch(Population(kids[:0] if form == "pandas" else kids.slice(0, 0), None), on=ON, pack=pack)
    before = _rss_mb()
    cpu = time.process_time()
    assessed = 0
    if mode == "batch":
        result = riskeval.assess_batch(Population(kids, members), on=ON, pack=pack)
        result.to_arrow()
        assessed = result.assessed
    else:
        for chunk in riskeval.assess_stream(kids, members=members, on=ON, pack=pack, chunk_size=chunk_size):
            chunk.to_arrow()
            assessed += chunk.assessed
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"tables_mb": round(before), "peak_mb": round(peak), "cpu_s": round(cpu, 2), "assessed": assessed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--form", choices=["pandas", "pyarrow"], default="pandas")
    parser.add_argument("--mode", choices=["batch", "stream"], default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode is not None:
        print(json.dumps(_one(args.mode, args.children, args.chunk_size, args.form)))
        return
    load = os.getloadavg()
    print(f"{args.children} children ({args.form}), chunks of {args.chunk_size}; load {load[0]:.1f}")
    for mode in ("batch", "stream"):
        cmd = [sys.executable, __file__, "--mode", mode, "--children", str(args.children),
               "--chunk-size", str(args.chunk_size), "--form", args.form]  # fmt: skip
        out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        extra = out["peak_mb"] - out["tables_mb"]
        print(f"  {mode:<7} tables {out['tables_mb']} MB, peak {out['peak_mb']} MB (+{extra}), "
              f"CPU {out['cpu_s']} s, {out['assessed']} assessed")  # fmt: skip


if __name__ == "__main__":
    main()
