"""assess_stream: chunk by chunk, the same results, rows and records as one assess_batch over the whole input."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

import riskeval
from riskeval.cli import main
from riskeval.population import read_population
from riskeval.stream import combine_summaries

ROOT = Path(__file__).resolve().parents[1]
ON = datetime.date(2025, 12, 1)
PACK = riskeval.load_pack()


def _lines(copies: int) -> list[str]:
    """The example households, each copied under new ids, with a line that is no JSON and one bad household."""
    out = []
    for path in sorted((ROOT / "examples" / "households").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        for k in range(copies):
            out.append(json.dumps({**data, "id": f"{data['id']}-{k}"}, ensure_ascii=False))
    out.insert(5, "{not json")
    out.insert(9, json.dumps({"id": "bad", "children": [{"id": "c", "birth_date": "2015-02-30"}]}))
    return out


def _core(records: Any) -> list[dict[str, Any]]:
    return [
        {k: r[k] for k in ("household_id", "child_id", "status", "tier", "categories", "data_gaps")} for r in records
    ]


@pytest.mark.parametrize("chunk_size", [1, 2, 5, 1000])
def test_streaming_equals_one_batch(tmp_path: Path, chunk_size: int) -> None:
    """Households with several children straddle every chunk size: each stays whole, and the chunks' results,
    rows, records (households[k], row k of the whole input) and summary are one batch's."""
    source = tmp_path / "households.jsonl"
    source.write_text("\n".join(_lines(3)) + "\n", "utf-8")
    whole = riskeval.assess_batch(read_population(source), on=ON, pack=PACK)
    chunks = list(riskeval.assess_stream(source, on=ON, pack=PACK, chunk_size=chunk_size))
    assert len(chunks) > 1 or chunk_size == 1000
    assert _core(r for c in chunks for r in c.to_records()) == _core(whole.to_records())
    assert np.concatenate([c.row for c in chunks]).tolist() == whole.row.tolist()
    assert [e for c in chunks for e in c.errors] == whole.errors
    assert sum(c.rows_in for c in chunks) == whole.rows_in
    combined, one = combine_summaries(c.summary() for c in chunks).as_dict(), whole.summary().as_dict()
    assert combined.pop("visits_per_month") == pytest.approx(one.pop("visits_per_month"))  # summed in floats
    assert combined == one


def test_streaming_writes_results_and_errors_chunk_by_chunk(tmp_path: Path) -> None:
    """out= and errors= are written as the chunks go: the file holds every assessed child, nulls kept."""
    source = tmp_path / "households.jsonl"
    source.write_text("\n".join(_lines(2)) + "\n", "utf-8")
    out, errors = tmp_path / "results.parquet", tmp_path / "errors.jsonl"
    seen = []
    chunks = riskeval.assess_stream(source, on=ON, pack=PACK, chunk_size=3, out=out, errors=errors,
                                    progress=lambda children, households: seen.append(children))  # fmt: skip
    assessed = sum(c.assessed for c in chunks)
    table = pq.read_table(out)
    assert table.num_rows == assessed == seen[-1]
    assert seen == sorted(seen) and len(seen) > 1
    whole = riskeval.assess_batch(read_population(source), on=ON, pack=PACK).to_arrow()
    assert table.column("category.in_difficulty").to_pylist() == whole.column("category.in_difficulty").to_pylist()
    records = [json.loads(line) for line in errors.read_text("utf-8").splitlines()]
    assert {r["code"] for r in records} >= {"invalid_json", "invalid_date"}


def test_a_household_generator_is_read_lazily() -> None:
    """An iterator of households is consumed one chunk at a time (a database cursor never loaded whole)."""
    taken: list[int] = []

    def households() -> Any:
        for k in range(10):
            taken.append(k)
            yield {"id": f"h{k}", "children": [{"id": "c1", "birth_date": "2015-03-02"}]}

    stream = riskeval.assess_stream(households(), on=ON, pack=PACK, chunk_size=4)
    first = next(stream)
    assert first.assessed == 4 and len(taken) == 4
    assert sum(c.assessed for c in stream) == 6


def test_cli_batch_streams_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`riskeval batch x.jsonl --chunk-size N`: streamed, with the one-batch summary, rows and records."""
    source = tmp_path / "households.jsonl"
    source.write_text("\n".join(_lines(2)) + "\n", "utf-8")
    out, errors = tmp_path / "r.csv", tmp_path / "e.jsonl"
    args = ["batch", str(source), "--on", "2025-12-01", "--out", str(out), "--errors", str(errors), "--format", "json"]
    assert main([*args, "--chunk-size", "2"]) == 1
    streamed = json.loads(capsys.readouterr().out)
    whole = riskeval.assess_batch(read_population(source), on=ON, pack=PACK)
    assert streamed["assessed"] == whole.assessed and streamed["errors"] == len(whole.errors)
    assert len(out.read_text("utf-8").splitlines()) == whole.assessed + 1
    assert [json.loads(x)["loc"] for x in errors.read_text("utf-8").splitlines()] == [e.loc for e in whole.errors]


def test_assess_batch_takes_a_json_lines_path(tmp_path: Path) -> None:
    """assess_batch(Path("x.jsonl")) reads it as read_population does: the same results and records."""
    source = tmp_path / "households.jsonl"
    source.write_text("\n".join(_lines(1)) + "\n", "utf-8")
    by_path = riskeval.assess_batch(source, on=ON, pack=PACK)
    read = riskeval.assess_batch(read_population(source), on=ON, pack=PACK)
    assert by_path.to_arrow().equals(read.to_arrow()) and by_path.errors == read.errors
