"""Peak memory and time of streaming a population from files: Parquet, CSV or JSON lines, to Parquet.

Run:
    .venv/bin/python benchmarks/bench_stream.py --children 5000000 --format parquet        # peak RSS
    .venv/bin/python benchmarks/bench_stream.py --children 1000000 --format csv --repeats 3 # time, in process
    .venv/bin/python benchmarks/bench_stream.py --children 1000000 --format parquet --phases --no-cli # by step
    .venv/bin/python benchmarks/bench_stream.py --children 1000000 --format parquet --repeats 3 --no-cli \
        --baseline /tmp/base-cc07                                        # and a baseline checkout, same files
    options: [--chunk-size 100000] [--keep DIR] [--string-ids] [--no-cli]

Writes the population (``synthetic.population`` in parts of 100,000 children, household ids made unique
and increasing across parts, so both tables are sorted by household_id) to a temporary folder: Parquet
(``children.parquet``/``members.parquet``, a row group per part), CSV (Arrow's writer: booleans
``true``/``false``, ISO dates, empty cells unknown) or JSON lines (one household a line, unknown facts left
out). Then:

- ``riskeval batch DIR --out results.parquet --chunk-size N`` in a child process: its peak RSS
  (``ru_maxrss`` of the children), CPU and wall time; the budget (issue 16) is 5,000,000 children in
  ≤ 600 MB;
- with ``--repeats K``: ``assess_stream(DIR, out=results.parquet)`` in this process, K times, the best and
  median wall and CPU time (read, validate, evaluate, write Parquet); the targets on a quiet 2-core
  machine: 1,000,000 children from Parquet ≤ 1.5 s, from CSV ≤ 4 s.

The load average is printed with the numbers: this machine is shared, and its numbers move with it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
PART = 100_000

from synthetic import ON, population, without_unknowns  # noqa: E402

import riskeval  # noqa: E402
from riskeval._result_files import ResultWriter  # noqa: E402
from riskeval.batch import BatchResult  # noqa: E402
from riskeval.evaluate import vector_program  # noqa: E402
from riskeval.population import Population, intake_tables, table_chunks  # noqa: E402
from riskeval.population.layout import household_dict  # noqa: E402


def _parts(children: int, string_ids: bool) -> Any:
    """The population a part at a time (memory bounded here too), household ids increasing across parts."""
    for part, start in enumerate(range(0, children, PART)):
        pop = population(min(PART, children - start), seed=part, string_ids=string_ids)
        for frame in (pop.children, pop.members):
            hh = frame["household_id"]
            frame["household_id"] = hh.str.replace("H", f"H{part:04d}") if string_ids else hh + part * PART
        yield part, pop


def _arrow(frame: Any, schema: Any = None, text: bool = False) -> Any:
    """A part as an Arrow table: dates as dates; for CSV, categories as their text."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
        elif text and pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    return table if schema is None else table.cast(schema)


def write(children: int, folder: Path, form: str, string_ids: bool) -> None:
    """The population as files in ``folder``: the two tables (Parquet or CSV), or JSON lines."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    if form == "jsonl":
        with (folder / "households.jsonl").open("w", encoding="utf-8") as fh:
            for _, pop in _parts(children, string_ids):
                cols = intake_tables(pop, ON).cols
                for h in range(cols.h):
                    fh.write(json.dumps(without_unknowns(household_dict(cols, h)), ensure_ascii=False) + "\n")
        return
    writers: dict[str, Any] = {}
    for _, pop in _parts(children, string_ids):
        for name, frame in (("children", pop.children), ("members", pop.members)):
            if name not in writers:
                table = _arrow(frame, text=form == "csv")
                path = str(folder / f"{name}.{form}")
                writers[name] = pq.ParquetWriter(path, table.schema) if form == "parquet" else pcsv.CSVWriter(
                    path, table.schema)  # fmt: skip
            else:
                table = _arrow(frame, writers[name].schema if form == "parquet" else None, text=form == "csv")
            writers[name].write_table(table)
    for w in writers.values():
        w.close()


def source(folder: Path, form: str) -> Path:
    return folder / "households.jsonl" if form == "jsonl" else folder


def cli_run(src: Path, out: Path, chunk_size: int) -> dict[str, Any]:
    """``riskeval batch`` in a child process: its summary, peak RSS, CPU and wall time."""
    errors = out.with_name("errors.jsonl")
    cmd = [str(Path(sys.executable).parent / "riskeval"), "batch", str(src), "--on", ON.isoformat(), "--out",
           str(out), "--errors", str(errors), "--chunk-size", str(chunk_size), "--format", "json"]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = json.loads(done.stdout) if done.stdout.strip() else {"stderr": done.stderr[-500:]}
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"summary": summary, "exit": done.returncode, "rss_mb": after.ru_maxrss / 1024, "cpu": cpu, "wall": wall}


def timed(src: Path, out: Path, chunk_size: int, repeats: int) -> tuple[list[float], list[float], int]:
    """``assess_stream`` to a Parquet file in this process: wall and CPU times, and the children assessed."""
    pack = riskeval.load_pack()
    walls, cpus, assessed = [], [], 0
    for _ in range(repeats):
        gc.collect()
        w, c = time.perf_counter(), time.process_time()
        assessed = sum(r.assessed for r in riskeval.assess_stream(src, on=ON, pack=pack, chunk_size=chunk_size,
                                                                   out=out))  # fmt: skip
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return walls, cpus, assessed


_BASELINE = """
import gc, sys, time, datetime
from riskeval import assess_batch
from riskeval.population import read_population
src, out, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
on = datetime.date.fromisoformat(sys.argv[4])
for _ in range(repeats):
    gc.collect()
    w, c = time.perf_counter(), time.process_time()
    assess_batch(read_population(src), on=on).to_pandas().to_parquet(out)
    print(time.perf_counter() - w, time.process_time() - c, flush=True)
