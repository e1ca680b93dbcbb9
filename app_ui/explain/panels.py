"""The headline and the four stage panels (raw, ReLU, normalized, overlay) of the Grad-CAM page."""

from __future__ import annotations

import numpy as np
import streamlit as st

import gradcam_core as gc
from gradcam_core.drawing import stages

from .. import cache
from ..controls import Selection
from ..i18n import _, language
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
        _(
            "Explaining **{label}** (class {index}, p = {p:.1%}) at layer **{layer}** ({size}) "
            "of **{model}**, with the {score_kind} as the score y^c = {score:.4g}."
        ).format(
            label=selection.class_name(selection.target),
            index=selection.target,
            p=selection.probability(selection.target),
            layer=selection.layer.name,
            size=selection.layer.size_label,
            model=selection.title,
            score_kind=result.score_kind,
            score=result.score,
        )
    )


def _stage_caption(result: gc.CamResult, stage: str) -> str:
    raw = result.raw
    if stage == "raw":
        negative = float(np.mean(raw < 0))
        return _("min {low:.3g}, max {high:.3g}; {negative:.0%} of cells negative").format(
            low=raw.min(), high=raw.max(), negative=negative
        )
    if stage == "relu":
        return _("max {peak:.3g}; ReLU set {share:.0%} of cells to 0").format(
            peak=result.peak, share=np.mean(raw < 0)
        )
    if stage == "normalized":
        if result.is_empty:
            return _("all zeros: nothing to normalize")
        return _("divided by {peak:.3g}").format(peak=result.peak)
    return ""


def stage_panels(selection: Selection, result: gc.CamResult) -> None:
    """Four panels side by side (the overlay first on a phone), each with caption and formula.

    The overlay's column is written first: what a visitor came for is sent before matplotlib
    draws the three stage figures (a cold start's first paint 0.1-0.15 s earlier on a quiet
    machine, 1.6 s under load). Streamlit fills columns in any order; the layout is the same.
    """
    st.html(PHONE_CSS)
    columns = st.columns(4)
    with columns[3]:
        _overlay_panel(selection, result)
    width, height = selection.photo.image.size
    aspect = height / width
    h, w = result.raw.shape
    for column, stage in zip(columns[:3], stages.STAGES, strict=True):
        info = stages.STAGE_INFO[stage]
        title = _(info.title)
        with column:
            st.markdown(f"**{title}**")
            st.image(
                cache.stage_png(
                    selection.map_key, stage, selection.cmap, aspect, language(), result
                ),
                caption=_stage_caption(result, stage),
                alt=alt_text(
                    selection,
                    _("{title}, {h}×{w} cells with a colorbar").format(title=title, h=h, w=w),
                ),
            )
            st.latex(info.formula)
            st.caption(_(info.note))


def _overlay_panel(selection: Selection, result: gc.CamResult) -> None:
    """The fourth panel: the overlay, its colour scale, formula and note."""
    info = stages.STAGE_INFO["overlay"]
    title = _(info.title)
    with st.container(key="overlay_panel"):
        st.markdown(f"**{title}**")
        st.image(
            cache.overlay(
                selection.map_key,
                selection.cmap,
                selection.opacity,
                selection.photo.image,
                result.normalized,
            ),
            caption=_("{size}, opacity {opacity:.2f}").format(
                size=_size_note(selection), opacity=selection.opacity
            ),
            alt=alt_text(
                selection,
                _("{title}, the map in {cmap} over the photo").format(
                    title=title, cmap=selection.cmap
                ),
            ),
        )
        st.image(
            cache.colorbar(selection.cmap, language()),
            alt=_("Colour scale of the overlay ({cmap}): 0, no evidence, to 1, strongest").format(
                cmap=selection.cmap
            ),
        )
        st.latex(info.formula)
        st.caption(_(info.note))


def _size_note(selection: Selection) -> str:
    width, height = selection.photo.image.size
    if cache.display_size((width, height)) == (width, height):
        return f"{width}×{height} px"
    return _("{width}×{height} px photo, shown smaller; the download is full size").format(
        width=width, height=height
    )
