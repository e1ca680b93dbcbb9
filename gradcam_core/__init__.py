"""Grad-CAM Explorer's engine: images, models, CAM methods and rendering, without Streamlit.

import gradcam_core as gc
model = gc.load_model("efficientnet_lite0")
x = gc.preprocess("efficientnet_lite0", pil_image)
classifier = gc.load_classifier("converted_keras.zip")  # any model: own files too, with labels
r = gc.grad_cam(model, x, layer=gc.default_layer(model), class_index=281)
r.weights, r.raw, r.relu, r.normalized

Names are imported on first use, through ``tf_logging.load_tensorflow``, which keeps TensorFlow's
start-up lines out of stderr; so ``python -m gradcam_core`` can read ``--verbose`` before
TensorFlow loads.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import tf_logging

tf_logging.configure()

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "audit": "audit",
    **dict.fromkeys(
        (
            "CAM_METHODS",
            "BaseCAM",
            "CamResult",
            "GradCAM",
            "grad_cam",
            "grad_cam_all_layers",
            "relu_and_normalize",
        ),
        "cams",
    ),
    **dict.fromkeys(
        ("SCORES", "TF_LOCK", "ForwardPass", "Score", "forward", "forward_batch"), "engine"
    ),
    **dict.fromkeys(
        (
            "ClassLookupError",
            "GradCamError",
            "ImageLoadError",
            "LabelsError",
            "LayerError",
            "ModelRefusedError",
            "ModelUnavailableError",
            "PreprocessingRequiredError",
        ),
        "errors",
    ),
    **dict.fromkeys(("LoadedImage", "load_image", "resize_for_model"), "images"),
    **dict.fromkeys(
        (
            "ClassLabels",
            "ImageNetClass",
            "ImageNetLabels",
            "Prediction",
            "class_name",
            "find_class",
            "imagenet_class",
            "imagenet_labels",
            "numbered_labels",
            "parse_labels",
            "search_classes",
            "softmax",
            "top_k",
        ),
        "labels",
    ),
    **dict.fromkeys(
        ("LayerInfo", "default_layer", "describe_layers", "find_layer", "list_layers"), "layers"
    ),
    **dict.fromkeys(
        (
            "DEFAULT_MODEL",
            "MODELS",
            "ModelSpec",
            "available_models",
            "bundled_classifier",
            "demo_model_path",
            "get_spec",
            "load_classifier",
            "load_model",
            "preprocess",
            "preprocess_pixels",
        ),
        "models",
    ),
    "Classifier": "models.classifier",
    **dict.fromkeys(("PRESETS", "PRESET_NAMES", "Preprocessing"), "models.preprocessing"),
    **dict.fromkeys(
        (
            "ReplaceSoftmaxWithLinear",
            "ends_in_softmax",
            "final_activation",
            "logits_view",
            "probability_head",
        ),
        "modifiers",
    ),
    **dict.fromkeys(("COLORMAPS", "DEFAULT_COLORMAP", "colorize", "overlay", "upsample"), "render"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name (or a submodule such as ``gc.labels``) the first time it is used."""
    tf_logging.load_tensorflow()
    module_name = _EXPORTS.get(name)
    if module_name is None:
        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        return module
    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:  # what static tools see; at run time the names above load on first use
    from .audit import audit
    from .cams import (
        CAM_METHODS,
        BaseCAM,
        CamResult,
        GradCAM,
        grad_cam,
        grad_cam_all_layers,
        relu_and_normalize,
    )
    from .engine import SCORES, TF_LOCK, ForwardPass, Score, forward, forward_batch
    from .errors import (
        ClassLookupError,
        GradCamError,
        ImageLoadError,
        LabelsError,
        LayerError,
        ModelRefusedError,
        ModelUnavailableError,
        PreprocessingRequiredError,
    )
    from .images import LoadedImage, load_image, resize_for_model
    from .labels import (
        ClassLabels,
        ImageNetClass,
        ImageNetLabels,
        Prediction,
        class_name,
        find_class,
        imagenet_class,
        imagenet_labels,
        numbered_labels,
        parse_labels,
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
        bundled_classifier,
        demo_model_path,
        get_spec,
        load_classifier,
        load_model,
        preprocess,
        preprocess_pixels,
    )
    from .models.classifier import Classifier
    from .models.preprocessing import PRESET_NAMES, PRESETS, Preprocessing
    from .modifiers import (
        ReplaceSoftmaxWithLinear,
        ends_in_softmax,
        final_activation,
        logits_view,
        probability_head,
    )
    from .render import COLORMAPS, DEFAULT_COLORMAP, colorize, overlay, upsample
