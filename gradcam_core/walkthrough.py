"""The numbers behind every Grad-CAM step on one photo: pure NumPy, no Streamlit, no TensorFlow.

Logit vs softmax gradients, the channels with the largest |alpha_k|, partial weighted sums, what
ReLU removes, and the layer's cell grid on the photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from .cams.base import CamResult
from .cams.grad_cam import GradCAM
from .engine import Score
from .labels import softmax
from .modifiers import Head


def gradient_norm(gradients: np.ndarray) -> float:
    """||dy^c/dA||_F = sqrt(sum_ijk (dy^c/dA^k_ij)^2)."""
    return float(np.sqrt(np.sum(np.square(np.asarray(gradients, dtype=np.float64)))))


@dataclass(frozen=True)
class ScoreComparison:
    """The class score before and after softmax, and how large its gradient is each way."""

    logit: float  # z_c
    probability: float  # p_c = softmax(z)_c
    logit_gradient_norm: float  # ||dz_c/dA||
    softmax_gradient_norm: float  # ||dp_c/dA||

    @property
    def slope(self) -> float:
        """dp_c/dz_c = p_c (1 - p_c): at most 1/4, near 0 when the softmax saturates."""
        return self.probability * (1.0 - self.probability)

    @property
    def norm_ratio(self) -> float:
        """||dp_c/dA|| / ||dz_c/dA|| (0 when the logit gradient is 0)."""
        if self.logit_gradient_norm == 0.0:
            return 0.0
        return self.softmax_gradient_norm / self.logit_gradient_norm


def compare_scores(
    logits: np.ndarray,
    class_index: int,
    logit_gradients: np.ndarray,
    softmax_gradients: np.ndarray,
    head: Head = "softmax",
) -> ScoreComparison:
    """z_c, p_c and both gradient norms for class c (p from softmax, or sigmoid per class)."""
    logits = np.asarray(logits, dtype=np.float64)
    probabilities = expit(logits) if head == "sigmoid" else softmax(logits)
    return ScoreComparison(
        logit=float(logits[class_index]),
        probability=float(probabilities[class_index]),
        logit_gradient_norm=gradient_norm(logit_gradients),
        softmax_gradient_norm=gradient_norm(softmax_gradients),
    )


def softmax_curve(
    logits: np.ndarray, class_index: int, values: np.ndarray, head: Head = "softmax"
) -> np.ndarray:
    """p_c as z_c takes each of ``values``, the other logits fixed: 1 / (1 + e^(m - z_c)).

    m = log sum_{j != c} e^(z_j) for softmax, 0 for a sigmoid head (p_c = sigmoid(z_c)); either
    way the curve is a logistic function of z_c, flat at both ends.
    """
    logits = np.asarray(logits, dtype=np.float64)
    if head == "sigmoid":
        return expit(np.asarray(values, dtype=np.float64))
    others = np.delete(logits, class_index)
    if others.size == 0:
        return np.ones_like(np.asarray(values, dtype=np.float64))
    peak = others.max()
    m = peak + np.log(np.sum(np.exp(others - peak)))
    return 1.0 / (1.0 + np.exp(m - np.asarray(values, dtype=np.float64)))


def top_channels(weights: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` channels with the largest |alpha_k|, largest first (ties: lower k first)."""
    weights = np.asarray(weights, dtype=np.float64)
    order = np.argsort(-np.abs(weights), kind="stable")
    return order[: max(0, int(count))]


@dataclass(frozen=True)
class SortedWeights:
    """alpha_k sorted from most positive to most negative, with their channel numbers k."""

    channels: np.ndarray  # (K,) k in sorted order
    values: np.ndarray  # (K,) alpha_k in sorted order

    @property
    def positive(self) -> int:
        return int(np.sum(self.values > 0))

    @property
    def negative(self) -> int:
        return int(np.sum(self.values < 0))


def sort_weights(weights: np.ndarray) -> SortedWeights:
    """Channels ordered by alpha_k, descending (ties: lower k first)."""
    weights = np.asarray(weights, dtype=np.float64)
    order = np.argsort(-weights, kind="stable")
    return SortedWeights(channels=order, values=weights[order])


def top_share(weights: np.ndarray, count: int) -> float:
    """sum of the ``count`` largest |alpha_k| / sum_k |alpha_k| (0 when all weights are 0)."""
    magnitudes = np.sort(np.abs(np.asarray(weights, dtype=np.float64)))[::-1]
    total = magnitudes.sum()
    return float(magnitudes[: max(0, int(count))].sum() / total) if total > 0 else 0.0


def partial_counts(channels: int) -> list[int]:
    """How many top channels to sum in the build-up panels: 1, 10, 100, ... then all K."""
    counts = [n for n in (1, 10, 100) if n < channels]
    return [*counts, channels]


def partial_sum(activations: np.ndarray, weights: np.ndarray, count: int) -> np.ndarray:
    """sum over the ``count`` channels with the largest |alpha_k| of alpha_k A^k, shape (h, w)."""
    activations = np.asarray(activations, dtype=np.float64)
    chosen = top_channels(weights, count)
    return np.tensordot(activations[..., chosen], np.asarray(weights)[chosen], axes=([2], [0]))


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson r between two maps' cells (0 when either map is constant)."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    a, b = a - a.mean(), b - b.mean()
    denominator = np.sqrt(np.sum(a * a) * np.sum(b * b))
    return float(np.sum(a * b) / denominator) if denominator > 0 else 0.0


