"""Cached computations of the Layers page: every layer's map from one forward and one backward
pass, their small overlays, and the chosen layer's two views, each encoded once."""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
import streamlit as st
from PIL import Image

import gradcam_core as gc
from gradcam_core import drawing, walkthrough
from gradcam_core.cams import grad_cam_all_layers
from gradcam_core.drawing import walkthrough as figures

from .. import cache
from ..i18n import N_
from ..progress import spinning

THUMBNAIL_WIDTH = 240


class LayersKey(NamedTuple):
    """What the all-layers maps depend on: photo digest, model, class and score."""

    digest: str
    model: str
    class_index: int
    score: gc.Score


@spinning(N_("Grad-CAM for every layer: one forward and one backward pass…"))
@st.cache_data(max_entries=8, show_spinner=False)
def all_layer_maps(key: LayersKey, _image: Image.Image) -> tuple[dict[str, gc.CamResult], float]:
    """{layer: Grad-CAM} for every 4-D layer, input to output; and the seconds it took."""
    start = time.perf_counter()
    model = cache.load_model(key.model)
    x = cache.model_input(key.digest, key.model, _image)
    with gc.TF_LOCK:
        maps = grad_cam_all_layers(model, x, key.class_index, score=key.score)
    return maps, time.perf_counter() - start


@st.cache_data(max_entries=8, show_spinner=False)
def thumbnails(
    key: LayersKey, cmap: str, opacity: float, _photo: Image.Image, _maps: dict
) -> dict[str, bytes]:
    """A small JPEG overlay per layer, the cells shown as blocks (nearest)."""
    small = drawing.thumbnail(_photo, THUMBNAIL_WIDTH)
    return {
        name: figures.layer_thumbnail(small, result.normalized, cmap, opacity)
        for name, result in _maps.items()
    }


@st.cache_data(max_entries=32, show_spinner=False)
def layer_views(
    key: LayersKey,
    layer: str,
    cmap: str,
    opacity: float,
    _photo: Image.Image,
    _normalized: np.ndarray,
) -> tuple[bytes, bytes]:
    """One layer's map over the photo (bilinear, JPEG) and its cells (nearest, with the grid,
    PNG), encoded once so that scrubbing back to a layer sends cached bytes."""
    photo = drawing.preview(_photo, 1024)
    grid = walkthrough.cell_grid(*_normalized.shape, *photo.size)
    cells = figures.draw_grid(
        figures.upsampled(_normalized, photo.size, "nearest", cmap),
        grid,
        walkthrough.peak_cell(_normalized),
    )
    return drawing.jpeg_bytes(gc.overlay(photo, _normalized, cmap, opacity)), drawing.png_bytes(
        cells
    )
