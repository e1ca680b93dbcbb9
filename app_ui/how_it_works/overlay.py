"""Step 8: the overlay on the photo, as on the Grad-CAM page."""

from __future__ import annotations

import streamlit as st

from .. import cache
from ..i18n import _
from .view import StepView


def section(view: StepView) -> None:
    """The blend formula with this opacity, the photo and its overlay side by side."""
    selection = view.selection
    photo = selection.photo.image
    width, height = photo.size
    st.subheader(_("8 · Overlay on the photo"))
    st.latex(
        r"\text{"
        + _("overlay")
        + r"} = (1-a)\,I + a\;\mathrm{cmap}\big(\mathrm{up}(\hat L^c)\big),"
        + rf"\qquad a = {selection.opacity:.2f}"
    )
    overlay = cache.overlay(
        view.key, selection.cmap, selection.opacity, photo, view.result.normalized
    )
    view.image_row(
        (photo, overlay),
        (
            _("The photo I ({width}×{height} px)").format(width=width, height=height),
            _("Grad-CAM for {label} at {layer}, {cmap} colormap").format(
                label=view.class_label, layer=selection.layer.name, cmap=selection.cmap
            ),
        ),
    )
    st.caption(
        _(
            "The same steps as the classic Keras tutorial: predict, take the gradient of the "
            "class score, average it per channel, weight the maps, ReLU, normalize, upsample and "
            "overlay."
        )
    )
