"""Main page: the four Grad-CAM stages side by side, the predictions and the downloads."""

from __future__ import annotations

import streamlit as st

from app_ui import cache, controls, widgets
from app_ui.explain import downloads, gallery, panels
from app_ui.i18n import _

selection = controls.current()
if selection is None:
    st.stop()

result, seconds = cache.grad_cam(selection.map_key, selection.photo.image)
panels.headline(selection, result)
widgets.predictions_bar(selection)
panels.stage_panels(selection, result)
widgets.empty_map_note(selection, result)
downloads.downloads(selection, result)
gallery.sample_gallery(selection)
st.caption(
    _(
        "Map computed in {ms:.0f} ms (cached afterwards). Photo: {photo}, {width}×{height} px; "
        "the whole photo is resized to {input_width}×{input_height} for the model (no crop). "
        "{model}."
    ).format(
        ms=seconds * 1000,
        photo=selection.photo_label,
        width=selection.photo.image.size[0],
        height=selection.photo.image.size[1],
        input_width=selection.classifier.input_size[0],
        input_height=selection.classifier.input_size[1],
        model=selection.title,
    )
)
