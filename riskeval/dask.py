"""A population held as two Dask DataFrames, assessed on a cluster one household-aligned partition at a time.

Needs the optional extra ``riskeval[dask]`` (``dask[dataframe]`` and ``distributed``). Each partition is
given to :func:`riskeval.assess_batch`, so a partition's results are that function's, and the whole is
``assess_batch`` over the whole tables (``tests/test_dask.py`` checks it row for row on a LocalCluster).

Three traps are designed out:

- **a household split between partitions**: the children and members of one household must meet in one
  task, or the children are assessed without their adults. Both tables are moved into the same
  partitions by a hash of the household id (:func:`household_partition`; whole numbers and their digits
  are one id, as in ``assess_batch``), and each task refuses rows that belong to another partition.
  Repartitioning the two tables separately (``repartition``, ``set_index`` on each) does not align them.
- **lost error records**: ``map_partitions`` over ``assess_batch`` keeps ``to_pandas()`` and drops
  ``BatchResult.errors``. Here each task returns both, and the records are the second frame.
- **rows numbered per partition**: ``row`` (a result's input row) and an error record's ``row`` are places in
  the whole children (or members) table, as ``assess_batch`` numbers them.

Example:
    >>> import datetime, dask.dataframe as dd, pandas as pd, riskeval.dask
    >>> children = dd.from_pandas(pd.DataFrame({"household_id": ["h1", "h2"], "child_id": ["c1", "c2"],
    ...     "birth_date": ["2015-03-02", "2015-02-30"]}), npartitions=2)
    >>> members = dd.from_pandas(pd.DataFrame({"household_id": ["h1"], "member_id": ["m1"]}), npartitions=1)
    >>> results, errors, stamp = riskeval.dask.assess(children, members, on=datetime.date(2025, 12, 1))
    >>> import dask
    >>> done, bad = dask.compute(results, errors, scheduler="sync")
    >>> done["child_id"].tolist(), bad["code"].tolist(), bad["row"].tolist()
    (['c1'], ['invalid_date'], [1])
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any, NamedTuple

import numpy as np

try:
    import dask
    import dask.dataframe as dd
    import pandas as pd
except ImportError as _missing:  # pragma: no cover - depends on the environment
    raise ImportError(f"riskeval.dask needs dask and pandas: pip install 'riskeval[dask]' ({_missing})") from None

from riskeval.batch import assess_batch
from riskeval.errors import ErrorRecord, EvaluationError, FactsError
from riskeval.evaluate import default_pack
from riskeval.facts import assessment_date
from riskeval.pack import Pack
from riskeval.population import COLUMN_CODES, Population

__all__ = ["Assessed", "assess", "household_partition"]

HOUSEHOLD = "household_id"
ROW = "__riskeval_row"  # a row's place in its whole input table
PART = "__riskeval_partition"  # the partition its household is assessed in


class Assessed(NamedTuple):
    """What :func:`assess` gives: two lazy frames and the audit stamp of every row.

    Compute the two frames together (``dask.compute(results, errors)``): each partition is assessed once for
    both; computed one after the other, each partition is assessed twice.
    """

    results: Any  # dask DataFrame: one row per assessed child, BatchResult.to_pandas()'s columns and dtypes
    errors: Any  # dask DataFrame: every error record, BatchResult.errors_to_pandas()'s columns
    stamp: dict[str, Any]  # the pack (id, version, sha256), the riskeval version, the as-of date


def assess(
    children: Any,
    members: Any,
    *,
    on: date,
    pack: Pack | None = None,
    npartitions: int | None = None,
    shuffle_method: str | None = None,
) -> Assessed:
    """Assess a population held as two Dask DataFrames, keyed by ``household_id`` (the tables of
    :func:`riskeval.assess_batch`), each household in one partition with its members.

    Args:
        children: a dask DataFrame, one row per child (``household_id`` a column or the index's name).
        members: a dask DataFrame, one row per adult, or None (no member rows).
        on: the assessment date.
        pack: a loaded rule pack (default: the embedded default pack). It travels to the workers as its
            documents and is compiled once per worker process.
        npartitions: how many household-aligned partitions to assess (default: the larger table's).
        shuffle_method: how Dask moves rows to their household's partition (``"p2p"``, ``"tasks"``; default:
            Dask's choice when ``assess`` is called, ``p2p`` under a distributed Client). The task graph is
            made by this call: make it under the Client that computes it.

    Returns:
        :class:`Assessed` ``(results, errors, stamp)``. Every input row is accounted for: a child row is a
        row of ``results`` (its ``row``) or the ``row`` of an error record located ``children.*``.

    Raises:
        FactsError: a table without ``household_id`` (the partitions could not be aligned), a date the pack
            is not in force on.
        TypeError: a table that is not a dask DataFrame.
    """
    on = assessment_date(on)
    chosen = pack if pack is not None else default_pack()
    chosen.check_in_force(on)
    children = _with_household_column(children, "children")
    members = _with_household_column(members, "members") if members is not None else None
    default = max(children.npartitions, members.npartitions if members is not None else 1)
    parts = default if npartitions is None else npartitions
    if not isinstance(parts, int) or isinstance(parts, bool) or parts < 1:
        raise ValueError(f"npartitions: expected a whole number of at least 1, found {npartitions!r}")
    tables = [children] if members is None else [children, members]
    aligned = [_aligned(t, parts, shuffle_method) for t in tables]
    meta, stamp = _meta(on, chosen, children._meta)
    pack_key = None if pack is None else dask.delayed(pack, name=f"riskeval-pack-{pack.sha256}")
    kids = aligned[0].to_delayed()
    adults = aligned[1].to_delayed() if members is not None else [None] * parts
    task = dask.delayed(_assess_partition, nout=2, pure=True)
    pieces = [task(k, c, m, on, pack_key, meta) for k, (c, m) in enumerate(zip(kids, adults, strict=True))]
    # to_pandas()'s dtypes, text included: under pandas 2, Dask would turn object text into Arrow strings.
    with dask.config.set({"dataframe.convert-string": False}):
        results = dd.from_delayed([p[0] for p in pieces], meta=meta[0], verify_meta=False)
        errors = dd.from_delayed([p[1] for p in pieces], meta=meta[1], verify_meta=False)
    return Assessed(results, errors, stamp)


def household_partition(ids: Any, partitions: int) -> np.ndarray:
    """The partition (0 .. partitions-1) of each household id: a hash of its text, the same in any process.

    A whole number and its digits are one id (``12`` and ``"12"``), as ``assess_batch`` joins them; an empty
    cell goes where the empty text goes.
    """
    text = _id_text(pd.Series(ids) if not isinstance(ids, pd.Series) else ids)
    hashed = pd.util.hash_array(text, categorize=False)  # SipHash with pandas' fixed key: no process salt
    out: np.ndarray = (hashed % np.uint64(partitions)).astype(np.int64)
    return out


def _id_text(ids: pd.Series) -> np.ndarray:
    """Household ids as text objects, whole numbers as their digits, empty cells as ``""``."""
    kind = ids.dtype.kind
    if kind in "iu" and not ids.hasnans:
        out: np.ndarray = ids.to_numpy(np.int64).astype(str).astype(object)
        return out
    if kind in "iuf":
        numbers = ids.to_numpy(dtype=np.float64, na_value=np.nan)
        whole = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (np.abs(numbers) < 2**53)
        digits = np.where(whole, numbers, 0).astype(np.int64).astype(str)
        out = np.where(whole, digits, numbers.astype(str)).astype(object)
        out[np.isnan(numbers)] = ""
        return out
    values = ids.to_numpy(dtype=object, na_value="")
    out = values.copy()
    for i in np.flatnonzero([type(v) is not str for v in values]):
        out[i] = _one_id_text(values[i])
    return out


def _one_id_text(v: Any) -> str:
    if isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_):
        return str(int(v))
    if isinstance(v, float | np.floating) and math.isfinite(v) and float(v).is_integer() and abs(float(v)) < 2**53:
        return str(int(v))
    return "" if pd.isna(v) else str(v)


def _with_household_column(table: Any, name: str) -> Any:
    """The table with ``household_id`` as a column (an index of that name becomes one), else a clear refusal."""
    if not isinstance(table, dd.DataFrame):
        found = type(table).__name__
        raise TypeError(f"{name}: expected a dask DataFrame, found {found} (for in-memory tables: assess_batch)")
    if HOUSEHOLD in table.columns:
        return table
    if table.index.name == HOUSEHOLD:
        return table.reset_index()
    message = f"{name} has no household_id column: its households cannot be aligned with the other table's"
    raise FactsError([ErrorRecord(f"{name}.{HOUSEHOLD}", "missing", message)], message)


def _aligned(table: Any, parts: int, shuffle_method: str | None) -> Any:
    """The table's rows numbered in the whole table, then moved to their household's partition: partition k
    holds exactly the rows whose household hashes to k (its index), in both tables alike.

    Rows are counted on the very partitions they are numbered in (one graph from ``to_delayed``): a length
    counted on another reading of the table may count other partitions (Dask merges Parquet files into fewer
    partitions when it reads fewer columns), and the rows would be misnumbered without a sound.
    """
    pieces = table.to_delayed()
    counts = [dask.delayed(len, pure=True)(piece) for piece in pieces]
    keyed = [dask.delayed(_keyed, pure=True)(piece, counts[:k], parts) for k, piece in enumerate(pieces)]
    meta = table._meta.assign(**{ROW: np.array([], np.int64), PART: np.array([], np.int64)})
    frame = dd.from_delayed(keyed, meta=meta, verify_meta=False)
    return frame.set_index(PART, divisions=[*range(parts), parts - 1], shuffle_method=shuffle_method)


def _keyed(frame: pd.DataFrame, before: list[int], parts: int) -> pd.DataFrame:
    start = sum(before)
    rows = np.arange(start, start + len(frame), dtype=np.int64)
    return frame.assign(**{ROW: rows, PART: household_partition(frame[HOUSEHOLD], parts)})


def _meta(on: date, pack: Pack, table: pd.DataFrame) -> tuple[tuple[pd.DataFrame, pd.DataFrame], dict[str, Any]]:
    """The two frames' columns and dtypes, from a tiny real run (an assessed child and a rejected one); the
    children table's extra columns carried into the results (``district``) from a run over its empty meta."""
    children = {"household_id": ["h1", "h2"], "child_id": ["c1", "c2"], "birth_date": ["2015-03-02", "bad"]}
    tiny = assess_batch(Population(children, None), on=on, pack=pack)
    frame = tiny.to_pandas().iloc[:0]
    shape = assess_batch(Population(table.iloc[:0], None), on=on, pack=pack).to_pandas()
    if len(shape.columns) != len(frame.columns):  # in the place to_pandas() gives them, after ``row``
        frame = pd.DataFrame({c: frame[c] if c in frame.columns else shape[c] for c in shape.columns})
    return (frame, tiny.errors_to_pandas().iloc[:0]), tiny.stamp


def _assess_partition(
    k: int,
    children: pd.DataFrame,
    members: pd.DataFrame | None,
    on: date,
    pack: Pack | None,
    meta: tuple[pd.DataFrame, pd.DataFrame],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One household-aligned partition through ``assess_batch``: results and records, rows in the whole tables."""
    tables = [("children", children)] if members is None else [("children", children), ("members", members)]
    for name, table in tables:
        if len(table) and not (table.index == k).all():
            raise EvaluationError(
                f"partition {k} of {name} holds rows of another partition: the tables are not household-aligned, "
                "and assessing them would split households"
            )
    rows = {}
    plain = {}
    for name, table in tables:
        table = table.sort_values(ROW, kind="stable").reset_index(drop=True)
        rows[name] = table[ROW].to_numpy(np.int64)
        plain[name] = table.drop(columns=[ROW])
    result = assess_batch(Population(plain["children"], plain.get("members")), on=on, pack=pack)
    frame = result.to_pandas()
    frame["row"] = rows["children"][frame["row"].to_numpy(np.int64)]
    errors = result.errors_to_pandas()
    if k > 0:  # a whole column's record is made by every partition: the first one's stand for all
        errors = errors[~(errors["row"].isna() & errors["code"].isin(COLUMN_CODES))].reset_index(drop=True)
    if len(errors):
        errors["row"] = _global_rows(errors, rows)
    return _conform(frame, meta[0], k), _conform(errors, meta[1], k)


def _global_rows(errors: pd.DataFrame, rows: dict[str, np.ndarray]) -> Any:
    """Each record's row as a place in its whole table (members' records: the members table)."""
    local = errors["row"].to_numpy(dtype=np.float64, na_value=np.nan)
    known = ~np.isnan(local)
    at = np.where(known, local, 0).astype(np.int64)
    of_members = errors["loc"].astype(str).str.startswith("members").to_numpy(bool)
    out = np.zeros(len(errors), np.int64)
    for name, mask in (("children", known & ~of_members), ("members", known & of_members)):
        if mask.any():
            out[mask] = rows[name][at[mask]]
    return pd.arrays.IntegerArray(out, ~known)


def _conform(frame: pd.DataFrame, meta: pd.DataFrame, k: int) -> pd.DataFrame:
    """A partition's frame in the meta's dtypes (an empty text column is read as objects, a full one as text)."""
    if list(frame.columns) != list(meta.columns):
        raise EvaluationError(f"partition {k}: the results have other columns than the meta's")
    want, have = meta.dtypes, frame.dtypes
    differ = {c: want[c] for c in meta.columns if have[c] != want[c]}
    return frame.astype(differ) if differ else frame
