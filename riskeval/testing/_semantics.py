"""The semantic cases of the rule language (``semantics.yaml``), and the packs and households that run them.

Each distinct condition of the data file becomes a category of a pack built from the default pack's files;
a form's answer to a case is read back from the child's record: the category holds (true), is a data gap
(unknown), or neither (false).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from riskeval.facts import Household, parse_household
from riskeval.pack import Pack, default_pack_dir, load_pack

Answer = bool | None
# The vector form holds a pack's categories in one 64-bit set, the default pack's six among them.
_PER_PACK = 48


@dataclass(frozen=True)
class Case:
    """One semantic case: a condition (or a value, said as a condition), facts, a date, the expected answer."""

    id: str
    text: str  # as written in the data file: the `when` or the `value`
    condition: str  # what the forms evaluate: the `when`, or the `value` compared with its expected value
    expect: Answer
    on: date
    facts: Mapping[str, Any] = field(repr=False)

    def household(self, household_id: str = "h") -> Household:
        """The case's facts as a household of one child (``child``)."""
        data = {**_iso(dict(self.facts)), "id": household_id}
        return parse_household(data, today=self.on)


@dataclass(frozen=True)
class Semantics:
    """The data file read: its cases, and the parameters and predicates they use."""

    cases: tuple[Case, ...]
    parameters: str
    predicates: str


def _iso(value: Any) -> Any:
    """Dates as ISO text, as an integrator sends them (YAML reads 2025-01-01 as a date)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


_WORDS: dict[Any, Answer] = {True: True, False: False, "unknown": None}


def _case(raw: Mapping[str, Any], default_on: date) -> Case:
    on = raw.get("as_of", default_on)
    facts: dict[str, Any] = dict(raw.get("household") or {})
    facts["members"] = raw.get("members", [])  # null: the adults were not reported
    facts["children"] = [{"id": "child", **(raw.get("child") or {})}]
    if "when" in raw:
        text = condition = str(raw["when"])
        if raw["expect"] not in _WORDS:
            raise ValueError(f"case {raw['id']}: a `when` expects true, false or unknown, found {raw['expect']!r}")
        expect = _WORDS[raw["expect"]]
    else:
        text, want = str(raw["value"]), raw["expect"]
        if isinstance(want, date):  # there is no date literal: the distance to `on` says the date
            condition = f"days_between({text}, on) == {(on - want).days}"
        elif isinstance(want, int | float) and not isinstance(want, bool):
            condition = f"({text}) == {want!r}"
        else:
            raise ValueError(f"case {raw['id']}: a `value` expects a number or a date, found {want!r}")
        expect = True
    return Case(str(raw["id"]), text, condition, expect, on, facts)


@cache
def semantics() -> Semantics:
    """The semantic cases shipped with riskeval (``riskeval/testing/semantics.yaml``)."""
    text = resources.files("riskeval.testing").joinpath("semantics.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    cases = tuple(_case(raw, doc["as_of"]) for raw in doc["cases"])
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate case ids in semantics.yaml: {sorted({i for i in ids if ids.count(i) > 1})}")
    return Semantics(cases, doc["parameters"], doc["predicates"])


def rule_row(rule_id: str, when: str, key: str = "when") -> str:
    """A rule row of a pack file, its condition quoted for YAML."""
    quoted = when.replace("\\", "\\\\").replace('"', '\\"')
    return f'\n- id: {rule_id}\n  label: {{zh: 测试, en: Test}}\n  source: TEST conformance\n  {key}: "{quoted}"\n'


def append(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


def copy_default_pack(folder: Path) -> Path:
    """The default pack's rule files (not its golden cases) in a new folder."""
    shutil.copytree(default_pack_dir(), folder, ignore=shutil.ignore_patterns("tests"))
    return folder


@dataclass
class CasePacks:
    """The semantic cases spread over packs: each condition a category ``s<k>`` of one of them."""

    packs: list[Pack]
    where: dict[str, tuple[int, str]]  # condition -> (pack index, category id)


def case_packs(folder: Path, cases: Iterable[Case], parameters: str, predicates: str) -> CasePacks:
    """Build and load the packs that hold these cases' conditions, in sub-folders of ``folder``."""
    conditions = list(dict.fromkeys(c.condition for c in cases))
    out = CasePacks([], {})
    for start in range(0, len(conditions), _PER_PACK):
        chunk = conditions[start : start + _PER_PACK]
        pk = copy_default_pack(folder / f"cases{len(out.packs)}")
        append(pk, "parameters.yaml", parameters)
        append(pk, "predicates.yaml", predicates)
        append(pk, "categories.yaml", "".join(rule_row(f"s{start + k}", w) for k, w in enumerate(chunk)))
        tiers = pk / "tiers.yaml"
        # Never in force, so that no case child leaves the roster before its categories are read (an exited
        # child has none): the cases are about conditions, not about the default pack's age limit.
        text = tiers.read_text(encoding="utf-8").replace(
            "  exited:\n    id: exited\n",
            "  exited:\n    id: exited\n    effective: {from: 2000-01-01, to: 2000-01-02}\n",
        )
        if "effective: {from: 2000-01-01, to: 2000-01-02}" not in text:
            raise ValueError("the default pack's exit rule has moved: semantic cases cannot switch it off")
        tiers.write_text(text, encoding="utf-8")
        for k in range(len(chunk)):
            out.where[chunk[k]] = (len(out.packs), f"s{start + k}")
        out.packs.append(load_pack(pk))
    return out


def answer(record: Mapping[str, Any], category: str) -> Answer:
    """A category's value for one child, from its record: it holds, it is a data gap (unknown), or false."""
    if category in record["categories"]:
        return True
    if any(g["kind"] == "category" and g["rule"] == category for g in record["data_gaps"]):
        return None
    return False


def show(value: Answer) -> str:
    return "unknown" if value is None else str(value).lower()
