"""Maps drawn over photos: colormaps, the overlay, the signed overlay and gradient images.

Every function returns RGB uint8 pixels; encoding them is ``drawing.encode``'s job.
"""

from __future__ import annotations

from functools import cache

import matplotlib
import numpy as np
from PIL import Image

from ..resample import Interpolation, resampling_matrix, upsample

_ROWS_PER_CHUNK = 512  # overlay works on bands of rows so a 40-megapixel photo stays cheap


# A perceptual default, the original article's jet, and colour-blind-safe choices.
COLORMAPS: tuple[str, ...] = ("inferno", "jet", "viridis", "magma", "cividis", "turbo", "plasma")


DEFAULT_COLORMAP = "inferno"


DIVERGING_COLORMAP = "RdBu_r"  # for the signed raw map, centred on 0


def check_colormap(name: str) -> str:
    """The name if matplotlib knows this colormap, else a ValueError naming a few good ones."""
    if name not in matplotlib.colormaps:
        raise ValueError(f"Unknown colormap '{name}'; try one of: {', '.join(COLORMAPS)}.")
    return name


@cache
def colormap_table(name: str) -> np.ndarray:
    """A (256, 3) uint8 lookup table of the colormap."""
    cmap = matplotlib.colormaps[check_colormap(name)]
    return (cmap(np.linspace(0.0, 1.0, 256))[:, :3] * 255.0 + 0.5).astype(np.uint8)


def colorize(values: np.ndarray, cmap: str = DEFAULT_COLORMAP) -> np.ndarray:
    """Map values in [0, 1] (clipped) to RGB uint8 (..., 3) through a 256-entry colormap table."""
    levels = np.rint(np.clip(np.nan_to_num(values), 0.0, 1.0) * 255.0).astype(np.uint8)
    return colormap_table(cmap)[levels]


def _as_rgb_array(image: Image.Image | np.ndarray) -> np.ndarray:
    array = np.asarray(image.convert("RGB") if isinstance(image, Image.Image) else image)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"Expected an RGB image (H, W, 3), got shape {array.shape}.")
    return array.astype(np.uint8, copy=False)


def overlay(
    image: Image.Image | np.ndarray,
    cam: np.ndarray,
    cmap: str = DEFAULT_COLORMAP,
    opacity: float = 0.5,
    method: Interpolation = "bilinear",
) -> np.ndarray:
    """Blend the colorized [0, 1] map over the photo: (1 - a) * photo + a * cmap(map), RGB uint8.

    The map is upsampled to the photo's full resolution in bands of rows, so memory stays
    bounded for large photos.
    """
    if not 0.0 <= float(opacity) <= 1.0:
        raise ValueError(f"Opacity must be between 0 and 1, got {opacity}.")
    photo = _as_rgb_array(image)
    height, width = photo.shape[:2]
    cam = np.asarray(cam, dtype=np.float64)
    if cam.ndim != 2 or cam.size == 0:
        raise ValueError(f"Expected a non-empty (h, w) map, got shape {cam.shape}.")
    table = colormap_table(cmap)
    vertical = resampling_matrix(cam.shape[0], height, method)
    horizontal = resampling_matrix(cam.shape[1], width, method)
    out = np.empty_like(photo)
    for start in range(0, height, _ROWS_PER_CHUNK):
        stop = min(start + _ROWS_PER_CHUNK, height)
        band = vertical[start:stop] @ cam @ horizontal.T
        levels = np.rint(np.clip(band, 0.0, 1.0) * 255.0).astype(np.uint8)
        colors = Image.fromarray(table[levels], "RGB")
        base = Image.fromarray(np.ascontiguousarray(photo[start:stop]), "RGB")
        out[start:stop] = np.asarray(Image.blend(base, colors, float(opacity)))
    return out


def symmetric_limit(values: np.ndarray) -> float:
    """max |value|, so a diverging colormap is centred on 0 with a symmetric range (never 0)."""
    limit = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return limit if limit > 0 else 1.0


def signed_overlay(
    photo: Image.Image | np.ndarray,
    signed: np.ndarray,
    opacity: float = 0.5,
    cmap: str = DIVERGING_COLORMAP,
) -> np.ndarray:
    """(1 − w) I + w cmap((s + 1) / 2), w = a √|s|, s = up(map) / max|map|: 0 shows the photo.

    A signed map on a diverging colormap (red > 0, blue < 0 for RdBu_r), with the blend weight
    growing with |s|, so the colours mark only where the map is strong; the square root keeps
    moderate values visible (a diverging colormap is pale near its centre).
    """
    if not 0.0 <= float(opacity) <= 1.0:
        raise ValueError(f"Opacity must be between 0 and 1, got {opacity}.")
    base = np.asarray(photo.convert("RGB") if isinstance(photo, Image.Image) else photo)
    height, width = base.shape[:2]
    s = np.clip(upsample(signed, height, width) / symmetric_limit(signed), -1.0, 1.0)
    levels = np.rint((s + 1.0) / 2.0 * 255.0).astype(np.uint8)
    colours = colormap_table(cmap)[levels].astype(np.float64)
    alpha = (float(opacity) * np.sqrt(np.abs(s)))[..., None]
    return np.rint((1.0 - alpha) * base + alpha * colours).astype(np.uint8)


def gradient_image(gradient: np.ndarray, contrast: float = 0.1) -> np.ndarray:
    """uint8 image of a signed gradient: 0.5 + contrast (g - mean) / (std + 1e-5), clipped."""
    g = np.asarray(gradient, dtype=np.float64)
    g = (g - g.mean()) / (g.std() + 1e-5)
    return np.rint(np.clip(0.5 + contrast * g, 0.0, 1.0) * 255.0).astype(np.uint8)


def pixel_image(gradient: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``gradient_image(g)`` (0.5 + 0.1 z-score) resized to the photo's (width, height), uint8
    RGB; a grey model's one-channel gradient is shown in grey."""
    pixels = gradient_image(gradient)
    if pixels.shape[-1] == 1:
        pixels = np.repeat(pixels, 3, axis=-1)
    image = Image.fromarray(pixels, "RGB")
    return np.asarray(image.resize(size, Image.Resampling.BILINEAR))
