"""Matplotlib figures of the Grad-CAM stages, rendered off-screen to PNG bytes.

``STAGE_INFO`` declares what a page and a figure say about each stage (title, formula, caption).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import matplotlib

matplotlib.use("Agg")  # no display: figures are rendered to bytes

import numpy as np
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from PIL import Image

from ..cams.base import CamResult
from ..i18n import N_, _
from .encode import figure_png
from .fonts import use_cjk_fallback
from .maps import DIVERGING_COLORMAP, check_colormap, overlay, symmetric_limit
from .photos import preview

use_cjk_fallback()  # Chinese glyphs after DejaVu Sans (drawing/fonts.py)

Stage = Literal["raw", "relu", "normalized"]


STAGES: tuple[Stage, ...] = ("raw", "relu", "normalized")


@dataclass(frozen=True)
class StageInfo:
    """What a page and a figure say about one stage: title, formula, caption and note."""

    title: str
    formula: str  # LaTeX, for st.latex
    caption: str  # plain text (matplotlib mathtext has no \textstyle or \big)
    note: str  # what the step does, in a sentence or two


STAGE_INFO: dict[str, StageInfo] = {
    "raw": StageInfo(
        N_("1. Weighted sum"),
        r"\textstyle\sum_k \alpha_k^c A^k",
        N_("Σ_k α_k A^k, signed; blue < 0 < red"),
        N_(
            "Each channel A^k weighted by α_k (the mean of its gradient) and summed. Signed: "
            "blue cells argue against the class."
        ),
    ),
    "relu": StageInfo(
        N_("2. After ReLU"),
        r"\mathrm{ReLU}\big(\textstyle\sum_k \alpha_k^c A^k\big)",
        "max(Σ_k α_k A^k, 0)",
        N_("Only the cells that raise the score are kept."),
    ),
    "normalized": StageInfo(
        N_("3. Normalized"),
        r"L^c / \max L^c",
        N_("ReLU map / its maximum, in [0, 1]"),
        N_("Divided by its maximum so the strongest evidence is 1."),
    ),
    "overlay": StageInfo(
        N_("4. Overlay"),
        r"(1-a)\,I + a\,\mathrm{cmap}(\mathrm{up}(L^c))",
        N_("upsampled map over the photo"),
        N_("Upsampled to the photo (bilinear, half-pixel centres) and blended over it."),
    ),
}


def _stage_norm(result: CamResult, stage: Stage) -> Normalize:
    if stage == "raw":
        limit = symmetric_limit(result.raw)
        return TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)
    if stage == "relu":
        return Normalize(0.0, result.peak if result.peak > 0 else 1.0)
    return Normalize(0.0, 1.0)


def draw_stage(ax, result: CamResult, stage: Stage, cmap: str, aspect: float = 1.0):
    """Draw one stage's cells (nearest, no smoothing) on an axis; returns the image for a colorbar.

    ``aspect`` is the photo's height / width, so the cells take the shape of the image blocks they
    cover (the model saw the whole photo resized to a square).
    """
    colormap = DIVERGING_COLORMAP if stage == "raw" else check_colormap(cmap)
    values = getattr(result, stage)
    height, width = values.shape
    image = ax.imshow(
        values,
        cmap=colormap,
        norm=_stage_norm(result, stage),
        interpolation="nearest",
        aspect=aspect * width / height,
    )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(_("{height} x {width} cells").format(height=height, width=width), fontsize=8)
    if stage != "raw" and result.is_empty:
        ax.text(
            0.5,
            0.5,
            _("no positive\nevidence"),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            color="black",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"},
        )
    return image


def stage_png(result: CamResult, stage: Stage, cmap: str, aspect: float = 1.0) -> bytes:
    """A PNG of one stage with its colorbar, laid out by hand (no layout pass: ~40 ms)."""
    image_width = 2.6  # inches
    image_height = image_width * min(max(aspect, 0.25), 2.5)
    margin_bottom, margin_top, colorbar_space = 0.3, 0.08, 0.75
    fig_width = image_width + colorbar_space + 0.1
    fig_height = image_height + margin_bottom + margin_top
    fig = Figure(figsize=(fig_width, fig_height))
    ax = fig.add_axes(
        (
            0.05 / fig_width,
            margin_bottom / fig_height,
            image_width / fig_width,
            image_height / fig_height,
        )
    )
    cax = fig.add_axes(
        (
            (image_width + 0.2) / fig_width,
            margin_bottom / fig_height,
            0.12 / fig_width,
            image_height / fig_height,
        )
    )
    fig.colorbar(draw_stage(ax, result, stage, cmap, aspect), cax=cax).ax.tick_params(labelsize=8)
    return figure_png(fig)


def stages_figure_png(
    photo: Image.Image, result: CamResult, cmap: str, opacity: float, class_label: str
) -> bytes:
    """All four panels side by side (raw, ReLU, normalized, overlay) as one PNG."""
    aspect = photo.size[1] / photo.size[0]
    fig = Figure(figsize=(16, 3.6 * min(aspect, 1.5) + 1.3), layout="constrained")
    axes = fig.subplots(1, 4)
    for ax, stage in zip(axes[:3], STAGES, strict=True):
        image = draw_stage(ax, result, stage, cmap, aspect)
        colorbar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, shrink=min(1.0, aspect))
        colorbar.ax.tick_params(labelsize=7)
        info = STAGE_INFO[stage]
        ax.set_title(f"{_(info.title)}\n{_(info.caption)}", fontsize=10)
    axes[3].imshow(overlay(preview(photo), result.normalized, cmap, opacity))
    overlay_info = STAGE_INFO["overlay"]
    axes[3].set_title(f"{_(overlay_info.title)}\n{_(overlay_info.caption)}", fontsize=10)
    axes[3].axis("off")
    fig.suptitle(
        _("{method} for '{label}' at layer {layer} ({score_kind} score {score:.3g})").format(
            method=result.method,
            label=class_label,
            layer=result.layer,
            score_kind=result.score_kind,
            score=result.score,
        ),
        fontsize=12,
    )
    return figure_png(fig, dpi=100, tight=True)


def colorbar_png(cmap: str, width_px: int = 480) -> bytes:
    """A horizontal colorbar of the normalized map's scale, 0 (nothing) to 1 (strongest)."""
    check_colormap(cmap)
    fig = Figure(figsize=(width_px / 100, 0.8))
    ax = fig.add_axes((0.04, 0.62, 0.92, 0.3))
    ax.imshow(np.linspace(0.0, 1.0, 256)[None], aspect="auto", cmap=cmap, extent=(0, 1, 0, 1))
    ax.set_yticks([])
    ax.set_xticks([0.0, 0.25, 0.5, 0.75, 1.0])
    ax.tick_params(labelsize=8)
    ax.set_xlabel(_("normalized map: 0 no evidence, 1 strongest"), fontsize=8)
    return figure_png(fig)
