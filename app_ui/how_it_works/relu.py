"""Step 5: ReLU keeps the positive evidence; what it removed, in numbers."""

from __future__ import annotations

import streamlit as st

from gradcam_core import walkthrough

from ..i18n import _, language
from . import cached
from .view import StepView


def section(view: StepView) -> None:
    """The weighted sum before and after ReLU, and the share of cells and of |S| it removed."""
    raw = view.result.raw
    st.subheader(_("5 · ReLU: keep what speaks for the class"))
    effect = walkthrough.relu_effect(raw)
    st.latex(r"L^c = \mathrm{ReLU}\big(S^c\big) = \max\big(S^c,\,0\big)")
    st.image(
        cached.relu_png(view.key, view.selection.cmap, view.aspect, view.scale, language(), raw),
        alt=view.alt(_("The weighted sum before and after ReLU")),
    )
    cells, mass, low, high = st.columns(4)
    cells.metric(_("cells set to 0"), f"{effect.negative_share:.0%}")
    mass.metric(_("share of |S| removed"), f"{effect.negative_mass_share:.0%}")
    plain = {"delta_color": "off", "delta_arrow": "off"}
    was = _("was {value:.3g}").format(value=effect.min_before)
    low.metric(_("min"), f"{effect.min_after:.3g}", delta=was, **plain)
    high.metric(_("max"), f"{effect.max_after:.3g}", delta=_("unchanged"), **plain)
    st.markdown(
        _(
            "Negative cells hold features that *lower* the class score. Grad-CAM keeps only the "
            "positive evidence; without ReLU the map also lights up other objects and the "
            "background, and localizes worse (Selvaraju et al., 2017)."
        )
    )
