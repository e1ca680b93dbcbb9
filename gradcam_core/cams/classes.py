"""Class comparisons over Grad-CAM: top-k maps, counterfactual maps and contrast maps."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from .. import engine
from ..engine import ForwardPass, Score
from ..i18n import N_
from ..layers import find_layer
from ..modifiers import logits_view
from .base import BaseCAM, CamResult
from .grad_cam import GradCAM


class CounterfactualGradCAM(BaseCAM):
    """w_k = mean_ij (−dy^c/dA^k_ij); map = ReLU(sum_k w_k A^k): removing these raises y^c."""

    name = "Counterfactual Grad-CAM"
    formula = (
        r"\alpha_k^c=\frac{1}{Z}\sum_{i,j}-\frac{\partial y^c}{\partial A^k_{ij}},\quad "
        r"L^c_{\text{cf}}=\mathrm{ReLU}\Big(\sum_k \alpha_k^c A^k\Big)"
    )
    note = N_(
        "Grad-CAM with the gradient's sign flipped: the regions whose removal would raise y^c."
    )

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray | None) -> np.ndarray:
        return -gradients.mean(axis=(0, 1))


CONTRAST_FORMULA = (
    r"\alpha_k^{A-B}=\frac{1}{Z}\sum_{i,j}\frac{\partial (y^A-y^B)}{\partial A^k_{ij}}"
    r"=\alpha_k^A-\alpha_k^B,\quad L^{A-B}=\mathrm{ReLU}\Big(\sum_k \alpha_k^{A-B} A^k\Big)"
)


def _forward(model: keras.Model, x: np.ndarray, layer: str, given: ForwardPass | None):
    path, _ = find_layer(model, layer)
    if given is not None and path in given.activations:
        return path, given
    return path, engine.forward(model, x, [path])


def top_class_maps(
    model: keras.Model,
    x: np.ndarray,
    layer: str,
    k: int = 3,
    score: Score = "logit",
    forward_pass: ForwardPass | None = None,
) -> list[CamResult]:
    """Grad-CAM of the k highest-scoring classes, best first: one forward, one batched backward."""
    model = logits_view(model)
    path, forward_pass = _forward(model, x, layer, forward_pass)
    k = max(1, min(int(k), forward_pass.logits.shape[-1]))
    top = [int(c) for c in np.argsort(-forward_pass.logits, kind="stable")[:k]]
    return GradCAM().from_forward(model, x, forward_pass, path, top, score)


def counterfactual_map(
    model: keras.Model,
    x: np.ndarray,
    layer: str,
    class_index: int,
    score: Score = "logit",
    forward_pass: ForwardPass | None = None,
) -> CamResult:
    """Grad-CAM with the negated gradient: the regions whose removal would raise y^c."""
    model = logits_view(model)
    path, forward_pass = _forward(model, x, layer, forward_pass)
    return CounterfactualGradCAM().from_forward(model, x, forward_pass, path, [class_index], score)[
        0
    ]


def contrast_map(
    model: keras.Model,
    x: np.ndarray,
    layer: str,
    class_a: int,
    class_b: int,
    score: Score = "logit",
    forward_pass: ForwardPass | None = None,
) -> CamResult:
    """Grad-CAM of y^A − y^B: gradient G_A − G_B (by linearity), from one backward for [A, B].

    The result's class_index is A and its score is y^A − y^B; its method names both classes.
    """
    if int(class_a) == int(class_b):
        raise ValueError("Contrast two different classes: A and B are the same.")
    model = logits_view(model)
    path, forward_pass = _forward(model, x, layer, forward_pass)
    activations = forward_pass.activations[path]
    scores, grads = engine.class_gradients(model, x, path, activations, [class_a, class_b], score)
    result = GradCAM().from_tensors(
        activations,
        grads[0].astype(np.float64) - grads[1],
        layer=path,
        class_index=int(class_a),
        score_kind=score,
        score=float(scores[0]) - float(scores[1]),
    )
    return dataclasses.replace(result, method=f"Contrast Grad-CAM ({class_a} vs {class_b})")
