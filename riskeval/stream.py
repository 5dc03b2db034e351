"""assess_stream(): a population of any size in bounded memory, one household-aligned chunk at a time.

Example:
    >>> import datetime, riskeval
    >>> households = ({"id": f"h{k}", "children": [{"id": "c1", "birth_date": "2015-03-02"}]} for k in range(5))
    >>> chunks = riskeval.assess_stream(households, on=datetime.date(2025, 12, 1), chunk_size=2)
    >>> [c.assessed for c in chunks]
    [2, 2, 1]
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from riskeval._result_files import ResultWriter
from riskeval.batch import BatchResult, BatchSummary, assess_batch
from riskeval.errors import ErrorRecord, safe_record
from riskeval.evaluate import default_pack, vector_program
from riskeval.facts import assessment_date, line_entry, read_problem
from riskeval.pack import Pack
from riskeval.population import (
    TABLE_SUFFIXES,
    Intake,
    Population,
    TableChunk,
    frame_chunks,
    intake_tables,
    is_frame,
    shift_records,
    table_chunks,
)

__all__ = ["assess_stream", "combine_summaries", "is_table_source"]

# Chunks taken in at once, each in a thread, while one is evaluated: 2 measured no faster than 1 on two cores
# (best walls 3.2-4.3 s against 3.4-4.7 s, turns apart) and held one more chunk (+35 MB at chunks of 20,000).
INTAKE_THREADS = 1
_WHERE = re.compile(r"^households\[(\d+)\]")
ProgressArg = bool | Callable[[int, int], None] | None
T = TypeVar("T")


def _households(source: Any) -> Iterator[Any]:
    """Households one by one: from a JSON lines file (a line at a time; a bad line is a record naming it), or
    from any iterable of households (dicts, models, JSON texts)."""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            with path.open(encoding="utf-8-sig") as fh:
                for n, line in enumerate(fh, 1):
                    if line.strip():
                        yield line_entry(line, n)
        except (OSError, UnicodeDecodeError) as exc:
            raise read_problem(path, exc) from None
        return
    yield from source


def _children(item: Any) -> int:
    children = item.get("children") if isinstance(item, dict) else getattr(item, "children", None)
    return len(children) if isinstance(children, list) else 1


def _chunks(source: Any, chunk_size: int) -> Iterator[list[Any]]:
    """Whole households, about ``chunk_size`` children a chunk: a household is never split between two."""
    chunk: list[Any] = []
    size = 0
    for item in _households(source):
        chunk.append(item)
        size += _children(item)
        if size >= chunk_size:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def is_table_source(source: Any) -> bool:
    """Whether ``source`` names tables (a CSV or Parquet file, a folder of them) rather than JSON lines."""
    if not isinstance(source, str | Path):
        return False
    path = Path(source)
    return path.suffix.lower() in TABLE_SUFFIXES or path.is_dir()


def _in_memory(source: Any, members: Any) -> tuple[Any, Any] | None:
    """The children and members tables when ``source`` holds them in memory (None: it does not)."""
    if isinstance(source, Population):
        tables = (source.children, source.members)
    elif isinstance(source, Mapping) and source and "id" not in source and set(source) <= {"children", "members"}:
        tables = (source.get("children"), source.get("members"))
    elif is_frame(source):
        if isinstance(members, str | Path):
            raise ValueError("members= of a children table held in memory is a table in memory too, not a file")
        return source, members
    else:
        return None
    if members is not None:
        raise ValueError("members= is for a children table given alone: this source holds its members table")
    return tables


def _results(source: Any, members: Any, on: date, pack: Pack, chunk_size: int) -> Iterator[BatchResult]:
    """Each chunk's results, rows and records numbered as places in the whole input."""
    tables = _in_memory(source, members)
    if tables is None and not is_table_source(source):
        households = rows = 0
        for chunk in _chunks(source, chunk_size):
            result = _shift(assess_batch(chunk, on=on, pack=pack), households, rows)
            households += len(chunk)
            rows += result.rows_in
            yield result
            del result, chunk  # not held while the next chunk is assessed: memory holds one chunk
        return
    told: set[tuple[str, str]] = set()  # a whole column's record (an unknown column) is said once, not per chunk
    parts: Iterator[TableChunk]
    if tables is not None:  # slicing a table in memory costs nothing to read ahead
        parts = frame_chunks(*tables, chunk_size=chunk_size)
    else:
        parts = _read_ahead(table_chunks(source, members, chunk_size=chunk_size), "riskeval-read")
    prog = vector_program(pack)
    for part, intake in _intakes(parts, on):
        result = BatchResult(pack, on, intake, prog.run(intake.cols, on))
        result.row = result.row + part.child_row
        records = [safe_record(e) for e in part.errors] + shift_records(result.errors, part.child_row, part.member_row)
        result.errors = [e for e in records if e.row is not None or _first(told, e)]
        yield result
        del result, part, intake