def is_spatially_constant(gradients: np.ndarray, tolerance: float = 1e-6) -> bool:
    """True when every cell has the same dy^c/dA^k for every k (up to tolerance x max |grad|)."""
    gradients = np.asarray(gradients, dtype=np.float64)
    scale = float(np.max(np.abs(gradients))) if gradients.size else 0.0
    if scale == 0.0:
        return True
    spread = np.max(gradients, axis=(0, 1)) - np.min(gradients, axis=(0, 1))
    return bool(np.all(spread <= tolerance * scale))


@dataclass(frozen=True)
class ReluEffect:
    """What max(S, 0) does to the signed map S = sum_k alpha_k A^k."""

    negative_share: float  # share of cells with S < 0 (set to 0)
    negative_mass_share: float  # sum |S^-| / sum |S|
    min_before: float
    max_before: float
    min_after: float
    max_after: float


def relu_effect(raw: np.ndarray) -> ReluEffect:
    """Share of negative cells and of negative mass; min/max before and after ReLU."""
    raw = np.asarray(raw, dtype=np.float64)
    after = np.maximum(raw, 0.0)
    total = float(np.sum(np.abs(raw)))
    removed = float(np.sum(np.abs(np.minimum(raw, 0.0))))
    return ReluEffect(
        negative_share=float(np.mean(raw < 0)),
        negative_mass_share=removed / total if total > 0 else 0.0,
        min_before=float(raw.min()),
        max_before=float(raw.max()),
        min_after=float(after.min()),
        max_after=float(after.max()),
    )


@dataclass(frozen=True)
class CellGrid:
    """Where the layer's h x w cells fall on a photo of width x height pixels."""

    xs: np.ndarray  # (w + 1,) vertical cell edges in pixels, 0 .. width
    ys: np.ndarray  # (h + 1,) horizontal cell edges in pixels, 0 .. height

    @property
    def block_width(self) -> float:
        """Photo pixels per cell across: width / w."""
        return float(self.xs[-1] / (len(self.xs) - 1))

    @property
    def block_height(self) -> float:
        """Photo pixels per cell down: height / h."""
        return float(self.ys[-1] / (len(self.ys) - 1))

    def block(self, row: int, column: int) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of cell (row, column) in photo pixels."""
        return (
            float(self.xs[column]),
            float(self.ys[row]),
            float(self.xs[column + 1]),
            float(self.ys[row + 1]),
        )


def cell_grid(height: int, width: int, photo_width: int, photo_height: int) -> CellGrid:
    """Cell edges x_j = j W / w, y_i = i H / h: the whole photo is resized to the model's square."""
    if min(height, width, photo_width, photo_height) <= 0:
        raise ValueError("Map and photo sizes must be positive.")
    return CellGrid(
        xs=np.arange(width + 1) * (photo_width / width),
        ys=np.arange(height + 1) * (photo_height / height),
    )


def peak_cell(values: np.ndarray) -> tuple[int, int]:
    """(row, column) of the largest value (the first one on ties)."""
    values = np.asarray(values)
    row, column = np.unravel_index(int(np.argmax(values)), values.shape)
    return int(row), int(column)


@dataclass(frozen=True)
class CellTerm:
    """One channel's term alpha_k A^k_ij in the weighted sum at one cell."""

    channel: int
    weight: float  # alpha_k
    activation: float  # A^k_ij

    @property
    def product(self) -> float:
        return self.weight * self.activation


def cell_terms(
    activations: np.ndarray, weights: np.ndarray, cell: tuple[int, int], count: int
) -> list[CellTerm]:
    """The ``count`` largest |alpha_k A^k_ij| of S_ij = sum_k alpha_k A^k_ij, largest first."""
    values = np.asarray(activations, dtype=np.float64)[cell[0], cell[1]]
    weights = np.asarray(weights, dtype=np.float64)
    order = np.argsort(-np.abs(values * weights), kind="stable")[: max(0, int(count))]
    return [CellTerm(int(k), float(weights[k]), float(values[k])) for k in order]


@dataclass(frozen=True)
class Walkthrough:
    """Every tensor of one Grad-CAM, for the step-by-step page."""

    logits: np.ndarray  # z, (num_classes,)
    activations: np.ndarray  # A, (h, w, K)
    gradients: np.ndarray  # dy^c/dA for the chosen score, (h, w, K)
    result: CamResult  # weights alpha_k, raw, relu, normalized
    scores: ScoreComparison

    @property
    def cells(self) -> int:
        """Z = h * w, the number of cells alpha_k averages over."""
        return int(self.activations.shape[0] * self.activations.shape[1])

    def gradient_sum(self, channel: int) -> float:
        """sum_ij dy^c/dA^k_ij for k = channel (alpha_k times Z)."""
        return float(np.sum(self.gradients[..., channel], dtype=np.float64))


def walkthrough(
    activations: np.ndarray,
    logits: np.ndarray,
    gradients: dict[str, np.ndarray],
    scores: dict[str, float],
    *,
    layer: str,
    class_index: int,
    score: Score,
    head: Head = "softmax",
) -> Walkthrough:
    """Grad-CAM for the chosen score from A and both scores' gradients, with the comparison."""
    result = GradCAM().from_tensors(
        activations,
        gradients[score],
        layer=layer,
        class_index=class_index,
        score_kind=score,
        score=scores[score],
    )
    return Walkthrough(
        logits=np.asarray(logits),
        activations=np.asarray(activations),
        gradients=np.asarray(gradients[score]),
        result=result,
        scores=compare_scores(logits, class_index, gradients["logit"], gradients["softmax"], head),
    )
