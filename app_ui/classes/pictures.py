"""How the Classes page shows a map: over the photo, or signed, with a caption and alt text."""

from __future__ import annotations

import streamlit as st

import gradcam_core as gc

from .. import cache
from ..controls import Selection
from ..i18n import _


def probability_text(selection: Selection, class_index: int) -> str:
    """The probability from the sidebar's forward pass (two decimals beyond the top-k)."""
    top = {p.index for p in selection.predictions}
    return f"{selection.probability(class_index):.{1 if class_index in top else 2}%}"


def map_caption(selection: Selection, result: gc.CamResult) -> str:
    """The class, its probability, and its score (or that its map is empty)."""
    index = result.class_index
    label = f"{selection.class_name(index)} · {probability_text(selection, index)}"
    if result.is_empty:
        return _("{label} · no positive evidence at this layer").format(label=label)
    return f"{label} · {result.score_kind} y = {result.score:.3g}"


def show_overlay(selection: Selection, result: gc.CamResult, what: str, caption: str) -> None:
    """The normalized map named ``what`` over the photo preview."""
    key = selection.map_key._replace(class_index=result.class_index)
    photo = selection.photo.image
    st.image(
        cache.preview_overlay(
            key, what, selection.cmap, selection.opacity, photo, result.normalized
        ),
        caption=caption,
        width="stretch",
        alt=_("{caption}: map over the photo, layer {layer}").format(
            caption=caption, layer=selection.layer.name
        ),
    )


def show_signed(selection: Selection, result: gc.CamResult, what: str, caption: str) -> None:
    """The signed map named ``what`` over the photo preview: red for, blue against."""
    key = selection.map_key._replace(class_index=result.class_index)
    photo = selection.photo.image
    st.image(
        cache.preview_signed_overlay(key, what, selection.opacity, photo, result.raw),
        caption=caption,
        width="stretch",
        alt=_("{caption}: signed map over the photo, layer {layer}").format(
            caption=caption, layer=selection.layer.name
        ),
    )
