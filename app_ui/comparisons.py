"""Cached glue for the Classes and Methods pages: maps and images keyed by content and names.

Every map is keyed by (image digest, model, layer, class, score) plus the method or comparison,
and built from the sidebar's cached forward pass, so a page adds only backward passes (or none).
Overlays are drawn on a preview of the photo (at most 1024 px a side): a page shows up to ten.
Score-CAM runs only when asked and reports progress from outside any st.cache_data function (a
cached function may not update an element created outside it), so its results are kept in a
small store of their own (``st.cache_resource``).
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
from gradcam_core import cams, comparisons, figures

from . import cache
from .cache import MapKey

SCORE_CAM_RESULTS = 16  # Score-CAM results kept for all sessions
PRESENTER_COLUMNS = 2  # images to a row in presenter mode
SIGNED_BOOST = 1.6  # signed overlays: blend weight = min(1, 1.6 opacity) sqrt|s|


class PixelImages(NamedTuple):
    """Guided backprop and Guided Grad-CAM as display images the size of the photo preview."""

    guided: np.ndarray  # uint8 (H, W, 3)
    guided_gradcam: np.ndarray  # uint8 (H, W, 3)
    seconds: float


def _inputs(
    digest: str, model_name: str, layer: str, image: Image.Image
) -> tuple[keras.Model, np.ndarray, gc.ForwardPass]:
    """The model, its input and the cached forward pass (the sidebar already ran it)."""
    forward = cache.forward_pass(digest, model_name, layer, image)
    return cache.load_model(model_name), cache.model_input(digest, model_name, image), forward


@st.cache_resource(max_entries=16, show_spinner=False)
def preview(digest: str, _image: Image.Image) -> Image.Image:
    """The photo at most 1024 px on its long side, for the many overlays of these pages."""
    return figures.preview(_image)


@st.cache_data(max_entries=64, show_spinner=False)
def unsupported_note(model_name: str, method: str, layer: str) -> str | None:
    """None when the method applies to this layer (CAM needs a GAP -> Dense head), else why not."""
    return comparisons.unsupported_reason(method, cache.load_model(model_name), layer)


@st.cache_data(max_entries=32, show_spinner="Computing the top-k maps…", show_time=True)
def top_class_maps(
    digest: str, model_name: str, layer: str, score: gc.Score, k: int, _image: Image.Image
) -> tuple[list[gc.CamResult], float]:
    """Grad-CAM of the k best classes: the cached forward pass, one batched backward pass."""
    start = time.perf_counter()
    model, x, forward = _inputs(digest, model_name, layer, _image)
    with gc.TF_LOCK:
        maps = cams.top_class_maps(model, x, layer, k, score, forward)
    return maps, time.perf_counter() - start


@st.cache_data(max_entries=64, show_spinner="Computing the counterfactual map…")
def counterfactual(key: MapKey, _image: Image.Image) -> gc.CamResult:
    """Grad-CAM with the negated gradient of key.class_index: what argues against the class."""
    model, x, forward = _inputs(key.digest, key.model, key.layer, _image)
    with gc.TF_LOCK:
        return cams.counterfactual_map(model, x, key.layer, key.class_index, key.score, forward)


@st.cache_data(max_entries=64, show_spinner="Computing the contrast map…")
def contrast(key: MapKey, other: int, _image: Image.Image) -> gc.CamResult:
    """Grad-CAM of y^A − y^B for A = key.class_index and B = other."""
    model, x, forward = _inputs(key.digest, key.model, key.layer, _image)
    with gc.TF_LOCK:
        return cams.contrast_map(model, x, key.layer, key.class_index, other, key.score, forward)


@st.cache_data(max_entries=128, show_spinner="Computing the map…", show_time=True)
def method_map(key: MapKey, method: str, _image: Image.Image) -> tuple[gc.CamResult, float]:
    """One method's map (Score-CAM excepted: see ``score_cam``) and the seconds it took."""
    if method == "gradcam":
        return cache.grad_cam(key, _image)  # shared with the main page
    start = time.perf_counter()
    model, x, forward = _inputs(key.digest, key.model, key.layer, _image)
    with gc.TF_LOCK:
        result = comparisons.method_map(
            method, model, x, forward, key.layer, key.class_index, key.score
        )
    return result, time.perf_counter() - start


