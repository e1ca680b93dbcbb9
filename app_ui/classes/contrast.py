"""Section 3 of Classes: why A rather than B (the contrast map of two chosen classes)."""

from __future__ import annotations

import streamlit as st

from gradcam_core.cams.classes import CONTRAST_FORMULA

from .. import widgets
from ..controls import Selection
from ..i18n import _
from . import cached
from .pictures import probability_text, show_overlay, show_signed


def section(selection: Selection) -> None:
    """Two class pickers (the top two at first), the contrast map and its signed version."""
    st.header(_("3. Why A rather than B?"))
    st.markdown(
        _(
            "Take the **difference of two scores**, y^A − y^B, as the thing to explain. Its "
            "gradient is the difference of the two gradients, so the weights are α^A_k − α^B_k. "
            "The map keeps what raises A *more than* B: for two similar classes (two kinds of "
            "cat) that is often a few details rather than the whole object, and sometimes "
            "context elsewhere in the photo. Red and blue show both directions at once."
        )
    )
    options = cached.class_options(selection.predictions, len(selection.classifier.labels))
    top = [p.index for p in selection.predictions]
    widgets.follow_context(
        {"contrast_a": top[0], "contrast_b": top[1]},
        (selection.digest, selection.model_name),
        "contrast",
    )
    left, right = st.columns(2)

    names = selection.classifier.labels  # not the selection: Streamlit keeps format_func

    def label(index: int) -> str:
        return f"{names.name(index)} ({index})"

    a = left.selectbox(_("Class A"), options, format_func=label, key="contrast_a")
    b = right.selectbox(_("Class B"), options, format_func=label, key="contrast_b")
    if a == b:
        st.warning(_("Pick two different classes: A and B are the same."))
        return
    key = selection.map_key._replace(class_index=a)
    result = cached.contrast(key, b, selection.photo.image)
    name_a, name_b = selection.class_name(a), selection.class_name(b)
    cells = widgets.grid(2, 2, selection.presenter)
    with cells[0]:
        caption = _("Where {a} beats {b} (ReLU, normalized)").format(a=name_a, b=name_b)
        if result.is_empty:
            caption = _("No cell favours {a} over {b} at this layer").format(a=name_a, b=name_b)
        show_overlay(selection, result, f"contrast-{b}", caption)
    with cells[1]:
        caption = _("Red favours {a}, blue favours {b}").format(a=name_a, b=name_b)
        show_signed(selection, result, f"contrast-signed-{b}", caption)
    widgets.latex(CONTRAST_FORMULA)
    st.caption(
        f"{result.score_kind}: y^A − y^B = {result.score:.3g} "
        f"({name_a} {probability_text(selection, a)}, {name_b} {probability_text(selection, b)})."
    )
