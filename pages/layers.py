"""Layers: Grad-CAM at every 4-D layer from one forward and one backward pass, input to output."""

from __future__ import annotations

import streamlit as st

from app_ui import cache, controls
from app_ui.i18n import _
from app_ui.layers import cached, scrubber

selection = controls.current()
st.markdown(
    _(
        "Grad-CAM can explain *any* layer, not just the last one. **Early layers** (left on the "
        "slider) see small patches of the photo: their maps are fine, with many cells, and "
        "follow edges and textures, often all over the photo. **Late layers** (right) see large "
        "parts of it: coarse maps of a few cells that pick out the object of the class. That "
        "trade-off between detail and meaning is why Grad-CAM usually uses the last "
        "convolutional layer. Drag the slider and watch the map sharpen into the object."
    )
)
if selection is None:
    st.stop()

photo = selection.photo.image
key = cached.LayersKey(selection.digest, selection.model_name, selection.target, selection.score)
maps, seconds = cached.all_layer_maps(key, photo)
table = [info for info in cache.layer_table(selection.model_name) if info.name in maps]
if not table:
    st.error(
        _("{model} has no feature-map layer Grad-CAM could explain.").format(model=selection.title)
    )
    st.stop()
class_label = selection.class_name(selection.target)
st.caption(
    _(
        "Grad-CAM for **{label}** ({index}, {score} score) at all {count} feature-map layers of "
        "{model}, from one forward and one backward pass in {seconds:.2f} s (cached for this "
        "photo, model, class and score)."
    ).format(
        label=class_label,
        index=selection.target,
        score=selection.score,
        count=len(table),
        model=selection.title,
        seconds=seconds,
    )
)
scrubber.scrubber(selection, key, maps, table)
