"""Cached computations and figures of "How Grad-CAM works".

Same rules as ``app_ui.cache``: keys are digests and names, arrays go in underscore-prefixed
arguments, every TensorFlow call holds ``gc.TF_LOCK``. The walkthrough reuses the sidebar's
cached forward pass and adds one head-only backward pass per score (logit and softmax).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st
from PIL import Image

import gradcam_core as gc
from gradcam_core import drawing, engine, walkthrough
from gradcam_core.drawing import walkthrough as figures

from .. import cache
from ..controls import Selection
from ..i18n import N_, use_language
from ..progress import spinning


class GradientKey(NamedTuple):
    """What both scores' gradients depend on: photo digest, model, layer and class."""

    digest: str
    model: str
    layer: str
    class_index: int


@spinning(N_("Computing dy^c/dA for both scores…"))
@st.cache_data(max_entries=32, show_spinner=False)
def both_gradients(
    key: GradientKey, _image: Image.Image
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """y^c and dy^c/dA (h, w, K) for the logit and the softmax score, from the cached forward."""
    forward = cache.forward_pass(key.digest, key.model, key.layer, _image)
    model = cache.load_model(key.model)
    x = cache.model_input(key.digest, key.model, _image)
    activations = forward.activations[key.layer]
    scores: dict[str, float] = {}
    gradients: dict[str, np.ndarray] = {}
    with gc.TF_LOCK:
        for score in gc.SCORES:
            values, grads = engine.class_gradients(
                model, x, key.layer, activations, [key.class_index], score
            )
            scores[score], gradients[score] = float(values[0]), grads[0]
    return scores, gradients


def walkthrough_of(selection: Selection) -> walkthrough.Walkthrough:
    """Every tensor of the current selection's Grad-CAM (gradients cached, the rest is cheap)."""
    image = selection.photo.image
    forward = cache.forward_pass(
        selection.digest, selection.model_name, selection.layer.name, image
    )
    key = GradientKey(
        selection.digest, selection.model_name, selection.layer.name, selection.target
    )
    scores, gradients = both_gradients(key, image)
    return walkthrough.walkthrough(
        forward.activations[selection.layer.name],
        forward.logits,
        gradients,
        scores,
        layer=selection.layer.name,
        class_index=selection.target,
        score=selection.score,
        head=selection.classifier.head,
    )


@st.cache_data(max_entries=32, show_spinner=False)
def channels_png(
    key: cache.MapKey, count: int, columns: int, aspect: float, scale: float, lang: str, _walk
) -> bytes:
    """The grid of A^k and dy^c/dA^k for the channels with the largest |alpha_k| (words in
    ``lang``: every figure with words has the language in its key)."""
    weights = _walk.result.weights
    channels = figures.channel_list(weights, count)
    with use_language(lang):
        return figures.channels_png(
            _walk.activations, _walk.gradients, weights, channels, columns, aspect, scale
        )


@st.cache_data(max_entries=32, show_spinner=False)
def softmax_png(key: cache.MapKey, scale: float, lang: str, _logits: np.ndarray) -> bytes:
    """p_c against z_c with the current point and its slope (softmax, or a sigmoid head's)."""
    head = cache.classifier(key.model).head
    with use_language(lang):
        return figures.softmax_curve_png(_logits, key.class_index, scale, head)


@st.cache_data(max_entries=32, show_spinner=False)
def partial_sums_png(key: cache.MapKey, aspect: float, scale: float, lang: str, _walk) -> bytes:
    """The weighted sum over the top 1, 10, 100, ... and all channels."""
    weights = _walk.result.weights
    counts = walkthrough.partial_counts(weights.size)
    with use_language(lang):
        return figures.partial_sums_png(_walk.activations, weights, counts, aspect, scale)


@st.cache_data(max_entries=32, show_spinner=False)
def relu_png(
    key: cache.MapKey, cmap: str, aspect: float, scale: float, lang: str, _raw: np.ndarray
) -> bytes:
    """Before ReLU, what it removes, after."""
    with use_language(lang):
        return figures.relu_png(_raw, cmap, aspect, scale)


@st.cache_data(max_entries=16, show_spinner=False)
def upsampling_panels(
    key: cache.MapKey, cmap: str, _photo: Image.Image, _normalized: np.ndarray
) -> tuple[bytes, bytes, bytes]:
    """Photo with the cell grid, nearest and bilinear upsampling (a preview of the photo), each
    encoded once."""
    photo = drawing.preview(_photo, 900)
    grid = walkthrough.cell_grid(*_normalized.shape, *photo.size)
    with_grid, nearest, bilinear = figures.upsampling_panels(photo, _normalized, grid, cmap)
    return drawing.jpeg_bytes(with_grid), drawing.png_bytes(nearest), drawing.jpeg_bytes(bilinear)
