"""Section 2 of Classes: what argues against the class (the counterfactual map)."""

from __future__ import annotations

import streamlit as st

import gradcam_core.metrics as gm
from gradcam_core.cams import CounterfactualGradCAM

from .. import cache, widgets
from ..controls import Selection
from . import cached
from .pictures import show_overlay, show_signed


def section(selection: Selection) -> None:
    """Grad-CAM for the class, the counterfactual against it, and both as one signed map."""
    target = selection.target
    name = selection.class_name(target)
    photo = selection.photo.image
    st.header(f"2. What argues against “{name}”?")
    st.markdown(
        "Flip the sign of the gradient. The weights become −α_k, and the map shows the regions "
        f"whose features **lower** the score of *{name}*: cover or remove them and the model "
        "would be *more* sure of it. Often that is a second object, or background that looks "
        "like another class. With Grad-CAM's averaged gradients this is exactly the negative "
        "part of the signed map Σ_k α_k A^k (the blue cells on the Grad-CAM page)."
    )
    gradcam, _ = cache.grad_cam(selection.map_key, photo)
    against = cached.counterfactual(selection.map_key, photo)
    balance = gm.evidence_balance(gradcam.raw)
    cells = widgets.grid(3, 3, selection.presenter)
    with cells[0]:
        caption = f"For {name}: Grad-CAM · {balance.for_share:.0%} of cells"
        show_overlay(selection, gradcam, "gradcam", caption)
    with cells[1]:
        caption = f"Against {name}: counterfactual · {balance.against_share:.0%} of cells"
        if against.is_empty:
            caption = f"Nothing argues against {name} at this layer"
        show_overlay(selection, against, "counterfactual", caption)
    with cells[2]:
        show_signed(
            selection,
            gradcam,
            "gradcam-signed",
            "Both at once: red for, blue against (Σ_k α_k A^k; stronger colour, larger |value|)",
        )
    st.latex(CounterfactualGradCAM.formula)
    ratio = balance.against_to_for
    st.caption(
        f"Strongest evidence against is {ratio:.2f}× the strongest evidence for "
        f"(max −Σα_kA^k = {balance.against_peak:.3g}, max Σα_kA^k = {balance.for_peak:.3g})."
        if ratio != float("inf")
        else "No cell has positive evidence for the class at this layer."
    )
