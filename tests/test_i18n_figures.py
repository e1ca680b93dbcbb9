"""Every figure drawn in Chinese, with real glyphs: matplotlib's missing-glyph warning fails it.

The font manager is first narrowed to what a fresh machine has (matplotlib's own fonts) plus
the font package the engine depends on, so a CJK font installed on this machine (Debian's
fonts-noto-cjk) cannot hide a missing install step.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib import font_manager
from PIL import Image

from gradcam_core.cams.base import cam_result
from gradcam_core.drawing import fonts, stages
from gradcam_core.drawing import walkthrough as figures
from gradcam_core.i18n import use_language

MATPLOTLIB_FONTS = Path(matplotlib.get_data_path()) / "fonts"


def _only_matplotlib_fonts(monkeypatch) -> None:
    """The font manager as on a fresh machine: matplotlib's bundled fonts and nothing else."""
    own = [
        f
        for f in font_manager.fontManager.ttflist
        if Path(f.fname).is_relative_to(MATPLOTLIB_FONTS)
    ]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", own)
    font_manager.fontManager._findfont_cached.cache_clear()


@pytest.fixture
def fresh_machine_fonts(monkeypatch):
    """Only matplotlib's bundled fonts and the packaged CJK font, as on a fresh machine."""
    _only_matplotlib_fonts(monkeypatch)
    fonts.use_cjk_fallback.cache_clear()
    used = fonts.use_cjk_fallback()
    yield used
    font_manager.fontManager._findfont_cached.cache_clear()
    fonts.use_cjk_fallback.cache_clear()


def _result(empty: bool = False):
    raw = np.random.default_rng(0).normal(size=(7, 9))
    return cam_result(
        "Grad-CAM", -np.abs(raw) if empty else raw, np.ones(4),
        layer="top_relu", class_index=281, score_kind="logit", score=3.2,
    )  # fmt: skip


def _all_figures() -> dict[str, bytes]:
    photo = Image.new("RGB", (300, 200), "white")
    result, empty = _result(), _result(empty=True)
    rng = np.random.default_rng(1)
    activations, gradients = rng.normal(size=(7, 9, 16)), rng.normal(size=(7, 9, 16))
    weights = gradients.mean(axis=(0, 1))
    logits = rng.normal(size=10)
    return {
        "four panels": stages.stages_figure_png(photo, result, "jet", 0.5, "虎斑猫 tabby"),
        "four panels, empty": stages.stages_figure_png(photo, empty, "jet", 0.5, "tabby"),
        "stage": stages.stage_png(empty, "normalized", "inferno", 0.7),
        "colour scale": stages.colorbar_png("viridis"),
        "channels": figures.channels_png(activations, gradients, weights, [0, 1, 2, 3], 4, 0.7),
        "softmax": figures.softmax_curve_png(logits, 3),
        "relu": figures.relu_png(result.raw, "jet", 0.7),
        "partial sums": figures.partial_sums_png(activations, weights, [1, 10, 16], 0.7),
    }


def test_every_figure_in_chinese_has_real_glyphs(fresh_machine_fonts):
    assert fresh_machine_fonts is not None and Path(fresh_machine_fonts).is_file()
    assert "site-packages" in fresh_machine_fonts or "dist-packages" in fresh_machine_fonts
    with use_language("zh"), warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        drawn = _all_figures()
    for name, png in drawn.items():
        assert Image.open(io.BytesIO(png)).size[0] > 50, name


def test_without_a_cjk_font_the_glyphs_are_missing(monkeypatch):
    """The check above can fail: with matplotlib's fonts alone, Chinese warns of missing glyphs."""
    _only_matplotlib_fonts(monkeypatch)
    try:
        with use_language("zh"), pytest.warns(UserWarning, match="missing from font"):
            stages.colorbar_png("viridis")
    finally:
        font_manager.fontManager._findfont_cached.cache_clear()


def test_english_figures_draw_with_dejavu_alone():
    """The CJK fallback is never reached by English text: same fonts as before."""
    with use_language("en"), warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        drawn = _all_figures()
    assert len(drawn) == 8


def test_the_four_panel_download_speaks_the_language_it_was_asked_in():
    photo = Image.new("RGB", (300, 200), "white")
    english = stages.stages_figure_png(photo, _result(), "jet", 0.5, "tabby")
    with use_language("zh"):
        chinese = stages.stages_figure_png(photo, _result(), "jet", 0.5, "tabby")
    assert english != chinese
