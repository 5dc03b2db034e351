"""The analyst's plots (matplotlib, the optional ``plot`` extra), in the pack's tier colours and order, in en or zh.

Every function takes the data it draws and an optional ``ax``, and returns the figure. Chinese labels need a
font with CJK glyphs: one is looked for among the installed fonts; when there is none, a warning says so
and how to install one, and the labels fall back to English (boxes in place of characters would be worse).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from riskeval._extras import need
from riskeval.pack import Pack

# Families known to carry CJK glyphs, most common first (Linux, Windows, macOS).
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)

WORDS = {
    "visits per month": "每月走访次数",
    "month": "月份",
    "visits": "走访次数",
    "before": "调整前",
    "after": "调整后",
    "children": "儿童人数",
    "transition": "等级变化（行：调整前，列：调整后）",
    "could change": "补齐后可能改变等级或状态的儿童",
    "fact unknown: children it could move, by tier": "未知事实：补齐后可能改变等级或状态的儿童（按等级）",
    "tiers by category": "各类别儿童的风险等级",
    "category": "类别",
    "cadence": "定期走访",
    "first_visit": "首次走访",
    "holiday": "节日走访",
    "follow_up": "跟进走访",
    "verification": "核实走访",
    "held": "成立",
    "unknown": "未知",
    "decisive": "起决定作用",
    "rules": "规则",
    "coverage": "规则覆盖（儿童人数）",
}
# The two statuses no pack rule names (the engine's), as a caseworker says them; the explanations use the same.
STATUS_WORDS = {"not_on_roster": ("不在册", "not on the roster"), "undetermined": ("待核实", "to be verified")}


def pyplot() -> Any:
    """matplotlib's pyplot, or an ImportError that says how to install it."""
    plt = need("matplotlib.pyplot", "a plot")
    return plt


def cjk_font() -> str | None:
    """The family of an installed font with CJK glyphs, or None."""
    pyplot()
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FAMILIES if name in installed), None)


def language(lang: str) -> str:
    """``lang`` if it can be drawn: zh without a CJK font warns and gives en."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang: expected 'en' or 'zh', found {lang!r}")
    if lang == "zh":
        font = cjk_font()
        if font is None:
            warnings.warn(
                "no font with Chinese characters was found, so the plot is labelled in English; install one "
                "(Debian/Ubuntu: apt-get install fonts-noto-cjk; then rm -r ~/.cache/matplotlib) to draw zh labels",
                UserWarning,
                stacklevel=3,
            )
            return "en"
        rc = pyplot().rcParams
        rc["font.sans-serif"] = [font, *rc["font.sans-serif"]]
        rc["axes.unicode_minus"] = False  # CJK fonts often lack U+2212: draw "-" for negative numbers
    return lang


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def plain(text: str, lang: str) -> str:
    """A label as it can be drawn: in en, without the Chinese a pack's English label may quote ("(特困)")."""
    if lang == "zh":
        return text
    text = re.sub(r"\s*[(（][^)）]*[\u4e00-\u9fff][^)）]*[)）]", "", text)
    return _CJK.sub("", text).strip()


def word(text: str, lang: str) -> str:
    return WORDS.get(text, text) if lang == "zh" else text.replace("_", " ")


def state_name(pack: Pack, state: str, lang: str) -> str:
    """A tier's or status's label in the pack (its id when the pack has no label for it)."""
    for tier in pack.tiers:
        if tier.id == state:
            return plain(str(getattr(tier.label, lang)), lang)
    for rule in (pack.on_roster, pack.exited):
        if rule.id == state:
            return plain(str(getattr(rule.label, lang)).split("（")[0].split(";")[0], lang)
    if state in STATUS_WORDS:
        return STATUS_WORDS[state][0 if lang == "zh" else 1]
    return state


