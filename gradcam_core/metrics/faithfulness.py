"""Does the map point at what the model uses? Deletion and insertion curves, hide-the-top, drop.

Deletion and insertion follow Petsiuk et al. (2018, RISE): rank the model-sized image's pixels by
the saliency map (bilinearly upsampled to the input size; ties in a seeded random order), then in
``steps`` steps replace the top-ranked pixels by a substrate (deletion) or put them back into the
substrate (insertion), re-predicting the class probability p_c (softmax by default, or the
model's own, e.g. sigmoid) of every step in batches. A faithful map makes the deletion curve
fall fast (low AUC) and the insertion curve rise fast (high AUC). Average drop and increase in
confidence follow Chattopadhay et al. (2018).

Pixels are the model-sized RGB image (H, W, 3) in 0..255; ``preprocess`` turns a batch of such
pixels (N, H, W, 3) into model input, e.g. ``functools.partial(gradcam_core.preprocess_pixels,
name)``. It may modify its argument: every batch handed to it is a fresh array.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import keras
import numpy as np
from scipy import ndimage, special

from .. import engine
from ..modifiers import logits_view
from ..resample import upsample
from .baselines import check_pixels

Substrate = Literal["blur", "grey"]
SUBSTRATES: tuple[Substrate, ...] = ("blur", "grey")
CurveKind = Literal["deletion", "insertion"]
Preprocess = Callable[[np.ndarray], np.ndarray]
Progress = Callable[[int, int], None]  # (images predicted so far, total)
# Logits (N, C) to the model's own probabilities (N, C); softmax over the classes by default,
# a Classifier's ``probabilities`` for a sigmoid head (a binary model's [-z, z] -> sigmoid).
Probabilities = Callable[[np.ndarray], np.ndarray]


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    """softmax over the last axis: exp(z_c) / sum_j exp(z_j)."""
    return special.softmax(logits, axis=-1)


GREY_LEVEL = 127.5  # the uniform grey substrate, mid-way in 0..255
BLUR_SIGMA = 5.0  # Gaussian σ in pixels of the blurred substrate (RISE blurs with σ = 5)
DEFAULT_STEPS = 50
# Images per forward pass. On two cores batches of 4 run as fast per image as 16 or 32 (72, 83 and
# 133 ms an image for EfficientNet-Lite0, measured together on a busy machine) and need far less
# memory at once (a 20-step deletion curve: +87 MB at 4, +150 MB at 8).
DEFAULT_BATCH = 4


@dataclass(frozen=True)
class Curve:
    """Class probability after removing (deletion) or inserting the top fraction of pixels."""

    kind: CurveKind
    substrate: Substrate
    fractions: np.ndarray  # (S + 1,) share of pixels removed / inserted, 0 .. 1
    scores: np.ndarray  # (S + 1,) p_c of each perturbed image
    auc: float  # trapezoid area under scores over fractions in [0, 1]


@dataclass(frozen=True)
class ConfidenceChange:
    """Chattopadhay et al. (2018) for one image: p on the image and on image * map."""

    probability: float  # p = p_c of the image
    masked_probability: float  # p' of the explanation map: image * upsampled normalized map
    drop: float  # max(0, p - p') / p
    increased: bool  # p' > p


def substrate_image(
    pixels: np.ndarray, kind: Substrate = "blur", sigma: float = BLUR_SIGMA
) -> np.ndarray:
    """What removed pixels become: a Gaussian blur (σ px, each channel) or uniform grey 127.5."""
    image = check_pixels(pixels)
    if kind == "blur":
        return ndimage.gaussian_filter(image, sigma=(sigma, sigma, 0.0), mode="reflect")
    if kind == "grey":
        return np.full_like(image, GREY_LEVEL)
    raise ValueError(f"Unknown substrate {kind!r}; use one of {SUBSTRATES}.")


def pixel_ranks(saliency: np.ndarray, height: int, width: int, seed: int = 0) -> np.ndarray:
    """rank (H, W): 0 for the top pixel of the upsampled map; ties in seeded random order."""
    saliency = np.asarray(saliency, dtype=np.float64)
    if saliency.ndim != 2 or saliency.size == 0 or not np.all(np.isfinite(saliency)):
        raise ValueError(f"Expected a finite (h, w) saliency map, got shape {saliency.shape}.")
    values = upsample(saliency, height, width).ravel()
    tiebreak = np.random.default_rng(seed).permutation(values.size)
    order = np.lexsort((tiebreak, -values))  # sort by -value, then by the random key
    ranks = np.empty(values.size, dtype=np.int64)
    ranks[order] = np.arange(values.size)
    return ranks.reshape(height, width)


def step_counts(num_pixels: int, steps: int) -> np.ndarray:
    """Pixels perturbed at step k = 0..S: round(k N / S)."""
    if steps < 1:
        raise ValueError(f"Use at least one step, got {steps}.")
    return np.rint(np.arange(steps + 1) * num_pixels / steps).astype(np.int64)


def perturb(
    pixels: np.ndarray, substrate: np.ndarray, ranks: np.ndarray, count: int, kind: CurveKind
) -> np.ndarray:
    """Deletion: the top ``count`` pixels taken from the substrate; insertion: only those kept."""
    top = (ranks < count)[..., None]
    if kind == "deletion":
        return np.where(top, substrate, pixels)
    if kind == "insertion":
        return np.where(top, pixels, substrate)
    raise ValueError(f"Unknown curve {kind!r}; use 'deletion' or 'insertion'.")


def class_probabilities(
    model: keras.Model,
    batch: np.ndarray,
    preprocess: Preprocess,
    class_index: int,
    probabilities: Probabilities = softmax_rows,
) -> np.ndarray:
    """p_c = probabilities(logits)_c of each image of a pixel batch (N, H, W, 3), one pass."""
    model = logits_view(model)
    classes = engine.num_classes(model)
    if not 0 <= class_index < classes:
        raise ValueError(f"Class index {class_index} is outside 0..{classes - 1}.")
    model_input = np.asarray(preprocess(np.asarray(batch, dtype=np.float32)), dtype=np.float32)
    logits = engine.forward_batch(model, model_input).astype(np.float64)
    return np.asarray(probabilities(logits), dtype=np.float64)[:, class_index]


def area_under_curve(fractions: np.ndarray, scores: np.ndarray) -> float:
    """Trapezoid rule: sum_k (f_{k+1} - f_k) (s_k + s_{k+1}) / 2."""
    return float(np.trapezoid(np.asarray(scores, float), np.asarray(fractions, float)))


def perturbation_curve(
    kind: CurveKind,
    model: keras.Model,
    pixels: np.ndarray,
    preprocess: Preprocess,
    saliency: np.ndarray,
    class_index: int,
    *,
    steps: int = DEFAULT_STEPS,
    substrate: Substrate = "blur",
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    seed: int = 0,
    probabilities: Probabilities = softmax_rows,
) -> Curve:
    """The deletion or insertion curve of one map: S + 1 predictions, ``batch_size`` at a time."""
    if kind not in ("deletion", "insertion"):
        raise ValueError(f"Unknown curve {kind!r}; use 'deletion' or 'insertion'.")
    if batch_size < 1:
        raise ValueError(f"Batch size must be at least 1, got {batch_size}.")
    image = check_pixels(pixels)
    height, width = image.shape[:2]
    base = substrate_image(image, substrate)
    ranks = pixel_ranks(saliency, height, width, seed)
    counts = step_counts(height * width, steps)
    scores = np.empty(counts.size)
    for start in range(0, counts.size, batch_size):
        chunk = counts[start : start + batch_size]
        batch = np.stack([perturb(image, base, ranks, int(c), kind) for c in chunk])
        scores[start : start + chunk.size] = class_probabilities(
            model, batch, preprocess, class_index, probabilities
        )
        if progress is not None:
            progress(start + chunk.size, counts.size)
    fractions = counts / (height * width)
    return Curve(kind, substrate, fractions, scores, area_under_curve(fractions, scores))


def deletion_curve(
    model: keras.Model,
    pixels: np.ndarray,
    preprocess: Preprocess,
    saliency: np.ndarray,
    class_index: int,
    **options,
) -> Curve:
    """p_c as the top pixels are replaced by the substrate; lower AUC = more faithful."""
    return perturbation_curve(
        "deletion", model, pixels, preprocess, saliency, class_index, **options
    )


def insertion_curve(
    model: keras.Model,
    pixels: np.ndarray,
    preprocess: Preprocess,
    saliency: np.ndarray,
    class_index: int,
    **options,
) -> Curve:
    """p_c as the top pixels are put back into the substrate; higher AUC = more faithful."""
    return perturbation_curve(
        "insertion", model, pixels, preprocess, saliency, class_index, **options
    )


def average_curves(curves: Sequence[Curve]) -> Curve:
    """The mean curve of several (e.g. random orders with different seeds); its AUC is the mean."""
    if not curves:
        raise ValueError("Give at least one curve.")
    first = curves[0]
    for curve in curves[1:]:
        if (curve.kind, curve.substrate) != (first.kind, first.substrate) or not np.array_equal(
            curve.fractions, first.fractions
        ):
            raise ValueError("Average only curves of the same kind, substrate and steps.")
    scores = np.mean([c.scores for c in curves], axis=0)
    return Curve(
        first.kind,
        first.substrate,
        first.fractions,
        scores,
        area_under_curve(first.fractions, scores),
    )


def hide_top(
    model: keras.Model,
    pixels: np.ndarray,
    preprocess: Preprocess,
    saliency: np.ndarray,
    class_index: int,
    fraction: float,
    substrate: Substrate = "blur",
    seed: int = 0,
    probabilities: Probabilities = softmax_rows,
) -> float:
    """p_c after replacing the top ``fraction`` (0..1) of pixels by the substrate (one pass)."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"The fraction to hide must be in [0, 1], got {fraction}.")
    image = check_pixels(pixels)
    height, width = image.shape[:2]
    ranks = pixel_ranks(saliency, height, width, seed)
    count = round(fraction * height * width)
    hidden = perturb(image, substrate_image(image, substrate), ranks, count, "deletion")
    scores = class_probabilities(model, hidden[None], preprocess, class_index, probabilities)
    return float(scores[0])


