"""LayerCAM (Jiang et al., 2021)."""

from __future__ import annotations

import numpy as np

from ..i18n import N_
from .base import BaseCAM


class LayerCAM(BaseCAM):
    """map = sum_k ReLU(g^k) * A^k, elementwise: each cell keeps its own positive gradient."""

    name = "LayerCAM"
    formula = (
        r"L^c=\mathrm{ReLU}\Big(\sum_k \mathrm{ReLU}\Big(\frac{\partial y^c}{\partial A^k}\Big)"
        r"\odot A^k\Big)"
    )
    note = N_(
        "Like HiResCAM but keeps only the positive gradients of each cell, which keeps "
        "its maps reliable at early, high-resolution layers too."
    )

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray | None) -> None:
        """No per-channel weights: the weight is per cell, ReLU(g^k_ij)."""
        return None

    def weighted_map(
        self, activations: np.ndarray, gradients: np.ndarray | None, weights: np.ndarray | None
    ) -> np.ndarray:
        return (np.maximum(gradients, 0.0) * activations).sum(axis=2)
