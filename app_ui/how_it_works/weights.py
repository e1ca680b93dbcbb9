"""Step 3: the channel weights alpha_k, each the average of its channel's gradient."""

from __future__ import annotations

import streamlit as st

from gradcam_core import walkthrough

from ..i18n import _
from . import charts
from .view import StepView, tex_number


def section(view: StepView) -> None:
    """alpha_k's formula, the largest one worked out, and all of them sorted in a bar chart."""
    walk, weights = view.walk, view.result.weights
    h, w, _unused = walk.activations.shape
    st.subheader(_("3 · Channel weights α_k: the average gradient"))
    top = int(walkthrough.top_channels(weights, 1)[0])
    gradient_sum = walk.gradient_sum(top)
    st.markdown(
        _(
            "Averaging each channel's gradient over its {h}×{w} = {cells} cells gives one number "
            "per channel: how important that pattern is for the class, wherever it appears."
        ).format(h=h, w=w, cells=walk.cells)
    )
    st.latex(
        r"\alpha_k^c = \frac{1}{Z}\sum_{i=1}^{h}\sum_{j=1}^{w}"
        r"\frac{\partial y^c}{\partial A^k_{ij}}"
        rf",\qquad Z = h\cdot w = {walk.cells}"
    )
    st.latex(
        rf"\alpha_{{{top}}}^c = \frac{{1}}{{{walk.cells}}}\sum_{{i,j}}"
        rf"\frac{{\partial y^c}}{{\partial A^{{{top}}}_{{ij}}}} = "
        rf"\frac{{{tex_number(gradient_sum)}}}{{{walk.cells}}} = {tex_number(weights[top])}"
        + r"\quad\text{"
        + _("(the largest |α_k|)")
        + "}"
    )
    st.altair_chart(charts.weights_chart(weights, view.presenter), width="stretch")
    ordered = walkthrough.sort_weights(weights)
    st.caption(
        _(
            "{positive} channels push for **{label}** (red), {negative} against it (blue). The "
            "10 largest |α_k| carry {share:.0%} of Σ|α_k|. Hover over a bar to see its channel k."
        ).format(
            positive=ordered.positive,
            label=view.class_label,
            negative=ordered.negative,
            share=walkthrough.top_share(weights, 10),
        )
    )
