"""Comparisons for the classroom pages: any CAM method from one forward pass, signed overlays,
pixel-level images and the few numbers the pages quote (evidence for and against, differences).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
from PIL import Image

from .cams import (
    CAM,
    CAM_METHODS,
    BaseCAM,
    CamResult,
    GuidedResult,
    gradient_image,
    guided_backprop,
)
from .engine import ForwardPass, Score
from .render import DIVERGING_COLORMAP, Interpolation, colormap_table, upsample

Progress = Callable[[float], None]


def method_class(method_id: str) -> type[BaseCAM]:
    """The registered method (``CAM_METHODS``) of this id, or a ValueError naming the ids."""
    if method_id not in CAM_METHODS:
        raise ValueError(f"Unknown method {method_id!r}; use one of {', '.join(CAM_METHODS)}.")
    return CAM_METHODS[method_id]


def unsupported_reason(method_id: str, model: keras.Model, layer: str) -> str | None:
    """None when the method applies to this model and layer, else the one-line reason why not."""
    return method_class(method_id).unsupported_reason(model, layer)


def cam_unsupported_reason(model: keras.Model, layer: str) -> str | None:
    """None when the original CAM applies to this layer, else the one-line reason why not."""
    return CAM.unsupported_reason(model, layer)


def pixel_level(method_id: str) -> bool:
    """True for methods whose result is an image-sized gradient (Guided Grad-CAM)."""
    return method_class(method_id).pixel_level


def signed_layer_note(
    layer: str, below_zero: float, methods: Sequence[type[BaseCAM]]
) -> str | None:
    """One sentence on what signed activations mean for these methods; None where A >= 0."""
    if below_zero <= 0:
        return None
    share = f"{below_zero:.0%}" if below_zero >= 0.01 else "under 1%"
    rules = [f"{kind.name} {kind.signed_rule}" for kind in methods if kind.signed_rule]
    changed = "; ".join(rules) + "; the other maps" if rules else "the maps"
    return (
        f"{layer} has signed activations ({share} of its values are below 0, as after a batch "
        f"norm or a residual add, with no ReLU): {changed} use their formulas as written, so a "
        "negative activation under a positive weight counts against the class."
    )


def method_map(
    method_id: str,
    model: keras.Model,
    x: np.ndarray,
    forward_pass: ForwardPass,
    layer: str,
    class_index: int,
    score: Score = "logit",
    progress: Progress | None = None,
) -> CamResult:
    """The layer-resolution map of one registered method (``CAM_METHODS``) from a forward pass.

    ``progress`` reaches the methods that take a ``progress`` option (the slow ones).
    """
    kind = method_class(method_id)
    takes_progress = any(option.name == "progress" for option in kind.options())
    method = kind(progress=progress) if takes_progress else kind()
    return method.from_forward(model, x, forward_pass, layer, [class_index], score)[0]


def guided_from_gradcam(
    model: keras.Model,
    x: np.ndarray,
    gradcam: CamResult,
    interpolation: Interpolation = "bilinear",
) -> GuidedResult:
    """Guided backprop G and G ⊙ up(L_Grad-CAM), reusing an already computed Grad-CAM map."""
    guided = guided_backprop(model, x, gradcam.class_index, gradcam.score_kind)
    height, width = guided.shape[:2]
    mask = upsample(gradcam.normalized, height, width, interpolation)
    return GuidedResult(guided=guided, guided_gradcam=guided * mask[..., None], gradcam=gradcam)


def pixel_image(gradient: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``gradient_image(g)`` (0.5 + 0.1 z-score) resized to the photo's (width, height), uint8
    RGB; a grey model's one-channel gradient is shown in grey."""
    pixels = gradient_image(gradient)
    if pixels.shape[-1] == 1:
        pixels = np.repeat(pixels, 3, axis=-1)
    image = Image.fromarray(pixels, "RGB")
    return np.asarray(image.resize(size, Image.Resampling.BILINEAR))


def signed_limit(values: np.ndarray) -> float:
    """max |value|, or 1 when the map is all zeros (so dividing by it is safe)."""
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
    s = np.clip(upsample(signed, height, width) / signed_limit(signed), -1.0, 1.0)
    levels = np.rint((s + 1.0) / 2.0 * 255.0).astype(np.uint8)
    colours = colormap_table(cmap)[levels].astype(np.float64)
    alpha = (float(opacity) * np.sqrt(np.abs(s)))[..., None]
    return np.rint((1.0 - alpha) * base + alpha * colours).astype(np.uint8)


@dataclass(frozen=True)
class EvidenceBalance:
    """How a signed map splits: cells for the class (> 0), against it (< 0), and their peaks."""

    for_share: float  # fraction of cells with raw > 0
    against_share: float  # fraction of cells with raw < 0
    for_peak: float  # max(raw, 0)
    against_peak: float  # max(−raw, 0)

    @property
    def against_to_for(self) -> float:
        """against_peak / for_peak (inf when nothing is for the class, 0 when nothing is)."""
        if self.for_peak > 0:
            return self.against_peak / self.for_peak
        return float("inf") if self.against_peak > 0 else 0.0


def evidence_balance(raw: np.ndarray) -> EvidenceBalance:
    """Shares of cells with raw > 0 and raw < 0, and max(raw, 0), max(−raw, 0)."""
    raw = np.asarray(raw, dtype=np.float64)
    return EvidenceBalance(
        for_share=float(np.mean(raw > 0)),
        against_share=float(np.mean(raw < 0)),
        for_peak=float(max(raw.max(), 0.0)),
        against_peak=float(max(-raw.min(), 0.0)),
    )


@dataclass(frozen=True)
class DifferenceSummary:
    """A difference map d = B − A of two normalized maps, in [−1, 1]."""

    lowest: float  # min d: where A is most above B
    highest: float  # max d: where B is most above A
    a_above_share: float  # fraction of cells with d < −threshold
    b_above_share: float  # fraction of cells with d > threshold
    threshold: float


def summarize_difference(difference: np.ndarray, threshold: float = 0.1) -> DifferenceSummary:
    """min, max, and the shares of cells with d < −t and d > t."""
    d = np.asarray(difference, dtype=np.float64)
    return DifferenceSummary(
        lowest=float(d.min()),
        highest=float(d.max()),
        a_above_share=float(np.mean(d < -threshold)),
        b_above_share=float(np.mean(d > threshold)),
        threshold=float(threshold),
    )


def max_abs_difference(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b| over the cells of two maps of the same shape."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"Compare maps of the same shape: got {a.shape} and {b.shape}.")
    return float(np.max(np.abs(a - b))) if a.size else 0.0
