"""The Grad-CAM page's downloads: overlay, four-panel figure, maps and settings, built on demand."""

from __future__ import annotations

import streamlit as st

import gradcam_core as gc
from gradcam_core import drawing, export
from gradcam_core.drawing import stages

from ..controls import Selection
from ..i18n import _, language, use_language


def downloads(selection: Selection, result: gc.CamResult) -> None:
    """Overlay PNG, four-panel figure, maps (.npz of .npy arrays) and a JSON of the settings.

    Each built on a click (a callable): a visit that downloads nothing builds and stores none.
    """
    stem = f"gradcam_{selection.model_name}_{selection.layer.name}_{selection.target}".replace(
        "/", "-"
    )
    photo, cmap, opacity = selection.photo.image, selection.cmap, selection.opacity
    label = selection.class_name(selection.target)
    lang = language()  # the figure is drawn later, in a server thread: it takes the run's language

    def panels() -> bytes:
        with use_language(lang):
            return stages.stages_figure_png(photo, result, cmap, opacity, label)

    columns = st.columns(4)
    columns[0].download_button(
        _("Overlay (PNG)"),
        lambda: drawing.png_bytes(gc.overlay(photo, result.normalized, cmap, opacity)),
        file_name=f"{stem}_overlay.png",
        mime="image/png",
        on_click="ignore",
    )
    columns[1].download_button(
        _("Four panels (PNG)"),
        panels,
        file_name=f"{stem}_panels.png",
        mime="image/png",
        on_click="ignore",
    )
    columns[2].download_button(
        _("Maps (.npz)"),
        lambda: export.maps_npz_bytes(result),
        file_name=f"{stem}_maps.npz",
        mime="application/octet-stream",
        on_click="ignore",
        help=_("raw, relu, normalized and weights as .npy arrays; np.load reads them."),
    )
    # Built on a click like the others, from plain values: a deferred download is kept between
    # runs, and one holding the selection would hold its model after the model is let go.
    predictions, settings = selection.predictions, selection.settings()
    columns[3].download_button(
        _("Settings and top-k (JSON)"),
        lambda: export.summary_json(result, predictions, settings),
        file_name=f"{stem}.json",
        mime="application/json",
        on_click="ignore",
    )
