"""Saliency maps that need no model: a seeded random map and a Sobel edge detector.

They are the yardsticks of the trust checks: a useful explanation must beat a random pixel order
on the faithfulness curves, and, unlike the edge map, must change when the model is randomized.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

# ITU-R BT.601 luma weights (the ones PIL uses for mode "L").
LUMA = np.array([0.299, 0.587, 0.114])


def check_pixels(pixels: np.ndarray) -> np.ndarray:
    """The image as float64 (H, W, 3), or a ValueError for a wrong shape or non-finite values."""
    array = np.asarray(pixels, dtype=np.float64)
    if array.ndim != 3 or array.shape[2] != 3 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"Expected RGB pixels of shape (H, W, 3), got {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError("The pixels contain NaN or infinite values.")
    return array


def random_saliency(height: int, width: int, seed: int = 0) -> np.ndarray:
    """Independent uniform [0, 1) values: a random order, reproducible by seed.

    Give the CAM's (h, w) for a random order at the map's own granularity (upsampled, it ranks
    smooth random blobs), or the input's (H, W) for a per-pixel random order. Scattering single
    substrate pixels over the whole image destroys its texture, which drops many models' score
    faster than removing any one region (an off-distribution effect), so a per-pixel random
    deletion curve is a hard bar and not the usual "chance" level.
    """
    if height < 1 or width < 1:
        raise ValueError(f"A map needs a positive size, got {height} x {width}.")
    return np.random.default_rng(seed).random((height, width)).astype(np.float32)


def grey(pixels: np.ndarray) -> np.ndarray:
    """Luma Y = 0.299 R + 0.587 G + 0.114 B, shape (H, W)."""
    return check_pixels(pixels) @ LUMA


def edge_saliency(pixels: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude of the grey image, sqrt(Gx² + Gy²) / max, in [0, 1] (H, W).

    Gx and Gy are scipy.ndimage.sobel along x and y (3 x 3 kernels [1, 2, 1] x [-1, 0, 1],
    borders reflected). A flat image has no edges and gives all zeros.
    """
    luma = grey(pixels)
    magnitude = np.hypot(ndimage.sobel(luma, axis=1), ndimage.sobel(luma, axis=0))
    peak = float(magnitude.max())
    if peak <= 0.0:
        return np.zeros_like(magnitude, dtype=np.float32)
    return (magnitude / peak).astype(np.float32)
