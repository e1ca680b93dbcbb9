"""The headline and the four stage panels (raw, ReLU, normalized, overlay) of the Grad-CAM page."""

from __future__ import annotations

import numpy as np
import streamlit as st

import gradcam_core as gc
from gradcam_core.drawing import stages

from .. import cache
from ..controls import Selection
from ..widgets import alt_text

# On a narrow screen (a phone) Streamlit stacks the four panel columns; the overlay, what a
# visitor came for, is moved to the top there, the three stages follow in their order.
PHONE_CSS = """
<style>
  @media (max-width: 640px) {
    [data-testid="stColumn"]:has(.st-key-overlay_panel) { order: -1; }
  }
</style>
"""


def headline(selection: Selection, result: gc.CamResult) -> None:
    """One sentence saying what is explained, and how."""
    st.markdown(
        f"Explaining **{selection.class_name(selection.target)}** (class {selection.target}, "
        f"p = {selection.probability(selection.target):.1%}) at layer "
        f"**{selection.layer.name}** ({selection.layer.size_label}) of "
        f"**{selection.title}**, with the {result.score_kind} as the score "
        f"y^c = {result.score:.4g}."
    )


def _stage_caption(result: gc.CamResult, stage: str) -> str:
    raw = result.raw
    if stage == "raw":
        negative = float(np.mean(raw < 0))
        return f"min {raw.min():.3g}, max {raw.max():.3g}; {negative:.0%} of cells negative"
    if stage == "relu":
        return f"max {result.peak:.3g}; ReLU set {np.mean(raw < 0):.0%} of cells to 0"
    if stage == "normalized":
        return (
            "all zeros: nothing to normalize"
            if result.is_empty
            else (f"divided by {result.peak:.3g}")
        )
    return ""


def stage_panels(selection: Selection, result: gc.CamResult) -> None:
    """Four panels side by side (the overlay first on a phone), each with caption and formula."""
    st.html(PHONE_CSS)
    columns = st.columns(4)
    width, height = selection.photo.image.size
    aspect = height / width
    h, w = result.raw.shape
    for column, stage in zip(columns[:3], stages.STAGES, strict=True):
        info = stages.STAGE_INFO[stage]
        with column:
            st.markdown(f"**{info.title}**")
            st.image(
                cache.stage_png(selection.map_key, stage, selection.cmap, aspect, result),
                caption=_stage_caption(result, stage),
                alt=alt_text(selection, f"{info.title}, {h}×{w} cells with a colorbar"),
            )
            st.latex(info.formula)
            st.caption(info.note)
    info = stages.STAGE_INFO["overlay"]
    with columns[3], st.container(key="overlay_panel"):
        st.markdown(f"**{info.title}**")
        st.image(
            cache.overlay(
                selection.map_key,
                selection.cmap,
                selection.opacity,
                selection.photo.image,
                result.normalized,
            ),
            caption=f"{_size_note(selection)}, opacity {selection.opacity:.2f}",
            alt=alt_text(selection, f"{info.title}, the map in {selection.cmap} over the photo"),
        )
        st.image(
            cache.colorbar(selection.cmap),
            alt=f"Colour scale of the overlay ({selection.cmap}): 0, no evidence, to 1, strongest",
        )
        st.latex(info.formula)
        st.caption(info.note)


def _size_note(selection: Selection) -> str:
    width, height = selection.photo.image.size
    if max(width, height) <= cache.DISPLAY_SIDE:
        return f"{width}×{height} px"
    return f"{width}×{height} px photo, shown smaller; the download is full size"
