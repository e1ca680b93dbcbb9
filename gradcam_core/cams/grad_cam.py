"""Grad-CAM (Selvaraju et al., 2017)."""

from __future__ import annotations

import numpy as np

from .base import BaseCAM


class GradCAM(BaseCAM):
    """alpha_k = mean_ij dy^c/dA^k_ij; map = sum_k alpha_k A^k."""

    name = "Grad-CAM"
    formula = (
        r"\alpha_k^c=\frac{1}{Z}\sum_{i,j}\frac{\partial y^c}{\partial A^k_{ij}},\quad "
        r"L^c=\mathrm{ReLU}\Big(\sum_k \alpha_k^c A^k\Big)"
    )

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
        return gradients.mean(axis=(0, 1))
