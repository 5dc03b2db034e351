"""Tier rows and duties written in ways the default pack does not use, in both forms.

The default pack's table reads rule results, tier inputs and one per-child predicate; a pack may also put an
aggregation over members in a row or a duty, and read the score inside it. assess() and assess_batch() must
give the same answers on every example household.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval.pack import default_pack_dir

ON = date(2025, 12, 1)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "households"
KEYS = ("child_id", "status", "categories", "factors", "score", "tier", "tier_row", "data_gaps", "duties")

ROWS = {
    # an aggregation whose parts read the member it binds, next to a category (not one value per child)
    "member_part": """
  - id: special_member_part
    tier: special
    label: {zh: 测试, en: "Test"}
    when: any(held(m) and category.left_behind for m in household.members)
    source: TEST""",
    # the score read inside an aggregation over members
    "score_in_aggregation": """
  - id: urgent_score_in_aggregation
    tier: urgent
    label: {zh: 测试, en: "Test"}
    when: any(m.substance_abuse and score >= 2 for m in household.members)
    source: TEST""",
}
DUTY = """
  - id: test_duty
    label: {zh: 测试, en: "Test"}
    when: any(m.substance_abuse and score >= 2 for m in household.members)
    source: TEST
"""


def _pack(tmp_path: Path, row: str | None = None, duty: str | None = None) -> riskeval.Pack:
    folder = tmp_path / "pk"
    shutil.copytree(default_pack_dir(), folder, ignore=shutil.ignore_patterns("tests"))
    tiers = folder / "tiers.yaml"
    text = tiers.read_text(encoding="utf-8")
    # rows: after the last row (the duties' comment follows the table); a duty: after the last duty
    if row is not None:
        assert "\n# What the result must also require" in text
        text = text.replace("\n# What the result must also require", f"{row}\n\n# What the result must also require", 1)
    if duty is not None:
        text = text.replace("\nroster:\n", f"{duty}\nroster:\n", 1)
    tiers.write_text(text, encoding="utf-8")
    return riskeval.load_pack(folder)


def _households() -> list[dict[str, Any]]:
    out = []
    for path in sorted(EXAMPLES.glob("*.json")):
        h = json.loads(path.read_text(encoding="utf-8"))
        for m in h["members"] or []:
            m["substance_abuse"] = True  # so that the aggregations hold somewhere
        out.append(h)
    return out


def _same(pack: riskeval.Pack) -> list[dict[str, Any]]:
    hhs = _households()
    one = [
        {k: c[k] for k in KEYS}
        for h in hhs
        for c in riskeval.assess(h, on=ON, pack=pack).model_dump(mode="json")["children"]
    ]
    many = [{k: r[k] for k in KEYS} for r in riskeval.assess_batch(hhs, on=ON, pack=pack).to_records()]
    assert many == one
    return one


@pytest.mark.parametrize("name", sorted(ROWS))
def test_a_tier_row_with_an_aggregation(tmp_path: Path, name: str) -> None:
    pack = _pack(tmp_path, row=ROWS[name])
    assert any(r.id.endswith(name) for r in pack.tier_rows)
    rows = {c["tier_row"] for c in _same(pack)}
    if name == "score_in_aggregation":
        assert "urgent_score_in_aggregation" in rows  # the row decides somewhere: not a vacuous comparison


def test_a_duty_reading_the_score_inside_an_aggregation(tmp_path: Path) -> None:
    pack = _pack(tmp_path, duty=DUTY)
    held = [d["id"] for c in _same(pack) for d in c["duties"]]
    assert "test_duty" in held
