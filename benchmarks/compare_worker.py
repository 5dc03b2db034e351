"""One side of benchmarks/compare.py: times riskeval's one-household path in whichever venv runs it.

Run by compare.py, never by hand: ``<venv>/bin/python benchmarks/compare_worker.py INPUTS.json`` reads
commands on stdin (``<measure> <repeats>``) and answers each with one JSON line (CPU seconds per operation).
``--generate OUT.json`` draws the event pool with this venv's hypothesis strategies (compare.py runs it in
the baseline's venv, so the baseline accepts every input). Only APIs both versions have are used; the two
module paths that moved (the scalar program, the internal evaluate()) are looked up in either place.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from datetime import date
from typing import Any

import riskeval
from riskeval.triggers import Monitor

try:  # today's layout
    from riskeval._assess import evaluate as validate_and_evaluate
    from riskeval.evaluate import scalar_program
except ImportError:  # cc07eb4
    from riskeval.assess import evaluate as validate_and_evaluate  # type: ignore[no-redef]
    from riskeval.assess import program_for as scalar_program  # type: ignore[no-redef,attr-defined]

ON = date(2025, 12, 1)


def generate(out: str, n_households: int, per_household: int) -> None:
    """The event pool: generated households with their logs, unique ids, as JSON."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    from riskeval.testing import event_logs, households

    drawn: list[tuple[Any, Any]] = []

    @settings(max_examples=n_households, database=None, deadline=None, derandomize=True,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        h = data.draw(households())
        if h.children:
            drawn.append((h, data.draw(event_logs(h, min_size=per_household, max_size=per_household))))

    draw()
    hs, evs = [], []
    for i, (h, log) in enumerate(drawn):
        hid = f"hh{i:05d}"
        raw = h.model_dump(mode="json", exclude_none=True)
        raw["id"] = hid
        hs.append(raw)
        for j, e in enumerate(log):
            ev = e.model_dump(mode="json", exclude_none=True)
            ev.update(id=f"{hid}-e{j}", household=hid)
            evs.append(ev)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"households": hs, "events": evs}, f, ensure_ascii=False)


class Bench:
    def __init__(self, inputs: dict[str, Any]) -> None:
        self.examples: list[dict[str, Any]] = inputs["examples"]
        self.pool_households: list[dict[str, Any]] = inputs["households"]
        self.pool_events: list[dict[str, Any]] = inputs["events"]
        pack = riskeval.load_pack()
        self.prog = scalar_program(pack)
        self.children = []
        for raw in self.examples:
            hh, _, _ = validate_and_evaluate(raw, on=ON)
            self.children += [(hh, c) for c in hh.children]
        self.replayer = Monitor()
        self.ordered = sorted(self.pool_events, key=lambda e: e["date"])
        self.poster = Monitor()

    # Each measure: (operations, callable).
    def assess(self) -> int:
        for raw in self.examples:
            riskeval.assess(raw, on=ON)
        return len(self.examples)

    def dump(self) -> int:
        for raw in self.examples:
            riskeval.assess(raw, on=ON).model_dump(mode="json")
        return len(self.examples)

    def evaluate(self) -> int:
        evaluate = self.prog.evaluate
        for hh, c in self.children:
            evaluate(hh, c, ON)
        return len(self.children)

    def replay(self) -> int:
        self.replayer.replay(self.pool_households, self.pool_events)
        return len(self.pool_events)

    def check(self) -> dict[str, Any]:
        """What both sides must agree on: the inputs accepted, the results of the examples."""
        r = self.replayer.replay(self.pool_households, self.pool_events)
        assessed = [riskeval.assess(raw, on=ON) for raw in self.examples]
        return {
            "riskeval": riskeval.__file__,
            "replay": [r.applied, r.rejected, len(r.triggers)],
            "tiers": [[c.tier for c in a.children] for a in assessed],
            "children": len(self.children),
        }


def main() -> None:
    if sys.argv[1] == "--generate":
        generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    with open(sys.argv[1], encoding="utf-8") as f:
        bench = Bench(json.load(f))
    clock = time.process_time
    for line in sys.stdin:
        name, repeats = line.split()
        if name == "check":
            print(json.dumps(bench.check()), flush=True)
            continue
        if name == "post":
            # One post() at a time on a tracking monitor with re-assessment; track() is not timed.
            total, ops = 0.0, 0
            for _ in range(int(repeats)):
                bench.poster.track(bench.pool_households)
                start = clock()
                for e in bench.ordered:
                    with contextlib.suppress(ValueError):  # a refused event: FactsError
                        bench.poster.post(e)
                total += clock() - start
                ops += len(bench.ordered)
            print(json.dumps(total / ops), flush=True)
            continue
        call = getattr(bench, name)
        call()  # warm
        start, ops = clock(), 0
        for _ in range(int(repeats)):
            ops += call()
        print(json.dumps((clock() - start) / ops), flush=True)


if __name__ == "__main__":
    main()
