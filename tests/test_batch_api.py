"""assess_batch's result and files: arrays, records, summary, explanations, CSV/Parquet/JSONL, the command line."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import riskeval
from riskeval.cli import main
from riskeval.evaluate import vector_program
from riskeval.population import Population, columns, read_population, to_tables

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ON = datetime.date(2025, 12, 1)  # the date the example households describe
PACK = riskeval.load_pack()


def example_households() -> list[riskeval.Household]:
    return [riskeval.parse_household(p.read_text("utf-8")) for p in sorted((EXAMPLES / "households").glob("*.json"))]


@pytest.fixture(scope="module")
def result() -> riskeval.BatchResult:
    return riskeval.assess_batch(example_households(), on=ON, pack=PACK)


def test_arrays_agree_with_the_records(result: riskeval.BatchResult) -> None:
    """Status, tier, frequency, score, category and factor bitmasks and gap flags say what the records say."""
    for i, rec in enumerate(result.to_records()):
        assert result.status_labels[result.status[i]] == rec["status"]
        assert (result.tier_labels[result.tier[i]] if result.tier[i] >= 0 else None) == rec["tier"]
        freq = result.frequency[i]
        assert (result.frequency_labels[freq] if freq >= 0 else None) == rec["visit_frequency"]
        assert result.score[i] == rec["score"]
        assert [c for c in result.category_labels if result.category(c)[i]] == rec["categories"]
        assert [f for f in result.factor_labels if result.factor(f)[i]] == [f["code"] for f in rec["factors"]]
        gaps = {(g["kind"], g["rule"]) for g in rec["data_gaps"]}
        assert bool(result.roster_gap[i]) == any(k == "roster" for k, _ in gaps)
        for k, c in enumerate(result.category_labels):
            assert bool(result.category_gaps[i] >> np.uint64(k) & np.uint64(1)) == (("category", c) in gaps)
        for k, f in enumerate(result.factor_labels):
            assert bool(result.factor_gaps[i] >> np.uint64(k) & np.uint64(1)) == (("factor", f) in gaps)
        assert (result.household_id[i], result.child_id[i]) == (rec["household_id"], rec["child_id"])


def test_summary_counts_children_and_monthly_visits(result: riskeval.BatchResult) -> None:
    """The summary counts by status, tier, category and frequency; visits per month: monthly 1, quarterly 1/3."""
    s = result.summary()
    records = list(result.to_records())
    assert s.rows_in == s.assessed + s.rejected == len(records)
    assert s.by_status == {k: sum(r["status"] == k for r in records) for k in result.status_labels}
    assert s.by_tier == {k: sum(r["tier"] == k for r in records) for k in result.tier_labels}
    assert s.by_category == {c: sum(c in r["categories"] for r in records) for c in result.category_labels}
    assert s.visits_per_month == pytest.approx(s.by_frequency["monthly"] + s.by_frequency["quarterly"] / 3)
    assert "home visits per month" in str(s)
    assert json.loads(json.dumps(s.as_dict()))["assessed"] == s.assessed


def test_explain_gives_what_assess_gives(result: riskeval.BatchResult) -> None:
    """explain(i) is the scalar path's assessment of that child, its explanation included."""
    households = {h.id: h for h in example_households()}
    for i in range(len(result)):
        hh = households[str(result.household_id[i])]
        want = next(c for c in riskeval.assess(hh, on=ON, pack=PACK).children if c.child_id == result.child_id[i])
        assert result.explain(i) == want
        assert want.explanation is not None


def test_to_pandas_has_one_row_per_child(result: riskeval.BatchResult) -> None:
    """to_pandas: ids, status, tier, frequency, score, one column per category and factor, gap counts."""
    frame = result.to_pandas()
    assert len(frame) == result.assessed
    assert {"household_id", "child_id", "status", "tier", "visit_frequency", "score", "data_gaps"} <= set(frame)
    assert {f"category.{c}" for c in result.category_labels} | {f"factor.{f}" for f in result.factor_labels} <= set(
        frame
    )
    records = list(result.to_records())
    assert frame["data_gaps"].tolist() == [len(r["data_gaps"]) for r in records]
    assert [None if pd.isna(t) else t for t in frame["tier"]] == [r["tier"] for r in records]


