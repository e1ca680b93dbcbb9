"""Step 2: the feature maps A^k and their gradients dy^c/dA^k, for the channels that count most."""

from __future__ import annotations

import streamlit as st

from gradcam_core import walkthrough

from ..i18n import _, language
from . import cached
from .view import StepView


def section(view: StepView) -> None:
    """The layer's size, a grid of A^k over dy^c/dA^k, and a note where the gradient is flat."""
    h, w, k_count = view.walk.activations.shape
    st.subheader(_("2 · Feature maps Aᵏ and their gradients ∂yᶜ/∂Aᵏ"))
    st.markdown(
        _(
            "Layer **{layer}** outputs K = {k} feature maps of {h}×{w} cells; each channel k "
            "responds to some pattern (a texture, a part, …). Backpropagation gives, for every "
            "cell, how much yᶜ would rise if that cell's activation grew: the gradient. Shown: "
            "the channels with the largest |α_k| (step 3), their map Aᵏ on top (each on its own "
            "scale) and its gradient below (one scale for all; red raises yᶜ, blue lowers it)."
        ).format(layer=view.selection.layer.name, k=k_count, h=h, w=w)
    )
    st.latex(
        rf"A \in \mathbb{{R}}^{{h\times w\times K}} = "
        rf"\mathbb{{R}}^{{{h}\times {w}\times {k_count}}},"
        r"\qquad \frac{\partial y^c}{\partial A^k_{ij}}"
    )
    count = st.segmented_control(
        _("Channels shown"), [4, 8, 12, 16], default=8, required=True, key="how_channels"
    )
    columns = 4 if view.presenter else 8
    st.image(
        cached.channels_png(
            view.key, int(count), columns, view.aspect, view.scale, language(), view.walk
        ),
        alt=view.alt(
            _("The {count} feature maps with the largest |alpha_k| and their gradients").format(
                count=int(count)
            )
        ),
    )
    if walkthrough.is_spatially_constant(view.walk.gradients):
        st.info(
            _(
                "At this layer every cell of a channel gets the **same gradient**: the network "
                "averages each map over the whole image (global average pooling) right after "
                "it, so ∂yᶜ/∂Aᵏ_ij = w_k,c / Z, the class's weight in the last dense layer over "
                "the number of cells. Here Grad-CAM equals the original CAM. Pick an earlier "
                "layer in the sidebar to see gradients that vary from cell to cell."
            )
        )
