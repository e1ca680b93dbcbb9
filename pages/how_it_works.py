"""How Grad-CAM works: every step on the current photo, layer and class, with the real tensors."""

from __future__ import annotations

import streamlit as st

import gradcam_core as gc
from app_ui import cache, controls, views
from app_ui import teaching as ui
from gradcam_core import teaching

tex = ui.tex_number

selection = controls.current()
st.markdown(
    "Grad-CAM asks: *which parts of the photo made the network say this class?* It takes one "
    "layer's feature maps **Aᵏ**, weighs each map by how much the class score rises when that "
    "map grows (**α_k**, its average gradient), adds up the weighted maps, keeps the positive "
    "part and lays it over the photo. Each step below shows its formula with the **real "
    "numbers** for the photo, model, layer and class chosen in the sidebar: change any of them "
    "and every step follows."
)
if selection is None:
    st.stop()

walk = ui.walkthrough(selection)
result, scores = walk.result, walk.scores
weights = result.weights
scale = ui.figure_scale(selection)
aspect = ui.aspect(selection)
key = selection.map_key
presenter = selection.presenter
h, w, k_count = walk.activations.shape
class_label = gc.class_name(selection.target)
photo = selection.photo.image
st.caption(
    f"{selection.photo_label} · {selection.spec.title} · layer **{selection.layer.name}** "
    f"({h}×{w} cells, {k_count} channels) · class **{class_label}** ({selection.target}) · "
    f"score: {selection.score}"
)


def two_columns():
    """Side by side on a laptop, one below the other in presenter mode."""
    return (st.container(), st.container()) if presenter else st.columns(2, gap="large")


def image_row(images, captions) -> None:
    """Images side by side, each as wide as its column, described by its caption."""
    for column, image, caption in zip(st.columns(len(images)), images, captions, strict=True):
        column.image(image, caption=caption, width="stretch", alt=alt(caption))


def alt(what: str) -> str:
    """What an image of this page shows, for screen readers."""
    return views.alt_text(selection, what)


# 1. The class score -------------------------------------------------------------------------
st.subheader("1 · Forward pass: the class score yᶜ")
st.markdown(
    "The photo goes through the network once. At the end each of the 1000 classes has a "
    "**logit** z_c (a raw score); softmax turns the logits into probabilities p_c. Grad-CAM "
    "explains one number yᶜ. The paper uses the logit, the score *before* softmax. Here is why."
)
views.predictions_bar(selection)
left, right = two_columns()
with left:
    st.dataframe(
        ui.predictions_table(selection),
        hide_index=True,
        column_config={
            "logit z_c": st.column_config.NumberColumn(format="%.3f"),
            "softmax p_c": st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0
            ),
        },
    )
    st.latex(
        r"y^c = z_c\ \ \text{(logit)}\qquad\text{or}\qquad "
        r"y^c = p_c = \frac{e^{z_c}}{\sum_j e^{z_j}}\ \ \text{(softmax)}"
    )
    logit_column, softmax_column = st.columns(2)
    logit_column.metric("logit z_c", f"{scores.logit:.3f}")
    logit_column.metric("gradient size ‖∂z_c/∂A‖", f"{scores.logit_gradient_norm:.4g}")
    softmax_column.metric("softmax p_c", f"{scores.probability:.1%}")
    softmax_column.metric(
        "gradient size ‖∂p_c/∂A‖",
        f"{scores.softmax_gradient_norm:.4g}",
        delta=f"× {scores.norm_ratio:.2f} of the logit's",
        delta_color="off",
        delta_arrow="off",
    )
with right:
    st.image(
        ui.softmax_png(key, scale, walk.logits),
        alt=alt("The softmax probability of the class as a function of its logit"),
        caption="Softmax as a function of this class's logit, the other logits fixed: an S "
        "curve, flat at both ends. Where it is flat, small changes in the photo barely move "
        "p_c, so its gradient is tiny.",
    )
st.latex(
    r"\frac{\partial p_c}{\partial A} = p_c\Big(\frac{\partial z_c}{\partial A}"
    r" - \sum_j p_j \frac{\partial z_j}{\partial A}\Big),\qquad"
    rf"\frac{{\partial p_c}}{{\partial z_c}} = p_c(1-p_c) = {scores.slope:.3f}"
)
st.markdown(
    f"Through softmax the gradient is **{scores.norm_ratio:.2f}×** the logit's here. It shrinks "
    "towards 0 when the model is very sure (p_c → 1) or sure it is not this class (p_c → 0): "
    "softmax **saturates**. It also mixes in the other classes' gradients (the Σ_j term), so "
    "the map would partly show evidence *against the rival classes*. The logit's gradient is "
    "about this class alone. Switch *Score yᶜ* in the sidebar to compare."
)

