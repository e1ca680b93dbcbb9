"""Main page: the four Grad-CAM stages side by side, the predictions and the downloads."""

from __future__ import annotations

import streamlit as st

import gradcam_core as gc
from app_ui import cache, controls, views

selection = controls.current()
if selection is None:
    st.stop()

result, seconds = cache.grad_cam(selection.map_key, selection.photo.image)
views.headline(selection, result)
views.predictions_bar(selection)
views.stage_panels(selection, result)
views.empty_map_note(selection, result)
views.downloads(selection, result)
views.sample_gallery(selection)
st.caption(
    f"Map computed in {seconds * 1000:.0f} ms (cached afterwards). "
    f"Photo: {selection.photo_label}, {selection.photo.image.size[0]}×"
    f"{selection.photo.image.size[1]} px; the whole photo is resized to "
    f"{selection.spec.input_size}×{selection.spec.input_size} for the model (no crop). "
    f"{gc.get_spec(selection.model_name).title}."
)
