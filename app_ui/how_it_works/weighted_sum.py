"""Step 4: the weighted sum of the feature maps, worked out at its strongest cell."""

from __future__ import annotations

import streamlit as st

from gradcam_core import walkthrough

from ..i18n import _, language
from . import cached
from .view import StepView, tex_number


def section(view: StepView) -> None:
    """S^c's formula, its largest terms at the peak cell, and the sum built channel by channel."""
    walk, result = view.walk, view.result
    h, w, k_count = walk.activations.shape
    st.subheader(_("4 · Weighted sum of the maps"))
    peak = walkthrough.peak_cell(result.raw)
    terms = walkthrough.cell_terms(walk.activations, result.weights, peak, 3)
    shown_terms = " + ".join(
        rf"\underbrace{{({tex_number(t.weight, 3)})({tex_number(t.activation, 3)})}}"
        rf"_{{k={t.channel}}}"
        for t in terms
    )
    st.markdown(
        _(
            "Each map Aᵏ is multiplied by its weight α_k and the maps are added: one signed map "
            "S of {h}×{w} cells. At the strongest cell, row {row}, column {column}, the largest "
            "terms:"
        ).format(h=h, w=w, row=peak[0], column=peak[1])
    )
    st.latex(r"S^c = \sum_{k=1}^{K} \alpha_k^c\, A^k")
    st.latex(
        rf"S^c_{{{peak[0]},{peak[1]}}} = {shown_terms} + \dots"
        + r"\ \text{"
        + _("({count} more)").format(count=k_count - len(terms))
        + rf"}} = {tex_number(result.raw[peak])}"
    )
    st.image(
        cached.partial_sums_png(view.key, view.aspect, view.scale, language(), walk),
        alt=view.alt(_("The weighted sum built up channel by channel, largest |alpha_k| first")),
        caption=_(
            "The sum built up from the channels with the largest |α_k| first (red > 0 > blue); "
            "r is the correlation with the full sum: how much of its pattern those channels give."
        ),
    )
