"""Hide the top of the map: a slider that re-predicts live, and photo × map (drop and increase).

The section is a fragment: moving the slider reruns only it, not the curves or the other checks.
"""

from __future__ import annotations

from typing import NamedTuple

import keras
import numpy as np
import streamlit as st

import gradcam_core as gc
import gradcam_core.metrics as gm
from gradcam_core import drawing

from .. import language
from ..controls import Selection
from ..i18n import N_, _
from .faithfulness import SUBSTRATE_NAMES
from .inputs import Source, model_pixels, preprocess, probabilities

DROP_NOTE = N_(
    "Average Drop and Increase in Confidence (Chattopadhay et al. 2018) average these over a "
    "data set: a lower drop and more increases mean a more faithful method. Here they are for "
    "one photo."
)


class HideKey(NamedTuple):
    """One hide-the-top prediction: the curve's inputs but a single percentage."""

    digest: str
    model: str
    class_index: int
    substrate: str
    source: Source
    percent: int


@st.cache_data(max_entries=256, show_spinner=False)
def hide_probability(
    key: HideKey, _model: keras.Model, _pixels: np.ndarray, _saliency: np.ndarray
) -> float:
    """p_c with the top ``percent`` % of the map's pixels replaced by the substrate."""
    with gc.TF_LOCK:
        return gm.hide_top(
            _model,
            _pixels,
            preprocess(key.model),
            _saliency,
            key.class_index,
            key.percent / 100,
            key.substrate,  # type: ignore[arg-type]
            probabilities=probabilities(key.model),
        )


@st.cache_data(max_entries=64, show_spinner=False)
def hidden_image(key: HideKey, _pixels: np.ndarray, _saliency: np.ndarray) -> np.ndarray:
    """The image that hide_probability predicts on (model-sized, uint8)."""
    return gm.hidden_pixels(_pixels, _saliency, key.percent / 100, key.substrate)  # type: ignore[arg-type]


@st.cache_data(max_entries=64, show_spinner=False)
def confidence(
    key: tuple[object, ...], _model: keras.Model, _pixels: np.ndarray, _saliency: np.ndarray
) -> gm.ConfidenceChange:
    """p on the image and on image × map (Chattopadhay et al.'s drop and increase)."""
    with gc.TF_LOCK:
        return gm.confidence_change(
            _model,
            _pixels,
            preprocess(key.model),
            _saliency,
            key.class_index,
            probabilities(key.model),
        )


def _points(p: float, reference: float) -> str:
    return _("{points:+.1f} points").format(points=100 * (p - reference))


def _keys(
    selection: Selection, cam: np.ndarray, substrate: str, percent: int
) -> tuple[HideKey, HideKey]:
    """The keys of the map's top ``percent`` % hidden, and of a random ``percent`` % hidden."""
    h, w = cam.shape
    ours = Source("grad-cam", (selection.layer.name, selection.score))
    base = (selection.digest, selection.model_name, selection.target, substrate)
    return HideKey(*base, ours, percent), HideKey(*base, Source("random", (h, w, 0)), percent)


def _predictions(
    class_label: str, percent: int, p_map: float, p_random: float, change: gm.ConfidenceChange
) -> None:
    """p with the map's top hidden and with a random part hidden, against the whole photo."""
    st.metric(
        _("p({label}), map's top {percent} % hidden").format(label=class_label, percent=percent),
        f"{p_map:.1%}",
        delta=_points(p_map, change.probability),
        delta_color="inverse",
    )
    st.metric(
        _("…a random {percent} % hidden instead").format(percent=percent),
        f"{p_random:.1%}",
        delta=_points(p_random, change.probability),
        delta_color="off",
        help=_("Random blobs the size of the map's cells (one draw, seed 0)."),
    )
    st.caption(_("On the whole photo: p = {p:.1%}.").format(p=change.probability))


def _only_the_map(picture: np.ndarray, change: gm.ConfidenceChange) -> None:
    """Photo × map and its confidence drop (or increase)."""
    st.image(picture, caption=_("Only what the map shows: photo × map"))
    increased = _("It *increased*.") if change.increased else _("No increase.")
    st.markdown(
        _("On photo × map p = **{p:.1%}**: a confidence drop of **{drop:.1%}**.").format(
            p=change.masked_probability, drop=change.drop
        )
        + " "
        + increased
    )
    st.caption(_(DROP_NOTE))


@language.fragment(key="trust_hiding")
def section(selection: Selection, cam: np.ndarray, substrate: str) -> None:
    """The hide-the-top slider with its live prediction, and the photo × map confidence."""
    percent = st.slider(
        _("Hide the map's top … % of pixels"), 0, 100, 20, 5, key="trust_hide",
        help=_("Re-predicts once per value (cached)."),
    )  # fmt: skip
    pixels = model_pixels(selection.digest, selection.model_name, selection.photo.image)
    key, random_key = _keys(selection, cam, substrate, percent)
    p_map = hide_probability(key, selection.model, pixels, cam)
    p_random = hide_probability(
        random_key, selection.model, pixels, gm.random_saliency(*cam.shape, 0)
    )
    change = confidence(selection.map_key, selection.model, pixels, cam)
    width, size = (360 if selection.presenter else 260), selection.photo.image.size
    columns = st.columns([1, 1, 1.3])
    columns[0].image(
        drawing.to_display(hidden_image(key, pixels, cam), size, width),
        caption=_("What the model sees: the map's top {percent} % {substrate}").format(
            percent=percent, substrate=_(SUBSTRATE_NAMES[substrate])
        ),
    )
    with columns[1]:
        _predictions(selection.class_name(selection.target), percent, p_map, p_random, change)
    with columns[2]:
        _only_the_map(drawing.to_display(gm.explanation_map(pixels, cam), size, width), change)
