"""The Trust lab's opening words and the line saying which map is being checked."""

from __future__ import annotations

import streamlit as st

import gradcam_core as gc

from ..controls import Selection
from ..i18n import N_, _

INTRO = N_(
    "A heatmap can look convincing and still be wrong. This page puts the current Grad-CAM map "
    "through three tests researchers use. **Faithfulness**: if the map marks what the model "
    "uses, deleting its hottest pixels first should make the score fall faster than deleting "
    "pixels in a random order. **Sanity**: if the map explains *this* model, scrambling the "
    "model's weights must scramble the map; an edge detector, which ignores the model, does not "
    "change. **Localization**: does the map fall on the object? No test proves a map right; "
    "each one can catch it being wrong."
)


def headline(selection: Selection, result: gc.CamResult) -> None:
    """What is being checked, and a warning for an empty map."""
    probability = {p.index: p.probability for p in selection.predictions}.get(selection.target)
    shown = "" if probability is None else f", p = {probability:.1%}"
    h, w = result.normalized.shape
    st.markdown(
        _(
            "Checking the Grad-CAM map of **{label}** (class {index}{probability}) at layer "
            "**{layer}** ({h}×{w} cells) of **{model}**, on *{photo}*."
        ).format(
            label=selection.class_name(selection.target),
            index=selection.target,
            probability=shown,
            layer=selection.layer.name,
            h=h,
            w=w,
            model=selection.title,
            photo=selection.photo_label,
        )
    )
    if result.is_empty:
        st.warning(
            _(
                "This map is empty (no positive evidence): its curves are just a random pixel "
                "order and it has no peak. Pick a class the model finds likely, or a later layer."
            )
        )