# 2. Gradients -------------------------------------------------------------------------------
st.subheader("2 · Feature maps Aᵏ and their gradients ∂yᶜ/∂Aᵏ")
st.markdown(
    f"Layer **{selection.layer.name}** outputs K = {k_count} feature maps of {h}×{w} cells; each "
    "channel k responds to some pattern (a texture, a part, …). Backpropagation gives, for every "
    "cell, how much yᶜ would rise if that cell's activation grew: the gradient. Shown: the "
    "channels with the largest |α_k| (step 3), their map Aᵏ on top (each on its own scale) and "
    "its gradient below (one scale for all; red raises yᶜ, blue lowers it)."
)
st.latex(
    rf"A \in \mathbb{{R}}^{{h\times w\times K}} = \mathbb{{R}}^{{{h}\times {w}\times {k_count}}},"
    r"\qquad \frac{\partial y^c}{\partial A^k_{ij}}"
)
count = st.segmented_control(
    "Channels shown", [4, 8, 12, 16], default=8, required=True, key="how_channels"
)
columns = 4 if presenter else 8
st.image(
    ui.channels_png(key, int(count), columns, aspect, scale, walk),
    alt=alt(f"The {int(count)} feature maps with the largest |alpha_k| and their gradients"),
)
if teaching.is_spatially_constant(walk.gradients):
    st.info(
        "At this layer every cell of a channel gets the **same gradient**: the network averages "
        "each map over the whole image (global average pooling) right after it, so "
        "∂yᶜ/∂Aᵏ_ij = w_k,c / Z, the class's weight in the last dense layer over the number of "
        "cells. Here Grad-CAM equals the original CAM. Pick an earlier layer in the sidebar to "
        "see gradients that vary from cell to cell."
    )

# 3. Channel weights -------------------------------------------------------------------------
st.subheader("3 · Channel weights α_k: the average gradient")
top = int(teaching.top_channels(weights, 1)[0])
gradient_sum = walk.gradient_sum(top)
st.markdown(
    f"Averaging each channel's gradient over its {h}×{w} = {walk.cells} cells gives one number "
    "per channel: how important that pattern is for the class, wherever it appears."
)
st.latex(
    r"\alpha_k^c = \frac{1}{Z}\sum_{i=1}^{h}\sum_{j=1}^{w}\frac{\partial y^c}{\partial A^k_{ij}}"
    rf",\qquad Z = h\cdot w = {walk.cells}"
)
st.latex(
    rf"\alpha_{{{top}}}^c = \frac{{1}}{{{walk.cells}}}\sum_{{i,j}}"
    rf"\frac{{\partial y^c}}{{\partial A^{{{top}}}_{{ij}}}} = "
    rf"\frac{{{tex(gradient_sum)}}}{{{walk.cells}}} = {tex(weights[top])}"
    r"\quad\text{(the largest }|\alpha_k|\text{)}"
)
st.altair_chart(ui.weights_chart(weights, presenter), width="stretch")
ordered = teaching.sort_weights(weights)
st.caption(
    f"{ordered.positive} channels push for **{class_label}** (red), {ordered.negative} against "
    f"it (blue). The 10 largest |α_k| carry {teaching.top_share(weights, 10):.0%} of Σ|α_k|. "
    "Hover over a bar to see its channel k."
)

# 4. Weighted sum ----------------------------------------------------------------------------
st.subheader("4 · Weighted sum of the maps")
peak = teaching.peak_cell(result.raw)
terms = teaching.cell_terms(walk.activations, weights, peak, 3)
shown_terms = " + ".join(
    rf"\underbrace{{({tex(t.weight, 3)})({tex(t.activation, 3)})}}_{{k={t.channel}}}" for t in terms
)
st.markdown(
    "Each map Aᵏ is multiplied by its weight α_k and the maps are added: one signed map S of "
    f"{h}×{w} cells. At the strongest cell, row {peak[0]}, column {peak[1]}, the largest terms:"
)
st.latex(r"S^c = \sum_{k=1}^{K} \alpha_k^c\, A^k")
st.latex(
    rf"S^c_{{{peak[0]},{peak[1]}}} = {shown_terms} + \dots"
    rf"\ \text{{({k_count - len(terms)} more)}} = {tex(result.raw[peak])}"
)
st.image(
    ui.partial_sums_png(key, aspect, scale, walk),
    alt=alt("The weighted sum built up channel by channel, largest |alpha_k| first"),
    caption="The sum built up from the channels with the largest |α_k| first (red > 0 > blue); "
    "r is the correlation with the full sum: how much of its pattern those channels give.",
)

