"""The Layers page's scrubber: which layers to show, the slider, the chosen layer's views and
facts, and the grid of small maps; a fragment, so the slider reruns only this."""

from __future__ import annotations

import streamlit as st

import gradcam_core as gc
from gradcam_core import layers, walkthrough

from .. import language
from ..controls import Selection
from ..i18n import N_, _, ngettext
from ..text import signed_layer_note
from . import cached
from .cached import THUMBNAIL_WIDTH, LayersKey

LAYER_FILTERS = (
    N_("Block outputs"),
    N_("One per resolution"),
    N_("Every Nth layer"),
    N_("Every layer"),
)  # the values are the English names; the radio shows them translated


def filter_layers(table: list[gc.LayerInfo], how: str, n: int) -> list[str]:
    """The layers the page shows, input to output."""
    names = [info.name for info in table]
    if how == "Block outputs":
        return layers.block_outputs(names)
    if how == "One per resolution":
        return layers.resolution_outputs(table)
    if how == "Every Nth layer":
        return layers.every_nth(names, n)
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
    how = choice.radio(
        _("Layers to show"),
        LAYER_FILTERS,
        format_func={name: _(name) for name in LAYER_FILTERS}.get,
        horizontal=True,
        key="layers_filter",
    )
    n = every.number_input(
        "N", min_value=2, max_value=30, value=5, key="layers_n", disabled=how != "Every Nth layer"
    )
    shown = filter_layers(table, how, int(n))
    wanted = st.session_state.get("layers_scrub", selection.layer.name)
    st.session_state["layers_scrub"] = layers.nearest_layer(names, shown, wanted)
    chosen = st.select_slider(
        _("Layer: input on the left, output on the right"),
        shown,
        key="layers_scrub",
        format_func=lambda name: f"{name} ({cells_label(by_name[name])})",
    )
    return shown, chosen


def _layer_facts(
    selection: Selection, info: gc.LayerInfo, result: gc.CamResult, grid: walkthrough.CellGrid
) -> None:
    """The layer's size, what a cell covers, the ReLU's effect, and the button to use it."""
    effect = walkthrough.relu_effect(result.raw)
    st.markdown(
        f"**{info.name}** · {info.kind}  \n"
        + _(
            "{h}×{w} cells × {channels} channels; each cell covers about "
            "{block_width:.0f}×{block_height:.0f} px of the photo"
        ).format(
            h=info.height,
            w=info.width,
            channels=info.channels,
            block_width=grid.block_width,
            block_height=grid.block_height,
        )
        + "  \n"
        + _("Before ReLU: {share:.0%} of the cells negative; largest value {largest:.3g}").format(
            share=effect.negative_share, largest=effect.max_before
        )
    )
    signed = signed_layer_note(info.name, result.activations_below_zero, [gc.GradCAM])
    if signed:
        st.caption(signed)
    if result.is_empty:
        class_label = selection.class_name(selection.target)
        st.warning(
            _(
                "No positive evidence for {label} at this layer: every cell of Σ_k α_k Aᵏ is "
                "≤ 0, so the map is empty."
            ).format(label=class_label)
        )
    st.button(
        _("Explain at this layer on every page"),
        on_click=use_layer,
        args=(info.name,),
        disabled=info.name == selection.layer.name,
        help=_("Sets the sidebar's layer, so the other pages use it too."),
    )


def _layer_view(
    selection: Selection, key: LayersKey, info: gc.LayerInfo, result: gc.CamResult, position: str
) -> None:
    """The chosen layer's map over the photo, its cells, and its facts."""
    photo = selection.photo.image
    overlay, cells = cached.layer_views(
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
        caption=_("{layer}: Grad-CAM over the photo (bilinear), layer {position}").format(
            layer=info.name, position=position
        ),
        width="stretch",
    )
    cells_place.image(
        cells,
        caption=_("The same map as {cells} cells (nearest)").format(cells=cells_label(info)),
        width="stretch",
    )
    with facts:
        grid = walkthrough.cell_grid(info.height, info.width, *photo.size)
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
    st.subheader(
        ngettext(
            "{count} layer, input to output", "{count} layers, input to output", len(shown)
        ).format(count=len(shown))
    )
    st.caption(
        _(
            "Each small map is drawn with its cells as blocks (nearest), so you see its "
            "resolution; ▶ marks the layer on the slider."
        )
    )
    empty = _("empty")
    small = cached.thumbnails(key, selection.cmap, selection.opacity, selection.photo.image, maps)
    st.image(
        [small[name] for name in shown],
        caption=[
            f"{'▶ ' if name == chosen else ''}{names.index(name) + 1}. {name} · "
            f"{cells_label(by_name[name])}" + (f" · {empty}" if maps[name].is_empty else "")
            for name in shown
        ],
        width=THUMBNAIL_WIDTH * (3 if selection.presenter else 2) // 2,
    )


@language.fragment(key="layers_scrubber")
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
    position = _("{number} of {count}").format(number=names.index(chosen) + 1, count=len(names))
    _layer_view(selection, key, info, maps[chosen], position)
    _layer_grid(selection, key, maps, table, shown, chosen)
