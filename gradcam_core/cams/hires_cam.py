"""HiResCAM (Draelos & Carin, 2020), and its difference from Grad-CAM."""

from __future__ import annotations

import numpy as np

from .base import BaseCAM, CamResult


class HiResCAM(BaseCAM):
    """map = sum_k g^k * A^k, elementwise: Grad-CAM without averaging the gradient over cells.

    There are no per-channel weights (``weights`` is None): each cell (i, j) of channel k has its
    own weight g^k_ij. When g^k is spatially constant (global average pooling then a dense
    layer), g^k_ij equals its mean and the map is exactly Grad-CAM's.
    """

    name = "HiResCAM"
    formula = r"L^c=\mathrm{ReLU}\Big(\sum_k \frac{\partial y^c}{\partial A^k}\odot A^k\Big)"
    note = (
        "Multiplies gradient and activation cell by cell instead of averaging the "
        "gradient first, so every cell keeps exactly its own contribution to the score."
    )

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray | None) -> None:
        """No per-channel weights: the weight is per cell, g^k_ij."""
        return None

    def weighted_map(
        self, activations: np.ndarray, gradients: np.ndarray | None, weights: np.ndarray | None
    ) -> np.ndarray:
        return (gradients * activations).sum(axis=2)


def hires_minus_gradcam(hires: CamResult, gradcam: CamResult) -> np.ndarray:
    """HiResCAM.normalized − GradCAM.normalized, in [−1, 1], for the same layer and class.

    Both normalized maps (each divided by its own peak) are compared, so the difference is
    about where each method puts its attention, not about their scales. Negative cells are where
    Grad-CAM's averaging of the gradient over the grid spreads attention that HiResCAM does not
    give; positive cells are where HiResCAM's cell-wise gradients concentrate it. It is 0 everywhere
    when the gradient is spatially constant, because then the two maps are equal.
    """
    if hires.raw.shape != gradcam.raw.shape or hires.layer != gradcam.layer:
        raise ValueError(
            f"Compare maps of the same layer: got {hires.layer} {hires.raw.shape} and "
            f"{gradcam.layer} {gradcam.raw.shape}."
        )
    if hires.class_index != gradcam.class_index:
        raise ValueError(
            f"Compare maps of the same class: got {hires.class_index} and {gradcam.class_index}."
        )
    return (hires.normalized.astype(np.float64) - gradcam.normalized).astype(np.float32)
