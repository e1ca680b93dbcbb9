"""What every Trust lab check perturbs: the photo at the model's input size, preprocessed."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import streamlit as st
from PIL import Image

import gradcam_core as gc

from .. import cache


class Source(NamedTuple):
    """The map that orders the pixels: ("grad-cam", (layer, score)), ("random", (h, w, seed)),
    ("edge", ())."""

    name: str
    detail: tuple[object, ...] = ()


def preprocess(model_name: str) -> Callable[[np.ndarray], np.ndarray]:
    """The model's input normalization, applied to a batch of RGB 0..255 images (grey first for
    a 1-channel model)."""
    return cache.classifier(model_name).preprocess_batch


def probabilities(model_name: str) -> Callable[[np.ndarray], np.ndarray]:
    """The model's own probabilities of a batch of logits (softmax, or sigmoid for its head)."""
    return cache.classifier(model_name).probabilities


@st.cache_data(max_entries=32, show_spinner=False)
def model_pixels(digest: str, model_name: str, _image: Image.Image) -> np.ndarray:
    """The whole photo resized to the model's input, RGB 0..255 (what the curves perturb)."""
    return gc.resize_for_model(_image, cache.classifier(model_name).input_size)
