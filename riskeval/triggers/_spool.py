"""Events of a replayed log in date order, in bounded memory.

``Monitor.replay`` applies a log in date order (a stable sort: the log's order within a day). Sorting a
million parsed events in memory took gigabytes, where ``post()`` runs in flat memory. So events are kept in
runs of RUN, each run sorted and, once a second run starts, written to a temporary file as JSON lines; the
runs are then merged (heapq.merge reads one line of each at a time). A log of one run never touches disk.
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections.abc import Iterator
from typing import IO

from riskeval.facts import Event, parse_event

RUN = 20_000  # events held in memory at once (about 50 MB of parsed events)


class EventSpool:
    """Collects (index, event) pairs, then gives them back sorted by (date, index)."""

    def __init__(self, run: int | None = None) -> None:
        self.run = run or RUN
        self.held: list[tuple[int, int, Event]] = []
        self.files: list[IO[str]] = []
        self.count = 0

    def add(self, index: int, event: Event) -> None:
        self.count += 1
        self.held.append((event.date.toordinal(), index, event))
        if len(self.held) >= self.run:
            self._spill()

    def _spill(self) -> None:
        self.held.sort(key=lambda item: item[:2])
        fh = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in sorted()
        for day, index, event in self.held:
            fh.write(json.dumps([day, index, event.model_dump_json(exclude_none=True)]) + "\n")
        fh.seek(0)
        self.files.append(fh)
        self.held = []

    def sorted(self) -> Iterator[tuple[int, Event]]:
        """Every event added, by date then index; temporary files are removed when done."""
        if not self.files:
            self.held.sort(key=lambda item: item[:2])
            for _, index, event in self.held:
                yield index, event
            return
        if self.held:
            self._spill()
        try:
            runs = [(tuple(json.loads(line)) for line in fh) for fh in self.files]
            for _, index, text in heapq.merge(*runs, key=lambda item: item[:2]):
                yield index, parse_event(text)
        finally:
            for fh in self.files:
                fh.close()
