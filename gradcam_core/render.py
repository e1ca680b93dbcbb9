"""Upsampling a coarse map to the photo and overlaying it with a colormap, in bounded memory."""

from __future__ import annotations

from functools import cache
from typing import Literal

import matplotlib
import numpy as np
from PIL import Image

Interpolation = Literal["bilinear", "nearest"]
_ROWS_PER_CHUNK = 512  # overlay works on bands of rows so a 40-megapixel photo stays cheap

# A perceptual default, the original article's jet, and colour-blind-safe choices.
COLORMAPS: tuple[str, ...] = ("inferno", "jet", "viridis", "magma", "cividis", "turbo", "plasma")
DEFAULT_COLORMAP = "inferno"
DIVERGING_COLORMAP = "RdBu_r"  # for the signed raw map, centred on 0


def _bilinear_matrix(source: int, target: int) -> np.ndarray:
    """(target, source) weights of 1-D bilinear resampling with half-pixel centres.

    Output sample t sits at source coordinate (t + 0.5) * source / target - 0.5, so the block of
    the image that cell s covers is centred on s; coordinates beyond the edge cells are clamped.
    """
    coords = (np.arange(target) + 0.5) * (source / target) - 0.5
    coords = np.clip(coords, 0, source - 1)
    low = np.floor(coords).astype(int)
    high = np.minimum(low + 1, source - 1)
    frac = coords - low
    matrix = np.zeros((target, source))
    rows = np.arange(target)
    np.add.at(matrix, (rows, low), 1 - frac)
    np.add.at(matrix, (rows, high), frac)
    return matrix


def _nearest_matrix(source: int, target: int) -> np.ndarray:
    """(target, source) one-hot rows: each output sample takes the cell whose block contains it."""
    index = np.minimum(((np.arange(target) + 0.5) * source / target).astype(int), source - 1)
    return np.eye(source)[index]


def _resampling_matrix(source: int, target: int, method: Interpolation) -> np.ndarray:
    if method == "bilinear":
        return _bilinear_matrix(source, target)
    if method == "nearest":
        return _nearest_matrix(source, target)
    raise ValueError(f"Unknown interpolation {method!r}; use 'bilinear' or 'nearest'.")


def upsample(
    cam: np.ndarray, height: int, width: int, method: Interpolation = "bilinear"
) -> np.ndarray:
    """Resize an (h, w) map to (height, width): bilinear or nearest, half-pixel centres."""
    cam = np.asarray(cam, dtype=np.float64)
    if cam.ndim != 2 or cam.size == 0:
        raise ValueError(f"Expected a non-empty (h, w) map, got shape {cam.shape}.")
    vertical = _resampling_matrix(cam.shape[0], height, method)
    horizontal = _resampling_matrix(cam.shape[1], width, method)
    return (vertical @ cam @ horizontal.T).astype(np.float32)


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
    vertical = _resampling_matrix(cam.shape[0], height, method)
    horizontal = _resampling_matrix(cam.shape[1], width, method)
    out = np.empty_like(photo)
    for start in range(0, height, _ROWS_PER_CHUNK):
        stop = min(start + _ROWS_PER_CHUNK, height)
        band = vertical[start:stop] @ cam @ horizontal.T
        levels = np.rint(np.clip(band, 0.0, 1.0) * 255.0).astype(np.uint8)
        colors = Image.fromarray(table[levels], "RGB")
        base = Image.fromarray(np.ascontiguousarray(photo[start:stop]), "RGB")
        out[start:stop] = np.asarray(Image.blend(base, colors, float(opacity)))
    return out
