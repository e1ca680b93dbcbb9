"""Cached calls and layout pieces for the teaching pages ("How Grad-CAM works" and "Layers").

Same rules as ``cache.py``: keys are digests and names, arrays go in underscore-prefixed
arguments, every TensorFlow call holds ``gc.TF_LOCK``. The walkthrough reuses the sidebar's
cached forward pass and adds one head-only backward pass per score (logit and softmax); the
Layers page gets every layer's map from one forward and one backward pass.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

import gradcam_core as gc
from gradcam_core import comparisons, engine, export, figures, teaching
from gradcam_core import figures_teaching as ft
from gradcam_core.cams import grad_cam_all_layers

from . import cache
from .controls import Selection

THUMBNAIL_WIDTH = 240


class GradientKey(NamedTuple):
    """What both scores' gradients depend on: photo digest, model, layer and class."""

    digest: str
    model: str
    layer: str
    class_index: int


class LayersKey(NamedTuple):
    """What the all-layers maps depend on: photo digest, model, class and score."""

    digest: str
    model: str
    class_index: int
    score: gc.Score


def figure_scale(selection: Selection) -> float:
    """How much larger figures are drawn in presenter mode."""
    return 1.4 if selection.presenter else 1.0


def aspect(selection: Selection) -> float:
    """The photo's height / width: map cells are drawn in the shape of the blocks they cover."""
    width, height = selection.photo.image.size
    return height / width


def tex_number(value: float, digits: int = 4) -> str:
    """A number for st.latex: 0.00123, or 9.33 \\times 10^{-5} instead of 9.33e-05."""
    text = f"{float(value):.{digits}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa}\times 10^{{{int(exponent)}}}"


