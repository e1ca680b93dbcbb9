"""What the Methods page's sections share: the selection as they use it, and how a map is shown."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import gradcam_core as gc
from gradcam_core.cams import BaseCAM

from .. import cache
from ..controls import Selection
from ..i18n import _


@dataclass(frozen=True)
class MethodsView:
    """The sidebar's choices as the Methods page uses them."""

    selection: Selection

    @property
    def key(self) -> cache.MapKey:
        return self.selection.map_key

    @property
    def layer(self) -> gc.LayerInfo:
        return self.selection.layer

    @property
    def photo(self):
        return self.selection.photo.image

    @property
    def class_label(self) -> str:
        return self.selection.class_name(self.selection.target)


def show_map(
    view: MethodsView, result: gc.CamResult, what: str, caption: str, kind: type[BaseCAM]
) -> None:
    """The normalized map over the photo; an empty map says why in the method's own words."""
    if result.is_empty:
        caption = f"{_(kind.empty_note).format(class_name=view.class_label)} · {caption}"
    cmap, opacity = view.selection.cmap, view.selection.opacity
    st.image(
        cache.preview_overlay(view.key, what, cmap, opacity, view.photo, result.normalized),
        caption=caption,
        width="stretch",
    )
