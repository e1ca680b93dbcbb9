"""Eigen-CAM (Muhammad & Yeasin, 2020): the activations projected on their first singular vector."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from .. import engine
from ..engine import ForwardPass, Score
from ..layers import find_layer
from .base import BaseCAM, CamResult
from .cam import class_score


def principal_direction(activations: np.ndarray) -> np.ndarray:
    """v_1 (K,): the first right singular vector of A as (h w, K) rows, signed like mean_k A^k.

    As in the paper, the SVD is of the activations themselves (not centred). Its sign is
    arbitrary, so it is chosen to make the projection A v_1 correlate positively with the mean
    activation over channels (or, failing that, sum to >= 0).
    """
    flat = np.asarray(activations, dtype=np.float64).reshape(-1, activations.shape[-1])
    _, _, vt = np.linalg.svd(flat, full_matrices=False)
    direction = vt[0]
    projection = flat @ direction
    mean_activation = flat.mean(axis=1)
    agreement = np.dot(projection - projection.mean(), mean_activation - mean_activation.mean())
    if agreement == 0:
        agreement = projection.sum()
    return -direction if agreement < 0 else direction


class EigenCAM(BaseCAM):
    """map = A v_1: the activations projected on their first principal axis (no gradients).

    As in the paper (A = U S V^T, L = A V_1), the SVD and the projection both use the activations
    as they are. pytorch-grad-cam centres them first (so ReLU keeps the cells above the mean) and
    leaves the SVD's sign as it comes; here the sign is fixed (see ``principal_direction``). The
    map is the same for every class: the weights are v_1.
    """

    name = "Eigen-CAM"
    formula = (
        r"A=U\Sigma V^\top\ (\text{rows } A_{ij}\in\mathbb{R}^K),\quad "
        r"L=\mathrm{ReLU}\Big(\sum_k v_{1k} A^k\Big)"
    )

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
        return principal_direction(activations)

    def from_forward(
        self,
        model: keras.Model,
        x: np.ndarray,
        forward_pass: ForwardPass,
        layer: str,
        class_indices: Sequence[int],
        score: Score = "logit",
    ) -> list[CamResult]:
        """Maps from one forward pass, skipping the backward pass (gradients are not used)."""
        path, _ = find_layer(model, layer)
        activations = forward_pass.activations[path]
        unused = np.zeros_like(activations)
        indices = engine.class_vector(class_indices, forward_pass.logits.shape[-1])
        return [
            self.from_tensors(
                activations,
                unused,
                layer=path,
                class_index=int(c),
                score_kind=score,
                score=class_score(forward_pass.logits, int(c), score),
            )
            for c in indices
        ]
