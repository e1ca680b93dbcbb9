"""Does the map fall on the object? Pointing game, mass in the box, the 15 % box and IoU.

Boxes are (x0, y0, x1, y1) in pixels of the original photo, x to the right and y down from the
top-left corner; x1 and y1 are exclusive, so the box covers columns x0..x1-1 and rows y0..y1-1 and
its area is (x1 - x0)(y1 - y0). The (h, w) map is bilinearly upsampled (half-pixel centres, as the
overlay draws it) to the whole photo, because the model sees the whole photo resized, not a crop.

The weakly-supervised box is the Grad-CAM paper's (Selvaraju et al. 2017): keep the pixels whose
upsampled value is at least 15 % of the maximum, take the largest connected region
(8-connectivity: pixels touching by a side or a corner are connected; ties go to the region met
first in row-major order) and return its bounding box.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ..render import upsample

Box = tuple[int, int, int, int]  # (x0, y0, x1, y1), x1 and y1 exclusive
BOX_THRESHOLD = 0.15  # share of the map's maximum that the Grad-CAM paper's box keeps
_EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)


@dataclass(frozen=True)
class Localization:
    """How well one map localizes one box on the photo."""

    box: Box  # the reference box, clipped to the photo
    peak: tuple[int, int] | None  # (x, y) of the map's maximum; None for an empty map
    hit: bool  # pointing game: the peak lies in the box (within the tolerance)
    mass_share: float  # sum of the map inside the box / sum of the map; nan for an empty map
    predicted_box: Box | None  # the 15 % box; None for an empty map
    iou: float  # IoU of predicted_box with box; 0 when there is no predicted box


def check_box(box: Sequence[float], width: int | None = None, height: int | None = None) -> Box:
    """(x0, y0, x1, y1) as ints, x0 < x1 and y0 < y1, clipped to the image if its size is given."""
    if len(box) != 4:
        raise ValueError(f"A box is (x0, y0, x1, y1), got {box!r}.")
    if not all(math.isfinite(float(v)) for v in box):
        raise ValueError(f"Box coordinates must be finite, got {box!r}.")
    x0, y0, x1, y1 = (round(float(v)) for v in box)
    if width is not None and height is not None:
        x0, x1 = max(0, min(x0, width)), max(0, min(x1, width))
        y0, y1 = max(0, min(y0, height)), max(0, min(y1, height))
    if x1 <= x0 or y1 <= y0:
        raise ValueError(
            f"The box {tuple(box)} is empty (inside the image): it needs x0 < x1 and y0 < y1."
        )
    return x0, y0, x1, y1


def box_area(box: Box) -> int:
    """(x1 - x0)(y1 - y0), or 0 for a degenerate box."""
    x0, y0, x1, y1 = box
    return max(0, x1 - x0) * max(0, y1 - y0)


def iou(a: Box, b: Box) -> float:
    """|a ∩ b| / |a ∪ b| = I / (area a + area b - I); 0 when the union is empty."""
    inter = box_area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
    union = box_area(a) + box_area(b) - inter
    return inter / union if union > 0 else 0.0


def upsample_to_image(cam: np.ndarray, width: int, height: int) -> np.ndarray:
    """The (h, w) map bilinearly upsampled to the photo: V cam Hᵀ as float32 (height, width)."""
    cam = np.asarray(cam, dtype=np.float64)
    if cam.ndim != 2 or cam.size == 0 or not np.all(np.isfinite(cam)):
        raise ValueError(f"Expected a finite (h, w) map, got shape {cam.shape}.")
    if width < 1 or height < 1:
        raise ValueError(f"The image needs a positive size, got {width} x {height}.")
    # Resampling an identity gives the 1-D matrices: V (height, h) and Hᵀ (w, width).
    vertical = upsample(np.eye(cam.shape[0]), height, cam.shape[0])
    columns = (cam @ upsample(np.eye(cam.shape[1]), cam.shape[1], width)).astype(np.float32)
    return np.matmul(vertical, columns)


def peak_location(full_map: np.ndarray) -> tuple[int, int] | None:
    """(x, y) of the maximum (the first in row-major order on ties); None if max <= 0."""
    full_map = np.asarray(full_map)
    index = int(np.argmax(full_map))
    if not full_map.flat[index] > 0:
        return None
    y, x = np.unravel_index(index, full_map.shape)
    return int(x), int(y)


def point_in_box(point: tuple[int, int], box: Box, tolerance: float = 0.0) -> bool:
    """Is the pixel within ``tolerance`` px (Euclidean) of the box's pixels x0..x1-1, y0..y1-1?"""
    x, y = point
    x0, y0, x1, y1 = box
    dx = max(x0 - x, 0, x - (x1 - 1))
    dy = max(y0 - y, 0, y - (y1 - 1))
    return math.hypot(dx, dy) <= tolerance


def pointing_hit(full_map: np.ndarray, box: Box, tolerance: float = 0.0) -> bool:
    """Pointing game (Zhang et al. 2016): the map's maximum lies in the box; False if empty."""
    peak = peak_location(full_map)
    return peak is not None and point_in_box(peak, box, tolerance)


def mass_share(full_map: np.ndarray, box: Box) -> float:
    """sum(map inside the box) / sum(map), for a non-negative map; nan when the map sums to 0."""
    full_map = np.asarray(full_map)
    total = float(full_map.sum(dtype=np.float64))
    if total <= 0.0:
        return float("nan")
    x0, y0, x1, y1 = box
    return float(full_map[y0:y1, x0:x1].sum(dtype=np.float64)) / total


def threshold_box(full_map: np.ndarray, threshold: float = BOX_THRESHOLD) -> Box | None:
    """Box around the largest 8-connected region where map >= threshold * max; None if max <= 0."""
    full_map = np.asarray(full_map)
    peak = float(full_map.max()) if full_map.size else 0.0
    if peak <= 0.0:
        return None
    labels, count = ndimage.label(full_map >= threshold * peak, structure=_EIGHT_CONNECTED)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    sizes[0] = 0  # background
    largest = int(np.argmax(sizes))  # the first (lowest) label on ties: row-major first region
    rows, cols = ndimage.find_objects(labels, max_label=largest)[largest - 1]
    return cols.start, rows.start, cols.stop, rows.stop


def localize(
    cam: np.ndarray,
    box: Sequence[float],
    image_size: tuple[int, int],
    *,
    threshold: float = BOX_THRESHOLD,
    tolerance: float = 0.0,
) -> Localization:
    """All localization scores of an (h, w) map against a box on a photo of (width, height)."""
    width, height = image_size
    reference = check_box(box, width, height)
    # Bilinear weights are convex, so clipping the coarse map keeps the upsampled one >= 0.
    full_map = upsample_to_image(np.clip(cam, 0.0, None), width, height)
    peak = peak_location(full_map)
    predicted = threshold_box(full_map, threshold)
    return Localization(
        box=reference,
        peak=peak,
        hit=peak is not None and point_in_box(peak, reference, tolerance),
        mass_share=mass_share(full_map, reference),
        predicted_box=predicted,
        iou=0.0 if predicted is None else iou(predicted, reference),
    )