def _readable(colour: str) -> str:
    """A pack colour as text on white: a very light one (a grey for a status) is darkened to stay legible."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    if 0.299 * r + 0.587 * g + 0.114 * b < 170:
        return colour
    return f"#{r // 2:02x}{g // 2:02x}{b // 2:02x}"


def _whole_numbers(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _axes(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    plt = pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        return fig, ax
    return ax.figure, ax


def transition_plot(
    pack: Pack, states: Sequence[str], matrix: np.ndarray, ax: Any = None, lang: str = "en", title: str = ""
) -> Any:
    """The transition matrix as a grid of counts, rows before and columns after, the diagonal shaded."""
    lang = language(lang)
    fig, ax = _axes(ax, (1.2 + 0.9 * len(states), 1.0 + 0.7 * len(states)))
    moved = matrix.astype(float).copy()
    np.fill_diagonal(moved, np.nan)
    ax.imshow(np.where(np.eye(len(states), dtype=bool), 0.0, 1.0), cmap="Greys", vmin=0, vmax=6, alpha=0.6)
    for i in range(len(states)):
        for j in range(len(states)):
            n = int(matrix[i, j])
            weight = "bold" if i != j and n else "normal"
            ax.text(j, i, str(n) if n else "·", ha="center", va="center", fontsize=11, fontweight=weight)
    names = [state_name(pack, s, lang) for s in states]
    ax.set_xticks(range(len(states)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(states)), names)
    for tick, state in zip([*ax.get_xticklabels(), *ax.get_yticklabels()], [*states, *states], strict=True):
        tick.set_color(_readable(pack.colours.get(state, "#000000")))
        tick.set_fontweight("bold")
    ax.set_xlabel(word("after", lang))
    ax.set_ylabel(word("before", lang))
    ax.set_title(title or word("transition", lang))
    return fig


def workload_plot(w: Any, ax: Any = None, lang: str = "en") -> Any:
    """Visits per month, stacked by kind of visit (a delta may go below zero)."""
    lang = language(lang)
    fig, ax = _axes(ax, (max(6.0, 0.55 * len(w.months)), 3.6))
    by_month = w.counts.sum(axis=0)
    x = np.arange(len(w.months))
    up = np.zeros(len(w.months))
    down = np.zeros(len(w.months))
    palette = ["#4c72b0", "#dd8452", "#55a868", "#8172b3", "#937860"]
    for k, kind in enumerate(w.kinds):
        values = by_month[:, k]
        if not values.any():
            continue
        bottom = np.where(values >= 0, up, down)
        ax.bar(x, values, bottom=bottom, label=word(kind, lang), color=palette[k % len(palette)])
        up += np.where(values >= 0, values, 0)
        down += np.where(values < 0, values, 0)
    ax.axhline(0, color="#444444", linewidth=0.8)
    _whole_numbers(ax.yaxis)
    ax.set_xticks(x, w.months, rotation=45, ha="right")
    ax.set_ylabel(word("visits", lang))
    ax.set_title(w.title if w.title != "visits" else word("visits per month", lang))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, ncols=2)
    return fig


def missing_plot(rows: Sequence[Any], pack: Pack, ax: Any = None, lang: str = "en", top: int = 12) -> Any:
    """Horizontal bars: for each unknown fact, the children it could move, split by where they could go."""
    lang = language(lang)
    rows = list(rows)[:top]
    fig, ax = _axes(ax, (7.5, 0.9 + 0.38 * max(len(rows), 1)))
    y = np.arange(len(rows))[::-1]
    outcomes = list(dict.fromkeys(o for r in rows for o in r.could_become))
    order = [t.id for t in pack.tiers] + list(pack.colours)
    outcomes.sort(key=lambda o: order.index(o) if o in order else len(order))
    left = np.zeros(len(rows))
    for outcome in outcomes:
        values = np.array([r.could_become.get(outcome, 0) for r in rows], float)
        label = state_name(pack, outcome, lang)
        ax.barh(y, values, left=left, color=pack.colours.get(outcome, "#bdbdbd"), label=label, edgecolor="white")
        left += values
    for yi, r in zip(y, rows, strict=True):
        ax.text(left[len(rows) - 1 - yi] + 0.1, yi, f"{r.could_change} / {r.unknown}", va="center", fontsize=8)
    ax.set_yticks(y, [r.fact for r in rows], fontsize=8)
    ax.set_xlabel(
        word("could change", lang)
        + (" (标注：可能改变 / 未知)" if lang == "zh" else " (label: could move / unknown for)")
    )
    _whole_numbers(ax.xaxis)
    ax.set_xlim(0, max(float(left.max()) if len(rows) else 1.0, 1.0) * 1.25)
    ax.set_title(word("fact unknown: children it could move, by tier", lang))
    if outcomes:
        ax.legend(fontsize=8, loc="lower right")
    return fig


def tiers_by_category_plot(
    pack: Pack, categories: Sequence[str], states: Sequence[str], counts: np.ndarray, ax: Any = None, lang: str = "en"
) -> Any:
    """Stacked bars: the children of each category, by tier or status (``counts[category, state]``)."""
    lang = language(lang)
    fig, ax = _axes(ax, (max(6.0, 0.9 * len(categories)), 3.8))
    x = np.arange(len(categories))
    bottom = np.zeros(len(categories))
    for s, state in enumerate(states):
        values = counts[:, s].astype(float)
        if not values.any():
            continue
        ax.bar(x, values, bottom=bottom, color=pack.colours.get(state, "#bdbdbd"), label=state_name(pack, state, lang))
        bottom += values
    names = {c.id: getattr(c.label, lang) for c in pack.categories.values()}
    ax.set_xticks(x, [plain(str(names.get(c, c)), lang) for c in categories], rotation=30, ha="right")
    ax.set_ylabel(word("children", lang))
    _whole_numbers(ax.yaxis)
    ax.set_title(word("tiers by category", lang))
    ax.legend(fontsize=8)
    return fig


def coverage_plot(rows: Sequence[Any], ax: Any = None, lang: str = "en") -> Any:
    """Bars per rule: children for whom it held, was unknown, and was decisive."""
    lang = language(lang)
    rows = list(rows)
    fig, ax = _axes(ax, (max(7.0, 0.3 * len(rows)), 3.6))
    x = np.arange(len(rows))
    width = 0.28
    for k, (field, colour) in enumerate((("held", "#4c72b0"), ("unknown", "#bdbdbd"), ("decisive", "#c44e52"))):
        values = [getattr(r, field) or 0 for r in rows]
        ax.bar(x + (k - 1) * width, values, width, label=word(field, lang), color=colour)
    ax.set_xticks(x, [r.rule for r in rows], rotation=90, fontsize=7)
    ax.set_ylabel(word("children", lang))
    ax.set_title(word("coverage", lang))
    ax.legend(fontsize=8)
    return fig
