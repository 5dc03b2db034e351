"""This tree's one-household path against a baseline commit (cc07eb4), in one run, interleaved, CPU time.

    git worktree add /tmp/base-cc07 cc07eb4
    (cd /tmp/base-cc07 && python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]')
    .venv/bin/python benchmarks/compare.py --baseline /tmp/base-cc07 [--rounds 7]

Two worker processes (benchmarks/compare_worker.py), one in each venv, stay up for the whole run and are
given the same inputs: the example households (examples/households/*.json, which both versions accept:
GB/T 2260 codes and names like 碑林区 alike) and an event pool drawn with the *baseline's* hypothesis
strategies (so the baseline accepts it; the check line shows both replay the same counts). Each round runs
every measure on both sides, the order of the two sides alternating from round to round; each side's time
is its CPU time (``process_time``) per operation, and the table shows the best round of each side, their
ratio (baseline / this tree: above 1 is faster), and the spread: the lowest and highest of the per-round
ratios (a round's two runs are adjacent in time, so a neighbour's burst hits both or neither).

Measures (DESIGN.md budgets, issue 15):
- ``assess``: ``riskeval.assess(dict, on=...)`` per household, over the example households;
- ``dump``: ``assess(...).model_dump(mode="json")`` per household (explanation and visit plan included);
- ``evaluate``: the scalar program's ``evaluate(household, child, on)`` per child, facts validated before;
- ``replay``: ``Monitor().replay(households, events)``, with re-assessment, per event;
- ``post``: ``Monitor().post(event)`` one at a time on tracked households, with re-assessment, per event.
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
ROOT = HERE.parent
WORKER = HERE / "compare_worker.py"
MEASURES = {"assess": 30, "dump": 30, "evaluate": 100, "replay": 1, "post": 1}  # repeats per round
UNITS = {"assess": "µs/household", "dump": "µs/household", "evaluate": "µs/child", "replay": "events/s",
         "post": "events/s"}  # fmt: skip


class Worker:
    def __init__(self, python: Path, inputs: Path, root: Path) -> None:
        self.proc = subprocess.Popen([str(python), str(WORKER), str(inputs)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=tempfile.gettempdir(),
                                     env=_own(root))  # fmt: skip

    def ask(self, name: str, repeats: int) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{name} {repeats}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.proc.args[0]} died")
        return json.loads(line)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def _own(root: Path) -> dict[str, str]:
    """The environment of a side's worker: its own tree first on the path, whatever the caller's PYTHONPATH
    says (a venv shared between trees, or a PYTHONPATH meant for this tree, must not make both sides one)."""
    return {**os.environ, "PYTHONPATH": str(root.resolve())}


def show(name: str, seconds: float) -> str:
    return f"{1 / seconds:,.0f}" if UNITS[name] == "events/s" else f"{seconds * 1e6:,.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a worktree of the baseline with .venv")
    parser.add_argument("--current", type=Path, default=ROOT, help="this tree (default) or another worktree")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--households", type=int, default=60, help="households in the event pool")
    parser.add_argument("--per-household", type=int, default=30, help="events per household")
    parser.add_argument("--only", nargs="*", choices=list(MEASURES), default=list(MEASURES))
    args = parser.parse_args()
    pythons = {"baseline": args.baseline / ".venv/bin/python", "current": args.current / ".venv/bin/python"}
    with tempfile.TemporaryDirectory() as tmp:
        pool = Path(tmp) / "pool.json"
        subprocess.run([str(pythons["baseline"]), str(WORKER), "--generate", str(pool), str(args.households),
                        str(args.per_household)], check=True, cwd=tmp, env=_own(args.baseline))  # fmt: skip
        inputs = json.loads(pool.read_text(encoding="utf-8"))
        files = sorted((ROOT / "examples" / "households").glob("*.json"))
        inputs["examples"] = [json.loads(f.read_text(encoding="utf-8")) for f in files]
        path = Path(tmp) / "inputs.json"
        path.write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
        roots = {"baseline": args.baseline, "current": args.current}
        workers = {side: Worker(python, path, roots[side]) for side, python in pythons.items()}
        try:
            seen = {side: w.ask("check", 0) for side, w in workers.items()}
            for side, answer in seen.items():
                print(f"{side}: {answer}")
            if seen["baseline"]["riskeval"] == seen["current"]["riskeval"]:
                raise SystemExit("both sides import the same riskeval: nothing would be compared")
            times: dict[str, dict[str, list[float]]] = {m: {"baseline": [], "current": []} for m in args.only}
            for r in range(args.rounds):
                order = ["baseline", "current"] if r % 2 == 0 else ["current", "baseline"]
                for name in args.only:
                    for side in order:
                        times[name][side].append(workers[side].ask(name, MEASURES[name]))
        finally:
            for w in workers.values():
                w.close()
    print(f"\n{args.rounds} rounds, {len(files)} example households, event pool {len(inputs['events'])} events "
          f"in {len(inputs['households'])} households; best round of each side, CPU time\n")  # fmt: skip
    head = f"{'measure':<10} {'unit':<13} {'baseline':>10} {'current':>10} {'ratio':>7}  per-round ratios"
    head += " (min–median–max)"
    print(head)
    print("-" * len(head))
    for name, t in times.items():
        b, c = min(t["baseline"]), min(t["current"])
        per_round = sorted(x / y for x, y in zip(t["baseline"], t["current"], strict=True))
        print(f"{name:<10} {UNITS[name]:<13} {show(name, b):>10} {show(name, c):>10} {b / c:>6.2f}x  "
              f"{per_round[0]:.2f}–{statistics.median(per_round):.2f}–{per_round[-1]:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