def test_csv_templates_give_what_the_example_households_give() -> None:
    """examples/population (the CSV templates) assess exactly as the example households they were made from."""
    from_files = riskeval.assess_batch(read_population(EXAMPLES / "population"), on=ON, pack=PACK)
    from_json = riskeval.assess_batch(example_households(), on=ON, pack=PACK)
    assert from_files.errors == []
    assert list(from_files.to_records()) == list(from_json.to_records())


def test_csv_templates_have_every_documented_column() -> None:
    """The templates' headers are the documented columns (names aside), in order."""
    for table in ("children", "members"):
        header = (EXAMPLES / "population" / f"{table}.csv").read_text("utf-8").splitlines()[0].split(",")
        assert header == [c.name for c in columns()[table] if c.name != "name"]


def test_docs_list_every_column() -> None:
    """docs/batch.md documents every column of both tables."""
    text = (ROOT / "docs" / "batch.md").read_text("utf-8")
    documented = set(re.findall(r"^\| `([^`]+)` \|", text, re.M))
    assert {c.name for cols in columns().values() for c in cols} <= documented


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_files_round_trip(tmp_path: Path, suffix: str) -> None:
    """Tables written as CSV or Parquet read back (folder, or children file with its members beside it)."""
    pop = to_tables(example_households())
    for name, table in (("children", pop.children), ("members", pop.members)):
        frame = pd.DataFrame(table)
        path = tmp_path / f"{name}{suffix}"
        frame.to_csv(path, index=False) if suffix == ".csv" else frame.astype(object).to_parquet(path, index=False)
    want = list(riskeval.assess_batch(pop, on=ON, pack=PACK).to_records())
    for source in (tmp_path, tmp_path / f"children{suffix}"):
        got = riskeval.assess_batch(read_population(source), on=ON, pack=PACK)
        assert got.errors == [] and list(got.to_records()) == want


def test_json_lines_keep_bad_lines_as_rejected_rows(tmp_path: Path) -> None:
    """JSON lines: one household per line; a line that is not JSON is a rejected row with a record."""
    path = tmp_path / "households.jsonl"
    lines = [h.model_dump_json() for h in example_households()] + ["{broken"]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = riskeval.assess_batch(read_population(path), on=ON, pack=PACK)
    assert result.rejected == 1 and [e.code for e in result.errors] == ["invalid_json"]


def test_population_mapping_is_accepted() -> None:
    """A mapping {"children": ..., "members": ...} is read as the two tables."""
    pop = to_tables(example_households())
    a = riskeval.assess_batch({"children": pop.children, "members": pop.members}, on=ON, pack=PACK)
    b = riskeval.assess_batch(Population(pop.children, pop.members), on=ON, pack=PACK)
    assert list(a.to_records()) == list(b.to_records())


def test_numpy_form_is_compiled_once_per_pack() -> None:
    """The pack's numpy form is built on first use and kept by evaluate/ for the pack's content."""
    riskeval.assess_batch(example_households()[:1], on=ON, pack=PACK)
    first = vector_program.cached(PACK)
    assert first is not None
    riskeval.assess_batch(example_households()[:1], on=ON, pack=riskeval.load_pack(PACK.path))
    assert vector_program.cached(PACK) is first


def run_cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_batch_writes_results_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """riskeval batch: the summary and error count on stdout, the results in the file asked for."""
    out = tmp_path / "results.jsonl"
    code, stdout, _ = run_cli("batch", str(EXAMPLES / "population"), "--on", str(ON), "--out", str(out),
                              "--errors", str(tmp_path / "errors.jsonl"), capsys=capsys)  # fmt: skip
    assert code == 0
    assert "assessed 11, rejected 0" in stdout and "error records: 0" in stdout
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    want = riskeval.assess_batch(read_population(EXAMPLES / "population"), on=ON, pack=PACK)
    assert records == json.loads(json.dumps(list(want.to_records())))
    for suffix in (".csv", ".parquet"):
        target = tmp_path / f"results{suffix}"
        args = ("batch", str(EXAMPLES / "population"), "--on", str(ON), "--out", str(target))
        assert run_cli(*args, "--errors", str(tmp_path / f"errors{suffix}.jsonl"), capsys=capsys)[0] == 0
        frame = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
        assert len(frame) == 11


