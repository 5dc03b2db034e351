"""Households for systematic checks: the example households, one household the examples lack, and every
household that differs from one of them in a single fact."""

from __future__ import annotations

import copy
import enum
import json
from datetime import date
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from riskeval.facts import Child, Household, Member

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "households").glob("*.json"))
_FIXED = {"id", "name", "relation", "father", "mother", "caregiver", "hukou", "residence", "birth_date"}


def _other_values(model: type[BaseModel], name: str, current: Any) -> list[Any]:
    """Unknown, and the values of the field's type other than ``current`` (a few, for numbers and dates)."""
    annotation = model.model_fields[name].annotation
    found: list[Any] = [None]
    for kind in (annotation, *get_args(annotation)):
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            found += [m.value for m in kind]
        elif kind is bool:
            found += [True, False]
        elif kind in (int, float):
            found += [0, 1, 3, 7, 13, 100, 5000, 100000]
        elif kind is date:
            found += ["2010-01-01", "2024-06-01", "2025-05-20"]
    return [v for v in found if v != current]


def single_fact_changes(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The household with one fact of a child, a member or the household changed (or made unknown)."""
    out = []
    groups: list[tuple[type[BaseModel], list[dict[str, Any]]]] = [(Child, raw["children"]),
                                                                  (Member, raw.get("members") or [])]  # fmt: skip
    for model, rows in groups:
        for i, row in enumerate(rows):
            for name in model.model_fields.keys() - _FIXED:
                for value in _other_values(model, name, row.get(name)):
                    changed_raw = copy.deepcopy(raw)
                    target = changed_raw["children" if model is Child else "members"][i]
                    target.pop(name, None)
                    if value is not None:
                        target[name] = value
                    out.append(changed_raw)
    for name in ("housing", "parents_relationship"):
        out += [{**raw, name: value} for value in _other_values(Household, name, raw.get(name))]
    return out


def away_father_unseen() -> dict[str, Any]:
    """A girl of ten living with her mother in her home district; her father works away and the date he last
    saw her in person is unknown: G10 (an away parent unseen for over 12 months, severity H) is unknown, no
    category holds, and an H factor would put her on the roster. So she is undetermined, not off the roster."""
    parent = {
        "status": "present",
        "disability": False,
        "serious_illness": False,
        "medical_spending_12m": 0.0,
        "civil_capacity": "full",
        "employment": "employed",
        "lives_with_children": True,
        "substance_abuse": False,
        "domestic_violence": False,
    }
    return {
        "id": "h1",
        "members": [
            {
                **parent,
                "id": "f1",
                "relation": "father",
                "status": "away_for_work",
                "status_since": "2023-01-01",
                "lives_with_children": False,
                "contact": "weekly",
            },
            {**parent, "id": "m1", "relation": "mother"},
        ],
        "children": [
            {
                "id": "c1",
                "birth_date": "2015-12-19",
                "sex": "female",
                "father": "f1",
                "mother": "m1",
                "caregiver": "m1",
                "hukou": {"province": "陕西省", "county": "碑林区", "type": "urban"},
                "residence": {"county": "碑林区", "since": "2015-12-19"},
                "school": "enrolled",
                "working": False,
                "disability": False,
                "serious_illness": False,
                "medical_insurance": True,
                "psych": "normal",
                "behaviour": [],
                "safety": [],
                "adopted": False,
                "birth_parents_untraceable": False,
                "acts_as_carer": False,
                "has_residence_permit": True,
            }
        ],
        "economy": {
            "dibao": "none",
            "income_per_capita": 2400.0,
            "medical_spending_12m": 0.0,
            "education_spending_12m": 0.0,
            "child_support_unpaid_months": 0,
            "income_drop_pct_3m": 0.0,
            "assets_over_limit": False,
        },
        "housing": "overcrowded",
        "parents_relationship": "married",
    }


def all_variants() -> list[dict[str, Any]]:
    """Every example household and the away father's, each followed by its single-fact changes, with ids made
    unique (some of them are households the facts refuse)."""
    out = []
    for raw in [*(json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES), away_father_unseen()]:
        for i, changed_raw in enumerate([raw, *single_fact_changes(raw)]):
            out.append({**changed_raw, "id": f"{raw['id']}-{i}"})
    return out
