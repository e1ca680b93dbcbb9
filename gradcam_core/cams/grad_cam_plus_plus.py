"""Grad-CAM++ (Chattopadhay et al., 2018)."""

from __future__ import annotations

import numpy as np

from .base import BaseCAM


def plus_plus_alphas(activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """alpha^k_ij = g^2 / (2 g^2 + sum_ab A^k_ab g^3), and 0 where the denominator is 0."""
    g2 = gradients**2
    g3 = g2 * gradients
    denominator = 2.0 * g2 + activations.sum(axis=(0, 1)) * g3
    return np.divide(g2, denominator, out=np.zeros_like(g2), where=denominator != 0)


class GradCAMPlusPlus(BaseCAM):
    """w_k = sum_ij alpha^k_ij ReLU(g^k_ij), alpha = g^2 / (2 g^2 + sum_ab A^k_ab g^3).

    The closed form comes from the paper's exponential score Y = exp(y^c): its 2nd and 3rd
    derivatives are exp(y^c) g^2 and exp(y^c) g^3 for a piecewise-linear network, so only the
    first-order gradients g = dy^c/dA are needed. The common factor exp(y^c) > 0 of the weights is
    dropped (as in pytorch-grad-cam): it scales the map and normalization removes it.
    """

    name = "Grad-CAM++"
    formula = (
        r"\alpha^{kc}_{ij}=\frac{(g^{kc}_{ij})^2}{2(g^{kc}_{ij})^2+\sum_{a,b}A^k_{ab}"
        r"(g^{kc}_{ij})^3},\quad w^c_k=\sum_{i,j}\alpha^{kc}_{ij}\,\mathrm{ReLU}(g^{kc}_{ij}),"
        r"\quad L^c=\mathrm{ReLU}\Big(\sum_k w^c_k A^k\Big)"
    )

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
        alphas = plus_plus_alphas(activations, gradients)
        return (alphas * np.maximum(gradients, 0.0)).sum(axis=(0, 1))
