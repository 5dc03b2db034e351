"""Result files written chunk by chunk: Parquet and CSV through Arrow's writers, JSON lines, errors too.

Unknown stays unknown on disk: a null in Parquet, an empty cell in CSV (booleans are ``true``/``false``,
as the input tables write them), ``null`` in JSON. Parquet carries the audit stamp in its metadata (key
``riskeval``); CSV and JSON lines get it in a sidecar, ``<file>.riskeval.json``.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TextIO

from riskeval._extras import need
from riskeval._result_table import Col, arrow_table, stamp_metadata
from riskeval.errors import ErrorRecord, FactsError

__all__ = ["FORMATS", "ResultWriter", "check_format", "sidecar"]

FORMATS = (".parquet", ".csv", ".jsonl")
_WRITE_BATCH = 1 << 20  # rows Arrow's Parquet writer encodes at a time


class Chunk(Protocol):
    """What a writer needs of a chunk's results (a ``BatchResult``)."""

    assessed: int

    @property
    def stamp(self) -> dict[str, Any]: ...

    def columns(self) -> list[Col]: ...

    def to_records(self) -> Any: ...


def check_format(path: str | Path) -> str:
    """The output format a file name says, with the extra it needs checked now, before any work."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise FactsError([ErrorRecord(str(path), "format", "results go to a .parquet, .csv or .jsonl file")])
    if suffix in (".parquet", ".csv"):
        need("pyarrow.parquet" if suffix == ".parquet" else "pyarrow.csv", f"writing {suffix} results")
    return suffix


def sidecar(path: str | Path) -> Path:
    """Where the audit stamp of a CSV or JSON lines file goes."""
    p = Path(path)
    return p.with_name(p.name + ".riskeval.json")


class ResultWriter:
    """Appends each chunk's results to one file; ``close()`` finishes it (and writes the sidecar).

    Every chunk of one run must share the pack and the date, so one stamp stands for the file.
    """

    def __init__(self, path: str | Path, dumps: Any = None) -> None:
        self.path = Path(path)
        self.format = check_format(path)
        self.partial = self.path.with_name(self.path.name + ".partial")  # renamed to path once complete
        self.rows = 0
        self._writer: Any = None
        self._schema: Any = None  # the file's columns, as the first chunk gave them
        self._threads: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        self._text: TextIO | None = None
        self._stamp: dict[str, Any] | None = None
        self._dumps = dumps or (lambda v: json.dumps(v, ensure_ascii=False))

    def write(self, chunk: Chunk) -> None:
        stamp = chunk.stamp
        if self._stamp is None:
            self._stamp = stamp
        elif stamp != self._stamp:
            raise ValueError("one results file holds one pack and one date: the chunks' stamps differ")
        if self.format == ".jsonl":
            if self._text is None:
                self._text = self.partial.open("w", encoding="utf-8")
            for record in chunk.to_records():
                self._text.write(self._dumps(record) + "\n")
        else:
            self._write_table(arrow_table(chunk.columns(), stamp_metadata(stamp)))
        self.rows += chunk.assessed

    def _write_table(self, table: Any) -> None:
        pa = need("pyarrow", "writing results")
        if self.format == ".csv":
            pc = need("pyarrow.compute", "writing CSV results")
            # CSV has no dictionaries: a label is its text; an unknown cell stays empty.
            for i, field in enumerate(table.schema):
                if pa.types.is_dictionary(field.type):
                    table = table.set_column(i, field.name, pc.cast(table.column(i), pa.string()))
        if self._writer is None:
            if self.format == ".csv":
                self._writer = need("pyarrow.csv", "writing CSV results").CSVWriter(str(self.partial), table.schema)
            else:
                pq = need("pyarrow.parquet", "writing Parquet results")
                # min/max kept for ids, rows and numbers (a reader skips row groups by them); for flags and
                # labels they would cost a quarter of the writing and skip nothing. Parquet dictionaries only
                # for the label columns (Arrow dictionaries already): for ids, rows and scores they cost time
                # and, compressed, made the file larger. A write batch of a whole chunk: Arrow's default (1,024
                # rows) repeats its per-batch work about a hundred times per column of a chunk.
                stats = [f.name for f in table.schema if not (pa.types.is_dictionary(f.type) or f.type == pa.bool_())]
                labels = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
                self._writer = pq.ParquetWriter(str(self.partial), table.schema, write_statistics=stats,
                                                use_dictionary=labels, write_batch_size=_WRITE_BATCH)  # fmt: skip
            self._schema = table.schema
        elif not table.schema.equals(self._schema, check_metadata=False):
            table = _as_schema(table, self._schema, pa)
        # Encoding and compressing run in a thread (Arrow lets go of the GIL) while the next chunk is
        # assessed; one write in flight at a time, so memory holds one more chunk at most.
        self._wait()
        self._pending = self._pool().submit(self._writer.write_table, table)

    def _pool(self) -> ThreadPoolExecutor:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(1, thread_name_prefix="riskeval-write")
        return self._threads

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self, empty: Chunk | None = None, done: bool = True) -> None:
        """Finish the file; with no chunk written, ``empty`` (a result with no rows) gives it its columns.
        Only a ``done`` file takes its name (and its sidecar): a run cut short leaves ``<name>.partial``."""
        if self._writer is None and self._text is None and empty is not None and done:
            self.write(empty)
        try:
            self._wait()
        finally:
            if self._threads is not None:
                self._threads.shutdown()
            if self._writer is not None:
                self._writer.close()
        if self._text is not None:
            self._text.close()
        if not done or not self.partial.exists():
            return
        self.partial.replace(self.path)
        if self.format != ".parquet" and self._stamp is not None:
            sidecar(self.path).write_text(json.dumps(self._stamp, ensure_ascii=False, indent=1) + "\n", "utf-8")

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(done=kind is None)


def _as_schema(table: Any, schema: Any, pa: Any) -> Any:
    """A chunk whose columns came with other types (a part of the input written another way) in the file's."""
    try:
        return table.cast(schema.with_metadata(table.schema.metadata))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError) as exc:
        message = f"a chunk's result columns do not fit the file's: {exc}"
        raise FactsError([ErrorRecord("<results>", "format", message)]) from None
