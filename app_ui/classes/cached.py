"""Cached maps of the Classes page: the top-k classes, the counterfactual and the contrast map,
each from the sidebar's cached forward pass, keyed by content digests and names."""

from __future__ import annotations

import time

import streamlit as st
from PIL import Image

import gradcam_core as gc
from gradcam_core import cams

from .. import cache
from ..cache import MapKey
from ..i18n import N_
from ..progress import spinning


@spinning(N_("Computing the top-k maps…"))
@st.cache_data(max_entries=32, show_spinner=False)
def top_class_maps(
    digest: str, model_name: str, layer: str, score: gc.Score, k: int, _image: Image.Image
) -> tuple[list[gc.CamResult], float]:
    """Grad-CAM of the k best classes: the cached forward pass, one batched backward pass."""
    start = time.perf_counter()
    model, x, forward = cache.model_and_input(digest, model_name, layer, _image)
    with gc.TF_LOCK:
        maps = cams.top_class_maps(model, x, layer, k, score, forward)
    return maps, time.perf_counter() - start


@spinning(N_("Computing the counterfactual map…"), show_time=False)
@st.cache_data(max_entries=64, show_spinner=False)
def counterfactual(key: MapKey, _image: Image.Image) -> gc.CamResult:
    """Grad-CAM with the negated gradient of key.class_index: what argues against the class."""
    model, x, forward = cache.model_and_input(key.digest, key.model, key.layer, _image)
    with gc.TF_LOCK:
        return cams.counterfactual_map(model, x, key.layer, key.class_index, key.score, forward)


@spinning(N_("Computing the contrast map…"), show_time=False)
@st.cache_data(max_entries=64, show_spinner=False)
def contrast(key: MapKey, other: int, _image: Image.Image) -> gc.CamResult:
    """Grad-CAM of y^A − y^B for A = key.class_index and B = other."""
    model, x, forward = cache.model_and_input(key.digest, key.model, key.layer, _image)
    with gc.TF_LOCK:
        return cams.contrast_map(model, x, key.layer, key.class_index, other, key.score, forward)


def class_options(predictions: tuple[gc.Prediction, ...], num_classes: int) -> list[int]:
    """The top-k classes first, then every other class."""
    top = [p.index for p in predictions]
    return top + [i for i in range(num_classes) if i not in set(top)]


def top_k_choices(choices: tuple[int, ...], num_classes: int) -> list[int]:
    """The side-by-side counts a model with ``num_classes`` classes can fill (a binary model: 2)."""
    return [k for k in choices if k <= num_classes] or [num_classes]
