"""Figures of "How Grad-CAM works" and "Layers": channel grids, the softmax curve, ReLU, partial
sums, upsampling panels and small layer maps.

Matplotlib figures use the object-oriented API on the Agg backend, laid out by hand (no
constrained layout pass, so each renders in tens of milliseconds); photo panels are drawn with
PIL. ``scale`` enlarges everything for presenter mode.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: figures are rendered to bytes

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from PIL import Image, ImageDraw

from ..i18n import _
from ..modifiers import Head
from ..resample import Interpolation, upsample
from ..walkthrough import (
    CellGrid,
    correlation,
    partial_sum,
    peak_cell,
    softmax_curve,
    top_channels,
)
from .encode import figure_png, jpeg_bytes
from .fonts import use_cjk_fallback
from .maps import DIVERGING_COLORMAP, colorize, symmetric_limit

use_cjk_fallback()  # Chinese glyphs after DejaVu Sans (drawing/fonts.py)

POSITIVE_COLOR = "#c0392b"  # alpha_k > 0: the channel argues for the class


NEGATIVE_COLOR = "#2e6fb7"  # alpha_k < 0: the channel argues against it


ACTIVATION_COLORMAP = "viridis"


MIN_GRID_PIXELS = 5  # cell edges closer than this on the picture are not drawn


def _clip_aspect(aspect: float) -> float:
    return min(max(float(aspect), 0.25), 2.5)


def _cells(ax: Axes, values: np.ndarray, cmap: str, norm: Normalize, aspect: float):
    """Draw a map's cells (nearest), shaped like the photo blocks they cover; no ticks."""
    height, width = values.shape
    image = ax.imshow(
        values, cmap=cmap, norm=norm, interpolation="nearest", aspect=aspect * width / height
    )
    ax.set_xticks([])
    ax.set_yticks([])
    return image


def _signed_norm(values: np.ndarray) -> TwoSlopeNorm:
    limit = symmetric_limit(values)
    return TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit)


def _range_norm(values: np.ndarray) -> Normalize:
    low, high = float(np.min(values)), float(np.max(values))
    return Normalize(low, high if high > low else low + 1.0)


def _grid(
    rows: int,
    columns: int,
    panel: tuple[float, float],
    *,
    left: float = 0.1,
    top: float = 0.5,
    bottom: float = 0.1,
    right: float = 0.1,
    gap: tuple[float, float] = (0.15, 0.45),
) -> tuple[Figure, list[list[Axes]]]:
    """A figure of rows x columns axes of panel (width, height) inches, placed by hand."""
    width, height = panel
    fig_width = left + columns * width + (columns - 1) * gap[0] + right
    fig_height = top + rows * height + (rows - 1) * gap[1] + bottom
    fig = Figure(figsize=(fig_width, fig_height))
    axes = [
        [
            fig.add_axes(
                (
                    (left + c * (width + gap[0])) / fig_width,
                    (fig_height - top - r * (height + gap[1]) - height) / fig_height,
                    width / fig_width,
                    height / fig_height,
                )
            )
            for c in range(columns)
        ]
        for r in range(rows)
    ]
    return fig, axes


