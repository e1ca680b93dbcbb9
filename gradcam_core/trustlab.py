"""Pure helpers for the Trust lab page: verdicts, object choice, hidden pixels, box drawings.

The measurements themselves live in ``gradcam_core.metrics``; this module only compares their
results with baselines, picks what to show, and draws the localization picture with PIL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw

from .metrics import faithfulness
from .metrics.localization import Box, Localization, box_area
from .samples import SampleObject

CurveKind = Literal["deletion", "insertion"]
Outcome = Literal["beats", "ties", "loses"]
TIE_MARGIN = 0.005  # AUCs closer than this count as "about the same"
SANITY_LIMIT = 0.5  # |Spearman| at or above this after randomization: the map partly survives

USER_COLOR = (0, 230, 64)  # the reference box: green
PREDICTED_COLOR = (0, 200, 255)  # the 15 % box: cyan
PEAK_COLOR = (255, 255, 255)  # the map's maximum: a white ring with a black outline


@dataclass(frozen=True)
class Comparison:
    """One map's AUC against a baseline's, in the direction that counts for the curve."""

    kind: CurveKind
    auc: float
    baseline_auc: float
    outcome: Outcome

    @property
    def advantage(self) -> float:
        """How much better than the baseline: lower AUC for deletion, higher for insertion."""
        difference = self.auc - self.baseline_auc
        return -difference if self.kind == "deletion" else difference


def compare_auc(
    kind: CurveKind, auc: float, baseline_auc: float, tie: float = TIE_MARGIN
) -> Comparison:
    """Deletion wants the lower AUC, insertion the higher; within ``tie`` it is a tie."""
    if kind not in ("deletion", "insertion"):
        raise ValueError(f"Unknown curve {kind!r}; use 'deletion' or 'insertion'.")
    difference = auc - baseline_auc
    advantage = -difference if kind == "deletion" else difference
    if abs(advantage) < tie:
        outcome: Outcome = "ties"
    else:
        outcome = "beats" if advantage > 0 else "loses"
    return Comparison(kind, float(auc), float(baseline_auc), outcome)


@dataclass(frozen=True)
class CascadeSummary:
    """What the randomization chart says, in three numbers."""

    first: float  # Spearman after the first step (nan: that map was empty)
    largest: float  # the largest |Spearman| over all steps (nan when every map was empty)
    empty_steps: int  # steps whose map had no positive evidence left
    survives: bool  # largest >= SANITY_LIMIT: part of the map outlives the weights


def summarize_cascade(
    spearman: Sequence[float], empty: Sequence[bool], limit: float = SANITY_LIMIT
) -> CascadeSummary:
    """First Spearman, the largest |Spearman| (nan values skipped) and the empty-step count."""
    rho = np.asarray(spearman, dtype=np.float64)
    if rho.size == 0:
        raise ValueError("The cascade has no steps.")
    finite = np.abs(rho[np.isfinite(rho)])
    largest = float(finite.max()) if finite.size else float("nan")
    return CascadeSummary(
        first=float(rho[0]),
        largest=largest,
        empty_steps=int(sum(bool(e) for e in empty)),
        survives=bool(finite.size and largest >= limit),
    )


def steps_to_show(count: int, wanted: int) -> list[int]:
    """Up to ``wanted`` step indices spread evenly over 0..count-1, first and last included."""
    if count < 1 or wanted < 1:
        return []
    return sorted({int(i) for i in np.rint(np.linspace(0, count - 1, min(wanted, count)))})


def pick_object(objects: Sequence[SampleObject], target: int) -> int:
    """The first object whose classes contain the target, else the first object (0)."""
    return next((i for i, obj in enumerate(objects) if target in obj.classes), 0)


def flat_share(box: Box, image_size: tuple[int, int]) -> float:
    """The box's share of the photo: the mass a flat map would put inside it."""
    width, height = image_size
    return box_area(box) / (width * height)


def hidden_pixels(
    pixels: np.ndarray,
    saliency: np.ndarray,
    fraction: float,
    substrate: faithfulness.Substrate = "blur",
    seed: int = 0,
) -> np.ndarray:
    """The image hide_top predicts on: its top ``fraction`` of pixels from the substrate (uint8)."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"The fraction to hide must be in [0, 1], got {fraction}.")
    image = np.asarray(pixels, dtype=np.float64)
    height, width = image.shape[:2]
    ranks = faithfulness.pixel_ranks(saliency, height, width, seed)
    base = faithfulness.substrate_image(image, substrate)
    hidden = faithfulness.perturb(image, base, ranks, round(fraction * height * width), "deletion")
    return np.clip(np.rint(hidden), 0, 255).astype(np.uint8)


def to_display(pixels: np.ndarray, photo_size: tuple[int, int], width: int) -> Image.Image:
    """Model-sized pixels (H, W, 3), rounded to uint8, stretched back to the photo's aspect."""
    photo_width, photo_height = photo_size
    height = max(1, round(width * photo_height / photo_width))
    image = Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))
    return image.resize((width, height), Image.Resampling.BILINEAR)


def _scaled(box: Box, scale: float) -> tuple[float, float, float, float]:
    """Pixel-edge rectangle of an exclusive box, scaled: last column/row is x1 - 1, y1 - 1."""
    x0, y0, x1, y1 = box
    return x0 * scale, y0 * scale, max(x0 * scale, x1 * scale - 1), max(y0 * scale, y1 * scale - 1)


def draw_localization(
    image: Image.Image, result: Localization, scale: float = 1.0, line: int | None = None
) -> Image.Image:
    """A copy of the image with the reference box, the 15 % box and the map's peak drawn on it.

    ``scale`` maps photo pixels to the image's pixels (the image may be a smaller preview).
    """
    canvas = image.convert("RGB").copy()
    draw = ImageDraw.Draw(canvas)
    width = line or max(2, round(min(canvas.size) / 160))
    if result.predicted_box is not None:
        draw.rectangle(_scaled(result.predicted_box, scale), outline=PREDICTED_COLOR, width=width)
    draw.rectangle(_scaled(result.box, scale), outline=USER_COLOR, width=width)
    if result.peak is not None:
        x, y = ((v + 0.5) * scale for v in result.peak)
        radius = 5 * width + 3
        ring = (x - radius, y - radius, x + radius, y + radius)
        draw.ellipse(ring, outline=(0, 0, 0), width=width + 2)
        draw.ellipse(ring, outline=PEAK_COLOR, width=width)
        for dx, dy in ((1, 0), (0, 1)):  # a cross at the peak, inside the ring
            arm = (
                x - dx * radius / 2,
                y - dy * radius / 2,
                x + dx * radius / 2,
                y + dy * radius / 2,
            )
            draw.line(arm, fill=PEAK_COLOR, width=width)
    return canvas
