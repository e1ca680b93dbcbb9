"""Score-CAM (Wang et al., 2020): channel weights from the model's score on masked inputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
from scipy.special import softmax

from .. import engine
from ..engine import Score
from ..i18n import N_
from ..resample import upsample
from .base import BaseCAM, LayerInputs

Progress = Callable[[float], None]
# Masked photos per forward pass. On two cores batches of 4 run as fast per image as 16 or 32,
# while the peak memory grows with the batch (EfficientNet-Lite0 at 224: +95 MB for 4, +147 MB for
# 8, +360 MB for 32, over the app's ~0.75 GB), and the app must fit Community Cloud's memory.
DEFAULT_BATCH_SIZE = 4


def channel_masks(activations: np.ndarray, height: int, width: int, channels: range) -> np.ndarray:
    """H^k = (up(A^k) - min) / (max - min) for the given channels, (n, H, W) in [0, 1].

    Upsampling is bilinear with half-pixel centres (``resample.upsample``, as every map in the
    app); pytorch-grad-cam aligns corners instead. A constant channel has no spatial information
    and gets an all-zero mask (pytorch-grad-cam's 0 / (0 + 1e-8) gives the same).
    """
    masks = np.zeros((len(channels), height, width), dtype=np.float32)
    for row, k in enumerate(channels):
        up = upsample(activations[:, :, k], height, width).astype(np.float64)
        low, high = up.min(), up.max()
        if high > low:
            masks[row] = (up - low) / (high - low)
    return masks


def masked_inputs(x: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """X ∘ H^k for each mask, (n, H, W, C): the preprocessed image times the mask."""
    return np.asarray(x, dtype=np.float32)[0][None] * masks[..., None]


def masked_scores(
    model: keras.Model,
    x: np.ndarray,
    activations: np.ndarray,
    class_indices: Sequence[int],
    score: Score = "logit",
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> np.ndarray:
    """S[c, k] = y^c(X ∘ H^k), (C, K), predicting the K masked images in batches."""
    if batch_size < 1:
        raise ValueError(f"The batch size must be at least 1, got {batch_size}.")
    _, height, width, _ = np.shape(x)
    count = activations.shape[-1]
    indices = np.asarray(class_indices, dtype=np.int64)
    scores = np.zeros((len(indices), count))
    for start in range(0, count, batch_size):
        channels = range(start, min(start + batch_size, count))
        masks = channel_masks(activations, height, width, channels)
        logits = engine.forward_batch(model, masked_inputs(x, masks)).astype(np.float64)
        values = softmax(logits, axis=1) if score == "softmax" else logits
        scores[:, channels.start : channels.stop] = values[:, indices].T
        if progress is not None:
            progress(channels.stop / count)
    return scores


def score_weights(scores: np.ndarray) -> np.ndarray:
    """w_k = exp(S_k) / sum_j exp(S_j), a softmax over the channels (last axis)."""
    return softmax(np.asarray(scores, dtype=np.float64), axis=-1)


@dataclass(frozen=True)
class ScoreCAM(BaseCAM):
    """w_k = softmax_k(y^c(X ∘ H^k)), H^k = A^k upsampled and scaled to [0, 1]; map = sum_k w_k A^k.

    Choices, checked against the paper's Algorithm 1 and pytorch-grad-cam:

    * The score is the class logit (or the softmax probability when ``score="softmax"``), and
      the weights are its softmax over the channels, as in both. The paper's increase in
      confidence subtracts the baseline's score f^c(X_b), the same for every channel, so the
      softmax does not change and the baseline pass is skipped.
    * Masking happens in the model's input space: the preprocessed image times the mask, as in
      pytorch-grad-cam. The implied baseline is a preprocessed 0 (for (x - 127) / 128 a mid-grey
      pixel; for ImageNet mean/std the mean colour), not black pixels.

    Slow: one forward pass per channel, in batches of ``batch_size``; ``progress`` receives the
    fraction done after each batch. The masked passes are shared by all requested classes.
    """

    batch_size: int = DEFAULT_BATCH_SIZE  # masked photos per forward pass
    progress: Progress | None = None  # called with the fraction done after each batch

    name = "Score-CAM"
    formula = (
        r"H^k=\frac{\mathrm{up}(A^k)-\min}{\max-\min},\quad "
        r"w^c_k=\frac{e^{y^c(X\circ H^k)}}{\sum_j e^{y^c(X\circ H^j)}},\quad "
        r"L^c=\mathrm{ReLU}\Big(\sum_k w^c_k A^k\Big)"
    )
    note = N_(
        "No gradients: each channel, upsampled, masks the photo, and its weight is how "
        "strongly the masked photo alone scores for the class."
    )
    uses_gradients = False
    cost = N_("one forward pass per channel")
    work_unit = N_("masked photos")

    @classmethod
    def work(cls, channels: int) -> tuple[int, int]:
        """One masked photo per channel, DEFAULT_BATCH_SIZE to a forward pass."""
        return channels, DEFAULT_BATCH_SIZE

    def class_weights(self, inputs: LayerInputs) -> list[np.ndarray]:
        """The softmax over channels of the masked scores, for each class (one set of passes)."""
        model, x = inputs.model_and_input(self.name)
        scores = masked_scores(
            model,
            x,
            inputs.activations,
            inputs.class_indices,
            inputs.score_kind,
            self.batch_size,
            self.progress,
        )
        return list(score_weights(scores))
