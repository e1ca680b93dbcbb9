"""Layout pieces of the Methods page: one card per registered CAM method, and its two sections.

Everything a card says about a method (name, formula, note, what an empty map means, what it
does on signed layers, where it does not apply, whether it is slow) is declared on the method's
class in ``gradcam_core.cams``, so a method added to ``CAM_METHODS`` gets its card unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import gradcam_core as gc
from gradcam_core import comparisons
from gradcam_core.cams import CAM_METHODS, BaseCAM, GradCAM, HiResCAM, hires_minus_gradcam

from . import cache
from . import comparisons as ui
from .controls import Selection


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


def timing(seconds: float) -> str:
    """'85 ms' below ten seconds, '80 s' above."""
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.0f} s"


def show_map(
    view: MethodsView, result: gc.CamResult, what: str, caption: str, kind: type[BaseCAM]
) -> None:
    """The normalized map over the photo; an empty map says why in the method's own words."""
    if result.is_empty:
        caption = f"{kind.empty_note.format(class_name=view.class_label)} · {caption}"
    cmap, opacity = view.selection.cmap, view.selection.opacity
    st.image(
        ui.overlay(view.key, what, cmap, opacity, view.photo, result.normalized),
        caption=caption,
        width="stretch",
    )


def signed_layer_note(view: MethodsView) -> None:
    """One sentence when the chosen layer's activations have negative values, else nothing."""
    digest, model_name = view.selection.digest, view.selection.model_name
    forward = cache.forward_pass(digest, model_name, view.layer.name, view.photo)
    below_zero = float(np.mean(forward.activations[view.layer.name] < 0))
    note = comparisons.signed_layer_note(view.layer.name, below_zero, list(CAM_METHODS.values()))
    if note is not None:
        st.info(note)


def score_cam_body(view: MethodsView) -> None:
    """A slow method's card: its cost and button, then its map; the card reruns alone."""
    layer = view.layer

    def show(result: gc.CamResult, seconds: float) -> None:
        caption = f"{layer.channels} forward passes in {timing(seconds)}"
        show_map(view, result, "scorecam", caption, CAM_METHODS["scorecam"])

    ui.score_cam_card(view.key, layer.channels, view.photo, show)


def fast_body(view: MethodsView, method_id: str) -> None:
    """The method's map and its time; for a method equal to Grad-CAM up to scale, by how much."""
    kind = CAM_METHODS[method_id]
    result, seconds = ui.method_map(view.key, method_id, view.photo)
    caption = timing(seconds)
    if kind.gradcam_equivalence:
        gradcam, _ = ui.method_map(view.key, "gradcam", view.photo)
        gap = comparisons.max_abs_difference(result.normalized, gradcam.normalized)
        caption += (
            f" · same map as Grad-CAM up to scale (normalized maps differ by at most {gap:.1e}): "
            f"{kind.gradcam_equivalence}"
        )
    show_map(view, result, method_id, caption, kind)


def method_card(view: MethodsView, method_id: str) -> None:
    """Name, map (or why not, or a button for a slow method), formula and the teacher's note."""
    kind = CAM_METHODS[method_id]
    st.subheader(kind.name, divider="gray")
    reason = ui.unsupported_note(view.selection.model_name, method_id, view.layer.name)
    if reason is not None:
        st.info(f"Not for this layer. {reason}")
    elif kind.cost:
        score_cam_body(view)
    else:
        fast_body(view, method_id)
    st.latex(ui.stacked_formula(kind.formula))
    st.caption(kind.note)


def method_grid(view: MethodsView) -> None:
    """A card for every registered method whose result is a layer map, in registry order."""
    shown = [method_id for method_id, kind in CAM_METHODS.items() if not kind.pixel_level]
    cells = ui.grid(len(shown), 3, view.selection.presenter)
    for cell, method_id in zip(cells, shown, strict=True):
        with cell:
            method_card(view, method_id)


def hires_section(view: MethodsView) -> None:
    """HiResCAM − Grad-CAM: where averaging the gradient over the grid spreads attention."""
    st.header("Where does gradient averaging spread the attention?")
    st.markdown(
        "Grad-CAM first **averages** each channel's gradient over the grid, then multiplies: a "
        "channel that matters in one place lends its weight to every cell where it is active. "
        "HiResCAM keeps the gradient **cell by cell**. Their difference shows the spread: "
        "**blue** cells get attention from Grad-CAM only, **red** cells are where HiResCAM "
        "concentrates it."
    )
    hires, _ = ui.method_map(view.key, "hirescam", view.photo)
    gradcam, _ = ui.method_map(view.key, "gradcam", view.photo)
    difference = hires_minus_gradcam(hires, gradcam)
    summary = comparisons.summarize_difference(difference)
    if max(-summary.lowest, summary.highest) < 1e-6:
        st.info(
            f"The two maps are identical at {view.layer.name}: this layer is pooled straight into "
            "the classifier, so the gradient is the same in every cell and averaging it changes "
            "nothing. Pick an earlier layer in the sidebar to see them differ."
        )
        return
    cells = ui.grid(3, 3, view.selection.presenter)
    with cells[0]:
        show_map(view, gradcam, "gradcam", "Grad-CAM", GradCAM)
    with cells[1]:
        show_map(view, hires, "hirescam", "HiResCAM", HiResCAM)
    with cells[2]:
        st.image(
            ui.signed_overlay(
                view.key, "hires-minus-gradcam", view.selection.opacity, view.photo, difference
            ),
            caption=f"HiResCAM − Grad-CAM: blue down to {summary.lowest:+.2f} "
            f"({summary.a_above_share:.0%} of cells below −{summary.threshold:g}), red up to "
            f"{summary.highest:+.2f} ({summary.b_above_share:.0%} above +{summary.threshold:g})",
            width="stretch",
        )


def guided_section(view: MethodsView) -> None:
    """Guided backprop × Grad-CAM, then each pixel-level method's formula and note."""
    st.header("Pixel level: Guided Backprop and Guided Grad-CAM")
    st.markdown(
        "CAM maps are as coarse as the layer's grid. **Guided backpropagation** is the gradient "
        "of the score with respect to the *pixels*, letting only positive gradients back "
        "through each ReLU: sharp edges, but hardly class-specific. Multiplying it by the "
        "upsampled Grad-CAM map keeps the detail *inside* the region of the class."
    )
    images = ui.pixel_images(view.key, view.photo)
    gradcam, _ = ui.method_map(view.key, "gradcam", view.photo)
    cells = ui.grid(3, 3, view.selection.presenter)
    cells[0].image(images.guided, caption="Guided Backprop ∂y^c/∂X (guided)", width="stretch")
    with cells[1]:
        show_map(view, gradcam, "gradcam", "× Grad-CAM, upsampled", GradCAM)
    cells[2].image(
        images.guided_gradcam,
        caption=f"= Guided Grad-CAM · {timing(images.seconds)}",
        width="stretch",
    )
    for kind in CAM_METHODS.values():
        if kind.pixel_level:
            st.latex(kind.formula)
            st.caption(kind.note)
