"""Unknown stays unknown in every table: pandas NA, Arrow nulls, empty CSV cells, Parquet nulls."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskeval
from riskeval.cli import main
from riskeval.evaluate import scalar_program
from riskeval.facts import Household
from riskeval.testing import ASSESSMENT_DATE, households

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PACK = riskeval.load_pack()
ON = ASSESSMENT_DATE
LAW = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _letter() -> list[Household]:
    return [riskeval.parse_household(p.read_text("utf-8")) for p in sorted((EXAMPLES / "households").glob("*.json"))]


def _cell(frame: Any, i: int, column: str) -> bool | None:
    v = frame[column].iloc[i]
    return None if v is pd.NA else bool(v)


@LAW
@given(st.lists(households(), min_size=1, max_size=5, unique_by=lambda h: h.id))
def test_a_cell_is_na_exactly_when_the_scalar_form_finds_the_rule_unknown(hhs: list[Household]) -> None:
    """For every child and every category, factor and duty: the cell is NA exactly when the reference form
    evaluates the rule to unknown, else the rule's value; ``gap.<rule>`` is set exactly when assess() lists a
    data gap for that rule; tier and status are assess()'s."""
    result = riskeval.assess_batch(hhs, on=ON, pack=PACK)
    frame = result.to_pandas()
    prog = scalar_program(PACK)
    i = 0
    for hh in hhs:
        assessed = riskeval.assess(hh, on=ON, pack=PACK, explain=False, schedule=False)
        for child, got in zip(hh.children, assessed.children, strict=True):
            record = prog.evaluate(hh, child, ON)
            values = record.rule_values  # empty for a child who has exited: in no category, no factor, no duty
            for kind, labels in (("category", result.category_labels), ("factor", result.factor_labels),
                                 ("duty", result.duty_labels)):  # fmt: skip
                for name in labels:
                    want = values.get((kind, name), False)
                    assert _cell(frame, i, f"{kind}.{name}") == want, (kind, name, want)
            gaps = {g.rule for g in got.data_gaps}
            for column in (c for c in frame.columns if c.startswith("gap.")):
                assert bool(frame[column].iloc[i]) == (column[4:] in gaps), column
            assert frame["status"].iloc[i] == got.status
            assert (None if frame["tier"].iloc[i] is pd.NA or pd.isna(frame["tier"].iloc[i])
                    else frame["tier"].iloc[i]) == got.tier  # fmt: skip
            severity = {f.code: f.severity for f in got.factors}
            for code in result.factor_labels:
                shown = frame[f"factor.{code}.severity"].iloc[i]
                assert (None if pd.isna(shown) else shown) == severity.get(code)
            i += 1
    assert i == len(frame)


def test_the_letters_household_2_is_unknown_in_difficulty_not_false() -> None:
    """Regression: the letter's household 2, whose 困境 is unknown, showed in_difficulty = False."""
    result = riskeval.assess_batch([h for h in _letter() if h.id == "letter-2"], on=datetime.date(2025, 12, 1))
    frame = result.to_pandas()
    assert frame["category.in_difficulty"].isna().all()
    assert frame["gap.in_difficulty"].all()
    table = result.to_arrow()
    assert table.column("category.in_difficulty").null_count == len(frame)
    assert result.category("in_difficulty").mask.all()


def test_tables_have_nullable_booleans_and_ordered_categoricals_in_the_packs_order() -> None:
    """Rules are pandas ``boolean``/Arrow bool, tiers and statuses ordered in the order the pack declares."""
    result = riskeval.assess_batch(_letter(), on=datetime.date(2025, 12, 1), pack=PACK)
    frame = result.to_pandas()
    assert str(frame["category.orphan"].dtype) == "boolean"
    assert str(frame["duty.mandatory_report"].dtype) == "boolean"
    assert frame["tier"].cat.ordered and list(frame["tier"].cat.categories) == [t.id for t in PACK.tiers]
    assert list(frame["status"].cat.categories) == list(result.status_labels)
    assert list(frame["visit_frequency"].cat.categories) == list(PACK.frequencies)
    schema = result.to_arrow().schema
    assert schema.field("category.orphan").type == pa.bool_()
    assert schema.field("tier").type.ordered
    stamp = json.loads(schema.metadata[b"riskeval"])
    assert stamp["pack"] == PACK.identity() and stamp["as_of"] == "2025-12-01"
    assert frame.attrs["riskeval"] == stamp


