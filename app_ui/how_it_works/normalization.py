"""Step 6: normalization to [0, 1], and what its relative scale hides."""

from __future__ import annotations

import streamlit as st

from .. import cache, widgets
from ..i18n import _, language
from .view import StepView, tex_number


def section(view: StepView) -> None:
    """The division by the peak, worked out, beside the normalized map with its colorbar."""
    selection, result = view.selection, view.result
    st.subheader(_("6 · Normalization to [0, 1]"))
    left, right = view.two_columns()
    with left:
        st.latex(
            r"\hat L^c = \frac{L^c}{\max_{ij} L^c_{ij}}"
            + (rf" = \frac{{L^c}}{{{tex_number(result.peak)}}}" if not result.is_empty else "")
        )
        st.markdown(
            _(
                "Dividing by the largest value puts the strongest evidence at 1, so a colormap "
                "can show it. The scale is *relative*: a map of a class the model barely sees "
                "looks just as bright. Compare the unnormalized values in step 5."
            )
        )
        widgets.empty_map_note(selection, result)
    with right:
        st.image(
            cache.stage_png(
                view.key, "normalized", selection.cmap, view.aspect, language(), result
            ),
            alt=view.alt(_("The normalized map, 0 to 1, with its colorbar")),
        )
