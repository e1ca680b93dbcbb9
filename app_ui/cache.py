"""Cached calls into gradcam_core, keyed by content digests and names, never by hashing arrays.

Models live in ``ResidentModels`` (at most two for all sessions, one in low-memory mode: see
``deployment``), decoded photos in ``st.cache_resource`` (shared, never mutated). Forward passes
and maps live in ``st.cache_data``: a forward pass is keyed by (image digest, model, layer), a map
by (image digest, model, layer, class, score), so changing the colormap or opacity never
recomputes Grad-CAM and switching class never reruns the forward pass.
Every TensorFlow call holds ``gc.TF_LOCK`` because sessions run in threads.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

import keras
import numpy as np
import streamlit as st
from PIL import Image

import gradcam_core as gc
from gradcam_core import engine, figures, samples
from gradcam_core.images import LoadedImage
from gradcam_core.memory import release_memory

from . import deployment

DISPLAY_SIDE = 2048  # long side of overlays drawn in the page


def let_others_run() -> None:
    """Inside ``with gc.TF_LOCK`` during a long run: let other sessions' TF calls in, briefly.

    Called from progress callbacks between batches or steps, so one slow check (Score-CAM, a
    randomization cascade) does not hold every other session up for its whole run.
    """
    gc.TF_LOCK.release()
    time.sleep(0)
    gc.TF_LOCK.acquire()


class MapKey(NamedTuple):
    """Everything a map depends on: photo digest, model, layer, class and score."""

    digest: str
    model: str
    layer: str
    class_index: int
    score: gc.Score


class ResidentModels:
    """The models kept loaded for every session, the least recently used let go first.

    At most ``deployment.resident_models()`` at once. A model is let go *before* the next one
    loads and its memory is handed back, so the low-memory mode never holds two. Loads happen one
    at a time (a model asked for by several sessions loads once); using a loaded model never
    waits for a load.
    """

    def __init__(self) -> None:
        self._models: OrderedDict[str, keras.Model] = OrderedDict()
        self._lock = threading.Lock()
        self._loading = threading.Lock()

    def names(self) -> list[str]:
        """The loaded models, least recently used first."""
        with self._lock:
            return list(self._models)

    def _lookup(self, name: str) -> keras.Model | None:
        with self._lock:
            if name in self._models:
                self._models.move_to_end(name)
            return self._models.get(name)

    def get(self, name: str, load: Callable[[], keras.Model]) -> keras.Model:
        """The loaded model ``name``, else ``load()`` after making room for it."""
        model = self._lookup(name)
        if model is not None:
            return model
        with self._loading:
            model = self._lookup(name)
            if model is not None:
                return model
            with self._lock:
                dropped = len(self._models) >= deployment.resident_models()
                while len(self._models) >= deployment.resident_models():
                    self._models.popitem(last=False)
            if dropped:
                release_memory()
            model = load()
            with self._lock:
                self._models[name] = model
            return model


@st.cache_resource(show_spinner=False)
def resident_models() -> ResidentModels:
    """The process's one set of loaded models (``st.cache_resource.clear()`` empties it)."""
    return ResidentModels()


def load_model(model_name: str) -> keras.Model:
    """The model with its ImageNet weights (downloaded once by Keras for zoo models)."""

    def load() -> keras.Model:
        title = gc.get_spec(model_name).title
        with st.spinner(f"Loading {title}…", show_time=True), gc.TF_LOCK:
            return gc.load_model(model_name)

    return resident_models().get(model_name, load)


@st.cache_resource(max_entries=16, show_spinner=False)
def load_sample(sample_id: str) -> LoadedImage:
    """A bundled sample photo."""
    return samples.load_sample(sample_id)


@st.cache_resource(max_entries=16, show_spinner=False)
def thumbnail(sample_id: str, size: int = 160) -> Image.Image:
    """A small copy of a sample photo for the gallery."""
    image = load_sample(sample_id).image.copy()
    image.thumbnail((size, size))
    return image


@st.cache_data(max_entries=16, show_spinner=False)
def layer_table(model_name: str) -> list[gc.LayerInfo]:
    """Every 4-D layer of the model with its size, input to output."""
    return gc.describe_layers(load_model(model_name))


@st.cache_data(max_entries=32, show_spinner=False)
def model_input(digest: str, model_name: str, _image: Image.Image) -> np.ndarray:
    """The photo resized (whole, no crop) and normalized for the model."""
    return gc.preprocess(model_name, _image)


@st.cache_data(max_entries=32, show_spinner="Running the forward pass…", show_time=True)
def forward_pass(digest: str, model_name: str, layer: str, _image: Image.Image) -> gc.ForwardPass:
    """Logits and the layer's activations A for one photo (one compiled forward pass)."""
    model = load_model(model_name)
    x = model_input(digest, model_name, _image)
    with gc.TF_LOCK:
        return engine.forward(model, x, [layer])


@st.cache_data(max_entries=256, show_spinner="Computing Grad-CAM…", show_time=True)
def grad_cam(key: MapKey, _image: Image.Image) -> tuple[gc.CamResult, float]:
    """The Grad-CAM stages for one class, from the cached forward pass; and seconds spent."""
    start = time.perf_counter()
    cached = forward_pass(key.digest, key.model, key.layer, _image)
    model = load_model(key.model)
    x = model_input(key.digest, key.model, _image)
    with gc.TF_LOCK:
        result = gc.GradCAM().from_forward(
            model, x, cached, key.layer, [key.class_index], key.score
        )[0]
    return result, time.perf_counter() - start


@st.cache_data(max_entries=64, show_spinner=False)
def stage_png(
    key: MapKey, stage: figures.Stage, cmap: str, aspect: float, _result: gc.CamResult
) -> bytes:
    """One stage's panel (map cells shaped like the photo, and a colorbar) as PNG bytes."""
    return figures.stage_png(_result, stage, cmap, aspect)


@st.cache_data(max_entries=16, show_spinner=False)
def overlay(
    key: MapKey, cmap: str, opacity: float, _image: Image.Image, _normalized: np.ndarray
) -> np.ndarray:
    """The map over the photo for the page (long side up to DISPLAY_SIDE; downloads are full size).

    A browser column shows a few hundred pixels, so a 40-megapixel overlay would only cost memory
    in the cache and time on the wire.
    """
    return gc.overlay(figures.preview(_image, DISPLAY_SIDE), _normalized, cmap, opacity)


@st.cache_data(max_entries=16, show_spinner=False)
def colorbar(cmap: str) -> bytes:
    """The overlay's colour scale, 0 to 1, as a PNG."""
    return figures.colorbar_png(cmap)
