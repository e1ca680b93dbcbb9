"""Grad-CAM++ (Chattopadhay et al., 2018)."""

from __future__ import annotations

import numpy as np

from ..i18n import N_
from .base import BaseCAM


def plus_plus_alphas(activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """alpha^k_ij = g^2 / (2 g^2 + sum_ab |A^k_ab| g^3) where g > 0, else 0: in [0, 1/2]."""
    g2 = gradients**2
    g3 = g2 * gradients
    denominator = 2.0 * g2 + np.abs(activations).sum(axis=(0, 1)) * g3
    used = (gradients > 0) & (denominator > 0)
    return np.divide(g2, denominator, out=np.zeros_like(g2), where=used)


class GradCAMPlusPlus(BaseCAM):
    """w_k = sum_ij alpha^k_ij ReLU(g^k_ij), alpha = g^2 / (2 g^2 + sum_ab |A^k_ab| g^3).

    The closed form comes from the paper's exponential score Y = exp(y^c): its 2nd and 3rd
    derivatives are exp(y^c) g^2 and exp(y^c) g^3 for a piecewise-linear network, so only the
    first-order gradients g = dy^c/dA are needed. The common factor exp(y^c) > 0 of the weights is
    dropped (as in pytorch-grad-cam): it scales the map and normalization removes it.

    The paper derives alpha for A >= 0, where alpha = 1 / (2 + g sum_ab A_ab) lies in (0, 1/2]
    for g > 0: w_k is a weighted sum of the channel's positive gradients in which each cell's
    credit g alpha saturates at 1 / sum_ab A_ab, so one strong region cannot outweigh several
    weaker ones. sum_ab A_ab stands for the channel's size. Where A has negative values it can
    cancel to near 0 or turn negative, and alpha leaves (0, 1/2] (negative, or huge near
    g sum A = -2); the channel's size there is its total magnitude sum_ab |A_ab|, which equals
    sum_ab A_ab where A >= 0 (so maps after a ReLU do not change) and keeps every alpha in
    (0, 1/2] and every weight >= 0. alpha is 0 where g <= 0: ReLU(g) gives those cells no weight.
    (pytorch-grad-cam adds 1e-6 to the denominator instead, which with gradients of 1e-4 changes
    the exact value in most cells.)
    """

    name = "Grad-CAM++"
    formula = (
        r"\alpha^{kc}_{ij}=\frac{(g^{kc}_{ij})^2}{2(g^{kc}_{ij})^2+\sum_{a,b}|A^k_{ab}|"
        r"(g^{kc}_{ij})^3},\quad w^c_k=\sum_{i,j}\alpha^{kc}_{ij}\,\mathrm{ReLU}(g^{kc}_{ij}),"
        r"\quad L^c=\mathrm{ReLU}\Big(\sum_k w^c_k A^k\Big)"
    )
    note = N_(
        "Weights only the positive gradients, cell by cell, with higher-order terms, so "
        "several objects of the class (or a large one) all get credit, not just the strongest "
        "part. The paper assumes A ≥ 0 (after a ReLU), where Σ|A| is ΣA; with signed "
        "activations Σ|A| keeps every α between 0 and ½."
    )
    signed_rule = N_(
        "measures each channel by Σ|A| instead of ΣA, which keeps its α between 0 and ½ and "
        "its channel weights ≥ 0"
    )

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray | None) -> np.ndarray:
        alphas = plus_plus_alphas(activations, gradients)
        return (alphas * np.maximum(gradients, 0.0)).sum(axis=(0, 1))
