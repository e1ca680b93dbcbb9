"""Sections for methods that declare a difference from Grad-CAM (``BaseCAM.difference_section``):
the two maps and their difference, signed."""

from __future__ import annotations

import streamlit as st

import gradcam_core.metrics as gm
from gradcam_core import cams
from gradcam_core.cams import CAM_METHODS

from .. import cache, widgets
from ..i18n import _
from .view import MethodsView, show_map


def difference_section(view: MethodsView, method_id: str) -> None:
    """The method's map, Grad-CAM's, and the method − Grad-CAM difference on a signed scale."""
    kind = CAM_METHODS[method_id]
    reference_id = cams.REFERENCE_METHOD
    reference = CAM_METHODS[reference_id]
    section = kind.difference_section
    st.header(_(section.heading))
    st.markdown(_(section.text))
    result, _unused = cache.method_map(view.key, method_id, view.photo)
    gradcam, _unused = cache.method_map(view.key, reference_id, view.photo)
    difference = cams.normalized_difference(result, gradcam)
    summary = gm.summarize_difference(difference)
    if max(-summary.lowest, summary.highest) < 1e-6:
        st.info(_(section.special).format(layer=view.layer.name))
        return
    cells = widgets.grid(3, 3, view.selection.presenter)
    with cells[0]:
        show_map(view, gradcam, reference_id, reference.name, reference)
    with cells[1]:
        show_map(view, result, method_id, kind.name, kind)
    with cells[2]:
        st.image(
            cache.preview_signed_overlay(
                view.key,
                f"{method_id}-minus-{reference_id}",
                view.selection.opacity,
                view.photo,
                difference,
            ),
            caption=_(
                "{method} − {reference}: blue down to {lowest:+.2f} ({below:.0%} of cells below "
                "−{threshold:g}), red up to {highest:+.2f} ({above:.0%} above +{threshold:g})"
            ).format(
                method=kind.name,
                reference=reference.name,
                lowest=summary.lowest,
                below=summary.a_above_share,
                threshold=summary.threshold,
                highest=summary.highest,
                above=summary.b_above_share,
            ),
            width="stretch",
        )


def sections(view: MethodsView) -> None:
    """A difference section for every registered method that declares one, in registry order."""
    for method_id, kind in CAM_METHODS.items():
        if kind.difference_section is not None:
            difference_section(view, method_id)