def test_batch_files_keep_unknown_as_an_empty_cell_or_a_null(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`riskeval batch`: a CSV cell is empty exactly where the table is NA (booleans true/false), Parquet
    holds nulls there and the stamp in its metadata; CSV's stamp is in a sidecar."""
    source = tmp_path / "letter.jsonl"
    source.write_text("".join(h.model_dump_json() + "\n" for h in _letter()), "utf-8")
    want = riskeval.assess_batch(_letter(), on=datetime.date(2025, 12, 1), pack=PACK).to_pandas()
    for suffix in (".csv", ".parquet"):
        out = tmp_path / f"results{suffix}"
        assert (
            main(["batch", str(source), "--on", "2025-12-01", "--out", str(out), "--errors", str(tmp_path / "e")]) == 0
        )
        if suffix == ".csv":
            got = pd.read_csv(out, dtype=str, keep_default_na=False)
            stamp = json.loads((tmp_path / "results.csv.riskeval.json").read_text("utf-8"))
        else:
            got = pq.read_table(out).to_pandas()
            stamp = json.loads(pq.read_schema(out).metadata[b"riskeval"])
        assert stamp["as_of"] == "2025-12-01"
        for column in (c for c in want.columns if c.startswith(("category.", "factor.", "duty.", "gap."))):
            if column.endswith(".severity"):
                continue
            if suffix == ".csv":
                shown = [None if v == "" else v == "true" for v in got[column]]
                assert set(got[column]) <= {"", "true", "false"}
            else:
                shown = [None if v is pd.NA or v is None else bool(v) for v in got[column]]
            assert shown == [None if v is pd.NA else bool(v) for v in want[column]], column
    capsys.readouterr()


class _Stream:
    """A table that offers only the Arrow PyCapsule protocol, as a polars or DuckDB frame does."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._table.__arrow_c_stream__(requested_schema)


def test_tables_through_the_arrow_pycapsule_protocol_give_the_same_results() -> None:
    """A children/members pair offered through ``__arrow_c_stream__`` (polars, DuckDB) is read like pyarrow."""
    hhs = [h for h in _letter() if h.id != "letter-1"]
    tables = riskeval.population.to_tables(hhs)
    kids, members = pa.table(tables.children), pa.table(tables.members)
    on = datetime.date(2025, 12, 1)
    want = riskeval.assess_batch(riskeval.Population(kids, members), on=on, pack=PACK)
    got = riskeval.assess_batch(riskeval.Population(_Stream(kids), _Stream(members)), on=on, pack=PACK)
    assert got.to_arrow().equals(want.to_arrow()) and got.errors == want.errors


def test_error_records_as_a_table() -> None:
    """errors_to_pandas / errors_to_arrow: one row per record, the value as JSON text, row null for a column."""
    bad = [{"id": "h1", "children": [{"id": "c1", "birth_date": "2015-02-30"}]}, {"id": "h2", "children": []}]
    result = riskeval.assess_batch(bad, on=datetime.date(2025, 12, 1), pack=PACK)
    frame = result.errors_to_pandas()
    assert frame["loc"].tolist() == [e.loc for e in result.errors]
    assert frame["row"].tolist() == [e.row for e in result.errors]
    assert json.loads(frame["value"].iloc[0]) == "2015-02-30"
    assert result.errors_to_arrow().num_rows == len(result.errors) > 0


def test_polars_frames_give_the_same_results_as_pandas() -> None:
    """A real polars pair (what an analyst's pipeline holds) is assessed as the same pandas pair is: through
    the Arrow PyCapsule protocol, with no pandas in between and no raw AttributeError."""
    pl = pytest.importorskip("polars", reason="polars is in the dev extra; install it to run this test")
    hhs = [h for h in _letter() if h.id != "letter-1"]
    tables = riskeval.population.to_tables(hhs)
    kids, members = pa.table(tables.children), pa.table(tables.members)
    on = datetime.date(2025, 12, 1)
    want = riskeval.assess_batch(riskeval.Population(kids.to_pandas(), members.to_pandas()), on=on, pack=PACK)
    got = riskeval.assess_batch(riskeval.Population(pl.from_arrow(kids), pl.from_arrow(members)), on=on, pack=PACK)
    assert len(got) == len(want) > 0
    assert got.to_arrow().equals(want.to_arrow()) and got.errors == want.errors
