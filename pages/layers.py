"""Layers: Grad-CAM at every 4-D layer from one forward and one backward pass, input to output."""

from __future__ import annotations

import streamlit as st

import gradcam_core as gc
from app_ui import cache, controls
from app_ui import teaching as ui
from gradcam_core import comparisons, teaching

selection = controls.current()
st.markdown(
    "Grad-CAM can explain *any* layer, not just the last one. **Early layers** (left on the "
    "slider) see small patches of the photo: their maps are fine, with many cells, and follow "
    "edges and textures, often all over the photo. **Late layers** (right) see large parts of "
    "it: coarse maps of a few cells that pick out the object of the class. That trade-off "
    "between detail and meaning is why Grad-CAM usually uses the last convolutional layer. "
    "Drag the slider and watch the map sharpen into the object."
)
if selection is None:
    st.stop()

photo = selection.photo.image
key = ui.LayersKey(selection.digest, selection.model_name, selection.target, selection.score)
maps, seconds = ui.all_layer_maps(key, photo)
table = [info for info in cache.layer_table(selection.model_name) if info.name in maps]
if not table:
    st.error(f"{selection.spec.title} has no feature-map layer Grad-CAM could explain.")
    st.stop()
by_name = {info.name: info for info in table}
names = [info.name for info in table]
class_label = gc.class_name(selection.target)
st.caption(
    f"Grad-CAM for **{class_label}** ({selection.target}, {selection.score} score) at all "
    f"{len(names)} feature-map layers of {selection.spec.title}, from one forward and one "
    f"backward pass in {seconds:.2f} s (cached for this photo, model, class and score)."
)


def cells_label(name: str) -> str:
    info = by_name[name]
    return f"{info.height}×{info.width}"


choice, every = st.columns([4, 1])
how = choice.radio("Layers to show", ui.LAYER_FILTERS, horizontal=True, key="layers_filter")
n = every.number_input(
    "N", min_value=2, max_value=30, value=5, key="layers_n", disabled=how != "Every Nth layer"
)
shown = ui.filter_layers(table, how, int(n))
wanted = st.session_state.get("layers_scrub", selection.layer.name)
st.session_state["layers_scrub"] = teaching.nearest_layer(names, shown, wanted)
chosen = st.select_slider(
    "Layer: input on the left, output on the right",
    shown,
    key="layers_scrub",
    format_func=lambda name: f"{name} ({cells_label(name)})",
)

result, info = maps[chosen], by_name[chosen]
overlay, cells = ui.layer_views(
    key, chosen, selection.cmap, selection.opacity, photo, result.normalized
)
grid = teaching.cell_grid(info.height, info.width, *photo.size)
effect = teaching.relu_effect(result.raw)
if selection.presenter:  # the overlay across the screen, the cells and facts below it
    big = st.container()
    cells_place, facts = st.columns(2)
else:
    big, cells_place = st.columns([3, 2])
    facts = cells_place
big.image(
    overlay,
    caption=f"{chosen}: Grad-CAM over the photo (bilinear), layer {names.index(chosen) + 1} of "
    f"{len(names)}",
    width="stretch",
)
cells_place.image(
    cells, caption=f"The same map as {cells_label(chosen)} cells (nearest)", width="stretch"
)
with facts:
    st.markdown(
        f"**{chosen}** · {info.kind}  \n"
        f"{info.height}×{info.width} cells × {info.channels} channels; each cell covers about "
        f"{grid.block_width:.0f}×{grid.block_height:.0f} px of the photo  \n"
        f"Before ReLU: {effect.negative_share:.0%} of the cells negative; largest value "
        f"{effect.max_before:.3g}"
    )
    signed = comparisons.signed_layer_note(chosen, result.activations_below_zero, [gc.GradCAM])
    if signed:
        st.caption(signed)
    if result.is_empty:
        st.warning(
            f"No positive evidence for {class_label} at this layer: every cell of "
            "Σ_k α_k Aᵏ is ≤ 0, so the map is empty."
        )
    st.button(
        "Explain at this layer on every page",
        on_click=ui.use_layer,
        args=(chosen,),
        disabled=chosen == selection.layer.name,
        help="Sets the sidebar's layer, so the other pages use it too.",
    )

st.subheader(f"{len(shown)} layers, input to output")
st.caption(
    "Each small map is drawn with its cells as blocks (nearest), so you see its resolution; "
    "▶ marks the layer on the slider."
)
thumbnails = ui.thumbnails(key, selection.cmap, selection.opacity, photo, maps)
st.image(
    [thumbnails[name] for name in shown],
    caption=[
        f"{'▶ ' if name == chosen else ''}{names.index(name) + 1}. {name} · {cells_label(name)}"
        + (" · empty" if maps[name].is_empty else "")
        for name in shown
    ],
    width=ui.THUMBNAIL_WIDTH * (3 if selection.presenter else 2) // 2,
)
