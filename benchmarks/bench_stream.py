"""Peak memory and time of `riskeval batch` streaming JSON lines, for populations larger than memory.

Run: .venv/bin/python benchmarks/bench_stream.py [--children 5000000] [--chunk-size 100000] [--keep FILE]

Writes the population as JSON lines (``synthetic.population`` in parts of 100,000 children, household ids
made unique per part, unknown facts left out), then runs ``riskeval batch FILE --out results.parquet
--chunk-size N`` in a child process and reports its peak RSS (``ru_maxrss`` of the children) and its CPU
and wall time. The budget (DESIGN.md): 5,000,000 children in ≤ 600 MB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PART = 100_000


def _drop_none(value: object) -> object:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def write(children: int, path: Path) -> str:
    """The population as JSON lines, made a part at a time (memory bounded here too); returns the as-of date."""
    sys.path.insert(0, str(HERE))
    from synthetic import ON, population

    from riskeval.population import intake_tables
    from riskeval.population.layout import household_dict

    with path.open("w", encoding="utf-8") as fh:
        for part, start in enumerate(range(0, children, PART)):
            cols = intake_tables(population(min(PART, children - start), seed=part, string_ids=True), ON).cols
            for h in range(cols.h):
                d = household_dict(cols, h)
                d["id"] = f"p{part}-{d['id']}"
                fh.write(json.dumps(_drop_none(d), ensure_ascii=False) + "\n")
    return ON.isoformat()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--children", type=int, default=5_000_000)
    ap.add_argument("--chunk-size", type=int, default=20_000)
    ap.add_argument("--keep", type=Path, default=None, help="reuse (or keep) the JSON lines file here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = args.keep or Path(tmp) / "households.jsonl"
        on = "2026-06-01"
        if not source.exists():
            started = time.perf_counter()
            on = write(args.children, source)
            print(f"wrote {args.children:,} children to {source} in {time.perf_counter() - started:.0f} s")
        out = Path(tmp) / "results.parquet"
        errors = Path(tmp) / "errors.jsonl"
        cmd = [str(Path(sys.executable).parent / "riskeval"), "batch", str(source), "--on", on, "--out", str(out),
               "--errors", str(errors), "--chunk-size", str(args.chunk_size), "--format", "json"]  # fmt: skip
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        summary = json.loads(done.stdout) if done.stdout.strip() else {}
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        print(
            f"assessed {summary.get('assessed')} children, rejected {summary.get('rejected')}, exit {done.returncode}"
        )
        print(
            f"peak RSS {after.ru_maxrss / 1024:.0f} MB, CPU {cpu:.1f} s, wall {wall:.1f} s (chunk {args.chunk_size:,})"
        )


if __name__ == "__main__":
    main()
