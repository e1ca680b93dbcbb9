"""Layout pieces of the main page: headline, predictions, the four stages, notes and downloads."""

from __future__ import annotations

import numpy as np
import streamlit as st

import gradcam_core as gc
from gradcam_core import export, figures, samples

from . import cache
from .controls import Selection

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
        f"Explaining **{gc.class_name(selection.target)}** (class {selection.target}, "
        f"p = {selection.probability(selection.target):.1%}) at layer "
        f"**{selection.layer.name}** ({selection.layer.size_label}) of "
        f"**{selection.spec.title}**, with the {result.score_kind} as the score "
        f"y^c = {result.score:.4g}."
    )


def _pick_target() -> None:
    picked = st.session_state.get("top_pick")
    if picked is not None:
        st.session_state["target"] = picked


def predictions_bar(selection: Selection) -> None:
    """The top-k predictions with probabilities; clicking one explains that class."""
    options = [p.index for p in selection.predictions]
    st.session_state["top_pick"] = selection.target if selection.target in options else None
    st.pills(
        f"Top-{len(options)} predictions: click one to explain it",
        options,
        format_func=lambda i: f"{gc.class_name(i)} · {selection.probability(i):.1%}",
        key="top_pick",
        on_change=_pick_target,
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


def alt_text(selection: Selection, what: str) -> str:
    """What an image shows, for screen readers: the picture, the class, the layer, the model."""
    return (
        f"{what}: Grad-CAM of {gc.class_name(selection.target)} (class {selection.target}) "
        f"at layer {selection.layer.name} of {selection.spec.title}, on {selection.photo_label}"
    )


def stage_panels(selection: Selection, result: gc.CamResult) -> None:
    """Four panels side by side (the overlay first on a phone), each with caption and formula."""
    st.html(PHONE_CSS)
    columns = st.columns(4)
    width, height = selection.photo.image.size
    aspect = height / width
    h, w = result.raw.shape
    for column, stage in zip(columns[:3], figures.STAGES, strict=True):
        info = figures.STAGE_INFO[stage]
        with column:
            st.markdown(f"**{info.title}**")
            st.image(
                cache.stage_png(selection.map_key, stage, selection.cmap, aspect, result),
                caption=_stage_caption(result, stage),
                alt=alt_text(selection, f"{info.title}, {h}×{w} cells with a colorbar"),
            )
            st.latex(info.formula)
            st.caption(info.note)
    info = figures.STAGE_INFO["overlay"]
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


def empty_map_note(selection: Selection, result: gc.CamResult) -> None:
    """Explain in words when no cell has positive evidence (instead of a blank map)."""
    if not result.is_empty:
        return
    st.warning(
        f"No positive evidence for **{gc.class_name(selection.target)}** at layer "
        f"**{selection.layer.name}**: every cell of Σ_k α_k A^k is ≤ 0 (largest value "
        f"{result.raw.max():.3g}), so ReLU leaves nothing and the normalized map is all zeros "
        "rather than 0 / 0. Try a later layer, or a class the model finds more likely."
    )


def _use_sample(sample_id: str) -> None:
    st.session_state["sample"] = sample_id


def sample_gallery(selection: Selection) -> None:
    """Thumbnails of the bundled photos; a click explains that photo."""
    with st.expander("Sample photos", expanded=False):
        if selection.sample_id is None:
            st.caption("Your own photo is shown; remove it from the uploader to use these.")
        ids = samples.sample_ids()
        columns = st.columns(len(ids))
        for column, sample_id in zip(columns, ids, strict=True):
            sample = samples.get_sample(sample_id)
            column.image(
                cache.thumbnail(sample_id),
                caption=sample.title,
                alt=f"Sample photo: {sample.title}",
            )
            column.button(
                "Explain",
                key=f"use_sample_{sample_id}",
                on_click=_use_sample,
                args=(sample_id,),
                disabled=sample_id == selection.sample_id or selection.sample_id is None,
            )


def downloads(selection: Selection, result: gc.CamResult) -> None:
    """Overlay PNG, four-panel figure, maps (.npz of .npy arrays) and a JSON of the settings."""
    stem = f"gradcam_{selection.model_name}_{selection.layer.name}_{selection.target}".replace(
        "/", "-"
    )
    photo, cmap, opacity = selection.photo.image, selection.cmap, selection.opacity
    label = gc.class_name(selection.target)
    columns = st.columns(4)
    columns[0].download_button(
        "Overlay (PNG)",
        lambda: export.png_bytes(gc.overlay(photo, result.normalized, cmap, opacity)),
        file_name=f"{stem}_overlay.png",
        mime="image/png",
        on_click="ignore",
    )
    columns[1].download_button(
        "Four panels (PNG)",
        lambda: figures.stages_figure_png(photo, result, cmap, opacity, label),
        file_name=f"{stem}_panels.png",
        mime="image/png",
        on_click="ignore",
    )
    columns[2].download_button(
        "Maps (.npz)",
        lambda: export.maps_npz_bytes(result),
        file_name=f"{stem}_maps.npz",
        mime="application/octet-stream",
        on_click="ignore",
        help="raw, relu, normalized and weights as .npy arrays; np.load reads them.",
    )
    columns[3].download_button(
        "Settings and top-k (JSON)",
        export.summary_json(result, selection.predictions, selection.settings()),
        file_name=f"{stem}.json",
        mime="application/json",
        on_click="ignore",
    )
