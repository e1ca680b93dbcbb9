"""What every step of "How Grad-CAM works" shares: the walkthrough's tensors and layout helpers."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import gradcam_core as gc
from gradcam_core import walkthrough

from .. import cache, widgets
from ..controls import Selection
from ..i18n import _
from .cached import walkthrough_of


@dataclass(frozen=True)
class StepView:
    """The sidebar's selection and its walkthrough (every tensor of its Grad-CAM)."""

    selection: Selection
    walk: walkthrough.Walkthrough

    @property
    def result(self) -> gc.CamResult:
        return self.walk.result

    @property
    def key(self) -> cache.MapKey:
        return self.selection.map_key

    @property
    def presenter(self) -> bool:
        return self.selection.presenter

    @property
    def scale(self) -> float:
        """How much larger figures are drawn in presenter mode."""
        return 1.4 if self.presenter else 1.0

    @property
    def aspect(self) -> float:
        """The photo's height / width: map cells are drawn in the shape of the blocks they cover."""
        width, height = self.selection.photo.image.size
        return height / width

    @property
    def class_label(self) -> str:
        return self.selection.class_name(self.selection.target)

    def alt(self, what: str) -> str:
        """What an image of this page shows, for screen readers."""
        return widgets.alt_text(self.selection, what)

    def two_columns(self):
        """Side by side on a laptop, one below the other in presenter mode."""
        return (st.container(), st.container()) if self.presenter else st.columns(2, gap="large")

    def image_row(self, images, captions) -> None:
        """Images side by side, each as wide as its column, described by its caption."""
        for column, image, caption in zip(st.columns(len(images)), images, captions, strict=True):
            column.image(image, caption=caption, width="stretch", alt=self.alt(caption))


def step_view(selection: Selection) -> StepView:
    """The selection with its walkthrough (gradients cached, the rest is cheap)."""
    return StepView(selection, walkthrough_of(selection))


def tex_number(value: float, digits: int = 4) -> str:
    """A number for st.latex: 0.00123, or 9.33 \\times 10^{-5} instead of 9.33e-05."""
    text = f"{float(value):.{digits}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa}\times 10^{{{int(exponent)}}}"


def caption(view: StepView) -> None:
    """What the steps explain: photo, model, layer (its size), class and score."""
    selection = view.selection
    h, w, k_count = view.walk.activations.shape
    st.caption(
        _(
            "{photo} · {model} · layer **{layer}** ({h}×{w} cells, {k} channels) · class "
            "**{label}** ({index}) · score: {score}"
        ).format(
            photo=selection.photo_label,
            model=selection.title,
            layer=selection.layer.name,
            h=h,
            w=w,
            k=k_count,
            label=view.class_label,
            index=selection.target,
            score=selection.score,
        )
    )
