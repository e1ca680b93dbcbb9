"""HiResCAM (Draelos & Carin, 2020), and its difference from Grad-CAM."""

from __future__ import annotations

import numpy as np

from ..i18n import N_
from .base import BaseCAM, SectionText


class HiResCAM(BaseCAM):
    """map = sum_k g^k * A^k, elementwise: Grad-CAM without averaging the gradient over cells.

    There are no per-channel weights (``weights`` is None): each cell (i, j) of channel k has its
    own weight g^k_ij. When g^k is spatially constant (global average pooling then a dense
    layer), g^k_ij equals its mean and the map is exactly Grad-CAM's.
    """

    name = "HiResCAM"
    formula = r"L^c=\mathrm{ReLU}\Big(\sum_k \frac{\partial y^c}{\partial A^k}\odot A^k\Big)"
    note = N_(
        "Multiplies gradient and activation cell by cell instead of averaging the "
        "gradient first, so every cell keeps exactly its own contribution to the score."
    )

    difference_section = SectionText(
        N_("Where does gradient averaging spread the attention?"),
        N_(
            "Grad-CAM first **averages** each channel's gradient over the grid, then multiplies: a "
            "channel that matters in one place lends its weight to every cell where it is active. "
            "HiResCAM keeps the gradient **cell by cell**. Their difference shows the spread: "
            "**blue** cells get attention from Grad-CAM only, **red** cells are where HiResCAM "
            "concentrates it."
        ),
        N_(
            "The two maps are identical at {layer}: this layer is pooled straight into "
            "the classifier, so the gradient is the same in every cell and averaging it changes "
            "nothing. Pick an earlier layer in the sidebar to see them differ."
        ),
    )

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray | None) -> None:
        """No per-channel weights: the weight is per cell, g^k_ij."""
        return None

    def weighted_map(
        self, activations: np.ndarray, gradients: np.ndarray | None, weights: np.ndarray | None
    ) -> np.ndarray:
        return (gradients * activations).sum(axis=2)