# 5. ReLU ------------------------------------------------------------------------------------
st.subheader("5 · ReLU: keep what speaks for the class")
effect = teaching.relu_effect(result.raw)
st.latex(r"L^c = \mathrm{ReLU}\big(S^c\big) = \max\big(S^c,\,0\big)")
st.image(
    ui.relu_png(key, selection.cmap, aspect, scale, result.raw),
    alt=alt("The weighted sum before and after ReLU"),
)
cells, mass, low, high = st.columns(4)
cells.metric("cells set to 0", f"{effect.negative_share:.0%}")
mass.metric("share of |S| removed", f"{effect.negative_mass_share:.0%}")
plain = {"delta_color": "off", "delta_arrow": "off"}
low.metric("min", f"{effect.min_after:.3g}", delta=f"was {effect.min_before:.3g}", **plain)
high.metric("max", f"{effect.max_after:.3g}", delta="unchanged", **plain)
st.markdown(
    "Negative cells hold features that *lower* the class score. Grad-CAM keeps only the "
    "positive evidence; without ReLU the map also lights up other objects and the background, "
    "and localizes worse (Selvaraju et al., 2017)."
)

# 6. Normalization ---------------------------------------------------------------------------
st.subheader("6 · Normalization to [0, 1]")
left, right = two_columns()
with left:
    st.latex(
        r"\hat L^c = \frac{L^c}{\max_{ij} L^c_{ij}}"
        + (rf" = \frac{{L^c}}{{{tex(result.peak)}}}" if not result.is_empty else "")
    )
    st.markdown(
        "Dividing by the largest value puts the strongest evidence at 1, so a colormap can show "
        "it. The scale is *relative*: a map of a class the model barely sees looks just as "
        "bright. Compare the unnormalized values in step 5."
    )
    views.empty_map_note(selection, result)
with right:
    st.image(
        cache.stage_png(key, "normalized", selection.cmap, aspect, result),
        alt=alt("The normalized map, 0 to 1, with its colorbar"),
    )

# 7. Upsampling ------------------------------------------------------------------------------
st.subheader("7 · Upsampling to the photo")
width, height = photo.size
grid = teaching.cell_grid(h, w, width, height)
st.markdown(
    f"The map has {h}×{w} cells; the photo {width}×{height} pixels. The whole photo was resized "
    f"to the model's square input, so each cell stands for a block of about "
    f"**{grid.block_width:.0f}×{grid.block_height:.0f} px** of the photo. *Nearest* paints each "
    "block with its cell's value; *bilinear* (used for the overlay) blends between cell "
    "centres. The cyan box is the strongest cell."
)
st.latex(
    r"u = \Big(x + \tfrac12\Big)\frac{w}{W} - \tfrac12,\quad "
    r"v = \Big(y + \tfrac12\Big)\frac{h}{H} - \tfrac12,\qquad "
    r"\mathrm{up}(\hat L)(x, y) = \hat L \text{ interpolated at } (u, v)"
)
panels = ui.upsampling_panels(key, selection.cmap, photo, result.normalized)
captions = (
    f"The photo and the {h}×{w} cell grid"
    + (" (too fine to draw)" if min(grid.block_width, grid.block_height) < 5 else ""),
    "Nearest: one colour per block",
    "Bilinear: smooth between cell centres",
)
if presenter:  # the photo alone, then nearest and bilinear side by side, larger
    image_row(panels[:1], captions[:1])
    image_row(panels[1:], captions[1:])
else:
    image_row(panels, captions)

# 8. Overlay ---------------------------------------------------------------------------------
st.subheader("8 · Overlay on the photo")
st.latex(
    r"\text{overlay} = (1-a)\,I + a\;\mathrm{cmap}\big(\mathrm{up}(\hat L^c)\big),"
    rf"\qquad a = {selection.opacity:.2f}"
)
image_row(
    (photo, cache.overlay(key, selection.cmap, selection.opacity, photo, result.normalized)),
    (
        f"The photo I ({width}×{height} px)",
        f"Grad-CAM for {class_label} at {selection.layer.name}, {selection.cmap} colormap",
    ),
)
st.caption(
    "The same steps as the classic Keras tutorial: predict, take the gradient of the class "
    "score, average it per channel, weight the maps, ReLU, normalize, upsample and overlay."
)
