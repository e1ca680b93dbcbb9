"""XGrad-CAM (Fu et al., 2020)."""

from __future__ import annotations

import numpy as np

from ..i18n import N_
from .base import BaseCAM

EPS = 1e-7  # as in pytorch-grad-cam; keeps a channel whose activations sum to 0 finite


class XGradCAM(BaseCAM):
    """w_k = sum_ij A^k_ij g^k_ij / (sum_ij A^k_ij + eps); map = sum_k w_k A^k."""

    name = "XGrad-CAM"
    formula = (
        r"w^c_k=\sum_{i,j}\frac{A^k_{ij}}{\sum_{a,b}A^k_{ab}+\epsilon}"
        r"\frac{\partial y^c}{\partial A^k_{ij}},\quad L^c=\mathrm{ReLU}\Big(\sum_k w^c_k A^k\Big)"
    )
    note = N_(
        "Averages the gradient weighted by the activation itself (A^k / Σ A^k) instead "
        "of uniformly, which makes the map satisfy the sensitivity and conservation axioms."
    )

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray | None) -> np.ndarray:
        numerator = (activations * gradients).sum(axis=(0, 1))
        denominator = activations.sum(axis=(0, 1)) + EPS
        return np.divide(
            numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0
        )
