"""Matplotlib figures of the Grad-CAM stages, rendered off-screen to PNG bytes."""

from __future__ import annotations

import io
from typing import Literal

import matplotlib

matplotlib.use("Agg")  # no display: figures are rendered to bytes

import numpy as np
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from PIL import Image

from .cams.base import CamResult
from .render import DIVERGING_COLORMAP, check_colormap, overlay

Stage = Literal["raw", "relu", "normalized"]
STAGES: tuple[Stage, ...] = ("raw", "relu", "normalized")

STAGE_TITLES = {
    "raw": "1. Weighted sum",
    "relu": "2. After ReLU",
    "normalized": "3. Normalized",
    "overlay": "4. Overlay",
}
STAGE_FORMULAS = {
    "raw": r"\textstyle\sum_k \alpha_k^c A^k",
    "relu": r"\mathrm{ReLU}\big(\textstyle\sum_k \alpha_k^c A^k\big)",
    "normalized": r"L^c / \max L^c",
    "overlay": r"(1-a)\,I + a\,\mathrm{cmap}(\mathrm{up}(L^c))",
}
# Plain-text formulas for captions (matplotlib mathtext has no \textstyle or \big).
STAGE_CAPTIONS = {
    "raw": "Σ_k α_k A^k, signed; blue < 0 < red",
    "relu": "max(Σ_k α_k A^k, 0)",
    "normalized": "ReLU map / its maximum, in [0, 1]",
    "overlay": "upsampled map over the photo",
}


def symmetric_limit(values: np.ndarray) -> float:
    """max |value|, so a diverging colormap is centred on 0 with a symmetric range (never 0)."""
    limit = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return limit if limit > 0 else 1.0


def _stage_norm(result: CamResult, stage: Stage) -> Normalize:
    if stage == "raw":
        limit = symmetric_limit(result.raw)
        return TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)
    if stage == "relu":
        return Normalize(0.0, result.peak if result.peak > 0 else 1.0)
    return Normalize(0.0, 1.0)


def draw_stage(ax, fig: Figure, result: CamResult, stage: Stage, cmap: str) -> None:
    """One stage on an axis: the map's cells (nearest, no smoothing) with a colorbar."""
    colormap = DIVERGING_COLORMAP if stage == "raw" else check_colormap(cmap)
    values = getattr(result, stage)
    norm = _stage_norm(result, stage)
    image = ax.imshow(values, cmap=colormap, norm=norm, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    height, width = values.shape
    ax.set_xlabel(f"{height} x {width} cells", fontsize=8)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04).ax.tick_params(labelsize=7)
    if stage != "raw" and result.is_empty:
        ax.text(
            0.5, 0.5, "no positive\nevidence", transform=ax.transAxes, ha="center",
            va="center", fontsize=10, color="black",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"},
        )


def to_png(fig: Figure, dpi: int = 110) -> bytes:
    """Render a figure to PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def stage_png(result: CamResult, stage: Stage, cmap: str, size: float = 3.2) -> bytes:
    """A PNG of one stage with its colorbar."""
    fig = Figure(figsize=(size, size * 0.86), layout="constrained")
    draw_stage(fig.add_subplot(), fig, result, stage, cmap)
    return to_png(fig)


def stages_figure_png(
    photo: Image.Image, result: CamResult, cmap: str, opacity: float, class_label: str
) -> bytes:
    """All four panels side by side (raw, ReLU, normalized, overlay) as one PNG."""
    fig = Figure(figsize=(16, 4.4), layout="constrained")
    axes = fig.subplots(1, 4)
    for ax, stage in zip(axes[:3], STAGES, strict=True):
        draw_stage(ax, fig, result, stage, cmap)
        ax.set_title(f"{STAGE_TITLES[stage]}\n{STAGE_CAPTIONS[stage]}", fontsize=10)
    axes[3].imshow(overlay(preview(photo), result.normalized, cmap, opacity))
    axes[3].set_title(f"{STAGE_TITLES['overlay']}\n{STAGE_CAPTIONS['overlay']}", fontsize=10)
    axes[3].axis("off")
    fig.suptitle(
        f"{result.method} for '{class_label}' at layer {result.layer} "
        f"({result.score_kind} score {result.score:.3g})",
        fontsize=12,
    )
    return to_png(fig, dpi=100)


def preview(photo: Image.Image, max_side: int = 1024) -> Image.Image:
    """A copy no larger than max_side on its long side, for figures (overlays stay full size)."""
    if max(photo.size) <= max_side:
        return photo
    copy = photo.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    return copy
