"""Cached calls into gradcam_core, keyed by content digests and names, never by hashing arrays.

Models live in ``ResidentModels`` (at most two for all sessions, one in low-memory mode: see
``deployment``), decoded photos in ``st.cache_resource`` (shared, never mutated). Forward passes
and maps live in ``st.cache_data``: a forward pass is keyed by (image digest, model, layer), a map
by (image digest, model, layer, class, score), so changing the colormap or opacity never
recomputes Grad-CAM and switching class never reruns the forward pass.
Maps of the other methods and comparisons are keyed the same way plus the method or comparison,
and built from the cached forward pass, so a page adds only backward passes (or none); their
overlays are drawn on a preview of the photo (at most 1024 px a side): a page shows up to ten.
Every TensorFlow call holds ``gc.TF_LOCK`` because sessions run in threads.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

import keras
import numpy as np
import streamlit as st
from PIL import Image

import gradcam_core as gc
from gradcam_core import cams, drawing, engine, samples
from gradcam_core.drawing import stages
from gradcam_core.images import LoadedImage
from gradcam_core.memory import release_memory

from . import deployment
from .i18n import N_, Text, _, use_language
from .progress import spinning

DISPLAY_SIDE = 2048  # long side of overlays drawn in the page
# Streamlit's widest image (st.image's MAXIMUM_CONTENT_WIDTH, 2 x 730 px): anything wider it
# resizes and encodes again on every call, so the page's overlay is drawn at most this wide.
DISPLAY_WIDTH = 1460
OVERLAY_QUALITY = 90  # JPEG: 39 kB for a 640 px sample against 98 kB at st.image's quality 100
THUMBNAIL_QUALITY = 85
SIGNED_BOOST = 1.6  # signed overlays: blend weight = min(1, 1.6 opacity) sqrt|s|


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
        self._models: OrderedDict[str, Any] = OrderedDict()  # keras.Model, or an own Classifier
        self._lock = threading.Lock()
        self._loading = threading.Lock()

    def names(self) -> list[str]:
        """The loaded models, least recently used first."""
        with self._lock:
            return list(self._models)

    def peek(self, name: str) -> Any:
        """The loaded model ``name``, or None; never loads."""
        return self._lookup(name)

    def _lookup(self, name: str) -> Any:
        with self._lock:
            if name in self._models:
                self._models.move_to_end(name)
            return self._models.get(name)

    def get(self, name: str, load: Callable[[], Any]) -> Any:
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


OWN_PREFIX = "own:"  # model keys of uploaded models: own:<SHA-256 of the file>:<preset>
_CLASSIFIER_ATTRIBUTE = "_gradcam_classifier"  # on the model: lives and dies with it


def own_model_key(sha256: str, preset: str) -> str:
    """The key that stands for an uploaded model wherever a bundled model's name would."""
    return f"{OWN_PREFIX}{sha256}:{preset}"


def is_own(model_key: str) -> bool:
    """True for the key of an uploaded model."""
    return model_key.startswith(OWN_PREFIX)


def load_own(read: Callable[[], bytes], file_name: str, sha256: str) -> gc.Classifier:
    """An uploaded model, checked and loaded once per file (its SHA-256), kept like any model.

    ``read`` gives the file's bytes, asked for only when the model is not loaded. Only the
    session that uploaded it knows its digest, so no other session can list it.
    """

    def load() -> gc.Classifier:
        checking = _("Checking and loading {name}…").format(name=file_name)
        with st.spinner(checking, show_time=True), gc.TF_LOCK:
            return gc.load_classifier(read(), file_name=file_name)

    return resident_models().get(OWN_PREFIX + sha256, load)


def load_model(model_key: str) -> keras.Model:
    """The model behind a key: a bundled or zoo model (ImageNet weights), or an uploaded one."""
    if is_own(model_key):
        return classifier(model_key).model

    def load() -> keras.Model:
        title = gc.get_spec(model_key).title
        with st.spinner(_("Loading {model}…").format(model=title), show_time=True), gc.TF_LOCK:
            return gc.load_model(model_key)

    return resident_models().get(model_key, load)


def classifier(model_key: str) -> gc.Classifier:
    """The model behind a key with its class names, preprocessing and probabilities."""
    if is_own(model_key):
        digest, preset = model_key[len(OWN_PREFIX) :].rsplit(":", 1)
        loaded = resident_models().peek(OWN_PREFIX + digest)
        if loaded is None:
            raise gc.ModelUnavailableError(
                Text("Your model was let go to make room for another one; upload it again.")
            )
        return loaded.with_preprocessing(preset)
    model = load_model(model_key)
    known = model.__dict__.get(_CLASSIFIER_ATTRIBUTE)
    if known is None:
        known = gc.bundled_classifier(model_key, model=model)
        object.__setattr__(model, _CLASSIFIER_ATTRIBUTE, known)  # not tracked by Keras
    return known


@st.cache_resource(max_entries=16, show_spinner=False)
def load_sample(sample_id: str) -> LoadedImage:
    """A bundled sample photo."""
    return samples.load_sample(sample_id)


