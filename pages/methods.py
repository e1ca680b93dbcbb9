"""Methods: the CAM family on the same photo, layer and class, each with its formula."""

from __future__ import annotations

import streamlit as st

from app_ui import controls
from app_ui.i18n import _
from app_ui.methods import cards, differences, pixel
from app_ui.methods.view import MethodsView

selection = controls.current()
st.markdown(
    _(
        "Grad-CAM is one member of a family. Every method here starts from the same feature maps "
        "A^k of the chosen layer and draws a map of the same size; they differ in **how they "
        "weight** the channels (or each cell), and whether they use gradients at all. Photo, "
        "layer, class and score are the sidebar's, so any difference you see comes from the "
        "method. Each card shows the map, its formula and what it changes compared with Grad-CAM."
    )
)
if selection is None:
    st.stop()

view = MethodsView(selection)
cards.signed_layer_note(view)
cards.method_grid(view)
differences.sections(view)
pixel.sections(view)
layer = selection.layer
st.caption(
    _(
        "{label} ({index}) at layer {layer} ({size}) of {model}, {score} score. Each map is "
        "divided by its own maximum and cached for this photo, model, layer, class, score and "
        "method."
    ).format(
        label=view.class_label,
        index=selection.target,
        layer=layer.name,
        size=layer.size_label,
        model=selection.title,
        score=selection.score,
    )
)
