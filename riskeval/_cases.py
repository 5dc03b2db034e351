"""Golden cases of a rule pack read and checked outside pytest: the files, each case's verdict in a few lines.

A file's problems (no ``as_of`` for a case, not YAML) are records for that file, so one bad file never stops
the others. A case expects, per child, what the result must say, or ``expect_error`` (``code`` and optionally
``loc``): the input must be refused with that record. The pytest plugin (``riskeval._golden``) and
``riskeval rules test`` both run cases through :func:`check_case`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from riskeval._assess import assess
from riskeval.errors import FactsError
from riskeval.pack import Pack

EXPECT_KEYS = {
    "status", "categories", "categories_include", "categories_exclude", "factors", "factors_include",
    "factors_exclude", "tier", "visit_frequency", "score", "data_gaps_include", "gap_rules_include",
    "gap_rules_exclude", "duties",
}  # fmt: skip


@dataclass
class CaseFile:
    """One file of golden cases: its cases, each with its date (``on``), and the file's own problems."""

    path: Path
    cases: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_cases(path: Path) -> CaseFile:
    """The cases of one file, each with its assessment date resolved; problems located in the file."""
    out = CaseFile(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        out.problems.append(f"{path.name}: cannot be read as YAML: {exc}")
        return out
    if not isinstance(doc, dict) or not isinstance(doc.get("cases", []), list):
        out.problems.append(f"{path.name}: expected a mapping with a list `cases`")
        return out
    default_on = doc.get("as_of")
    for i, raw in enumerate(doc.get("cases", [])):
        case = dict(raw) if isinstance(raw, dict) else {}
        case.setdefault("id", f"case-{i + 1}")
        when = case.get("as_of", default_on)
        if when is None:
            out.problems.append(
                f"{path.name}: case {case['id']}: no as_of (expected one on the case or at the top of the file)"
            )
            continue
        try:
            case["on"] = when if isinstance(when, date) else date.fromisoformat(str(when))
        except ValueError:
            out.problems.append(f"{path.name}: case {case['id']}: as_of {when!r} is not a date (YYYY-MM-DD)")
            continue
        out.cases.append(case)
    return out


def pack_case_files(pack_dir: Path) -> list[CaseFile]:
    """Every case file of a pack folder (``tests/*.yaml``), by name."""
    folder = Path(pack_dir) / "tests"
    return [read_cases(p) for p in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])]


def check_case(case: dict[str, Any], pack: Pack) -> list[str]:
    """Every way the result of a case differs from what it expects, one short line each (empty: it passes)."""
    want_error = case.get("expect_error")
    try:
        result = assess(case.get("household") or {}, on=case["on"], pack=pack).model_dump(mode="json")
    except FactsError as exc:
        if want_error is None:
            first = exc.records[0] if exc.records else None
            return [f"input refused: {first.code} at {first.loc}" if first else "input refused"]
        return _error_matches(want_error, exc)
    if want_error is not None:
        return [f"expected the input to be refused ({want_error.get('code')}), but it was assessed"]
    children = {c["child_id"]: c for c in result["children"]}
    problems: list[str] = []
    for child_id, expect in (case.get("expect") or {}).items():
        got = children.get(str(child_id))
        if got is None:
            problems.append(f"child {child_id}: not in the result (children: {sorted(children)})")
            continue
        unknown = set(expect) - EXPECT_KEYS
        if unknown:
            problems.append(f"child {child_id}: unknown expectation keys {sorted(unknown)}")
        problems += [f"child {child_id}: {p}" for p in compare_child(expect, got)]
    return problems


def _error_matches(want: dict[str, Any], exc: FactsError) -> list[str]:
    got = [(r.code, r.loc) for r in exc.records]
    if any(code == want.get("code") and ("loc" not in want or loc == want["loc"]) for code, loc in got):
        return []
    where = f" at {want['loc']}" if "loc" in want else ""
    return [f"expected the input error {want.get('code')}{where}, got {', '.join(f'{c} at {lc}' for c, lc in got)}"]


def _codes(spec: Any) -> dict[str, str | None]:
    if isinstance(spec, dict):
        return {str(k): v for k, v in spec.items()}
    return {str(k): None for k in spec or []}


def compare_child(expect: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Expected against got for one child, one line per field that differs."""
    out: list[str] = []
    for key in ("status", "tier", "visit_frequency", "score"):
        if key in expect and expect[key] != got[key]:
            out.append(f"{key}: expected {expect[key]!r}, got {got[key]!r}")
    if "duties" in expect and set(expect["duties"]) != {d["id"] for d in got["duties"]}:
        out.append(f"duties: expected {sorted(expect['duties'])}, got {sorted(d['id'] for d in got['duties'])}")
    cats = set(got["categories"])
    if "categories" in expect and set(expect["categories"]) != cats:
        out.append(f"categories: expected {sorted(expect['categories'])}, got {sorted(cats)}")
    missing = [c for c in expect.get("categories_include", []) if c not in cats]
    if missing:
        out.append(f"categories: expected to include {missing}, got {sorted(cats)}")
    extra = [c for c in expect.get("categories_exclude", []) if c in cats]
    if extra:
        out.append(f"categories: expected not to include {extra}, got {sorted(cats)}")
    factors = {f["code"]: f["severity"] for f in got["factors"]}
    shown = ", ".join(f"{c}:{s}" for c, s in sorted(factors.items())) or "none"
    if "factors" in expect:
        want = _codes(expect["factors"])
        if set(want) != set(factors):
            out.append(f"factors: expected {sorted(want)}, got {shown}")
        out += _severities(want, factors)
    if "factors_include" in expect:
        want = _codes(expect["factors_include"])
        lacking = sorted(set(want) - set(factors))
        if lacking:
            out.append(f"factors: expected to include {lacking}, got {shown}")
        out += _severities(want, factors)
    held = [c for c in expect.get("factors_exclude", []) if c in factors]
    if held:
        out.append(f"factors: expected not to include {held}, got {shown}")
    gap_facts = {f for g in got["data_gaps"] for f in g["facts"]}
    gap_rules = {g["rule"] for g in got["data_gaps"]}
    lacking = [f for f in expect.get("data_gaps_include", []) if f not in gap_facts]
    if lacking:
        out.append(f"data_gaps: expected unknown {lacking}, got {sorted(gap_facts)}")
    lacking = [r for r in expect.get("gap_rules_include", []) if r not in gap_rules]
    if lacking:
        out.append(f"data_gaps: expected gaps on {lacking}, got {sorted(gap_rules)}")
    extra = [r for r in expect.get("gap_rules_exclude", []) if r in gap_rules]
    if extra:
        out.append(f"data_gaps: expected no gap on {extra}, got {sorted(gap_rules)}")
    return out


def _severities(want: dict[str, str | None], factors: dict[str, str]) -> list[str]:
    return [
        f"factor {code}: expected severity {sev}, got {factors[code]}"
        for code, sev in want.items()
        if sev is not None and code in factors and factors[code] != sev
    ]
