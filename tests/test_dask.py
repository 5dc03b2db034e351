"""riskeval.dask on a LocalCluster of two worker processes: what assess_batch gives on the whole tables, row for
row, with every error record, over a population spread across partitions without regard to households."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("dask", reason="riskeval.dask needs the extra riskeval[dask]")
pytest.importorskip("distributed", reason="riskeval.dask needs the extra riskeval[dask]")

import dask
import dask.dataframe as dd
import pandas as pd
from distributed import Client, LocalCluster

import riskeval
import riskeval.dask
from riskeval.population import Population

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synthetic import ON, population

CHILDREN = 200_000
KEY = ["household_id", "child_id"]


def _spoiled(pop: Population) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The synthetic tables with bad rows put in (each kind a record of its own), the households' ids as whole
    numbers in one table and as their digits in the other, and the rows shuffled, so that a household's
    children and members start out in different partitions."""
    rng = np.random.default_rng(16)
    children, members = pop.children.copy(), pop.members.copy()
    n, m = len(children), len(members)
    grade = children["disability.grade"].to_numpy(copy=True)
    grade[rng.choice(n, 300, replace=False)] = 9  # out of range: the child row is rejected
    children["disability.grade"] = grade
    spending = members["medical_spending_12m"].to_numpy(copy=True)
    spending[rng.choice(m, 200, replace=False)] = -5.0  # a bad member row rejects its household's children
    members["medical_spending_12m"] = spending
    stray = members.iloc[:50].copy()
    stray["household_id"] = stray["household_id"] + 10**7  # members of households without children
    stray["member_id"] = stray["member_id"] + 10**7
    members = pd.concat([members, stray], ignore_index=True)
    twins = rng.choice(np.flatnonzero(children["household_id"].duplicated(keep="first")), 100, replace=False)
    child_id = children["child_id"].to_numpy(copy=True)
    child_id[twins] = child_id[twins - 1]  # a sibling's id: a duplicate_id in that household
    children["child_id"] = child_id
    members["household_id"] = members["household_id"].astype(str)
    children = children.iloc[rng.permutation(len(children))].reset_index(drop=True)
    members = members.iloc[rng.permutation(len(members))].reset_index(drop=True)
    return children, members


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    return _spoiled(population(CHILDREN, seed=16, on=ON))


def _parquet(frame: pd.DataFrame, folder: Path, files: int) -> dd.DataFrame:
    """The table as ``files`` Parquet files read by the workers (as on a cluster: no data in the task graph)."""
    folder.mkdir()
    for k, part in enumerate(np.array_split(np.arange(len(frame)), files)):
        frame.iloc[part].to_parquet(folder / f"part-{k}.parquet")
    return dd.read_parquet(folder)


@pytest.fixture
def client() -> Client:
    with (
        LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as c,
    ):
        yield c


def _records(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return sorted(frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None), key=repr)


def test_a_cluster_gives_what_assess_batch_gives_row_for_row(
    tables: tuple[pd.DataFrame, pd.DataFrame], client: Client, tmp_path: Path
) -> None:
    """200k children in 7 Parquet files, their members in 5, households scattered: on two worker processes
    every child's row equals assess_batch's on the whole tables, and every error record comes back, once."""
    children, members = tables
    expected = riskeval.assess_batch(Population(children, members), on=ON)
    assert expected.rejected > 500  # the spoiled rows are there to be accounted for
    started = time.perf_counter()
    results, errors, stamp = riskeval.dask.assess(
        _parquet(children, tmp_path / "children", 7),
        _parquet(members, tmp_path / "members", 5),
        on=ON,
        pack=riskeval.load_pack(),
    )
    got, got_errors = dask.compute(results, errors)
    print(f"riskeval.dask on 2 workers: {len(children)} children in {time.perf_counter() - started:.1f} s")
    want = expected.to_pandas()
    assert list(got.dtypes.items()) == list(want.dtypes.items()) == list(results.dtypes.items())
    got = got.sort_values(KEY).reset_index(drop=True)
    want = want.sort_values(KEY).reset_index(drop=True)
    if not got.equals(want):  # the quick check (values, NA places, dtypes); the slow one says where they differ
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert _records(got_errors) == _records(expected.errors_to_pandas())
    assert stamp == expected.stamp
    child_errors = got_errors[got_errors["loc"].str.startswith("children")]
    assert set(got["row"]) | set(child_errors["row"].dropna()) == set(range(len(children)))
    assert len(got) == expected.assessed and set(got["row"]).isdisjoint(child_errors["row"].dropna())


