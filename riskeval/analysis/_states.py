"""A child's state in one word: its tier when on the roster, else its roster status, in the pack's order.

The statuses come from the batch result (``status_labels``), never from a list written here: a status the
engine adds later (``undetermined``) takes its place in tables and plots by itself. The order is the tiers
(highest first), then the other statuses in the order the pack's ``display`` colours list them.
"""

from __future__ import annotations

import numpy as np

from riskeval.batch import BatchResult
from riskeval.pack import Pack


def state_labels(result: BatchResult) -> tuple[str, ...]:
    """Every state a child of ``result`` can be in, in display order."""
    on = result.pack.on_roster.id
    others = [s for s in result.status_labels if s != on]
    declared = list(result.pack.colours)
    others.sort(key=lambda s: (declared.index(s) if s in declared else len(declared), result.status_labels.index(s)))
    return (*result.tier_labels, *others, on)


def state_codes(result: BatchResult) -> np.ndarray:
    """Each child's state as an index into :func:`state_labels` (on the roster without a tier: ``on_roster``)."""
    labels = state_labels(result)
    on = result.status_labels.index(result.pack.on_roster.id)
    of_status = np.array([labels.index(s) for s in result.status_labels], np.int16)
    codes = of_status[result.status.astype(np.intp)]
    tiered = (result.status == on) & (result.tier >= 0)
    codes[tiered] = result.tier[tiered].astype(np.int16)
    return codes


def shown(labels: tuple[str, ...], *codes: np.ndarray) -> tuple[int, ...]:
    """The states a table shows: all but the last (on the roster without a tier), unless a child is in it."""
    last = len(labels) - 1
    return tuple(i for i in range(len(labels)) if i < last or any(bool((c == last).any()) for c in codes))


def state_colours(pack: Pack, labels: tuple[str, ...]) -> list[str]:
    """The colour the pack declares for each state (a neutral grey where it declares none)."""
    return [pack.colours.get(s, "#bdbdbd") for s in labels]
