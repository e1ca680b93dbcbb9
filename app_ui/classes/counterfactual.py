"""Section 2 of Classes: what argues against the class (the counterfactual map)."""

from __future__ import annotations

import streamlit as st

import gradcam_core.metrics as gm
from gradcam_core.cams import CounterfactualGradCAM

from .. import cache, widgets
from ..controls import Selection
from ..i18n import _
from . import cached
from .pictures import show_overlay, show_signed


def section(selection: Selection) -> None:
    """Grad-CAM for the class, the counterfactual against it, and both as one signed map."""
    target = selection.target
    name = selection.class_name(target)
    photo = selection.photo.image
    st.header(_("2. What argues against “{label}”?").format(label=name))
    st.markdown(
        _(
            "Flip the sign of the gradient. The weights become −α_k, and the map shows the "
            "regions whose features **lower** the score of *{label}*: cover or remove them and "
            "the model would be *more* sure of it. Often that is a second object, or background "
            "that looks like another class. With Grad-CAM's averaged gradients this is exactly "
            "the negative part of the signed map Σ_k α_k A^k (the blue cells on the Grad-CAM "
            "page)."
        ).format(label=name)
    )
    gradcam, _unused = cache.grad_cam(selection.map_key, photo)
    against = cached.counterfactual(selection.map_key, photo)
    balance = gm.evidence_balance(gradcam.raw)
    cells = widgets.grid(3, 3, selection.presenter)
    with cells[0]:
        caption = _("For {label}: Grad-CAM · {share:.0%} of cells").format(
            label=name, share=balance.for_share
        )
        show_overlay(selection, gradcam, "gradcam", caption)
    with cells[1]:
        caption = _("Against {label}: counterfactual · {share:.0%} of cells").format(
            label=name, share=balance.against_share
        )
        if against.is_empty:
            caption = _("Nothing argues against {label} at this layer").format(label=name)
        show_overlay(selection, against, "counterfactual", caption)
    with cells[2]:
        show_signed(
            selection,
            gradcam,
            "gradcam-signed",
            _("Both at once: red for, blue against (Σ_k α_k A^k; stronger colour, larger |value|)"),
        )
    widgets.latex(CounterfactualGradCAM.formula)
    ratio = balance.against_to_for
    st.caption(
        _(
            "Strongest evidence against is {ratio:.2f}× the strongest evidence for "
            "(max −Σα_kA^k = {against:.3g}, max Σα_kA^k = {support:.3g})."
        ).format(ratio=ratio, against=balance.against_peak, support=balance.for_peak)
        if ratio != float("inf")
        else _("No cell has positive evidence for the class at this layer.")
    )
