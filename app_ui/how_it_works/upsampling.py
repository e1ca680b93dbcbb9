"""Step 7: upsampling the map to the photo, nearest against bilinear, with the cell grid."""

from __future__ import annotations

import streamlit as st

from gradcam_core import walkthrough

from ..i18n import _
from . import cached
from .view import StepView


def section(view: StepView) -> None:
    """What one cell covers on the photo, the resampling formula, and the three panels."""
    photo, normalized = view.selection.photo.image, view.result.normalized
    h, w, _unused = view.walk.activations.shape
    st.subheader(_("7 · Upsampling to the photo"))
    width, height = photo.size
    grid = walkthrough.cell_grid(h, w, width, height)
    st.markdown(
        _(
            "The map has {h}×{w} cells; the photo {width}×{height} pixels. The whole photo was "
            "resized to the model's square input, so each cell stands for a block of about "
            "**{block_width:.0f}×{block_height:.0f} px** of the photo. *Nearest* paints each "
            "block with its cell's value; *bilinear* (used for the overlay) blends between cell "
            "centres. The cyan box is the strongest cell."
        ).format(
            h=h,
            w=w,
            width=width,
            height=height,
            block_width=grid.block_width,
            block_height=grid.block_height,
        )
    )
    st.latex(
        r"u = \Big(x + \tfrac12\Big)\frac{w}{W} - \tfrac12,\quad "
        r"v = \Big(y + \tfrac12\Big)\frac{h}{H} - \tfrac12,\qquad "
        r"\mathrm{up}(\hat L)(x, y) = \hat L\ \text{" + _("interpolated at") + r"}\ (u, v)"
    )
    panels = cached.upsampling_panels(view.key, view.selection.cmap, photo, normalized)
    too_fine = min(grid.block_width, grid.block_height) < 5
    captions = (
        (
            _("The photo and the {h}×{w} cell grid (too fine to draw)")
            if too_fine
            else _("The photo and the {h}×{w} cell grid")
        ).format(h=h, w=w),
        _("Nearest: one colour per block"),
        _("Bilinear: smooth between cell centres"),
    )
    if view.presenter:  # the photo alone, then nearest and bilinear side by side, larger
        view.image_row(panels[:1], captions[:1])
        view.image_row(panels[1:], captions[1:])
    else:
        view.image_row(panels, captions)