# --- How Grad-CAM works ---------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner="Computing dy^c/dA for both scores…", show_time=True)
def both_gradients(
    key: GradientKey, _image: Image.Image
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """y^c and dy^c/dA (h, w, K) for the logit and the softmax score, from the cached forward."""
    forward = cache.forward_pass(key.digest, key.model, key.layer, _image)
    model = cache.load_model(key.model)
    x = cache.model_input(key.digest, key.model, _image)
    activations = forward.activations[key.layer]
    scores: dict[str, float] = {}
    gradients: dict[str, np.ndarray] = {}
    with gc.TF_LOCK:
        for score in gc.SCORES:
            values, grads = engine.class_gradients(
                model, x, key.layer, activations, [key.class_index], score
            )
            scores[score], gradients[score] = float(values[0]), grads[0]
    return scores, gradients


def walkthrough(selection: Selection) -> teaching.Walkthrough:
    """Every tensor of the current selection's Grad-CAM (gradients cached, the rest is cheap)."""
    image = selection.photo.image
    forward = cache.forward_pass(
        selection.digest, selection.model_name, selection.layer.name, image
    )
    key = GradientKey(
        selection.digest, selection.model_name, selection.layer.name, selection.target
    )
    scores, gradients = both_gradients(key, image)
    return teaching.walkthrough(
        forward.activations[selection.layer.name],
        forward.logits,
        gradients,
        scores,
        layer=selection.layer.name,
        class_index=selection.target,
        score=selection.score,
        head=selection.classifier.head,
    )


@st.cache_data(max_entries=32, show_spinner=False)
def channels_png(
    key: cache.MapKey, count: int, columns: int, aspect: float, scale: float, _walk
) -> bytes:
    """The grid of A^k and dy^c/dA^k for the channels with the largest |alpha_k|."""
    weights = _walk.result.weights
    channels = ft.channel_list(weights, count)
    return ft.channels_png(
        _walk.activations, _walk.gradients, weights, channels, columns, aspect, scale
    )


@st.cache_data(max_entries=32, show_spinner=False)
def softmax_png(key: cache.MapKey, scale: float, _logits: np.ndarray) -> bytes:
    """p_c against z_c with the current point and its slope (softmax, or a sigmoid head's)."""
    head = cache.classifier(key.model).head
    return ft.softmax_curve_png(_logits, key.class_index, scale, head)


@st.cache_data(max_entries=32, show_spinner=False)
def partial_sums_png(key: cache.MapKey, aspect: float, scale: float, _walk) -> bytes:
    """The weighted sum over the top 1, 10, 100, ... and all channels."""
    weights = _walk.result.weights
    counts = teaching.partial_counts(weights.size)
    return ft.partial_sums_png(_walk.activations, weights, counts, aspect, scale)


@st.cache_data(max_entries=32, show_spinner=False)
def relu_png(key: cache.MapKey, cmap: str, aspect: float, scale: float, _raw: np.ndarray) -> bytes:
    """Before ReLU, what it removes, after."""
    return ft.relu_png(_raw, cmap, aspect, scale)


@st.cache_data(max_entries=16, show_spinner=False)
def upsampling_panels(
    key: cache.MapKey, cmap: str, _photo: Image.Image, _normalized: np.ndarray
) -> tuple[bytes, bytes, bytes]:
    """Photo with the cell grid, nearest and bilinear upsampling (a preview of the photo), each
    encoded once."""
    photo = figures.preview(_photo, 900)
    grid = teaching.cell_grid(*_normalized.shape, *photo.size)
    with_grid, nearest, bilinear = ft.upsampling_panels(photo, _normalized, grid, cmap)
    return ft.jpeg_bytes(with_grid), export.png_bytes(nearest), ft.jpeg_bytes(bilinear)


def weights_chart(weights: np.ndarray, presenter: bool) -> alt.Chart:
    """alpha_k sorted, one bar per channel: red for > 0, blue for < 0; hover shows k."""
    ordered = teaching.sort_weights(weights)
    frame = pd.DataFrame(
        {
            "rank": np.arange(ordered.values.size),
            "channel k": ordered.channels,
            "alpha_k": ordered.values,
            "sign": np.where(ordered.values >= 0, "α > 0: for the class", "α < 0: against it"),
        }
    )
    font = 16 if presenter else 12
    return (
        alt.Chart(frame)
        .mark_bar(width=max(1.0, 700 / max(1, ordered.values.size)))
        .encode(
            x=alt.X(
                "rank:Q",
                title="channels, sorted by α_k",
                axis=alt.Axis(labels=False, ticks=False, grid=False),
                scale=alt.Scale(domain=[-0.5, ordered.values.size - 0.5], nice=False, zero=False),
            ),
            y=alt.Y("alpha_k:Q", title="α_k"),
            color=alt.Color(
                "sign:N",
                scale=alt.Scale(
                    domain=["α > 0: for the class", "α < 0: against it"],
                    range=[ft.POSITIVE_COLOR, ft.NEGATIVE_COLOR],
                ),
                legend=alt.Legend(title=None, orient="top", labelFontSize=font),
            ),
            tooltip=["channel k:Q", alt.Tooltip("alpha_k:Q", format="+.4g")],
        )
        .properties(height=320 if presenter else 240)
        .configure_axis(labelFontSize=font, titleFontSize=font)
    )


def predictions_table(selection: Selection) -> pd.DataFrame:
    """The top-k with both scores: logit z_c and softmax p_c; the explained class is marked."""
    return pd.DataFrame(
        {
            "class": [
                ("▶ " if p.index == selection.target else "") + f"{p.name} ({p.index})"
                for p in selection.predictions
            ],
            "logit z_c": [p.logit for p in selection.predictions],
            "softmax p_c": [p.probability for p in selection.predictions],
        }
    )


# --- Layers ---------------------------------------------------------------------------------


@st.cache_data(
    max_entries=8,
    show_spinner="Grad-CAM for every layer: one forward and one backward pass…",
    show_time=True,
)
def all_layer_maps(key: LayersKey, _image: Image.Image) -> tuple[dict[str, gc.CamResult], float]:
    """{layer: Grad-CAM} for every 4-D layer, input to output; and the seconds it took."""
    start = time.perf_counter()
    model = cache.load_model(key.model)
    x = cache.model_input(key.digest, key.model, _image)
    with gc.TF_LOCK:
        maps = grad_cam_all_layers(model, x, key.class_index, score=key.score)
    return maps, time.perf_counter() - start


@st.cache_data(max_entries=8, show_spinner=False)
def thumbnails(
    key: LayersKey, cmap: str, opacity: float, _photo: Image.Image, _maps: dict
) -> dict[str, bytes]:
    """A small JPEG overlay per layer, the cells shown as blocks (nearest)."""
    small = ft.thumbnail(_photo, THUMBNAIL_WIDTH)
    return {
        name: ft.layer_thumbnail(small, result.normalized, cmap, opacity)
        for name, result in _maps.items()
    }


@st.cache_data(max_entries=32, show_spinner=False)
def layer_views(
    key: LayersKey,
    layer: str,
    cmap: str,
    opacity: float,
    _photo: Image.Image,
    _normalized: np.ndarray,
) -> tuple[bytes, bytes]:
    """One layer's map over the photo (bilinear, JPEG) and its cells (nearest, with the grid,
    PNG), encoded once so that scrubbing back to a layer sends cached bytes."""
    photo = figures.preview(_photo, 1024)
    grid = teaching.cell_grid(*_normalized.shape, *photo.size)
    cells = ft.draw_grid(
        ft.upsampled(_normalized, photo.size, "nearest", cmap),
        grid,
        teaching.peak_cell(_normalized),
    )
    return ft.jpeg_bytes(gc.overlay(photo, _normalized, cmap, opacity)), export.png_bytes(cells)


LAYER_FILTERS = ("Block outputs", "One per resolution", "Every Nth layer", "Every layer")


def filter_layers(table: list[gc.LayerInfo], how: str, n: int) -> list[str]:
    """The layers the page shows, input to output."""
    names = [info.name for info in table]
    if how == "Block outputs":
        return teaching.block_outputs(names)
    if how == "One per resolution":
        return teaching.resolution_outputs(table)
    if how == "Every Nth layer":
        return teaching.every_nth(names, n)
    return names


def use_layer(name: str) -> None:
    """Callback: explain at this layer on every page (sets the sidebar's layer, reruns the app).

    The button is in the scrubber's fragment; ``st.rerun()`` in the callback makes its rerun a
    full one, so the sidebar and the rest of the page follow the new layer.
    """
    st.session_state["layer"] = name
    st.rerun()


def cells_label(info: gc.LayerInfo) -> str:
    """The layer's grid of cells, e.g. '14×14'."""
    return f"{info.height}×{info.width}"


def _pick_layer(table: list[gc.LayerInfo], selection: Selection) -> tuple[list[str], str]:
    """The filter and the slider: the layers shown and the one chosen (the sidebar's at first)."""
    by_name = {info.name: info for info in table}
    names = list(by_name)
    choice, every = st.columns([4, 1])
    how = choice.radio("Layers to show", LAYER_FILTERS, horizontal=True, key="layers_filter")
    n = every.number_input(
        "N", min_value=2, max_value=30, value=5, key="layers_n", disabled=how != "Every Nth layer"
    )
    shown = filter_layers(table, how, int(n))
    wanted = st.session_state.get("layers_scrub", selection.layer.name)
    st.session_state["layers_scrub"] = teaching.nearest_layer(names, shown, wanted)
    chosen = st.select_slider(
        "Layer: input on the left, output on the right",
        shown,
        key="layers_scrub",
        format_func=lambda name: f"{name} ({cells_label(by_name[name])})",
    )
    return shown, chosen


def _layer_facts(
    selection: Selection, info: gc.LayerInfo, result: gc.CamResult, grid: teaching.CellGrid
) -> None:
    """The layer's size, what a cell covers, the ReLU's effect, and the button to use it."""
    effect = teaching.relu_effect(result.raw)
    st.markdown(
        f"**{info.name}** · {info.kind}  \n"
        f"{info.height}×{info.width} cells × {info.channels} channels; each cell covers about "
        f"{grid.block_width:.0f}×{grid.block_height:.0f} px of the photo  \n"
        f"Before ReLU: {effect.negative_share:.0%} of the cells negative; largest value "
        f"{effect.max_before:.3g}"
    )
    signed = comparisons.signed_layer_note(info.name, result.activations_below_zero, [gc.GradCAM])
    if signed:
        st.caption(signed)
    if result.is_empty:
        class_label = selection.class_name(selection.target)
        st.warning(
            f"No positive evidence for {class_label} at this layer: every "
            "cell of Σ_k α_k Aᵏ is ≤ 0, so the map is empty."
        )
    st.button(
        "Explain at this layer on every page",
        on_click=use_layer,
        args=(info.name,),
        disabled=info.name == selection.layer.name,
        help="Sets the sidebar's layer, so the other pages use it too.",
    )


def _layer_view(
    selection: Selection, key: LayersKey, info: gc.LayerInfo, result: gc.CamResult, position: str
) -> None:
    """The chosen layer's map over the photo, its cells, and its facts."""
    photo = selection.photo.image
    overlay, cells = layer_views(
        key, info.name, selection.cmap, selection.opacity, photo, result.normalized
    )
    if selection.presenter:  # the overlay across the screen, the cells and facts below it
        big = st.container()
        cells_place, facts = st.columns(2)
    else:
        big, cells_place = st.columns([3, 2])
        facts = cells_place
    big.image(
        overlay,
        caption=f"{info.name}: Grad-CAM over the photo (bilinear), layer {position}",
        width="stretch",
    )
    cells_place.image(
        cells, caption=f"The same map as {cells_label(info)} cells (nearest)", width="stretch"
    )
    with facts:
        grid = teaching.cell_grid(info.height, info.width, *photo.size)
        _layer_facts(selection, info, result, grid)


def _layer_grid(
    selection: Selection,
    key: LayersKey,
    maps: dict[str, gc.CamResult],
    table: list[gc.LayerInfo],
    shown: list[str],
    chosen: str,
) -> None:
    """The shown layers' small maps, input to output, the chosen one marked."""
    by_name = {info.name: info for info in table}
    names = list(by_name)
    st.subheader(f"{len(shown)} layers, input to output")
    st.caption(
        "Each small map is drawn with its cells as blocks (nearest), so you see its resolution; "
        "▶ marks the layer on the slider."
    )
    small = thumbnails(key, selection.cmap, selection.opacity, selection.photo.image, maps)
    st.image(
        [small[name] for name in shown],
        caption=[
            f"{'▶ ' if name == chosen else ''}{names.index(name) + 1}. {name} · "
            f"{cells_label(by_name[name])}" + (" · empty" if maps[name].is_empty else "")
            for name in shown
        ],
        width=THUMBNAIL_WIDTH * (3 if selection.presenter else 2) // 2,
    )


@st.fragment(key="layers_scrubber")
def scrubber(
    selection: Selection,
    key: LayersKey,
    maps: dict[str, gc.CamResult],
    table: list[gc.LayerInfo],
) -> None:
    """The layer filter and slider, the chosen layer's views and the grid of small maps.

    A fragment: moving the slider or changing the filter reruns only this, not the sidebar or the
    all-layers pass; a full rerun (a sidebar change) calls it again with the new selection.
    """
    shown, chosen = _pick_layer(table, selection)
    names = [info.name for info in table]
    info = table[names.index(chosen)]
    position = f"{names.index(chosen) + 1} of {len(names)}"
    _layer_view(selection, key, info, maps[chosen], position)
    _layer_grid(selection, key, maps, table, shown, chosen)
