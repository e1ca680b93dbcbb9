"""Grad-CAM (Selvaraju et al., 2017)."""

from __future__ import annotations

import keras
import numpy as np

from ..engine import Score, forward
from ..i18n import N_
from ..layers import default_layer
from ..modifiers import logits_view
from .base import BaseCAM, CamResult


class GradCAM(BaseCAM):
    """alpha_k = mean_ij dy^c/dA^k_ij; map = sum_k alpha_k A^k."""

    name = "Grad-CAM"
    formula = (
        r"\alpha_k^c=\frac{1}{Z}\sum_{i,j}\frac{\partial y^c}{\partial A^k_{ij}},\quad "
        r"L^c=\mathrm{ReLU}\Big(\sum_k \alpha_k^c A^k\Big)"
    )
    note = N_("The reference: each channel weighted by its gradient averaged over the grid.")

    def channel_weights(self, activations: np.ndarray, gradients: np.ndarray | None) -> np.ndarray:
        return gradients.mean(axis=(0, 1))


def grad_cam(
    model: keras.Model,
    x: np.ndarray,
    layer: str | None = None,
    class_index: int | None = None,
    score: Score = "logit",
) -> CamResult:
    """Grad-CAM for one preprocessed image (1, H, W, 3).

    layer defaults to ``default_layer(model)``, class_index to the top-1 class. A model that ends
    in softmax is differentiated through a copy that returns logits.
    """
    model = logits_view(model)
    layer = layer or default_layer(model)
    if class_index is None:
        class_index = int(np.argmax(forward(model, x).logits))
    return GradCAM()(model, x, layer, int(class_index), score)
