"""Sections for pixel-level methods (``BaseCAM.pixel_level``): the input gradient, the Grad-CAM
map it is multiplied by, and their product; then each pixel-level method's formula."""

from __future__ import annotations

import streamlit as st

from gradcam_core import cams
from gradcam_core.cams import CAM_METHODS

from .. import cache, text, widgets
from ..i18n import _
from . import cached
from .view import MethodsView, show_map


def pixel_section(view: MethodsView, method_id: str) -> None:
    """The method's gradient image × the upsampled Grad-CAM map = its pixel-level result."""
    kind = CAM_METHODS[method_id]
    section = kind.pixel_section
    gradient_caption, reference_caption, product_caption = (_(c) for c in section.captions)
    st.header(_(section.heading))
    st.markdown(_(section.text))
    images = cached.pixel_images(view.key, method_id, view.photo)
    reference_id = cams.REFERENCE_METHOD
    gradcam, _unused = cache.method_map(view.key, reference_id, view.photo)
    cells = widgets.grid(3, 3, view.selection.presenter)
    cells[0].image(images.gradient, caption=gradient_caption, width="stretch")
    with cells[1]:
        show_map(view, gradcam, reference_id, reference_caption, CAM_METHODS[reference_id])
    cells[2].image(
        images.product,
        caption=f"{product_caption} · {text.timing(images.seconds)}",
        width="stretch",
    )


def sections(view: MethodsView) -> None:
    """A section for every pixel-level method, then every pixel-level method's formula."""
    pixel_ids = [method_id for method_id, kind in CAM_METHODS.items() if kind.pixel_level]
    for method_id in pixel_ids:
        if CAM_METHODS[method_id].pixel_section is not None:
            pixel_section(view, method_id)
    for method_id in pixel_ids:
        widgets.latex(CAM_METHODS[method_id].formula)
        st.caption(_(CAM_METHODS[method_id].note))
