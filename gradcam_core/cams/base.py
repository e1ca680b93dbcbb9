"""The shared base of every CAM method and the result it returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import keras
import numpy as np

from .. import engine
from ..engine import ForwardPass, Score
from ..layers import find_layer


@dataclass(frozen=True)
class CamResult:
    """Every stage of one class-activation map, at the layer's resolution (h, w)."""

    method: str
    layer: str
    class_index: int
    score_kind: Score
    score: float  # y^c: the logit, or the softmax probability
    weights: np.ndarray | None  # (K,) per-channel weights alpha_k, when the method has them
    raw: np.ndarray  # (h, w) signed map, e.g. sum_k alpha_k A^k
    relu: np.ndarray  # (h, w) max(raw, 0)
    normalized: np.ndarray  # (h, w) relu / max(relu), in [0, 1]
    is_empty: bool  # max(relu) <= 0: no positive evidence, normalized is all zeros

    @property
    def peak(self) -> float:
        """max(relu): the value that normalization divides by."""
        return float(self.relu.max()) if self.relu.size else 0.0


def relu_and_normalize(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """relu = max(raw, 0); normalized = relu / max(relu), or zeros (empty) when max(relu) <= 0."""
    raw = np.asarray(raw, dtype=np.float64)
    if not np.all(np.isfinite(raw)):
        raise ValueError("The map contains NaN or infinite values; the model output is not finite.")
    relu = np.maximum(raw, 0.0)
    peak = float(relu.max()) if relu.size else 0.0
    if peak <= 0.0:
        return relu.astype(np.float32), np.zeros_like(relu, dtype=np.float32), True
    return relu.astype(np.float32), (relu / peak).astype(np.float32), False


def cam_result(
    method: str,
    raw: np.ndarray,
    weights: np.ndarray | None,
    *,
    layer: str,
    class_index: int,
    score_kind: Score,
    score: float,
) -> CamResult:
    """The result for a signed (h, w) map: adds its ReLU and normalized stages."""
    relu, normalized, empty = relu_and_normalize(raw)
    return CamResult(
        method=method,
        layer=layer,
        class_index=int(class_index),
        score_kind=score_kind,
        score=float(score),
        weights=None if weights is None else np.asarray(weights, dtype=np.float32),
        raw=np.asarray(raw, dtype=np.float32),
        relu=relu,
        normalized=normalized,
        is_empty=empty,
    )


class BaseCAM:
    """A CAM method: per-channel weights from activations A (h, w, k) and gradients dy^c/dA.

    Subclasses override ``channel_weights`` (most methods) or ``weighted_map`` (methods whose
    map is not a weighted sum of whole channels). Everything else is shared.
    """

    name: ClassVar[str] = "CAM method"
    formula: ClassVar[str] = ""  # LaTeX of the map, shown in the app

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray) -> np.ndarray | None:
        """alpha_k for each of the K channels, shape (K,)."""
        raise NotImplementedError(f"{type(self).__name__} must define channel_weights")

    def weighted_map(
        self, activations: np.ndarray, gradients: np.ndarray, weights: np.ndarray | None
    ) -> np.ndarray:
        """The signed map sum_k w_k A^k, shape (h, w)."""
        return np.tensordot(activations.astype(np.float64), weights, axes=([2], [0]))

    def from_tensors(
        self,
        activations: np.ndarray,
        gradients: np.ndarray,
        *,
        layer: str,
        class_index: int,
        score_kind: Score = "logit",
        score: float = float("nan"),
    ) -> CamResult:
        """Build the result from one layer's A (h, w, k) and dy^c/dA (h, w, k)."""
        activations = np.asarray(activations, dtype=np.float64)
        gradients = np.asarray(gradients, dtype=np.float64)
        if activations.ndim != 3 or activations.shape != gradients.shape:
            raise ValueError(
                f"Activations and gradients must both be (h, w, k); got {activations.shape} "
                f"and {gradients.shape}."
            )
        weights = self.channel_weights(activations, gradients)
        raw = self.weighted_map(activations, gradients, weights)
        return cam_result(
            self.name,
            raw,
            weights,
            layer=layer,
            class_index=class_index,
            score_kind=score_kind,
            score=score,
        )

    def from_forward(
        self,
        model: keras.Model,
        x: np.ndarray,
        forward_pass: ForwardPass,
        layer: str,
        class_indices: Sequence[int],
        score: Score = "logit",
    ) -> list[CamResult]:
        """Maps for several classes from one cached forward pass (only the head runs again)."""
        path, _ = find_layer(model, layer)
        activations = forward_pass.activations[path]
        scores, grads = engine.class_gradients(model, x, path, activations, class_indices, score)
        return [
            self.from_tensors(
                activations, g, layer=path, class_index=c, score_kind=score, score=float(s)
            )
            for c, s, g in zip(class_indices, scores, grads, strict=True)
        ]

    def for_classes(
        self,
        model: keras.Model,
        x: np.ndarray,
        layer: str,
        class_indices: Sequence[int],
        score: Score = "logit",
    ) -> list[CamResult]:
        """Maps for several classes of one image: one forward pass, one batched backward pass."""
        forward_pass = engine.forward(model, x, [layer])
        return self.from_forward(model, x, forward_pass, layer, class_indices, score)

    def __call__(
        self,
        model: keras.Model,
        x: np.ndarray,
        layer: str,
        class_index: int,
        score: Score = "logit",
    ) -> CamResult:
        """The map for one image (1, H, W, C), one layer and one class."""
        return self.for_classes(model, x, layer, [class_index], score)[0]
