"""Cached glue for the Classes and Methods pages: maps and images keyed by content and names.

Every map is keyed by (image digest, model, layer, class, score) plus the method or comparison,
and built from the sidebar's cached forward pass, so a page adds only backward passes (or none).
Overlays are drawn on a preview of the photo (at most 1024 px a side): a page shows up to ten.
Score-CAM runs only when asked, in a card that reruns alone (``st.fragment``), behind a progress
bar drawn outside any cache (a cached function may not update an element created outside it),
so its results are kept in a ``progress.Kept`` store shared by every session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import keras
import numpy as np
import streamlit as st
from PIL import Image

import gradcam_core as gc
from gradcam_core import cams, comparisons, figures
from gradcam_core.cams.score_cam import DEFAULT_BATCH_SIZE as SCORE_CAM_BATCH

from . import cache
from .cache import MapKey
from .progress import Kept, ProgressBar

SCORE_CAM_RESULTS = 16  # Score-CAM results kept for all sessions (a few kB to 1 MB each)
SCORE_CAM_WAITING = "Another session is computing this same Score-CAM; waiting for its result…"
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


SCORE_CAMS: Kept[MapKey, tuple[gc.CamResult, float]] = Kept(SCORE_CAM_RESULTS)


def score_cam_done(key: MapKey) -> tuple[gc.CamResult, float] | None:
    """Score-CAM's map and seconds if it was computed already (by any session), else None."""
    return SCORE_CAMS.get(key)


def score_cam_cost(channels: int) -> str:
    """What Score-CAM will cost at a layer of ``channels`` channels, said before it runs."""
    batches = -(-channels // SCORE_CAM_BATCH)
    return (
        f"Slow: one forward pass per channel, so {channels} masked photos at this layer "
        f"({batches} batches of {SCORE_CAM_BATCH}). It runs only when asked; after its first "
        "batch the bar estimates the time left on this machine. It is kept once computed."
    )


def _score_cam_run(
    key: MapKey, image: Image.Image, channels: int, bar: ProgressBar
) -> tuple[gc.CamResult, float]:
    """Score-CAM with its progress on ``bar``; the TensorFlow lock is let go between batches."""

    def report(fraction: float) -> None:
        done = round(fraction * channels)
        bar.show(done, f"Score-CAM: {done} / {channels} masked photos")
        cache.let_others_run()

    start = time.perf_counter()
    model, x, forward = _inputs(key.digest, key.model, key.layer, image)
    with gc.TF_LOCK:
        result = comparisons.method_map(
            "scorecam", model, x, forward, key.layer, key.class_index, key.score, report
        )
    return result, time.perf_counter() - start


def score_cam(key: MapKey, image: Image.Image, channels: int) -> tuple[gc.CamResult, float]:
    """Score-CAM (one forward pass per channel, batched) behind a progress bar, kept once computed.

    Between batches the TensorFlow lock is let go for a moment, so other sessions are not held
    up for the whole run; a session asking for the same map meanwhile waits for this one.
    """
    bar = ProgressBar(channels)
    bar.show(0, f"Score-CAM: 0 / {channels} masked photos")
    value, _ = SCORE_CAMS.get_or_compute(
        key,
        lambda: _score_cam_run(key, image, channels, bar),
        waiting=lambda: bar.note(SCORE_CAM_WAITING),
    )
    bar.clear()
    return value


@st.fragment(key="score_cam_card")
def score_cam_card(
    key: MapKey, channels: int, image: Image.Image, show: Callable[[gc.CamResult, float], None]
) -> None:
    """Score-CAM's card body: its cost and button, then its map (``show``); reruns alone."""
    done = score_cam_done(key)
    if done is None:
        ask = st.empty()
        with ask.container():
            st.info(score_cam_cost(channels))
            if not st.button("Run Score-CAM", key="run_scorecam", icon="⏱️"):
                return
        ask.empty()
        done = score_cam(key, image, channels)
    show(*done)


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


def top_k_choices(choices: tuple[int, ...], num_classes: int) -> list[int]:
    """The side-by-side counts a model with ``num_classes`` classes can fill (a binary model: 2)."""
    return [k for k in choices if k <= num_classes] or [num_classes]


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
