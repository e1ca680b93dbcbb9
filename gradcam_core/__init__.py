"""Grad-CAM Explorer's engine: images, models, CAM methods and drawing, without Streamlit.

import gradcam_core as gc
model = gc.load_model("efficientnet_lite0")
x = gc.preprocess("efficientnet_lite0", pil_image)
classifier = gc.load_classifier("converted_keras.zip")  # any model: own files too, with labels
r = gc.grad_cam(model, x, layer=gc.default_layer(model), class_index=281)
r.weights, r.raw, r.relu, r.normalized

The public names are declared once, in ``__init__.pyi``; each is imported on first use, after
``tf_logging.load_tensorflow`` has held TensorFlow's start-up lines back, so
``python -m gradcam_core`` can read ``--verbose`` before TensorFlow loads.
"""

from __future__ import annotations

from typing import Any

import lazy_loader

from . import tf_logging

tf_logging.configure()

_load, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)


def __getattr__(name: str) -> Any:
    """Import a public name (or a submodule such as ``gc.labels``) the first time it is used."""
    tf_logging.load_tensorflow()
    value = _load(name)
    globals()[name] = value
    return value
