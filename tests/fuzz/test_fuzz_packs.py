"""Fuzz: rule-pack folders with mutated text (numbers, expressions, YAML constructs, links, missing files):
a pack that loads, or a PackError whose records are located; a pack that loads assesses the examples alike
in assess() and assess_batch(), and replays the example log, with results or located records only."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from _fuzz import budget, check_records, outcome, tried
from hypothesis import given
from hypothesis import strategies as st

import riskeval
from riskeval.testing import ASSESSMENT_DATE

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = "outside-the-pack-4f1c"
DEFAULT = ROOT / "rules" / "beilin-2025"
FILES = sorted(p.name for p in DEFAULT.glob("*.yaml"))
EXAMPLES = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples/households").glob("*.json"))]
LOG = (ROOT / "examples/events/beilin-2026-q1.jsonl").read_text(encoding="utf-8").splitlines()
NUMBERS = ["0", "-1", "-5", "1", "2", "13", "99999999", "999999999999", "9" * 40, "9" * 5000, ".nan", ".inf", "-.inf",
           "1.0e+300", "0.5", "-0.0", "true", "null", "'3'", "[1, 2]", "{a: 1}", "1_000", "0x1F", "0o17"]  # fmt: skip
EXPRESSIONS = [
    "child.age * 99999999999999999999 > 0", "child.age * 999999999999999 * 99999 > 0", "child.age / 0 > 1",
    "__import__('os').system('true')", "child.__class__", "(" * 300 + "child.age > 1" + ")" * 300,
    "child.age > " + "9" * 40, "no_such_predicate", "child.agee > 1", "not " * 300 + "child.adopted",
    "child.age + 1e308 * 10 > 0", "params.adult_age == 'x'", "lambda: 1", "child.age > 1 # comment", "",
    "child.sex == '张三丰'", "household.economy.income_per_capita * 1e15 > 1", "len(child.safety) > 1e16",
]  # fmt: skip
SNIPPETS = ["\n- ? [1, 2]\n  : x\n", "\n- rec: &r [*r]\n", "\n- x: " + "[" * 500 + "]" * 500 + "\n",
            "\n- !!python/object/apply:os.system ['true']\n", "\nx: &a [1]\ny: *a\n", "\t\n", "\n- {id: 1}\n",
            "\n- id: dup\n  id: dup\n", "\n" + "- " * 300 + "x\n", "\ufeff", "\x00"]  # fmt: skip


def _mutate(data: st.DataObject, folder: Path) -> None:
    for _ in range(data.draw(st.integers(1, 2), label="mutations")):
        name = data.draw(st.sampled_from(FILES), label="file")
        path = folder / name
        op = data.draw(st.sampled_from(["number", "number", "expression", "snippet", "line", "link", "gone"]))
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        if op == "number":
            spots = [m.span() for m in re.finditer(r"(?<=: )-?\d+(\.\d+)?(?=\s*[\n,}\]])", text)]
            if spots:
                a, b = data.draw(st.sampled_from(spots), label="spot")
                text = text[:a] + data.draw(st.sampled_from(NUMBERS), label="number") + text[b:]
        elif op == "expression":
            spots = [m.span(1) for m in re.finditer(r"when: (.+)", text)]
            if spots:
                a, b = data.draw(st.sampled_from(spots), label="spot")
                text = text[:a] + json.dumps(data.draw(st.sampled_from(EXPRESSIONS), label="expr")) + text[b:]
        elif op == "snippet":
            at = data.draw(st.integers(0, len(text)), label="at")
            text = text[:at] + data.draw(st.sampled_from(SNIPPETS), label="snippet") + text[at:]
        elif op == "line":
            lines = text.splitlines()
            i = data.draw(st.integers(0, len(lines) - 1), label="line")
            if data.draw(st.booleans(), label="delete"):
                del lines[i]
            else:
                lines.insert(i, lines[i])
            text = "\n".join(lines) + "\n"
        elif op == "link":
            outside = folder.parent / "outside.yaml"
            outside.write_text(f"secret: {OUTSIDE}\n", encoding="utf-8")
            path.unlink()
            os.symlink(outside, path)
            continue
        else:
            path.unlink()
            continue
        path.write_text(text, encoding="utf-8")


@budget(ci=20)
@given(st.data())
def test_a_mutated_pack_loads_or_is_refused_with_located_records(data: st.DataObject) -> None:
    """load_pack(): a Pack or PackError records; a loaded pack agrees with itself across both forms."""
    tried("packs")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pack"
        shutil.copytree(DEFAULT, folder)
        _mutate(data, folder)
        # a pack's own text may be quoted in its records (a rule is not a child's data); a file outside it never
        kind, pack = outcome(lambda: riskeval.load_pack(folder), secrets=(OUTSIDE,))
        if kind == "error":
            return
        on = ASSESSMENT_DATE
        households = EXAMPLES[: data.draw(st.integers(1, 4), label="households")]
        batch_kind, batch = outcome(lambda: riskeval.assess_batch(households, on=on, pack=pack))
        rows = {(r["household_id"], r["child_id"]): r for r in batch.to_records()} if batch_kind == "ok" else {}
        if batch_kind == "ok" and batch.errors:
            check_records(batch.errors)
        for hh in households:
            one_kind, one = outcome(lambda hh=hh: riskeval.assess(hh, on=on, pack=pack))
            if one_kind == "ok" and batch_kind == "ok":
                for c in one.children:
                    row: Any = rows[(one.household_id, c.child_id)]
                    assert (row["status"], row["tier"], sorted(row["categories"])) == (
                        c.status, c.computed_tier, sorted(c.categories)
                    ), (hh["id"], c.child_id)  # fmt: skip
        if data.draw(st.booleans(), label="replay"):
            replay_kind, replay = outcome(lambda: riskeval.Monitor(pack).replay(households, LOG))
            if replay_kind == "ok" and replay.errors:
                check_records(replay.errors)
