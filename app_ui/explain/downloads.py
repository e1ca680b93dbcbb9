"""The Grad-CAM page's downloads: overlay, four-panel figure, maps and settings, built on demand."""

from __future__ import annotations

import streamlit as st

import gradcam_core as gc
from gradcam_core import drawing, export
from gradcam_core.drawing import stages

from ..controls import Selection


def downloads(selection: Selection, result: gc.CamResult) -> None:
    """Overlay PNG, four-panel figure, maps (.npz of .npy arrays) and a JSON of the settings."""
    stem = f"gradcam_{selection.model_name}_{selection.layer.name}_{selection.target}".replace(
        "/", "-"
    )
    photo, cmap, opacity = selection.photo.image, selection.cmap, selection.opacity
    label = selection.class_name(selection.target)
    columns = st.columns(4)
    columns[0].download_button(
        "Overlay (PNG)",
        lambda: drawing.png_bytes(gc.overlay(photo, result.normalized, cmap, opacity)),
        file_name=f"{stem}_overlay.png",
        mime="image/png",
        on_click="ignore",
    )
    columns[1].download_button(
        "Four panels (PNG)",
        lambda: stages.stages_figure_png(photo, result, cmap, opacity, label),
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
