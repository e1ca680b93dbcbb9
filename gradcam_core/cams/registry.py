"""The registry of CAM methods: their ids, and running any of them by id from a forward pass.

A new method is one module (a ``BaseCAM`` subclass that declares its name, formula and note) and
one line in ``CAM_METHODS``; the Methods page, ``python -m gradcam_core methods`` and
``explain --method`` then list it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from ..engine import ForwardPass, Score
from .base import BaseCAM, CamResult
from .cam import CAM
from .eigen_cam import EigenCAM
from .grad_cam import GradCAM
from .grad_cam_plus_plus import GradCAMPlusPlus
from .guided_backprop import GuidedGradCAM
from .hires_cam import HiResCAM
from .layer_cam import LayerCAM
from .score_cam import ScoreCAM
from .xgrad_cam import XGradCAM

Progress = Callable[[float], None]

# Short id -> method class, in the order the Methods page lists them.
CAM_METHODS: dict[str, type[BaseCAM]] = {
    "gradcam": GradCAM,
    "gradcam++": GradCAMPlusPlus,
    "xgradcam": XGradCAM,
    "hirescam": HiResCAM,
    "layercam": LayerCAM,
    "scorecam": ScoreCAM,
    "eigencam": EigenCAM,
    "cam": CAM,
    "guided_gradcam": GuidedGradCAM,
}
REFERENCE_METHOD = "gradcam"  # the method the others are compared with


def method_class(method_id: str) -> type[BaseCAM]:
    """The registered method (``CAM_METHODS``) of this id, or a ValueError naming the ids."""
    if method_id not in CAM_METHODS:
        raise ValueError(f"Unknown method {method_id!r}; use one of {', '.join(CAM_METHODS)}.")
    return CAM_METHODS[method_id]


def method_settings(method: BaseCAM) -> dict[str, Any]:
    """The method's options and their values, as plain JSON values (the progress callback and
    any other callable left out)."""
    values = {field.name: getattr(method, field.name) for field in dataclasses.fields(method)}
    return {
        name: value for name, value in values.items() if name != "progress" and not callable(value)
    }


def build_method(method_id: str, progress: Progress | None = None) -> BaseCAM:
    """The method of this id, default options; ``progress`` reaches the methods that take one."""
    kind = method_class(method_id)
    takes_progress = any(option.name == "progress" for option in kind.options())
    return kind(progress=progress) if takes_progress else kind()


def run_method(
    method_id: str,
    model: keras.Model,
    x: np.ndarray,
    forward_pass: ForwardPass,
    layer: str,
    class_index: int,
    score: Score = "logit",
    progress: Progress | None = None,
) -> CamResult:
    """The layer-resolution map of one registered method from a cached forward pass."""
    method = build_method(method_id, progress)
    return method.from_forward(model, x, forward_pass, layer, [class_index], score)[0]
