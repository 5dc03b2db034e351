"""Rich display in notebooks: the colours packs declare for tiers and statuses, and small HTML pieces.

A result knows its pack only by its stamp, so every pack that loads leaves its colours here, keyed by its
sha256 (``remember``); a table or badge asks by stamp, or, for a child's result that carries none, by the id
of the tier or status. Every text is escaped: ids and codes reach HTML, and an id is data from outside.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

# Shown when no pack declares a colour for a state: neutral, never one that reads as a tier.
NEUTRAL = "#bdbdbd"

_BY_PACK: dict[str, dict[str, str]] = {}
_LATEST: dict[str, str] = {}
_MAX_PACKS = 64


def remember(sha256: str, colours: dict[str, str]) -> None:
    """Keep the colours a pack declares (``tiers.yaml`` ``display``), for the results it stamps."""
    if len(_BY_PACK) >= _MAX_PACKS:
        _BY_PACK.clear()
    _BY_PACK[sha256] = dict(colours)
    _LATEST.update(colours)


def colour(state: str | None, sha256: str | None = None) -> str:
    """The colour of a tier or status: the stamped pack's, else the last loaded pack's that declares it."""
    if state is None:
        return NEUTRAL
    declared = _BY_PACK.get(sha256 or "", {})
    return declared.get(state) or _LATEST.get(state) or NEUTRAL


def text_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` ('#rrggbb')."""
    r, g, b = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def esc(value: Any) -> str:
    """Text for HTML: None shows as an empty cell, never as 'None' or 'false'."""
    return "" if value is None else html.escape(str(value))


def badge(state: str | None, sha256: str | None = None, text: str | None = None) -> str:
    """A tier or status as a coloured label ("unknown" in grey when there is none)."""
    back = colour(state, sha256)
    shown = text if text is not None else (state if state is not None else "—")
    style = f"background:{back};color:{text_on(back)};padding:1px 6px;border-radius:3px;font-weight:bold"
    return f'<span class="riskeval-badge" style="{style}">{esc(shown)}</span>'


def table(head: Sequence[str], rows: Iterable[Sequence[Any]], raw: bool = False) -> str:
    """An HTML table; cells are escaped unless ``raw`` (cells already HTML)."""

    def cell(v: Any) -> str:
        return ("" if v is None else str(v)) if raw else esc(v)

    top = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="riskeval-table"><thead><tr>{top}</tr></thead><tbody>{body}</tbody></table>'


def folded(summary: str, body: str) -> str:
    """Details a reader opens on demand (``summary`` is escaped, ``body`` is HTML)."""
    return f"<details><summary>{esc(summary)}</summary>{body}</details>"


def block(*parts: str) -> str:
    """The outer element of a display."""
    return '<div class="riskeval">' + "".join(parts) + "</div>"
