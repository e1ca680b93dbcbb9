"""Step 8: the overlay on the photo, as on the Grad-CAM page."""

from __future__ import annotations

import streamlit as st

from .. import cache
from .view import StepView


def section(view: StepView) -> None:
    """The blend formula with this opacity, the photo and its overlay side by side."""
    selection = view.selection
    photo = selection.photo.image
    width, height = photo.size
    st.subheader("8 · Overlay on the photo")
    st.latex(
        r"\text{overlay} = (1-a)\,I + a\;\mathrm{cmap}\big(\mathrm{up}(\hat L^c)\big),"
        rf"\qquad a = {selection.opacity:.2f}"
    )
    overlay = cache.overlay(
        view.key, selection.cmap, selection.opacity, photo, view.result.normalized
    )
    view.image_row(
        (photo, overlay),
        (
            f"The photo I ({width}×{height} px)",
            f"Grad-CAM for {view.class_label} at {selection.layer.name}, {selection.cmap} colormap",
        ),
    )
    st.caption(
        "The same steps as the classic Keras tutorial: predict, take the gradient of the class "
        "score, average it per channel, weight the maps, ReLU, normalize, upsample and overlay."
    )
