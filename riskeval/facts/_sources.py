"""Households from a file or stdin, read within MAX_DOCUMENT_BYTES.

One JSON object, a JSON list of them, or JSON lines. Nothing is read whole before its size is known (``riskeval
assess /dev/zero`` must end), and in JSON lines each line is its own item: a bad line is one :class:`Unparsed`
entry, the others are read."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

from riskeval._limits import MAX_DOCUMENT_BYTES
from riskeval.errors import ErrorRecord, FactsError
from riskeval.facts._input import BOM, Unparsed, as_object, loads, read_problem

_MiB = MAX_DOCUMENT_BYTES / 2**20


def read_entries(source: str, stdin: IO[str] | None = None) -> list[Any]:
    """The households of ``source`` (``-``: stdin), each a dict or an :class:`Unparsed` keeping its place.

    Raises:
        FactsError: the input cannot be read, is empty, or is one document that is not JSON, too large,
            or neither an object nor a list.
    """
    name = "<stdin>" if source == "-" else source
    try:
        if source == "-":
            stream = stdin or sys.stdin
            if stream is None:  # the process was started with stdin closed
                raise FactsError([ErrorRecord(name, "unreadable", "stdin is closed: nothing to read")])
            return _entries(_Lines(stream.buffer if hasattr(stream, "buffer") else stream), name)
        with Path(source).open("rb") as fh:
            return _entries(_Lines(fh), name)
    except (OSError, UnicodeDecodeError) as exc:
        raise read_problem(name, exc) from None


class _Lines:
    """Lines of a binary (or text) stream, none read past MAX_DOCUMENT_BYTES + 1 bytes."""

    def __init__(self, stream: IO[Any]) -> None:
        self.stream = stream
        self.number = 0

    def next(self) -> str | None:
        """The next line as text (None at the end); a line longer than the limit is TOO_LONG, unread past it."""
        raw = self.stream.readline(MAX_DOCUMENT_BYTES + 1)
        if not raw:
            return None
        self.number += 1
        if len(raw) > MAX_DOCUMENT_BYTES:
            return TOO_LONG
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return text.removeprefix(BOM) if self.number == 1 else text


# Stands for a line longer than the limit (not a str equal to any line: a NUL cannot end a text line read here).
TOO_LONG = "\x00too long\x00"


class _Replay(_Lines):
    """Lines already read (and within the limit), read again from the second."""

    def __init__(self, text: list[str], start: int) -> None:
        self.rest, self.number = iter(text[1:]), start

    def next(self) -> str | None:
        line = next(self.rest, None)
        if line is not None:
            self.number += 1
        return line


def _too_large(where: str) -> ErrorRecord:
    message = f"more than {_MiB:g} MiB in one JSON document or line: not read (riskeval._limits)"
    return ErrorRecord(where, "too_large", message)


def _entries(lines: _Lines, name: str) -> list[Any]:
    first = lines.next()
    while first is not None and not first.strip():
        first = lines.next()
    if first is None:
        raise FactsError([ErrorRecord(name, "empty_input", "the input holds no household")])
    start = lines.number
    if _is_object(first):
        return _json_lines(lines, name, first, start)
    text, size = [first], len(first.encode("utf-8", "surrogatepass"))
    while (line := lines.next()) is not None:
        size += len(line.encode("utf-8", "surrogatepass"))
        if line is TOO_LONG or size > MAX_DOCUMENT_BYTES:
            raise FactsError([_too_large(name)], f"{name}: too large")
        text.append(line)
    if first is TOO_LONG:
        raise FactsError([_too_large(name)], f"{name}: too large")
    try:
        data = loads("".join(text), name, start if start > 1 else None)
    except FactsError:
        if not any(_is_object(line) for line in text[1:]):
            raise
        # JSON lines whose first line is broken: that line is one bad item, the others are read
        return _json_lines(_Replay(text, start), name, first, start)
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return [as_object(item) for item in data]
    message = f"expected an object or a list, found {type(data).__name__}"
    raise FactsError([ErrorRecord(name, "not_a_household", message)])


def _is_object(line: str) -> bool:
    """Whether a line is a whole JSON object by itself: the file is JSON lines."""
    stripped = line.strip()
    if line is TOO_LONG or not stripped.startswith("{"):
        return False
    try:
        return isinstance(loads(stripped), dict)
    except FactsError:
        return False


def _json_lines(lines: _Lines, name: str, first: str, number: int) -> list[Any]:
    out: list[Any] = []
    line: str | None = first
    while line is not None:
        if line.strip():
            if line is TOO_LONG:
                # the rest of this line may never end (/dev/zero): the file is not read past it
                out.append(Unparsed((_too_large(f"{name}:{number}"),)))
                break
            try:
                out.append(as_object(loads(line, name, number), number))
            except FactsError as exc:
                out.append(Unparsed(tuple(exc.records)))
        line = lines.next()
        number = lines.number
    return out


def event_lines(source: str) -> list[tuple[int, Any]]:
    """(line number, text) of every non-blank line of an event log, each line within the size limit; a line
    past it is an :class:`Unparsed` record, and the log is not read past it (it may never end)."""
    out: list[tuple[int, Any]] = []
    try:
        with Path(source).open("rb") as fh:
            lines = _Lines(fh)
            while (line := lines.next()) is not None:
                if line is TOO_LONG:
                    out.append((lines.number, Unparsed((_too_large(f"{source}:{lines.number}"),))))
                    break
                if line.strip():
                    out.append((lines.number, line.rstrip("\r\n")))
    except (OSError, UnicodeDecodeError) as exc:
        raise read_problem(source, exc) from None
    return out
