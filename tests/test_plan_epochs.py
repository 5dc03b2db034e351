"""The scalar program caches its per-date plan (rules in force, points) by stretches of days between two
changes of the pack: any date must get exactly the plan computed for that date itself."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import riskeval
from riskeval.errors import EvaluationError
from riskeval.evaluate import scalar_program
from riskeval.pack import default_pack_dir


def _windowed_pack() -> riskeval.Pack:
    """The default pack plus a category and a factor in force for part of the time only (the default
    pack's own rules apply on every day, so only its parameters would move between stretches)."""
    folder = Path(tempfile.mkdtemp()) / "windowed"
    shutil.copytree(default_pack_dir(), folder, ignore=shutil.ignore_patterns("tests"))
    with (folder / "categories.yaml").open("a", encoding="utf-8") as f:
        f.write("""
- id: x_window
  label: {zh: 测试, en: "Test"}
  when: child.age < params.adult_age
  source: TEST
  effective: {from: 2026-03-01, to: 2027-06-30}
""")
    with (folder / "factors.yaml").open("a", encoding="utf-8") as f:
        f.write("""
- id: X9
  domain: H
  label: {zh: 测试, en: "Test"}
  levels:
    - severity: H
      label: {zh: 测试, en: "Test"}
      when: child.age < 8
    - severity: L
      label: {zh: 测试, en: "Test"}
      when: child.age < 8
  source: TEST
  effective: {to: 2026-12-31}
""")
    return riskeval.load_pack(folder)


PACK = _windowed_pack()
PROGRAM = scalar_program(PACK)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dates(date(2025, 1, 1), date(2029, 12, 31)), min_size=1, max_size=8))  # the pack's period
def test_a_cached_plan_is_the_plan_of_the_date_asked(days: list[date]) -> None:
    for day in days:
        try:
            params = PACK.params_on(day)
        except EvaluationError:
            continue
        for (_, rule, step), (kind, compiled) in zip(PROGRAM.plan(day), PROGRAM.steps, strict=True):
            if kind == "category":
                assert (step is compiled[1]) is rule.applies_on(day)
                continue
            for (level, fn, severity, points), (_, original) in zip(step, compiled[1], strict=True):
                assert (fn is original) is level.applies_on(day)
                assert points == PACK.points(severity, params)


def test_the_edges_are_where_the_pack_changes() -> None:
    """Every rule window and parameter period starts at an edge, and ends the day before one."""
    edges = set(PROGRAM._edges)
    for p in PACK.parameters.values():
        for v in p.values:
            assert v.from_ in edges
