"""The Methods page's grid: one card per registered CAM method whose result is a layer map."""

from __future__ import annotations

import numpy as np
import streamlit as st

import gradcam_core as gc
import gradcam_core.metrics as gm
from gradcam_core.cams import CAM_METHODS

from .. import cache, text, widgets
from ..i18n import _, render
from . import cached, slow
from .view import MethodsView, show_map


def signed_layer_note(view: MethodsView) -> None:
    """One sentence when the chosen layer's activations have negative values, else nothing."""
    digest, model_name = view.selection.digest, view.selection.model_name
    forward = cache.forward_pass(digest, model_name, view.layer.name, view.photo)
    below_zero = float(np.mean(forward.activations[view.layer.name] < 0))
    note = text.signed_layer_note(view.layer.name, below_zero, list(CAM_METHODS.values()))
    if note is not None:
        st.info(note)


def slow_body(view: MethodsView, method_id: str) -> None:
    """A slow method's card: its cost and button, then its map; the card reruns alone."""
    kind = CAM_METHODS[method_id]
    layer = view.layer

    def show(result: gc.CamResult, seconds: float) -> None:
        passes, _unused = kind.work(layer.channels)
        caption = _("{passes} forward passes in {time}").format(
            passes=passes, time=text.timing(seconds)
        )
        show_map(view, result, method_id, caption, kind)

    slow.card(view.key, method_id, layer.channels, view.photo, show)


def fast_body(view: MethodsView, method_id: str) -> None:
    """The method's map and its time; for a method equal to Grad-CAM up to scale, by how much."""
    kind = CAM_METHODS[method_id]
    result, seconds = cache.method_map(view.key, method_id, view.photo)
    caption = text.timing(seconds)
    if kind.gradcam_equivalence:
        gradcam, _unused = cache.grad_cam(view.key, view.photo)
        gap = gm.max_abs_difference(result.normalized, gradcam.normalized)
        caption += " · " + _(
            "same map as Grad-CAM up to scale (normalized maps differ by at most {gap:.1e}): {why}"
        ).format(gap=gap, why=_(kind.gradcam_equivalence))
    show_map(view, result, method_id, caption, kind)


def method_card(view: MethodsView, method_id: str) -> None:
    """Name, map (or why not, or a button for a slow method), formula and the teacher's note."""
    kind = CAM_METHODS[method_id]
    st.subheader(kind.name, divider="gray")
    reason = cached.unsupported_note(view.selection.model_name, method_id, view.layer.name)
    if reason is not None:
        st.info(_("Not for this layer. {reason}").format(reason=render(reason)))
    elif kind.work(view.layer.channels)[0]:
        slow_body(view, method_id)
    else:
        fast_body(view, method_id)
    st.latex(widgets.formula_in_language(widgets.stacked_formula(kind.formula)))
    st.caption(_(kind.note))


def method_grid(view: MethodsView) -> None:
    """A card for every registered method whose result is a layer map, in registry order."""
    shown = [method_id for method_id, kind in CAM_METHODS.items() if not kind.pixel_level]
    cells = widgets.grid(len(shown), 3, view.selection.presenter)
    for cell, method_id in zip(cells, shown, strict=True):
        with cell:
            method_card(view, method_id)
