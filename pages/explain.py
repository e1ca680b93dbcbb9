"""Main page: the four Grad-CAM stages side by side, the predictions and the downloads."""

from __future__ import annotations

import streamlit as st

from app_ui import cache, controls, widgets
from app_ui.explain import downloads, gallery, panels

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
    f"Map computed in {seconds * 1000:.0f} ms (cached afterwards). "
    f"Photo: {selection.photo_label}, {selection.photo.image.size[0]}×"
    f"{selection.photo.image.size[1]} px; the whole photo is resized to "
    f"{selection.classifier.input_size[0]}×{selection.classifier.input_size[1]} for the model "
    f"(no crop). {selection.title}."
)
