"""Golden cases of a rule pack (facts in, expected categories, factors, tier, gaps out) and their pytest plugin.

Registered through the ``pytest11`` entry point, so every pytest run of anyone who installed riskeval imports
this module: it stays cheap to import (the assessment is imported when a case runs) and collects nothing
outside a pack folder (a folder holding ``pack.yaml``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

EXPECT_KEYS = {
    "status", "categories", "categories_include", "categories_exclude", "factors", "factors_include",
    "factors_exclude", "tier", "visit_frequency", "score", "data_gaps_include", "gap_rules_include",
    "gap_rules_exclude", "duties",
}  # fmt: skip


def read_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of one file, each with its assessment date resolved."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    default_on = doc.get("as_of")
    cases = []
    for i, case in enumerate(doc.get("cases", [])):
        case = dict(case)
        case.setdefault("id", f"case-{i}")
        case["on"] = _date(case.get("as_of", default_on))
        cases.append(case)
    return cases


def _date(v: Any) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def run_case(case: dict[str, Any], pack_dir: Path) -> list[str]:
    """Assess a case's household and list every way the result differs from what it expects."""
    # Imported here, not at the top: pytest loads this plugin in every session, most of which assess nothing.
    from riskeval._assess import assess
    from riskeval.pack import load_pack

    result = assess(case["household"], on=case["on"], pack=load_pack(pack_dir)).model_dump(mode="json")
    children = {c["child_id"]: c for c in result["children"]}
    problems: list[str] = []
    for child_id, expect in (case.get("expect") or {}).items():
        got = children.get(str(child_id))
        if got is None:
            problems.append(f"child {child_id}: not in the result (children: {sorted(children)})")
            continue
        unknown = set(expect) - EXPECT_KEYS
        if unknown:
            problems.append(
                f"child {child_id}: unknown expectation keys {sorted(unknown)}; allowed {sorted(EXPECT_KEYS)}"
            )
        problems += [f"child {child_id}: {p}" for p in _compare(expect, got)]
    if problems:
        problems.append(f"got: {result}")
    return problems


def _codes(spec: Any) -> dict[str, str | None]:
    if isinstance(spec, dict):
        return {str(k): v for k, v in spec.items()}
    return {str(k): None for k in spec or []}


def _compare(expect: dict[str, Any], got: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key in ("status", "tier", "visit_frequency", "score"):
        if key in expect and expect[key] != got[key]:
            out.append(f"{key}: expected {expect[key]!r}, got {got[key]!r}")
    if "duties" in expect and set(expect["duties"]) != {d["id"] for d in got["duties"]}:
        out.append(f"duties: expected {sorted(expect['duties'])}, got {sorted(d['id'] for d in got['duties'])}")
    cats = set(got["categories"])
    if "categories" in expect and set(expect["categories"]) != cats:
        out.append(f"categories: expected {sorted(expect['categories'])}, got {sorted(cats)}")
    for c in expect.get("categories_include", []):
        if c not in cats:
            out.append(f"categories: expected to include {c!r}, got {sorted(cats)}")
    for c in expect.get("categories_exclude", []):
        if c in cats:
            out.append(f"categories: expected not to include {c!r}, got {sorted(cats)}")
    factors = {f["code"]: f["severity"] for f in got["factors"]}
    if "factors" in expect:
        want = _codes(expect["factors"])
        if set(want) != set(factors):
            out.append(f"factors: expected {sorted(want)}, got {sorted(factors)}")
        out += _severities(want, factors)
    if "factors_include" in expect:
        want = _codes(expect["factors_include"])
        missing = sorted(set(want) - set(factors))
        if missing:
            out.append(f"factors: expected to include {missing}, got {sorted(factors)}")
        out += _severities(want, factors)
    for code in expect.get("factors_exclude", []):
        if code in factors:
            out.append(f"factors: expected not to include {code!r}, got {sorted(factors)}")
    gap_facts = {f for g in got["data_gaps"] for f in g["facts"]}
    gap_rules = {g["rule"] for g in got["data_gaps"]}
    for fact in expect.get("data_gaps_include", []):
        if fact not in gap_facts:
            out.append(f"data_gaps: expected an unknown {fact!r}, got {sorted(gap_facts)}")
    for rule in expect.get("gap_rules_include", []):
        if rule not in gap_rules:
            out.append(f"data_gaps: expected a gap on rule {rule!r}, got {sorted(gap_rules)}")
    for rule in expect.get("gap_rules_exclude", []):
        if rule in gap_rules:
            out.append(f"data_gaps: expected no gap on rule {rule!r}, got {sorted(gap_rules)}")
    return out


def _severities(want: dict[str, str | None], factors: dict[str, str]) -> list[str]:
    return [
        f"factor {code}: expected severity {sev}, got {factors[code]}"
        for code, sev in want.items()
        if sev is not None and code in factors and factors[code] != sev
    ]


# The pytest plugin: one test item per golden case.


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in {".yaml", ".yml"} and file_path.parent.name == "tests":
        if (file_path.parent.parent / "pack.yaml").is_file():
            return GoldenFile.from_parent(parent, path=file_path)
    return None


class GoldenFile(pytest.File):
    """One YAML file of golden cases: ``on`` (a default date) and ``cases``."""

    def collect(self) -> Iterator[pytest.Item]:
        for case in read_cases(self.path):
            yield GoldenCase.from_parent(self, name=case["id"], case=case)


class GoldenCase(pytest.Item):
    def __init__(self, *, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        problems = run_case(self.case, self.path.parent.parent)
        if problems:
            raise GoldenCaseError(problems)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, GoldenCaseError):
            head = f"golden case {self.case['id']} ({self.path.name}), source: {self.case.get('source', '-')}"
            return "\n".join([head, *excinfo.value.problems])
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"golden case: {self.name}"


class GoldenCaseError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
