"""Section 1 of Classes: Grad-CAM of the top classes side by side, from one forward pass."""

from __future__ import annotations

import streamlit as st

from .. import widgets
from ..controls import Selection
from ..i18n import _
from . import cached
from .pictures import map_caption, show_overlay

TOP_K_CHOICES = (2, 3, 4, 5)


def section(selection: Selection) -> None:
    """A map for each of the k best classes (k chosen), with the time the batch took."""
    st.header(_("1. The top classes side by side"))
    choices = cached.top_k_choices(TOP_K_CHOICES, selection.classifier.num_classes)
    k = st.segmented_control(
        _("How many classes"), choices, default=choices[-1], key="classes_top_k"
    )
    k = min(k or choices[-1], choices[-1])
    maps, seconds = cached.top_class_maps(
        selection.digest,
        selection.model_name,
        selection.layer.name,
        selection.score,
        k,
        selection.photo.image,
    )
    for cell, result in zip(widgets.grid(k, k, selection.presenter), maps, strict=True):
        with cell:
            show_overlay(selection, result, "gradcam", map_caption(selection, result))
    st.caption(
        _(
            "Each map is divided by its own maximum. All {k} come from one forward pass (the one "
            "that made the predictions) and one backward pass for the {k} classes together: "
            "{ms:.0f} ms."
        ).format(k=k, ms=seconds * 1000)
    )
