"""Methods: the CAM family on the same photo, layer and class, each with its formula."""

from __future__ import annotations

import streamlit as st

import gradcam_core as gc
from app_ui import comparisons as ui
from app_ui import controls
from gradcam_core import comparisons
from gradcam_core.cams import CAM_METHODS, GuidedGradCAM, hires_minus_gradcam

GRID = ("gradcam", "gradcam++", "xgradcam", "hirescam", "layercam", "scorecam", "eigencam", "cam")
NOTES = {
    "gradcam": "The reference: each channel weighted by its gradient averaged over the grid.",
    "gradcam++": "Weights only the positive gradients, cell by cell, with higher-order terms, so "
    "several objects of the class (or a large one) all get credit, not just the strongest part.",
    "xgradcam": "Averages the gradient weighted by the activation itself (A^k / Σ A^k) instead "
    "of uniformly, which makes the map satisfy the sensitivity and conservation axioms.",
    "hirescam": "Multiplies gradient and activation cell by cell instead of averaging the "
    "gradient first, so every cell keeps exactly its own contribution to the score.",
    "layercam": "Like HiResCAM but keeps only the positive gradients of each cell, which keeps "
    "its maps reliable at early, high-resolution layers too.",
    "scorecam": "No gradients: each channel, upsampled, masks the photo, and its weight is how "
    "strongly the masked photo alone scores for the class.",
    "eigencam": "No gradients and no class: the activations projected on their main direction "
    "(first singular vector), so the map is the same whichever class is chosen.",
    "cam": "The original: the weights are the classifier's own Dense weights, which exist only "
    "when the layer is pooled straight into one Dense layer.",
    "guided_gradcam": "Multiplies the upsampled Grad-CAM map by guided backpropagation (the input "
    "gradient with negative gradients stopped at every ReLU): pixel detail, still class-specific.",
}

selection = controls.current()
st.markdown(
    "Grad-CAM is one member of a family. Every method here starts from the same feature maps "
    "A^k of the chosen layer and draws a map of the same size; they differ in **how they weight** "
    "the channels (or each cell), and whether they use gradients at all. Photo, layer, class and "
    "score are the sidebar's, so any difference you see comes from the method. Each card shows "
    "the map, its formula and what it changes compared with Grad-CAM."
)
if selection is None:
    st.stop()

photo = selection.photo.image
key = selection.map_key
layer = selection.layer
class_label = gc.class_name(selection.target)


def show_map(result: gc.CamResult, what: str, caption: str) -> None:
    if result.is_empty:
        caption = f"no positive evidence for {class_label} at this layer · {caption}"
    st.image(
        ui.overlay(key, what, selection.cmap, selection.opacity, photo, result.normalized),
        caption=caption,
        width="stretch",
    )


def timing(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.0f} s"


def score_cam_body() -> None:
    def show(result: gc.CamResult, seconds: float) -> None:
        show_map(result, "scorecam", f"{layer.channels} forward passes in {timing(seconds)}")

    ui.score_cam_card(key, layer.channels, photo, show)


def cam_body() -> None:
    reason = ui.cam_note(selection.model_name, layer.name)
    if reason is not None:
        st.info(f"Not for this layer. {reason}")
        return
    result, seconds = ui.method_map(key, "cam", photo)
    gradcam, _ = ui.method_map(key, "gradcam", photo)
    gap = comparisons.max_abs_difference(result.normalized, gradcam.normalized)
    show_map(
        result,
        "cam",
        f"{timing(seconds)} · same map as Grad-CAM up to scale (normalized maps differ by at "
        f"most {gap:.1e}): here Grad-CAM's α_k = W^c_k / (h·w)",
    )


def method_card(method_id: str) -> None:
    kind = CAM_METHODS[method_id]
    st.subheader(kind.name, divider="gray")
    if method_id == "scorecam":
        score_cam_body()
    elif method_id == "cam":
        cam_body()
    else:
        result, seconds = ui.method_map(key, method_id, photo)
        show_map(result, method_id, timing(seconds))
    st.latex(ui.stacked_formula(kind.formula))
    st.caption(NOTES[method_id])


def hires_section() -> None:
    st.header("Where does gradient averaging spread the attention?")
    st.markdown(
        "Grad-CAM first **averages** each channel's gradient over the grid, then multiplies: a "
        "channel that matters in one place lends its weight to every cell where it is active. "
        "HiResCAM keeps the gradient **cell by cell**. Their difference shows the spread: "
        "**blue** cells get attention from Grad-CAM only, **red** cells are where HiResCAM "
        "concentrates it."
    )
    hires, _ = ui.method_map(key, "hirescam", photo)
    gradcam, _ = ui.method_map(key, "gradcam", photo)
    difference = hires_minus_gradcam(hires, gradcam)
    summary = comparisons.summarize_difference(difference)
    if max(-summary.lowest, summary.highest) < 1e-6:
        st.info(
            f"The two maps are identical at {layer.name}: this layer is pooled straight into "
            "the classifier, so the gradient is the same in every cell and averaging it changes "
            "nothing. Pick an earlier layer in the sidebar to see them differ."
        )
        return
    cells = ui.grid(3, 3, selection.presenter)
    with cells[0]:
        show_map(gradcam, "gradcam", "Grad-CAM")
    with cells[1]:
        show_map(hires, "hirescam", "HiResCAM")
    with cells[2]:
        st.image(
            ui.signed_overlay(key, "hires-minus-gradcam", selection.opacity, photo, difference),
            caption=f"HiResCAM − Grad-CAM: blue down to {summary.lowest:+.2f} "
            f"({summary.a_above_share:.0%} of cells below −{summary.threshold:g}), red up to "
            f"{summary.highest:+.2f} ({summary.b_above_share:.0%} above +{summary.threshold:g})",
            width="stretch",
        )


def guided_section() -> None:
    st.header("Pixel level: Guided Backprop and Guided Grad-CAM")
    st.markdown(
        "CAM maps are as coarse as the layer's grid. **Guided backpropagation** is the gradient "
        "of the score with respect to the *pixels*, letting only positive gradients back "
        "through each ReLU: sharp edges, but hardly class-specific. Multiplying it by the "
        "upsampled Grad-CAM map keeps the detail *inside* the region of the class."
    )
    images = ui.pixel_images(key, photo)
    gradcam, _ = ui.method_map(key, "gradcam", photo)
    cells = ui.grid(3, 3, selection.presenter)
    cells[0].image(images.guided, caption="Guided Backprop ∂y^c/∂X (guided)", width="stretch")
    with cells[1]:
        show_map(gradcam, "gradcam", "× Grad-CAM, upsampled")
    cells[2].image(
        images.guided_gradcam,
        caption=f"= Guided Grad-CAM · {timing(images.seconds)}",
        width="stretch",
    )
    st.latex(GuidedGradCAM.formula)
    st.caption(NOTES["guided_gradcam"])


for cell, method_id in zip(ui.grid(len(GRID), 3, selection.presenter), GRID, strict=True):
    with cell:
        method_card(method_id)
hires_section()
guided_section()
st.caption(
    f"{class_label} ({selection.target}) at layer {layer.name} "
    f"({layer.size_label}) of {selection.spec.title}, {selection.score} "
    "score. Each map is divided by its own maximum and cached for this photo, model, layer, "
    "class, score and method."
)
