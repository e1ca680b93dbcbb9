"""Grad-CAM for many layers at once: one forward and one backward pass for all of them."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from .. import engine
from ..engine import Score
from ..layers import list_layers
from ..modifiers import logits_view
from .base import CamResult, cam_result
from .cam import class_score
from .grad_cam import GradCAM


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
    value = class_score(logits, class_index, score)
    return {
        path: cam_result(
            GradCAM.name,
            raw,
            weights,
            layer=path,
            class_index=class_index,
            score_kind=score,
            score=value,
        )
        for path, (weights, raw) in maps.items()
    }
