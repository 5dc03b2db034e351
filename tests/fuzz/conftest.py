"""Counts what the fuzz campaign tried, and says so at the end of the session (issue 14)."""

from __future__ import annotations

import time
from typing import Any

import _fuzz

_START = time.monotonic()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _fuzz.TRIED:
        return
    mode = f"long (scale {_fuzz.SCALE})" if _fuzz.LONG else "CI (fixed seed)"
    total = sum(_fuzz.TRIED.values())
    terminalreporter.write_sep("-", f"fuzz campaign, {mode}: {total} inputs in {time.monotonic() - _START:.0f} s")
    for name, n in sorted(_fuzz.TRIED.items()):
        terminalreporter.write_line(f"  {name:<32}{n:>8}")
