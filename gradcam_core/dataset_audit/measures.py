"""Where a map looks, as numbers: mass in a box, mass on the border band, spread, and whether the
prediction survives deleting the map's top pixels.

All of them read the map as the paper's normalized Grad-CAM map M (h x w, >= 0), upsampled
bilinearly to the photo as the overlay draws it. For a photo of W x H pixels:

* box mass = sum of M inside the box / sum of M (``metrics.localization.box_mass_share``: the
  upsampling is separable, so no full-size map is built);
* corner mass = the largest box mass of the four corner squares, each c = 25 % of the width
  and of the height: watermarks, logos, date stamps and stickers sit in a corner; an even map
  puts c^2 = 6.25 % in each;
* border mass = 1 - the box mass of the inner box [bW, bH, W - bW, H - bH]: the share of the map
  on the band of width b (10 % of each side) along the edges, where watermarks, frames, corner
  marks and scanner borders sit; a map spread evenly puts 1 - (1 - 2b)^2 = 36 % there;
* spread = -sum_ij p_ij ln p_ij / ln(hw) with p = M / sum(M), over the map's h x w cells: 0 when
  all the mass is in one cell, 1 when it is even everywhere;
* deletion: the model-sized photo with the top 20 % of its pixels, ranked by the upsampled map
  (ties in a seeded order), replaced by a blurred copy, as the Trust lab's "hide the top" does
  (``metrics.faithfulness``); kept = p_c(hidden) / p_c(photo), with the model's own
  probabilities. A map that shows what the model uses leaves little: kept near 0.

An empty map (no positive evidence) has no mass to share: its measures are NaN.
"""

from __future__ import annotations

import math

import numpy as np

from ..metrics.faithfulness import Substrate, perturb, pixel_ranks, substrate_image
from ..metrics.localization import Box, box_mass_share, check_box

BORDER_BAND = 0.10  # share of each side in the border band
CORNER = 0.25  # side of each corner square, share of the photo's width and height
HIDE_FRACTION = 0.20  # share of the pixels deleted for the faithfulness measure
MEASURES = ("box_mass", "corner_mass", "border_mass", "spread", "deletion_kept")


def box_mass(cam: np.ndarray, box: Box, width: int, height: int) -> float:
    """sum(M in the box) / sum(M), M upsampled to the photo; NaN for an empty map."""
    if not np.any(np.asarray(cam) > 0):
        return math.nan
    return float(box_mass_share(cam, check_box(box, width, height), width, height))


def inner_box(width: int, height: int, band: float = BORDER_BAND) -> Box:
    """The photo without its border band: [round(bW), round(bH), W - round(bW), H - round(bH)]."""
    if not 0.0 <= band < 0.5:
        raise ValueError(f"The border band must be in [0, 0.5), got {band}.")
    dx, dy = round(band * width), round(band * height)
    return dx, dy, max(width - dx, dx + 1), max(height - dy, dy + 1)


def border_mass(cam: np.ndarray, width: int, height: int, band: float = BORDER_BAND) -> float:
    """1 - box mass of the inner box: the map's share on the band along the photo's edges."""
    return 1.0 - box_mass(cam, inner_box(width, height, band), width, height)


def corner_boxes(width: int, height: int, corner: float = CORNER) -> list[Box]:
    """The four corner squares [0, cW] x [0, cH], ..., each round(cW) by round(cH) pixels."""
    if not 0.0 < corner <= 0.5:
        raise ValueError(f"The corner side must be in (0, 0.5], got {corner}.")
    cw, ch = max(1, round(corner * width)), max(1, round(corner * height))
    return [
        (0, 0, cw, ch),
        (width - cw, 0, width, ch),
        (0, height - ch, cw, height),
        (width - cw, height - ch, width, height),
    ]


def corner_mass(cam: np.ndarray, width: int, height: int, corner: float = CORNER) -> float:
    """max over the four corner squares of their box mass; NaN for an empty map."""
    return max(box_mass(cam, box, width, height) for box in corner_boxes(width, height, corner))


def spread(cam: np.ndarray) -> float:
    """Entropy of p = M / sum(M) over the h x w cells over ln(hw): in [0, 1]; NaN if empty."""
    values = np.clip(np.asarray(cam, dtype=np.float64), 0.0, None).ravel()
    total = float(values.sum())
    if total <= 0.0:
        return math.nan
    if values.size == 1:
        return 0.0
    p = values[values > 0] / total
    return float(-(p * np.log(p)).sum() / math.log(values.size))


def hidden_photo(
    pixels: np.ndarray,
    cam: np.ndarray,
    fraction: float = HIDE_FRACTION,
    substrate: Substrate = "blur",
    seed: int = 0,
) -> np.ndarray:
    """The model-sized photo (H, W, 3) with its top ``fraction`` of pixels from the substrate.

    The same image ``metrics.hide_top`` predicts on, so a batch of them needs one forward pass.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"The fraction to hide must be in [0, 1], got {fraction}.")
    image = np.asarray(pixels, dtype=np.float64)
    height, width = image.shape[:2]
    ranks = pixel_ranks(cam, height, width, seed)
    count = round(fraction * height * width)
    return perturb(image, substrate_image(image, substrate), ranks, count, "deletion")


def kept(probability_before: float, probability_after: float) -> float:
    """p_c(hidden) / p_c(photo): 1 when deleting the map's top changes nothing; NaN if p_c = 0."""
    if probability_before <= 0.0:
        return math.nan
    return float(probability_after / probability_before)
