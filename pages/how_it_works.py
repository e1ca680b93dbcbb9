"""How Grad-CAM works: every step on the current photo, layer and class, with the real tensors."""

from __future__ import annotations

import streamlit as st

from app_ui import controls
from app_ui.how_it_works import (
    gradients,
    normalization,
    overlay,
    relu,
    score,
    upsampling,
    view,
    weighted_sum,
    weights,
)
from app_ui.i18n import _

selection = controls.current()
st.markdown(
    _(
        "Grad-CAM asks: *which parts of the photo made the network say this class?* It takes one "
        "layer's feature maps **Aᵏ**, weighs each map by how much the class score rises when "
        "that map grows (**α_k**, its average gradient), adds up the weighted maps, keeps the "
        "positive part and lays it over the photo. Each step below shows its formula with the "
        "**real numbers** for the photo, model, layer and class chosen in the sidebar: change "
        "any of them and every step follows."
    )
)
if selection is None:
    st.stop()

steps = view.step_view(selection)
view.caption(steps)
for step in (score, gradients, weights, weighted_sum, relu, normalization, upsampling, overlay):
    step.section(steps)