def _intakes(parts: Iterator[TableChunk], on: date) -> Iterator[tuple[TableChunk, Intake]]:
    """Each chunk with its intake (what ``assess_batch`` validates and joins before evaluating), the next
    chunks' intakes made in threads while this one is evaluated: on two cores, reading, intake, evaluating
    and writing overlap (from CSV the intake is a third of the work, mostly Arrow's and numpy's kernels,
    which let go of the GIL). A problem reading a chunk is raised where that chunk would have come."""
    pending: deque[tuple[TableChunk, Future[Intake]]] = deque()
    failed: BaseException | None = None
    with ThreadPoolExecutor(INTAKE_THREADS, thread_name_prefix="riskeval-intake") as pool:
        while True:
            while failed is None and len(pending) <= INTAKE_THREADS:  # the next chunks in the threads
                try:
                    part = next(parts, None)
                except Exception as exc:  # raised below, after the chunks read before it
                    failed = exc
                    break
                if part is None:
                    break
                pending.append((part, pool.submit(intake_tables, Population(part.children, part.members), on)))
                del part
            if not pending:
                break
            part, coming = pending.popleft()
            intake = coming.result()
            yield part, intake
            del part, intake, coming
    if failed is not None:
        raise failed


def _read_ahead(parts: Iterator[T], name: str) -> Iterator[T]:
    """The next part made in a thread (``name``) while this one is used: Arrow's readers let go of the GIL,
    so on two cores reading and assessing overlap (one part ahead, no more: memory stays bounded)."""
    with ThreadPoolExecutor(1, thread_name_prefix=name) as pool:
        coming = pool.submit(next, parts, None)
        while (part := coming.result()) is not None:
            coming = pool.submit(next, parts, None)
            yield part
            del part


def _first(told: set[tuple[str, str]], e: ErrorRecord) -> bool:
    key = (e.loc, e.code)
    if key in told and e.code != "ragged_row":
        return False
    told.add(key)
    return True


def _shift(result: BatchResult, households: int, rows: int) -> BatchResult:
    """A chunk's rows and records renumbered as places in the whole input."""
    result.row = result.row + rows
    result.errors = [_shifted(e, households) for e in result.errors]
    return result


def _shifted(e: ErrorRecord, households: int) -> ErrorRecord:
    loc = _WHERE.sub(lambda m: f"households[{int(m.group(1)) + households}]", e.loc)
    return dataclasses.replace(e, loc=loc, row=None if e.row is None else e.row + households)


def _bar(progress: ProgressArg) -> Callable[[int, int], None] | None:
    """``progress=True``: a tqdm bar (notebook-aware) with children per second, on a terminal or in a
    notebook only; a callable is called as ``progress(children_done, households_done)`` after each chunk."""
    if progress is None or progress is False:
        return None
    if callable(progress):
        return progress
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    if not (sys.stderr.isatty() or "ipykernel" in sys.modules):
        return None
    bar = tqdm(unit=" children", unit_scale=True, smoothing=0.1)
    seen = [0]

    def update(children: int, households: int) -> None:
        bar.update(children - seen[0])
        seen[0] = children

    return update