@st.cache_data(max_entries=16, show_spinner="Running guided backpropagation…", show_time=True)
def pixel_images(key: MapKey, _image: Image.Image) -> PixelImages:
    """Guided backprop and Guided Grad-CAM (reusing the cached Grad-CAM map), photo-shaped."""
    start = time.perf_counter()
    gradcam, _ = cache.grad_cam(key, _image)
    model, x, _ = _inputs(key.digest, key.model, key.layer, _image)
    with gc.TF_LOCK:
        guided = comparisons.guided_from_gradcam(model, x, gradcam)
    size = preview(key.digest, _image).size
    return PixelImages(
        guided=comparisons.pixel_image(guided.guided, size),
        guided_gradcam=comparisons.pixel_image(guided.guided_gradcam, size),
        seconds=time.perf_counter() - start,
    )


class _Store:
    """A small least-recently-used dictionary shared by all sessions, safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple, tuple[gc.CamResult, float]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> tuple[gc.CamResult, float] | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
            return self.items.get(key)

    def put(self, key: tuple, value: tuple[gc.CamResult, float]) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


@st.cache_resource(show_spinner=False)
def _score_cam_store() -> _Store:
    return _Store(SCORE_CAM_RESULTS)


def score_cam_done(key: MapKey) -> tuple[gc.CamResult, float] | None:
    """Score-CAM's map and seconds if it was computed already (by any session), else None."""
    return _score_cam_store().get(tuple(key))


def clear_score_cams() -> None:
    """Forget every kept Score-CAM result."""
    store = _score_cam_store()
    with store.lock:
        store.items.clear()


def score_cam(
    key: MapKey, image: Image.Image, progress: Callable[[float], None]
) -> tuple[gc.CamResult, float]:
    """Score-CAM (one forward pass per channel, batched), kept once computed.

    Between batches the TensorFlow lock is let go for a moment, so other sessions are not held
    up for the whole run.
    """
    done = score_cam_done(key)
    if done is not None:
        return done

    def report(fraction: float) -> None:
        progress(fraction)
        cache.let_others_run()

    start = time.perf_counter()
    model, x, forward = _inputs(key.digest, key.model, key.layer, image)
    with gc.TF_LOCK:
        result = comparisons.method_map(
            "scorecam", model, x, forward, key.layer, key.class_index, key.score, report
        )
    value = (result, time.perf_counter() - start)
    _score_cam_store().put(tuple(key), value)
    return value


@st.cache_data(max_entries=64, show_spinner=False)
def overlay(
    key: MapKey, what: str, cmap: str, opacity: float, _image: Image.Image, _normalized: np.ndarray
) -> np.ndarray:
    """The [0, 1] map named ``what`` for this key, upsampled over the photo preview."""
    return gc.overlay(preview(key.digest, _image), _normalized, cmap, opacity)


@st.cache_data(max_entries=32, show_spinner=False)
def signed_overlay(
    key: MapKey, what: str, opacity: float, _image: Image.Image, _signed: np.ndarray
) -> np.ndarray:
    """The signed map named ``what`` on a diverging colormap over the photo preview.

    Drawn SIGNED_BOOST times stronger than the overlay opacity (at most 1): its colours already
    fade into the photo where the map is near 0.
    """
    strength = min(1.0, SIGNED_BOOST * opacity)
    return comparisons.signed_overlay(preview(key.digest, _image), _signed, strength)


def class_options(predictions: tuple[gc.Prediction, ...], num_classes: int) -> list[int]:
    """The top-k classes first, then every other class."""
    top = [p.index for p in predictions]
    return top + [i for i in range(num_classes) if i not in set(top)]


def follow_context(keys_defaults: dict[str, int], context: tuple[str, ...], name: str) -> None:
    """Set the widgets to their defaults on first show and when the photo or model changes."""
    marker = f"_context_{name}"
    changed = st.session_state.get(marker) != context
    for widget_key, default in keys_defaults.items():
        if changed or widget_key not in st.session_state:
            st.session_state[widget_key] = default
    st.session_state[marker] = context


def grid(count: int, per_row: int, presenter: bool = False) -> list:
    """``count`` cells, ``per_row`` to a row (at most two in presenter mode: larger images)."""
    if presenter:
        per_row = min(per_row, PRESENTER_COLUMNS)
    cells: list = []
    while len(cells) < count:
        cells.extend(st.columns(per_row))
    return cells[:count]


def stacked_formula(formula: str) -> str:
    r"""The formula's ``\quad``-separated parts one under the other, for narrow columns."""
    parts = [part.strip().rstrip(",").strip() for part in formula.split(r"\quad")]
    return r"\begin{gathered}" + r"\\".join(part for part in parts if part) + r"\end{gathered}"