def explanation_map(pixels: np.ndarray, saliency: np.ndarray) -> np.ndarray:
    """E = image * upsampled map (H, W, 3), the map clipped to [0, 1] (pass the normalized map)."""
    image = check_pixels(pixels)
    weights = np.clip(upsample(saliency, image.shape[0], image.shape[1]), 0.0, 1.0)
    return image * weights[..., None]


def confidence_change(
    model: keras.Model,
    pixels: np.ndarray,
    preprocess: Preprocess,
    saliency: np.ndarray,
    class_index: int,
    probabilities: Probabilities = softmax_rows,
) -> ConfidenceChange:
    """p on the image and p' on image * map (one batch of two); drop = max(0, p - p') / p."""
    image = check_pixels(pixels)
    batch = np.stack([image, explanation_map(image, saliency)])
    scores = class_probabilities(model, batch, preprocess, class_index, probabilities)
    p, masked = (float(v) for v in scores)
    drop = max(0.0, p - masked) / p if p > 0.0 else 0.0
    return ConfidenceChange(p, masked, drop, masked > p)


def average_drop_and_increase(changes: Sequence[ConfidenceChange]) -> tuple[float, float]:
    """(average drop %, increase in confidence %) = (100 mean drop, 100 mean [p' > p])."""
    if not changes:
        raise ValueError("Give at least one confidence change.")
    drop = 100.0 * float(np.mean([c.drop for c in changes]))
    increase = 100.0 * float(np.mean([c.increased for c in changes]))
    return drop, increase


def hidden_pixels(
    pixels: np.ndarray,
    saliency: np.ndarray,
    fraction: float,
    substrate: Substrate = "blur",
    seed: int = 0,
) -> np.ndarray:
    """The image hide_top predicts on: its top ``fraction`` of pixels from the substrate (uint8)."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"The fraction to hide must be in [0, 1], got {fraction}.")
    image = np.asarray(pixels, dtype=np.float64)
    height, width = image.shape[:2]
    ranks = pixel_ranks(saliency, height, width, seed)
    base = substrate_image(image, substrate)
    hidden = perturb(image, base, ranks, round(fraction * height * width), "deletion")
    return np.clip(np.rint(hidden), 0, 255).astype(np.uint8)
