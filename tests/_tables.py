"""The example households as the two tables a welfare system exports: test data shared by the streaming tests."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from riskeval.facts import parse_household
from riskeval.population import to_tables

ROOT = Path(__file__).resolve().parents[1]


def example_frames(copies: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The example households copied under new ids (several have two or three children and a few adults),
    as children and members DataFrames sorted by household id, empty cells None."""
    households = []
    for path in sorted((ROOT / "examples" / "households").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        households += [parse_household({**data, "id": f"{data['id']}-{k}"}) for k in range(copies)]
    population = to_tables(households)
    kids = pd.DataFrame(population.children).sort_values("household_id", kind="stable", ignore_index=True)
    members = pd.DataFrame(population.members).sort_values("household_id", kind="stable", ignore_index=True)
    return kids.astype(object).where(kids.notna(), None), members.astype(object).where(members.notna(), None)
