"""Does the map fall on the object? Pointing game, mass in the box, the 15 % box and IoU.

Boxes are (x0, y0, x1, y1) in pixels of the original photo, x to the right and y down from the
top-left corner; x1 and y1 are exclusive, so the box covers columns x0..x1-1 and rows y0..y1-1 and
its area is (x1 - x0)(y1 - y0). The (h, w) map is bilinearly upsampled (half-pixel centres, as the
overlay draws it) to the whole photo, because the model sees the whole photo resized, not a crop.

The weakly-supervised box is the Grad-CAM paper's (Selvaraju et al. 2017): keep the pixels whose
upsampled value is at least 15 % of the maximum, take the largest connected region
(8-connectivity: pixels touching by a side or a corner are connected; ties go to the region met
first in row-major order) and return its bounding box.

A photo over ``MAX_FULL_MAP_PIXELS`` (4 MP) is not given a full-size map (a 40 MP photo would need
160 MB per float32 copy, and the region labelling several): the mass in the box is then computed
exactly from the separable upsampling, and the peak and the 15 % box on the map upsampled to the
photo scaled down to 4 MP, mapped back to the photo's pixels (within a scaled pixel, at most
about 3 px of the original on a 40 MP photo).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ..i18n import Text
from ..resample import upsample

Box = tuple[int, int, int, int]  # (x0, y0, x1, y1), x1 and y1 exclusive
BOX_THRESHOLD = 0.15  # share of the map's maximum that the Grad-CAM paper's box keeps
MAX_FULL_MAP_PIXELS = 4_000_000  # above this, peak and 15 % box on a scaled-down grid
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
        raise ValueError(Text("A box is (x0, y0, x1, y1), got {box}.", box=repr(box)))
    if not all(math.isfinite(float(v)) for v in box):
        raise ValueError(Text("Box coordinates must be finite, got {box}.", box=repr(box)))
    x0, y0, x1, y1 = (round(float(v)) for v in box)
    if width is not None and height is not None:
        x0, x1 = max(0, min(x0, width)), max(0, min(x1, width))
        y0, y1 = max(0, min(y0, height)), max(0, min(y1, height))
    if x1 <= x0 or y1 <= y0:
        raise ValueError(
            Text(
                "The box {box} is empty (inside the image): it needs x0 < x1 and y0 < y1.",
                box=tuple(box),
            )
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


def box_mass_share(cam: np.ndarray, box: Box, width: int, height: int) -> float:
    """mass_share of the upsampled map without building it: the upsampling is V cam Hᵀ, so the
    sum over a box is (1ᵀ V_rows) cam (H_cols 1); nan when the map sums to 0."""
    cam = np.clip(np.asarray(cam, dtype=np.float64), 0.0, None)
    vertical = upsample(np.eye(cam.shape[0]), height, cam.shape[0])  # (height, h)
    horizontal = upsample(np.eye(cam.shape[1]), cam.shape[1], width)  # (w, width)
    x0, y0, x1, y1 = box
    total = float(vertical.sum(axis=0) @ cam @ horizontal.sum(axis=1))
    if total <= 0:
        return float("nan")
    inside = float(vertical[y0:y1].sum(axis=0) @ cam @ horizontal[:, x0:x1].sum(axis=1))
    return inside / total


def _to_photo(point: tuple[int, int], scale_x: float, scale_y: float) -> tuple[int, int]:
    """A pixel of the scaled grid to the photo pixel under its centre."""
    return int((point[0] + 0.5) * scale_x), int((point[1] + 0.5) * scale_y)


def localize(
    cam: np.ndarray,
    box: Sequence[float],
    image_size: tuple[int, int],
    *,
    threshold: float = BOX_THRESHOLD,
    tolerance: float = 0.0,
    max_full_map_pixels: int = MAX_FULL_MAP_PIXELS,
) -> Localization:
    """All localization scores of an (h, w) map against a box on a photo of (width, height)."""
    width, height = image_size
    reference = check_box(box, width, height)
    if width * height <= max_full_map_pixels:
        # Bilinear weights are convex, so clipping the coarse map keeps the upsampled one >= 0.
        full_map = upsample_to_image(np.clip(cam, 0.0, None), width, height)
        peak = peak_location(full_map)
        predicted = threshold_box(full_map, threshold)
        share = mass_share(full_map, reference)
    else:
        factor = math.sqrt(max_full_map_pixels / (width * height))
        grid_w, grid_h = max(1, int(width * factor)), max(1, int(height * factor))
        scale_x, scale_y = width / grid_w, height / grid_h
        grid_map = upsample_to_image(np.clip(cam, 0.0, None), grid_w, grid_h)
        grid_peak = peak_location(grid_map)
        peak = None if grid_peak is None else _to_photo(grid_peak, scale_x, scale_y)
        grid_box = threshold_box(grid_map, threshold)
        predicted = None
        if grid_box is not None:
            gx0, gy0, gx1, gy1 = grid_box
            predicted = check_box(
                (
                    math.floor(gx0 * scale_x),
                    math.floor(gy0 * scale_y),
                    math.ceil(gx1 * scale_x),
                    math.ceil(gy1 * scale_y),
                ),
                width,
                height,
            )
        share = box_mass_share(cam, reference, width, height)
    return Localization(
        box=reference,
        peak=peak,
        hit=peak is not None and point_in_box(peak, reference, tolerance),
        mass_share=share,
        predicted_box=predicted,
        iou=0.0 if predicted is None else iou(predicted, reference),
    )


def flat_share(box: Box, image_size: tuple[int, int]) -> float:
    """The box's share of the photo: the mass a flat map would put inside it."""
    width, height = image_size
    return box_area(box) / (width * height)
