"""The analyst's plots draw, in the pack's tier colours, and say clearly when Chinese labels cannot be drawn."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import riskeval
from riskeval.analysis import cjk_font, compare, missing_facts, plot_tiers_by_category

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.colors import to_hex  # noqa: E402

ON = datetime.date(2025, 12, 1)
POPULATION = Path(__file__).resolve().parents[1] / "examples" / "population"


@pytest.fixture(scope="module")
def comparison() -> riskeval.Comparison:
    pack = riskeval.load_pack()
    variant = pack.with_parameters({"left_behind_rural_only": True}, version="rural-only")
    return compare(riskeval.read_population(POPULATION), pack, variant, on=ON)


def _colours(fig: object) -> set[str]:
    return {to_hex(p.get_facecolor()) for ax in fig.axes for p in ax.patches}  # type: ignore[attr-defined]


def test_every_plot_draws_to_png(comparison: riskeval.Comparison, tmp_path: Path) -> None:
    """Transition matrix, workload delta, missing facts and tiers by category each save a non-empty PNG."""
    figures = {
        "transitions": comparison.plot(),
        "workload": comparison.workload().plot(),
        "missing": missing_facts(comparison.base).plot(),
        "tiers": plot_tiers_by_category(comparison.base),
    }
    for name, fig in figures.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path)
        assert path.stat().st_size > 5_000, name


def test_bars_use_the_colours_the_pack_declares(comparison: riskeval.Comparison) -> None:
    """The special tier is drawn in tiers.yaml's colour for it, whatever matplotlib's cycle would pick."""
    pack = comparison.base.pack
    drawn = _colours(plot_tiers_by_category(comparison.base))
    assert pack.colours["special"] in drawn and pack.colours["general"] in drawn
    assert _colours(missing_facts(comparison.base).plot()) & {pack.colours["urgent"], pack.colours["special"]}


def test_chinese_labels_need_a_cjk_font(comparison: riskeval.Comparison) -> None:
    """lang='zh' draws Chinese labels when a CJK font is installed; else it warns, saying how, and uses en."""
    if cjk_font() is None:
        with pytest.warns(UserWarning, match="no font with Chinese characters"):
            fig = comparison.plot(lang="zh")
        labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert "Special (orange)" in labels
    else:
        fig = comparison.plot(lang="zh")
        assert "重点（橙色）" in [t.get_text() for t in fig.axes[0].get_xticklabels()]


def test_an_unknown_language_is_refused(comparison: riskeval.Comparison) -> None:
    """lang must be en or zh."""
    with pytest.raises(ValueError, match="lang"):
        comparison.plot(lang="fr")


def test_every_state_on_a_plot_is_named_in_words(comparison: riskeval.Comparison) -> None:
    """The statuses no pack rule names (not on the roster, to be verified) are drawn as words, never as ids."""
    fig = comparison.plot()
    labels = {t.get_text() for ax in fig.axes for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]}
    assert "not on the roster" in labels
    assert not {"not_on_roster", "undetermined"} & labels
