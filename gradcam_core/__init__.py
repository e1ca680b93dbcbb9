"""Grad-CAM Explorer's engine: images, models, CAM methods and rendering, without Streamlit.

import gradcam_core as gc
model = gc.load_model("efficientnet_lite0")
x = gc.preprocess("efficientnet_lite0", pil_image)
r = gc.grad_cam(model, x, layer=gc.default_layer(model), class_index=281)
r.weights, r.raw, r.relu, r.normalized
"""

from __future__ import annotations

import os

os.environ.setdefault(
    "TF_CPP_MIN_LOG_LEVEL", "2"
)  # keep TensorFlow's start-up chatter out of the UI

import keras
import numpy as np

from .cams import (
    CAM_METHODS,
    BaseCAM,
    CamResult,
    GradCAM,
    grad_cam_all_layers,
    relu_and_normalize,
)
from .engine import SCORES, TF_LOCK, ForwardPass, Score, forward, forward_batch
from .errors import (
    ClassLookupError,
    GradCamError,
    ImageLoadError,
    LayerError,
    ModelUnavailableError,
)
from .images import LoadedImage, load_image, resize_for_model
from .labels import (
    ImageNetClass,
    Prediction,
    class_name,
    find_class,
    imagenet_class,
    search_classes,
    softmax,
    top_k,
)
from .layers import LayerInfo, default_layer, describe_layers, find_layer, list_layers
from .models import (
    DEFAULT_MODEL,
    MODELS,
    ModelSpec,
    available_models,
    get_spec,
    load_model,
    preprocess,
    preprocess_pixels,
)
from .modifiers import ReplaceSoftmaxWithLinear, ends_in_softmax, logits_view
from .render import COLORMAPS, DEFAULT_COLORMAP, colorize, overlay, upsample


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


__all__ = [
    "CAM_METHODS",
    "COLORMAPS",
    "DEFAULT_COLORMAP",
    "DEFAULT_MODEL",
    "MODELS",
    "SCORES",
    "TF_LOCK",
    "BaseCAM",
    "CamResult",
    "ClassLookupError",
    "ForwardPass",
    "GradCAM",
    "GradCamError",
    "ImageLoadError",
    "ImageNetClass",
    "LayerError",
    "LayerInfo",
    "LoadedImage",
    "ModelSpec",
    "ModelUnavailableError",
    "Prediction",
    "ReplaceSoftmaxWithLinear",
    "Score",
    "available_models",
    "class_name",
    "colorize",
    "default_layer",
    "describe_layers",
    "ends_in_softmax",
    "find_class",
    "find_layer",
    "forward",
    "forward_batch",
    "get_spec",
    "grad_cam",
    "grad_cam_all_layers",
    "imagenet_class",
    "list_layers",
    "load_image",
    "load_model",
    "logits_view",
    "overlay",
    "preprocess",
    "preprocess_pixels",
    "relu_and_normalize",
    "resize_for_model",
    "search_classes",
    "softmax",
    "top_k",
    "upsample",
]
