"""Resampling a coarse map to an image's size: bilinear or nearest, with half-pixel centres.

Pure NumPy. Used by the CAM methods (Score-CAM's masks), the metrics (maps at photo size) and
the drawing (overlays), so each cell lines up with the block of the image it covers.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Interpolation = Literal["bilinear", "nearest"]


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


def resampling_matrix(source: int, target: int, method: Interpolation) -> np.ndarray:
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
    vertical = resampling_matrix(cam.shape[0], height, method)
    horizontal = resampling_matrix(cam.shape[1], width, method)
    return (vertical @ cam @ horizontal.T).astype(np.float32)