"""


def baseline(tree: Path, src: Path, out: Path, repeats: int) -> tuple[list[float], list[float]]:
    """A baseline checkout's whole-file path (``read_population``, ``assess_batch``, ``to_pandas().to_parquet``)
    in a child process with its own interpreter and imports: wall and CPU per run (process start excluded)."""
    python = tree / ".venv" / "bin" / "python"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [str(python), "-c", _BASELINE, str(src), str(out), str(repeats), ON.isoformat()]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env, cwd=tree)
    runs = [tuple(map(float, line.split())) for line in done.stdout.splitlines() if line.strip()]
    return [w for w, _ in runs], [c for _, c in runs]


def phases(src: Path, out: Path, chunk_size: int) -> dict[str, float]:
    """CPU seconds of each step over the whole input, one thread (no reading ahead): reading the files into
    household-aligned chunks, the intake, evaluating, the Arrow table of results, and writing it."""
    pack = riskeval.load_pack()
    prog = vector_program(pack)
    spent = dict.fromkeys(("read", "intake", "evaluate", "arrow", "write"), 0.0)

    def clock(step: str, call: Any, *args: Any) -> Any:
        started = time.process_time()
        value = call(*args)
        spent[step] += time.process_time() - started
        return value

    def assess(intake: Any) -> BatchResult:
        return BatchResult(pack, ON, intake, prog.run(intake.cols, ON))

    def write(writer: ResultWriter, table: Any) -> None:
        writer._write_table(table)
        writer._wait()

    parts = iter(table_chunks(src, chunk_size=chunk_size))
    with ResultWriter(out) as writer:
        while (part := clock("read", next, parts, None)) is not None:
            intake = clock("intake", intake_tables, Population(part.children, part.members), ON)
            table = clock("arrow", clock("evaluate", assess, intake).to_arrow)
            clock("write", write, writer, table)
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--children", type=int, default=5_000_000)
    ap.add_argument("--format", choices=("parquet", "csv", "jsonl"), default="parquet")
    ap.add_argument("--chunk-size", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=0, help="also time assess_stream in this process, K times")
    ap.add_argument("--no-cli", action="store_true", help="skip the child process (peak RSS)")
    ap.add_argument("--phases", action="store_true", help="CPU of each step (read, intake, evaluate, arrow, write)")
    ap.add_argument("--string-ids", action="store_true", help="ids as text (H00000012) instead of whole numbers")
    ap.add_argument("--baseline", type=Path, default=None,
                    help="with --repeats: time a baseline checkout (its .venv) too, whole files")  # fmt: skip
    ap.add_argument("--keep", type=Path, default=None, help="reuse (or keep) the population's files in this folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "population"
        folder.mkdir(parents=True, exist_ok=True)
        src = source(folder, args.format)
        if not any(folder.glob(f"*.{args.format}")):
            started = time.perf_counter()
            write(args.children, folder, args.format, args.string_ids)
            size = sum(p.stat().st_size for p in folder.glob(f"*.{args.format}")) / 2**20
            print(f"wrote {args.children:,} children as {args.format} ({size:,.0f} MiB) in "
                  f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        out = Path(tmp) / "results.parquet"
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if not args.no_cli:
            run = cli_run(src, out, args.chunk_size)
            s = run["summary"]
            print(f"riskeval batch: assessed {s.get('assessed')}, rejected {s.get('rejected')}, exit {run['exit']}"
                  f"{'' if 'stderr' not in s else ' ' + s['stderr']}")  # fmt: skip
            print(f"  peak RSS {run['rss_mb']:.0f} MB, CPU {run['cpu']:.1f} s, wall {run['wall']:.1f} s "
                  f"({args.format}, chunk {args.chunk_size:,}, process start and imports included)")  # fmt: skip
        if args.repeats:
            walls, cpus, assessed = timed(src, out, args.chunk_size, args.repeats)
            print(f"assess_stream -> Parquet, {assessed:,} children ({args.format}, chunk {args.chunk_size:,}): "
                  f"wall best {min(walls):.2f} s median {statistics.median(walls):.2f} s; CPU best {min(cpus):.2f} s "
                  f"median {statistics.median(cpus):.2f} s ({args.repeats} runs)")  # fmt: skip
            if args.baseline is not None:
                bw, bc = baseline(args.baseline, src, Path(tmp) / "baseline.parquet", args.repeats)
                print(f"baseline {args.baseline} (read_population, assess_batch, to_pandas().to_parquet): wall best "
                      f"{min(bw):.2f} s median {statistics.median(bw):.2f} s; CPU best {min(bc):.2f} s median "
                      f"{statistics.median(bc):.2f} s; ratio of best walls {min(bw) / min(walls):.1f}x, of best CPU "
                      f"{min(bc) / min(cpus):.1f}x")  # fmt: skip
        if args.phases and args.format != "jsonl":
            spent = phases(src, out, args.chunk_size)
            print("CPU by step: " + ", ".join(f"{k} {v:.2f} s" for k, v in spent.items()) +
                  f" (total {sum(spent.values()):.2f} s, one thread)")  # fmt: skip
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
