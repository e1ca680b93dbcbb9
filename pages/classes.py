"""Classes: Grad-CAM for the top-k classes side by side, the counterfactual map and a contrast."""

from __future__ import annotations

import streamlit as st

from app_ui import controls
from app_ui.classes import contrast, counterfactual, top_k
from app_ui.i18n import _

selection = controls.current()
st.markdown(
    _(
        "Grad-CAM explains **one class at a time**: the gradient of that class's score decides "
        "which channels count. So the same photo, layer and forward pass give a different map "
        "for each class. If the maps differ, the method is *class-discriminative*: on the **Cat "
        "and coffee** sample the cat classes light up the cat and *coffee mug* lights up the "
        "cup. Below that, two sharper questions: what argues **against** a class, and what makes "
        "the model say **A rather than B**?"
    )
)
if selection is None:
    st.stop()

top_k.section(selection)
counterfactual.section(selection)
contrast.section(selection)
st.caption(
    _("Layer {layer} ({size}) of {model}; {score} scores. Change them in the sidebar.").format(
        layer=selection.layer.name,
        size=selection.layer.size_label,
        model=selection.title,
        score=selection.score,
    )
)