def test_cli_batch_writes_error_records_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad rows: still assessed where possible, records to --errors (no names), exit code 1."""
    kids = pd.read_csv(EXAMPLES / "population" / "children.csv", dtype=str)
    kids.loc[0, "school"] = "nope"
    kids["name"] = "王小明"
    kids.to_csv(tmp_path / "children.csv", index=False)
    (tmp_path / "members.csv").write_text((EXAMPLES / "population" / "members.csv").read_text("utf-8"), "utf-8")
    errors = tmp_path / "errors.jsonl"
    code, stdout, _ = run_cli("batch", str(tmp_path), "--on", str(ON), "--errors", str(errors), "--format", "json",
                              capsys=capsys)  # fmt: skip
    assert code == 1
    summary = json.loads(stdout)
    assert (summary["assessed"], summary["rejected"], summary["errors"]) == (10, 1, 1)
    (record,) = [json.loads(line) for line in errors.read_text("utf-8").splitlines()]
    assert record == {"loc": "children.school", "code": "enum", "row": 0, "value": "nope",
                      "message": record["message"]}  # fmt: skip
    assert "王小明" not in errors.read_text("utf-8")


def test_cli_batch_empties_an_errors_file_left_by_an_earlier_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clean run writes no errors file, but one left by an earlier run must not pass for this run's records;
    a clean run with no file there creates none."""
    stale = tmp_path / "errors.jsonl"
    stale.write_text('{"loc": "children.school", "code": "enum"}\n', "utf-8")
    code, stdout, _ = run_cli("batch", str(EXAMPLES / "population"), "--on", str(ON), "--errors", str(stale),
                              capsys=capsys)  # fmt: skip
    assert code == 0 and stale.read_text("utf-8") == ""
    assert "error records: 0" in stdout and "emptied" in stdout
    fresh = tmp_path / "none.jsonl"
    code, _, _ = run_cli("batch", str(EXAMPLES / "population"), "--on", str(ON), "--errors", str(fresh), capsys=capsys)
    assert code == 0 and not fresh.exists()


def test_cli_batch_progress_bar_on_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--progress draws the bar on stderr (stdout keeps only the summary)."""
    code, stdout, stderr = run_cli("batch", str(EXAMPLES / "population"), "--on", str(ON), "--progress",
                                   "--errors", str(tmp_path / "e.jsonl"), capsys=capsys)  # fmt: skip
    assert code == 0 and "assessing" in stderr and "[" in stderr and "assessing" not in stdout


def test_cli_batch_bad_arguments_are_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing input or an unknown output format: one JSON record on stderr, exit code 1, no traceback."""
    missing = ["batch", str(tmp_path / "nowhere"), "--on", str(ON)]
    excel = ["batch", str(EXAMPLES / "population"), "--on", str(ON), "--out", str(tmp_path / "x.xlsx")]
    for args in (missing, excel):
        code, _, stderr = run_cli(*args, capsys=capsys)
        assert code == 1
        assert json.loads(stderr.splitlines()[0])["code"] in {"file_not_found", "format"}


def test_the_default_tier_table_is_decided_per_group_of_inputs() -> None:
    """The table's predicate on the parents (special_parent_held) and the roster rule's aged_out are computed
    once per child and read as group keys: the whole table reads only keys, so a population is decided per
    group, not per child."""
    table = vector_program(riskeval.load_pack()).table
    assert [key for key, _ in table.parts] == [("part", "0"), ("part", "1")]
    assert ("part", "0") in table.refs and ("part", "1") in table.refs
    assert table.compact
