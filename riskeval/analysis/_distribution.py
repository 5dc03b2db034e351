"""How a batch's children spread over tiers and statuses, per category: a table and a plot in the pack's order."""

from __future__ import annotations

from typing import Any

import numpy as np

from riskeval.analysis._plot import tiers_by_category_plot
from riskeval.analysis._states import shown, state_codes, state_labels
from riskeval.batch import BatchResult


def tiers_by_category(result: BatchResult) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """(categories, states, counts[category, state]): the children of each category by tier or status."""
    labels = state_labels(result)
    codes = state_codes(result)
    keep = shown(labels, codes)
    counts = np.zeros((len(result.category_labels), len(keep)), np.int64)
    for c, name in enumerate(result.category_labels):
        inside = result.category(name)
        for s, k in enumerate(keep):
            counts[c, s] = int((inside & (codes == k)).sum())
    return result.category_labels, tuple(labels[k] for k in keep), counts


def plot_tiers_by_category(result: BatchResult, ax: Any = None, lang: str = "en") -> Any:
    """Stacked bars: each category's children by tier and status, in the pack's colours."""
    categories, states, counts = tiers_by_category(result)
    return tiers_by_category_plot(result.pack, categories, states, counts, ax=ax, lang=lang)