@st.cache_resource(max_entries=16, show_spinner=False)
def thumbnail(sample_id: str, size: int = 160) -> bytes:
    """A small copy of a sample photo for the gallery, as JPEG bytes (encoded once, not per
    session: st.image sends bytes as they are)."""
    image = load_sample(sample_id).image.copy()
    image.thumbnail((size, size))
    return drawing.jpeg_bytes(image, THUMBNAIL_QUALITY)


@st.cache_data(max_entries=16, show_spinner=False)
def layer_table(model_name: str) -> list[gc.LayerInfo]:
    """Every 4-D layer of the model with its size, input to output."""
    return gc.describe_layers(load_model(model_name))


@st.cache_data(max_entries=32, show_spinner=False)
def model_input(digest: str, model_name: str, _image: Image.Image) -> np.ndarray:
    """The photo resized (whole, no crop) and normalized for the model."""
    return classifier(model_name).preprocess(_image)


@spinning(N_("Running the forward pass…"))
@st.cache_data(max_entries=32, show_spinner=False)
def forward_pass(digest: str, model_name: str, layer: str, _image: Image.Image) -> gc.ForwardPass:
    """Logits and the layer's activations A for one photo (one compiled forward pass)."""
    model = load_model(model_name)
    x = model_input(digest, model_name, _image)
    with gc.TF_LOCK:
        return engine.forward(model, x, [layer])


@spinning(N_("Computing Grad-CAM…"))
@st.cache_data(max_entries=256, show_spinner=False)
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
    key: MapKey, stage: stages.Stage, cmap: str, aspect: float, lang: str, _result: gc.CamResult
) -> bytes:
    """One stage's panel (map cells shaped like the photo, and a colorbar) as PNG bytes, its
    words in ``lang`` (part of the key: a figure is never shown in another visitor's language)."""
    with use_language(lang):
        return stages.stage_png(_result, stage, cmap, aspect)


def display_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size a photo of ``size`` is shown at: at most DISPLAY_WIDTH wide and DISPLAY_SIDE on
    its long side, aspect kept (rounded, at least 1 px)."""
    width, height = size
    scale = min(1.0, DISPLAY_WIDTH / width, DISPLAY_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


@st.cache_data(max_entries=16, show_spinner=False)
def overlay(
    key: MapKey, cmap: str, opacity: float, _image: Image.Image, _normalized: np.ndarray
) -> bytes:
    """The map over the photo for the page, as JPEG bytes (``display_size``; downloads are drawn
    full size from the map, on a click).

    A browser column shows a few hundred pixels, so a 40-megapixel overlay would only cost memory
    in the cache and time on the wire. Kept encoded: st.image sends JPEG bytes as they are, so
    every session gets the same bytes without encoding them again.
    """
    photo = drawing.preview(_image, max(display_size(_image.size)))  # its long side, as shown
    pixels = gc.overlay(photo, _normalized, cmap, opacity)
    return drawing.jpeg_bytes(pixels, OVERLAY_QUALITY)


@st.cache_data(max_entries=16, show_spinner=False)
def colorbar(cmap: str, lang: str) -> bytes:
    """The overlay's colour scale, 0 to 1, as a PNG, its caption in ``lang``."""
    with use_language(lang):
        return stages.colorbar_png(cmap)


def model_and_input(
    digest: str, model_name: str, layer: str, image: Image.Image
) -> tuple[keras.Model, np.ndarray, gc.ForwardPass]:
    """The model, its input and the cached forward pass (the sidebar already ran it)."""
    forward = forward_pass(digest, model_name, layer, image)
    return load_model(model_name), model_input(digest, model_name, image), forward


@st.cache_resource(max_entries=16, show_spinner=False)
def preview(digest: str, _image: Image.Image) -> Image.Image:
    """The photo at most 1024 px on its long side, for the many overlays of these pages."""
    return drawing.preview(_image)


@st.cache_data(max_entries=64, show_spinner=False)
def preview_overlay(
    key: MapKey, what: str, cmap: str, opacity: float, _image: Image.Image, _normalized: np.ndarray
) -> np.ndarray:
    """The [0, 1] map named ``what`` for this key, upsampled over the photo preview."""
    return gc.overlay(preview(key.digest, _image), _normalized, cmap, opacity)


@st.cache_data(max_entries=32, show_spinner=False)
def preview_signed_overlay(
    key: MapKey, what: str, opacity: float, _image: Image.Image, _signed: np.ndarray
) -> np.ndarray:
    """The signed map named ``what`` on a diverging colormap over the photo preview.

    Drawn SIGNED_BOOST times stronger than the overlay opacity (at most 1): its colours already
    fade into the photo where the map is near 0.
    """
    strength = min(1.0, SIGNED_BOOST * opacity)
    return drawing.signed_overlay(preview(key.digest, _image), _signed, strength)


@spinning(N_("Computing the map…"))
@st.cache_data(max_entries=128, show_spinner=False)
def method_map(key: MapKey, method: str, _image: Image.Image) -> tuple[gc.CamResult, float]:
    """A fast method's map and its seconds (slow ones run behind a button: ``methods.slow``)."""
    if method == cams.REFERENCE_METHOD:
        return grad_cam(key, _image)  # shared with the main page
    start = time.perf_counter()
    model, x, forward = model_and_input(key.digest, key.model, key.layer, _image)
    with gc.TF_LOCK:
        result = cams.run_method(method, model, x, forward, key.layer, key.class_index, key.score)
    return result, time.perf_counter() - start
