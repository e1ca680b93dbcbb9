"""CAM methods at many layers at once: one forward and one backward pass for all of them."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from .. import engine
from ..engine import Score
from ..layers import list_layers
from ..modifiers import logits_view, probability_head
from .base import CamResult, LayerInputs, cam_result, class_score
from .grad_cam import GradCAM


def all_layer_inputs(
    model: keras.Model,
    x: np.ndarray,
    class_index: int,
    layers: Sequence[str] | None = None,
    score: Score = "logit",
) -> dict[str, LayerInputs]:
    """{layer path: LayerInputs} for every 4-D layer (or the given ones), input to output.

    A and dy^c/dA of all the layers come from one forward and one backward pass
    (``engine.layer_gradients``), so any method can then run at every layer from them. They
    are kept for every layer, so this is for checks and scripts; the app's Layers page uses
    ``grad_cam_all_layers``, which keeps only each layer's map.
    """
    model = logits_view(model)
    names = list_layers(model) if layers is None else list(layers)
    logits, maps = engine.layer_gradients(model, x, names, class_index, score)
    value = class_score(logits, class_index, score, probability_head(model))
    return {
        path: LayerInputs(
            layer=path,
            activations=np.asarray(a, dtype=np.float64),
            class_indices=(int(class_index),),
            scores=(value,),
            score_kind=score,
            gradients=np.asarray(g, dtype=np.float64)[None],
            model=model,
            x=x,
        )
        for path, (a, g) in maps.items()
    }


def grad_cam_all_layers(
    model: keras.Model,
    x: np.ndarray,
    class_index: int,
    layers: Sequence[str] | None = None,
    score: Score = "logit",
) -> dict[str, CamResult]:
    """{layer path: Grad-CAM}, input to output, for every 4-D layer (or the given ones).

    Gradients to all the layers come from one backward pass (``engine.layer_grad_cams``), not
    one pass per layer, reduced to each layer's weights and signed map inside the graph; the
    maps equal ``gc.grad_cam`` layer by layer.
    """
    model = logits_view(model)
    names = list_layers(model) if layers is None else list(layers)
    logits, maps = engine.layer_grad_cams(model, x, names, class_index, score)
    value = class_score(logits, class_index, score, probability_head(model))
    return {
        path: cam_result(
            GradCAM.name,
            raw,
            weights,
            layer=path,
            class_index=class_index,
            score_kind=score,
            score=value,
            activations_below_zero=below_zero,
        )
        for path, (weights, raw, below_zero) in maps.items()
    }
