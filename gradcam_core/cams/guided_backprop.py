"""Guided Backpropagation (Springenberg et al., 2015) and Guided Grad-CAM (Selvaraju et al.).

Guided backprop is dy^c/dX where every ReLU passes gradient back only where its input is > 0
(the ordinary ReLU gradient) and the incoming gradient is > 0 (the guided part). It is built by
wrapping the call of each ReLU-like layer while the graph is traced (``engine.input_gradient``)
with an identity whose gradient is ReLU(incoming gradient); the layer's own backward then applies
its input mask. ReLU layers (any max_value, no negative slope), Activation('relu' | 'relu6'),
and layers with activation='relu' | 'relu6' are guided; for ReLU6 the layer's own mask also
stops gradient where the input is above 6. Other nonlinearities (swish, sigmoid) are not guided.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from .. import engine
from ..engine import Score
from ..i18n import N_
from ..modifiers import logits_view
from ..resample import Interpolation, upsample
from .base import CamResult, SectionText
from .grad_cam import GradCAM

_RELU_ACTIVATIONS = (keras.activations.relu, keras.activations.relu6)


def is_guided_relu(layer: keras.layers.Layer) -> bool:
    """A ReLU layer without negative slope, or a layer whose activation is relu or relu6."""
    if isinstance(layer, keras.layers.ReLU):
        return float(layer.negative_slope) == 0.0
    return getattr(layer, "activation", None) in _RELU_ACTIVATIONS


def _leaf_layers(model: keras.Model) -> Iterator[keras.layers.Layer]:
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _leaf_layers(layer)
        else:
            yield layer


@tf.custom_gradient
def _positive_gradient(output: tf.Tensor):
    """Identity forward; backward passes only the positive part of the incoming gradient."""

    def backward(upstream: tf.Tensor) -> tf.Tensor:
        return tf.nn.relu(upstream)

    return tf.identity(output), backward


def _guide(original: Callable, args: tuple, kwargs: dict) -> tf.Tensor:
    return _positive_gradient(original(*args, **kwargs))


def guided_backprop(
    model: keras.Model, x: np.ndarray, class_index: int, score: Score = "logit"
) -> np.ndarray:
    """Guided dy^c/dX for one preprocessed image (1, H, W, C): signed, shape (H, W, C)."""
    model = logits_view(model)
    guided_layers = {layer: _guide for layer in _leaf_layers(model) if is_guided_relu(layer)}
    return engine.input_gradient(model, x, class_index, score, guided_layers, name="guided")


@dataclass(frozen=True)
class GuidedResult:
    """Guided backprop, Guided Grad-CAM and the Grad-CAM map they share, for one class."""

    guided: np.ndarray  # (H, W, C) signed guided gradient dy^c/dX
    guided_gradcam: np.ndarray  # (H, W, C) guided * upsampled normalized Grad-CAM
    gradcam: CamResult  # the layer-resolution Grad-CAM


def guided_grad_cam(
    model: keras.Model,
    x: np.ndarray,
    layer: str,
    class_index: int,
    score: Score = "logit",
    interpolation: Interpolation = "bilinear",
) -> GuidedResult:
    """guided_gradcam = guided backprop ⊙ up(Grad-CAM normalized), broadcast over colours."""
    model = logits_view(model)
    gradcam = GradCAM()(model, x, layer, class_index, score)
    guided = guided_backprop(model, x, class_index, score)
    height, width = guided.shape[:2]
    mask = upsample(gradcam.normalized, height, width, interpolation)
    return GuidedResult(guided=guided, guided_gradcam=guided * mask[..., None], gradcam=gradcam)


class GuidedGradCAM(GradCAM):
    """Guided Grad-CAM = guided backprop ⊙ up(Grad-CAM): pixel-level, class-discriminative.

    Calling it like any CAM method gives its layer-resolution factor, the Grad-CAM map; ``guided``
    gives the pixel-level result (``pixel_level`` tells pages to show that).
    """

    name = "Guided Grad-CAM"
    formula_words = (N_("guided ReLU"),)  # the formula's \text{} words, shown translated
    formula = (
        r"G^c=\frac{\partial y^c}{\partial X}\Big|_{\text{guided ReLU}}\odot"
        r"\mathrm{up}\big(L^c_{\text{Grad-CAM}}\big)"
    )
    pixel_level = True
    note = N_(
        "Multiplies the upsampled Grad-CAM map by guided backpropagation (the input "
        "gradient with negative gradients stopped at every ReLU): pixel detail, still "
        "class-specific."
    )

    pixel_section = SectionText(
        N_("Pixel level: Guided Backprop and Guided Grad-CAM"),
        N_(
            "CAM maps are as coarse as the layer's grid. **Guided backpropagation** is the "
            "gradient "
            "of the score with respect to the *pixels*, letting only positive gradients back "
            "through each ReLU: sharp edges, but hardly class-specific. Multiplying it by the "
            "upsampled Grad-CAM map keeps the detail *inside* the region of the class."
        ),
        captions=(
            N_("Guided Backprop ∂y^c/∂X (guided)"),
            N_("× Grad-CAM, upsampled"),
            N_("= Guided Grad-CAM"),
        ),
    )

    def from_gradcam(
        self,
        model: keras.Model,
        x: np.ndarray,
        gradcam: CamResult,
        interpolation: Interpolation = "bilinear",
    ) -> GuidedResult:
        """Guided backprop G and G ⊙ up(L_Grad-CAM), reusing an already computed Grad-CAM map."""
        guided = guided_backprop(model, x, gradcam.class_index, gradcam.score_kind)
        height, width = guided.shape[:2]
        mask = upsample(gradcam.normalized, height, width, interpolation)
        return GuidedResult(guided=guided, guided_gradcam=guided * mask[..., None], gradcam=gradcam)

    def guided(
        self,
        model: keras.Model,
        x: np.ndarray,
        layer: str,
        class_index: int,
        score: Score = "logit",
    ) -> GuidedResult:
        """Guided backprop, Guided Grad-CAM and Grad-CAM for one image, layer and class."""
        return guided_grad_cam(model, x, layer, class_index, score)