def channels_png(
    activations: np.ndarray,
    gradients: np.ndarray,
    weights: np.ndarray,
    channels: Sequence[int],
    columns: int,
    aspect: float = 1.0,
    scale: float = 1.0,
) -> bytes:
    """For each channel k: A^k (own scale) above dy^c/dA^k (one signed scale for all), titled
    with k and alpha_k."""
    channels = list(channels)
    columns = max(1, min(columns, len(channels)))
    groups = -(-len(channels) // columns)
    width = 1.5 * scale
    height = width * _clip_aspect(aspect)
    left, top, title, inner, right = 0.45 * scale, 0.1, 0.5 * scale, 0.08, 1.2 * scale
    fig_width = left + columns * width + (columns - 1) * 0.1 + right
    fig_height = top + groups * (title + 2 * height + inner) + 0.1
    fig = Figure(figsize=(fig_width, fig_height))
    gradient_norm = _signed_norm(gradients[..., channels])
    font = 10 * scale
    image = None
    for index, k in enumerate(channels):
        group, column = divmod(index, columns)
        x = (left + column * (width + 0.1)) / fig_width
        y_top = fig_height - top - group * (title + 2 * height + inner) - title
        for row, (values, cmap, norm) in enumerate(
            (
                (activations[..., k], ACTIVATION_COLORMAP, _range_norm(activations[..., k])),
                (gradients[..., k], DIVERGING_COLORMAP, gradient_norm),
            )
        ):
            bottom = (y_top - (row + 1) * height - row * inner) / fig_height
            ax = fig.add_axes((x, bottom, width / fig_width, height / fig_height))
            drawn = _cells(ax, values, cmap, norm, aspect)
            if row == 0:
                ax.set_title(f"k = {k}\nα = {weights[k]:+.3g}", fontsize=font)
            else:
                image = drawn
            if column == 0:
                ax.set_ylabel("∂yᶜ/∂Aᵏ" if row else "Aᵏ", fontsize=font + 1)
    if image is not None:
        cax = fig.add_axes(
            (
                (fig_width - right + 0.15) / fig_width,
                0.1 / fig_height,
                0.12 / fig_width,
                (fig_height - top - title - 0.1) / fig_height,
            )
        )
        colorbar = fig.colorbar(image, cax=cax)
        colorbar.ax.tick_params(labelsize=8 * scale)
        colorbar.set_label(_("∂yᶜ/∂Aᵏ (all channels)"), fontsize=8 * scale)
    return figure_png(fig)


def softmax_curve_png(
    logits: np.ndarray, class_index: int, scale: float = 1.0, head: Head = "softmax"
) -> bytes:
    """p_c against z_c (other logits fixed), the current point and its slope p_c (1 - p_c)."""
    logits = np.asarray(logits, dtype=np.float64)
    z = float(logits[class_index])
    p = float(softmax_curve(logits, class_index, np.array([z]), head)[0])
    middle = z - np.log(p / (1.0 - p)) if 0.0 < p < 1.0 else z  # where p_c = 1/2
    values = np.linspace(min(z, middle) - 8.0, max(z, middle) + 8.0, 400)
    fig, ((ax,),) = _grid(
        1, 1, (4.2 * scale, 2.4 * scale), left=0.7 * scale, top=0.15, bottom=0.55 * scale
    )
    curve = softmax_curve(logits, class_index, values, head)
    ax.plot(values, curve, color="black", linewidth=1.5)
    slope = p * (1.0 - p)
    tangent = np.array([z - 2.0, z + 2.0])
    ax.plot(tangent, p + slope * (tangent - z), color=POSITIVE_COLOR, linewidth=1.2)
    ax.plot([z], [p], "o", color=POSITIVE_COLOR)
    ax.text(
        0.03,
        0.95,
        _("now: z_c = {z:.2f}, p_c = {p:.3f}\nslope p_c(1−p_c) = {slope:.3f}").format(
            z=z, p=p, slope=slope
        ),
        transform=ax.transAxes,
        va="top",
        fontsize=8 * scale,
        color=POSITIVE_COLOR,
    )
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel(_("logit z_c (other logits fixed)"), fontsize=9 * scale)
    ax.set_ylabel("softmax p_c", fontsize=9 * scale)
    ax.tick_params(labelsize=8 * scale)
    return figure_png(fig)


def _colorbar(fig: Figure, ax: Axes, image, scale: float) -> None:
    box = ax.get_position()
    cax = fig.add_axes((box.x1 + 0.01, box.y0, 0.012, box.height))
    fig.colorbar(image, cax=cax).ax.tick_params(labelsize=7 * scale)


def relu_png(raw: np.ndarray, cmap: str, aspect: float = 1.0, scale: float = 1.0) -> bytes:
    """Three panels: S = sum_k alpha_k A^k (signed), the part ReLU removes (S < 0), max(S, 0)."""
    raw = np.asarray(raw, dtype=np.float64)
    removed = np.maximum(-raw, 0.0)
    after = np.maximum(raw, 0.0)
    side = 2.2 * scale
    fig, (axes,) = _grid(
        1,
        3,
        (side, side * _clip_aspect(aspect)),
        top=0.45 * scale,
        right=0.7 * scale,
        gap=(0.9 * scale, 0.0),
    )
    panels = (
        (_("before: S (signed)"), raw, DIVERGING_COLORMAP, _signed_norm(raw)),
        (_("removed: cells where S < 0 (|S|)"), removed, "Blues", Normalize(0.0, _top(removed))),
        (_("after: max(S, 0)"), after, cmap, Normalize(0.0, _top(after))),
    )
    for ax, (title, values, colormap, norm) in zip(axes, panels, strict=True):
        image = _cells(ax, values, colormap, norm, aspect)
        ax.set_title(title, fontsize=8.5 * scale)
        _colorbar(fig, ax, image, scale)
    return figure_png(fig)


def _top(values: np.ndarray) -> float:
    top = float(np.max(values)) if values.size else 0.0
    return top if top > 0 else 1.0


def partial_sums_png(
    activations: np.ndarray,
    weights: np.ndarray,
    counts: Sequence[int],
    aspect: float = 1.0,
    scale: float = 1.0,
) -> bytes:
    """sum_k alpha_k A^k over the top-n channels by |alpha_k|, one panel per n (signed)."""
    side = 1.9 * scale
    fig, (axes,) = _grid(
        1, len(counts), (side, side * _clip_aspect(aspect)), top=0.45 * scale, gap=(0.2, 0.0)
    )
    total = np.asarray(weights).size
    full = partial_sum(activations, weights, total)
    for ax, count in zip(axes, counts, strict=True):
        values = partial_sum(activations, weights, count)
        _cells(ax, values, DIVERGING_COLORMAP, _signed_norm(values), aspect)
        if count >= total:
            label = _("all {total} channels").format(total=total)
        else:
            label = _("top {count} by |α|: r = {r:.2f}").format(
                count=count, r=correlation(values, full)
            )
        ax.set_title(label, fontsize=8.5 * scale)
    return figure_png(fig)


def channel_list(weights: np.ndarray, count: int) -> list[int]:
    """The channels the grid shows: the ``count`` largest |alpha_k|, largest first."""
    return [int(k) for k in top_channels(weights, count)]


def draw_grid(
    picture: np.ndarray,
    grid: CellGrid,
    highlight: tuple[int, int] | None = None,
    color: tuple[int, int, int] = (255, 255, 255),
) -> np.ndarray:
    """The picture with its cell edges (cells of >= MIN_GRID_PIXELS only) and one cell boxed."""
    image = Image.fromarray(np.ascontiguousarray(picture)).convert("RGBA")
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    width, height = image.size
    if min(grid.block_width, grid.block_height) >= MIN_GRID_PIXELS:
        for x in grid.xs[1:-1]:
            draw.line([(round(x), 0), (round(x), height)], fill=(*color, 150), width=1)
        for y in grid.ys[1:-1]:
            draw.line([(0, round(y)), (width, round(y))], fill=(*color, 150), width=1)
    if highlight is not None:
        left, top, right, bottom = grid.block(*highlight)
        box = [round(left), round(top), max(round(left), round(right) - 1), round(bottom) - 1]
        draw.rectangle(box, outline=(0, 255, 255, 255), width=max(2, width // 300))
    return np.asarray(Image.alpha_composite(image, layer).convert("RGB"))


def upsampled(normalized: np.ndarray, size: tuple[int, int], method: Interpolation, cmap: str):
    """The [0, 1] map upsampled to size (width, height) with ``method`` and colorized (RGB)."""
    width, height = size
    return colorize(upsample(normalized, height, width, method), cmap)


def upsampling_panels(
    photo: Image.Image, normalized: np.ndarray, grid: CellGrid, cmap: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The photo with the cell grid, the map upsampled nearest (grid drawn) and bilinear."""
    peak = peak_cell(normalized)
    plain = np.asarray(photo.convert("RGB"))
    nearest = upsampled(normalized, photo.size, "nearest", cmap)
    bilinear = upsampled(normalized, photo.size, "bilinear", cmap)
    return draw_grid(plain, grid, peak), draw_grid(nearest, grid, peak), bilinear


def layer_thumbnail(
    small_photo: Image.Image, normalized: np.ndarray, cmap: str, opacity: float
) -> bytes:
    """JPEG of (1 - a) photo + a cmap(map), cells enlarged nearest so the resolution shows."""
    colors = Image.fromarray(colorize(normalized, cmap), "RGB")
    colors = colors.resize(small_photo.size, Image.Resampling.NEAREST)
    return jpeg_bytes(Image.blend(small_photo.convert("RGB"), colors, float(opacity)), 85)