def assess_stream(
    source: Any,
    *,
    on: date,
    pack: Pack | None = None,
    members: Any = None,
    chunk_size: int = 20_000,
    out: str | Path | None = None,
    errors: str | Path | None = None,
    progress: ProgressArg = None,
) -> Iterator[BatchResult]:
    """Assess a population one household-aligned chunk at a time, in memory bounded by the chunk.

    Args:
        source: a JSON lines file of households (read a line at a time), any iterable of households
            (a generator reading a database, say), or the two tables as ``read_population`` finds them: a
            folder (``children.csv``/``.parquet``, or ``children/part-*.parquet`` beside ``members/``), a
            children table or a folder of its parts; Parquet is read a row group at a time, CSV a block at a
            time (pyarrow); or the two tables held in memory, as ``assess_batch`` takes them: a
            :class:`~riskeval.Population`, a mapping ``{"children": ..., "members": ...}``, or the children
            table (a pandas DataFrame, a pyarrow Table, a table speaking the Arrow PyCapsule protocol such as
            a polars frame) with ``members=``, each chunk a slice of them. Households are never split between
            chunks: tables larger than a chunk must be sorted by ``household_id`` (else a ``FactsError``
            names the first row out of order).
        on: the assessment date.
        pack: a loaded rule pack (default: the embedded pack), compiled once for every chunk.
        members: the members table (a file or a folder of parts), when it is not beside the children; with
            a children table held in memory, the members table held in memory.
        chunk_size: about how many children a chunk holds (whole households: a chunk may hold a few more).
        out: a results file (``.parquet``, ``.csv``, ``.jsonl``) written chunk by chunk; unknown stays a
            null or an empty cell, the audit stamp in the Parquet metadata or a sidecar.
        errors: a JSON lines file the error records are written to, chunk by chunk.
        progress: True for a progress bar (tqdm, children per second; silent when not on a terminal or in a
            notebook), or a callable ``progress(children_done, households_done)`` called after each chunk
            (the children assessed so far and their households).

    Yields:
        One :class:`BatchResult` per chunk: rows and records numbered as places in the whole input
        (``row``; ``households[k]``, or the row of ``children``/``members``), so the chunks' counts add up
        to the input's. A record about a whole column (``unknown_column``, ``not_carried``) comes once.

    ``out`` is written as ``<out>.partial`` and renamed to ``out`` when the stream ends: a run that fails or is
    left half way leaves no file that passes for the whole population's results.
    """
    pack = pack if pack is not None else default_pack()
    on = assessment_date(on)
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    writer = ResultWriter(out) if out is not None else None  # the format and its extra checked before reading
    # closed in the finally below: the file stays open across the chunks this generator yields
    sink = Path(errors).open("w", encoding="utf-8") if errors is not None else None  # noqa: SIM115
    bar = _bar(progress)
    households = children = 0
    finished = False
    try:
        for result in _results(source, members, on, pack, chunk_size):
            households += result.households
            children += result.assessed
            if writer is not None:
                writer.write(result)
            if sink is not None:
                sink.writelines(_json(e) + "\n" for e in result.errors)
            if bar is not None:
                bar(children, households)
            yield result
            del result  # not held while the next chunk is assessed
        finished = True
    finally:
        if writer is not None:  # a stream of no child still writes the columns
            writer.close(empty=assess_batch([], on=on, pack=pack) if not writer.rows else None, done=finished)
        if sink is not None:
            sink.close()


def _json(e: ErrorRecord) -> str:
    return json.dumps(e.as_dict(), ensure_ascii=False)


def combine_summaries(summaries: Iterable[BatchSummary]) -> BatchSummary:
    """The summary of a whole stream from its chunks' summaries (the counts add up)."""
    total: BatchSummary | None = None
    for s in summaries:
        if total is None:
            total = s
            continue
        merged: dict[str, Any] = {}
        for name, mine in s.as_dict().items():
            theirs = getattr(total, name)
            merged[name] = {k: theirs.get(k, 0) + v for k, v in mine.items()} if isinstance(mine, dict) else (
                theirs + mine)  # fmt: skip
        total = BatchSummary(**merged)
    if total is None:
        raise ValueError("no chunk to summarise")
    return total
