"""Cached pieces of the Methods page: where a method does not apply, and pixel-level images."""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
import streamlit as st
from PIL import Image

import gradcam_core as gc
from gradcam_core import cams, drawing

from .. import cache
from ..cache import MapKey
from ..i18n import N_
from ..progress import spinning


class PixelImages(NamedTuple):
    """A pixel-level method's two images (its input gradient, and that gradient times the
    upsampled Grad-CAM map), the size of the photo preview."""

    gradient: np.ndarray  # uint8 (H, W, 3)
    product: np.ndarray  # uint8 (H, W, 3)
    seconds: float


@st.cache_data(max_entries=64, show_spinner=False)
def unsupported_note(model_name: str, method: str, layer: str) -> str | None:
    """None when the method applies to this layer (CAM needs a GAP -> Dense head), else why not."""
    return cams.method_class(method).unsupported_reason(cache.load_model(model_name), layer)


@spinning(N_("Running guided backpropagation…"))
@st.cache_data(max_entries=16, show_spinner=False)
def pixel_images(key: MapKey, method: str, _image: Image.Image) -> PixelImages:
    """The pixel-level method's images (reusing the cached Grad-CAM map), photo-shaped."""
    start = time.perf_counter()
    gradcam, _unused = cache.grad_cam(key, _image)
    model, x, _unused = cache.model_and_input(key.digest, key.model, key.layer, _image)
    with gc.TF_LOCK:
        guided = cams.method_class(method)().from_gradcam(model, x, gradcam)
    size = cache.preview(key.digest, _image).size
    return PixelImages(
        gradient=drawing.pixel_image(guided.guided, size),
        product=drawing.pixel_image(guided.guided_gradcam, size),
        seconds=time.perf_counter() - start,
    )