def test_ids_and_their_digits_hash_to_one_partition() -> None:
    """12, 12.0 and "12" are one household (as assess_batch joins them); the empty cells go together too."""
    parts = riskeval.dask.household_partition
    ints = parts(pd.Series([12, 7, 40_000_001]), 16)
    assert (parts(pd.Series(["12", "7", "40000001"]), 16) == ints).all()
    assert (parts(pd.Series([12.0, 7.0, 40_000_001.0]), 16) == ints).all()
    assert (parts(pd.Series([12, 7, 40_000_001], dtype="Int64"), 16) == ints).all()
    assert (parts(pd.Series(["12", 7, np.int64(40_000_001)], dtype=object), 16) == ints).all()
    assert len(set(parts(pd.Series([None, np.nan, ""], dtype=object), 16))) == 1
    assert len(set(parts(pd.Series([f"h{k}" for k in range(1000)]), 16))) == 16  # spread, not one partition


def test_a_table_without_household_ids_is_refused() -> None:
    """No household_id (column or index): a FactsError naming the table, before anything is computed."""
    children = dd.from_pandas(pd.DataFrame({"child_id": ["c1"]}), npartitions=1)
    with pytest.raises(riskeval.FactsError) as exc:
        riskeval.dask.assess(children, None, on=ON)
    assert [(r.loc, r.code) for r in exc.value.records] == [("children.household_id", "missing")]
    with pytest.raises(TypeError, match="dask DataFrame"):
        riskeval.dask.assess(pd.DataFrame({"household_id": ["h1"]}), None, on=ON)
    with pytest.raises(ValueError, match="npartitions"):
        riskeval.dask.assess(dd.from_pandas(pd.DataFrame({"household_id": ["h1"]}), npartitions=1), None, on=ON,
                             npartitions=0)  # fmt: skip


def test_a_household_id_index_is_read_as_the_column() -> None:
    """Tables indexed by household_id (after a set_index) are assessed as the same tables with the column."""
    frame = pd.DataFrame({"household_id": ["h1", "h2", "h1"], "child_id": ["a", "b", "c"], "sex": "female"})
    by_index = dd.from_pandas(frame.set_index("household_id"), npartitions=2)
    results, errors, _ = riskeval.dask.assess(by_index, None, on=ON, npartitions=3, shuffle_method="tasks")
    got, bad = dask.compute(results, errors, scheduler="sync")
    want = riskeval.assess_batch({"children": frame}, on=ON).to_pandas()
    assert sorted(got["child_id"]) == sorted(want["child_id"]) and bad.empty


def test_a_partition_holding_another_partitions_rows_is_refused() -> None:
    """The guard each task runs: rows hashed to partition 0 handed to partition 1 are an error, not results."""
    frame = pd.DataFrame({"household_id": ["h1"], "child_id": ["c1"], riskeval.dask.ROW: [0]}, index=[0])
    meta = (pd.DataFrame(), pd.DataFrame())
    with pytest.raises(riskeval.EvaluationError, match="not household-aligned"):
        riskeval.dask._assess_partition(1, frame, None, ON, None, meta)


def test_extra_columns_ride_along_and_member_columns_are_said_once() -> None:
    """A children table's extra columns come out of the partitions as to_pandas() gives them (Int64 and
    boolean with NA, row-aligned; regression: the meta had no such column and every partition failed), and a
    members table's extra column is one not_carried record, not one per partition."""
    n = 12
    frame = pd.DataFrame({"household_id": [f"h{k // 2}" for k in range(n)], "child_id": [f"c{k}" for k in range(n)]})
    frame["sex"] = "female"
    frame["district"] = [None if k % 5 == 0 else f"d{k}" for k in range(n)]
    frame["grid"] = pd.array([None if k % 4 == 1 else k for k in range(n)], "Int64")
    frame["visited"] = pd.array([None if k % 3 == 0 else k % 2 == 0 for k in range(n)], "boolean")
    adults = pd.DataFrame({"household_id": [f"h{k}" for k in range(6)], "member_id": [f"m{k}" for k in range(6)]})
    adults["note"] = "x"
    kids, members = dd.from_pandas(frame, npartitions=3), dd.from_pandas(adults, npartitions=2)
    results, errors, _ = riskeval.dask.assess(kids, members, on=ON, npartitions=3)
    got, bad = dask.compute(results, errors, scheduler="sync")
    want = riskeval.assess_batch(Population(frame, adults), on=ON).to_pandas()
    got = got.sort_values("row", ignore_index=True)
    pd.testing.assert_frame_equal(got[["child_id", "district", "grid", "visited"]],
                                  want[["child_id", "district", "grid", "visited"]])  # fmt: skip
    assert list(got.columns) == list(want.columns)
    assert [(r.loc, r.code) for r in bad.itertuples()] == [("members.note", "not_carried")]
