"""per_pack: a bounded memo of what is derived from a rule pack, owned by the module that derives it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")


class _Keyed(Protocol):
    @property
    def sha256(self) -> str: ...


P = TypeVar("P", bound=_Keyed)


class PerPack(Generic[P, T]):
    """A function of a pack, computed once per pack content (its sha256), for the ``maxsize`` packs used
    last (the least recently used entry goes first). A pack's sha256 covers everything its files say, so two
    loads of one folder share the entry; the entry holds the pack it was built from, alive while cached."""

    def __init__(self, build: Callable[[P], T], maxsize: int) -> None:
        self._build = build
        self._maxsize = maxsize
        self._entries: OrderedDict[str, tuple[P, T]] = OrderedDict()
        self._lock = threading.Lock()
        # The entry used last, which is already the most recent: read again (a household reads it several
        # times) without the lock and the reordering. One tuple, replaced whole, so a reader sees a pair.
        self._last: tuple[str, T] | None = None
        self.__doc__ = build.__doc__
        self.__name__ = build.__name__

    def __call__(self, pack: P) -> T:
        key = pack.sha256
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        hit = self._entries.get(key)
        if hit is not None:
            # An analyst compares one base pack with many variants: the pack in use stays, the oldest unused goes.
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    self._last = (key, hit[1])
            return hit[1]
        value = self._build(pack)  # built outside the lock: two threads may both build, one entry is kept
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                return hit[1]
            self._entries[key] = (pack, value)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
            self._last = (key, value) if key in self._entries else None
        return value

    def cached(self, pack: P) -> T | None:
        """The value already built for this pack's content, or None."""
        hit = self._entries.get(pack.sha256)
        return None if hit is None else hit[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._last = None


def per_pack(maxsize: int = 16) -> Callable[[Callable[[P], T]], PerPack[P, T]]:
    """Decorate a function of a pack so that it runs once per pack content."""

    def wrap(build: Callable[[P], T]) -> PerPack[P, T]:
        return PerPack(build, maxsize)

    return wrap


__all__ = ["PerPack", "per_pack"]
