"""``riskeval batch``: assess a whole population from files.

    riskeval batch examples/population --on 2026-06-01 --out results.parquet --errors errors.jsonl

INPUT is a folder holding ``children.csv`` and ``members.csv`` (or ``.parquet``, or ``children/`` and
``members/`` folders of parts), a children table (its members table beside it, or ``--members``), or a
JSON lines file of households. It is read and assessed a household-aligned chunk at a time
(``riskeval.assess_stream``): tables larger than a chunk must be sorted by ``household_id``. The summary (counts by
status, tier, category and visit frequency, the home visits per month) and the number of error records
go to stdout; the error records, one JSON object per line, to ``--errors``; the results, one row per
assessed child, to ``--out`` (``.parquet``, ``.csv``, or ``.jsonl`` for the full records with factor
values and data gaps). A progress bar is drawn on stderr for long inputs. Exit code 1 when any input row
or column had a problem (every assessable row is still assessed and written).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from riskeval._result_files import check_format
from riskeval.batch import BatchSummary, assess_batch
from riskeval.cli._io import _date, dumps
from riskeval.errors import ErrorRecord, FactsError
from riskeval.pack import load_pack
from riskeval.stream import assess_stream, combine_summaries, is_table_source

LONG = 10_000  # rows from which a progress bar is worth drawing
WIDTH = 30


def register(subparsers: Any) -> None:
    """Add ``batch`` to the riskeval command line."""
    p = subparsers.add_parser("batch", help="assess a whole population (CSV, Parquet or JSON lines)")
    p.add_argument("input", metavar="INPUT", help="a folder with children/members tables, a children table, or JSONL")
    p.add_argument("--on", required=True, type=_date, metavar="DATE", help="assessment date (YYYY-MM-DD)")
    p.add_argument("--members", metavar="FILE", default=None, help="the members table, if not beside the children")
    p.add_argument("--out", metavar="FILE", default=None, help="results: .parquet, .csv or .jsonl (full records)")
    p.add_argument("--errors", metavar="FILE", default="errors.jsonl",
                   help="where the error records go, one JSON object per line (default: errors.jsonl)")  # fmt: skip
    p.add_argument("--pack", metavar="DIR", default=None, help="rule pack folder (default: the embedded pack)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="the summary on stdout")
    p.add_argument("--chunk-size", type=int, default=20_000, metavar="N",
                   help="children per chunk (default: 20000); tables larger than a chunk must be sorted by "
                        "household_id")  # fmt: skip
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="draw a progress bar on stderr (default: for long inputs on a terminal)")  # fmt: skip
    p.set_defaults(handler=cmd_batch)


class Bar:
    """A one-line progress bar on stderr, redrawn in place."""

    def __init__(self, stream: TextIO, enabled: bool | None) -> None:
        self.stream = stream
        self.enabled = enabled
        self.start = time.perf_counter()
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        on = self.enabled if self.enabled is not None else total >= LONG and self.stream.isatty()
        if not on:
            return
        share = done / total if total else 1.0
        filled = int(share * WIDTH)
        took = time.perf_counter() - self.start
        line = f"\r{stage:<11} [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%} {done:>10,}/{total:,} {took:6.1f}s"
        self.stream.write(line)
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _check_writable(option: str, target: str | None) -> None:
    """Before the run, not after it: an output file that cannot be written is a record naming it."""
    if target is None:
        return
    path = Path(target)
    folder = path.parent
    if not folder.is_dir():
        problem = f"{option}: no folder {folder} to write {path.name} in (create it first)"
    elif path.is_dir():
        problem = f"{option}: {target} is a folder, not a file"
    elif not os.access(path if path.exists() else folder, os.W_OK):
        problem = f"{option}: no permission to write {target}"
    else:
        return
    raise FactsError([ErrorRecord(target, "unwritable", problem)])


def cmd_batch(args: argparse.Namespace) -> int:
    """Read, assess, write; the summary and the error count on stdout."""
    if args.out is not None:
        check_format(args.out)  # the format, and the extra it needs, before the run
    source = Path(args.input)
    if not source.exists():
        raise FactsError([ErrorRecord(args.input, "file_not_found", f"no such file or folder: {args.input}")])
    _check_writable("--out", args.out)
    _check_writable("--errors", args.errors)
    pack = load_pack(args.pack)
    bar = Bar(sys.stderr, args.progress)
    errors_file = Path(args.errors)
    records = _Records(errors_file)
    try:
        summary, assessed = _stream(args, source, pack, bar, records)  # memory bounded by the chunk
    finally:
        bar.close()
        records.close()
    emptied = records.emptied
    count = records.count
    if args.format == "json":
        print(dumps({**summary.as_dict(), "errors_file": args.errors if count else None}))
    else:
        print(summary)
        where = f" (written to {args.errors})" if count else ""
        where = f" ({args.errors}, left by an earlier run, emptied)" if emptied else where
        print(f"error records: {count}{where}")
        if args.out is not None:
            print(f"results: {assessed} rows written to {args.out}")
    return 1 if count else 0


class _Records:
    """The error records file, opened at the first record; a clean run empties one left by an earlier run
    (it must not pass for this run's records) and otherwise writes none."""

    def __init__(self, path: Path) -> None:
        self.path, self.count, self.emptied = path, 0, False
        self._fh: TextIO | None = None

    def add(self, errors: list[ErrorRecord]) -> None:
        if errors and self._fh is None:
            self._fh = self.path.open("w", encoding="utf-8")
        for record in errors:
            assert self._fh is not None
            self._fh.write(dumps(record.as_dict()) + "\n")
        self.count += len(errors)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        elif self.path.is_file() and self.path.stat().st_size > 0:
            self.path.write_text("", "utf-8")
            self.emptied = True


def _stream(args: argparse.Namespace, source: Path, pack: Any, bar: Bar, records: _Records) -> tuple[BatchSummary, int]:
    """The input through ``assess_stream``: results and records written chunk by chunk."""
    summaries = []
    assessed = rows = 0
    members = args.members if is_table_source(source) else None
    for chunk in assess_stream(source, on=args.on, pack=pack, members=members, chunk_size=args.chunk_size,
                               out=args.out):  # fmt: skip
        records.add(chunk.errors)
        summaries.append(chunk.summary())
        assessed += chunk.assessed
        rows += chunk.rows_in
        bar("assessing", rows, rows)
        del chunk  # not held while the next chunk is assessed
    if not summaries:
        return assess_batch([], on=args.on, pack=pack).summary(), 0
    return combine_summaries(summaries), assessed
