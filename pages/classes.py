"""Classes: Grad-CAM for the top-k classes side by side, the counterfactual map and a contrast."""

from __future__ import annotations

import streamlit as st

import gradcam_core as gc
from app_ui import cache, controls
from app_ui import comparisons as ui
from gradcam_core import comparisons
from gradcam_core.cams import CounterfactualGradCAM
from gradcam_core.cams.classes import CONTRAST_FORMULA

TOP_K_CHOICES = (2, 3, 4, 5)

selection = controls.current()
st.markdown(
    "Grad-CAM explains **one class at a time**: the gradient of that class's score decides "
    "which channels count. So the same photo, layer and forward pass give a different map for "
    "each class. If the maps differ, the method is *class-discriminative*: on the **Cat and "
    "coffee** sample the cat classes light up the cat and *coffee mug* lights up the cup. "
    "Below that, two sharper questions: what argues **against** a class, and what makes the "
    "model say **A rather than B**?"
)
if selection is None:
    st.stop()

photo = selection.photo.image
top = {p.index for p in selection.predictions}


def probability_text(class_index: int) -> str:
    """The probability from the sidebar's forward pass (two decimals beyond the top-k)."""
    return f"{selection.probability(class_index):.{1 if class_index in top else 2}%}"


def map_caption(result: gc.CamResult) -> str:
    label = f"{selection.class_name(result.class_index)} · {probability_text(result.class_index)}"
    if result.is_empty:
        return f"{label} · no positive evidence at this layer"
    return f"{label} · {result.score_kind} y = {result.score:.3g}"


def show_overlay(result: gc.CamResult, what: str, caption: str) -> None:
    key = selection.map_key._replace(class_index=result.class_index)
    st.image(
        ui.overlay(key, what, selection.cmap, selection.opacity, photo, result.normalized),
        caption=caption,
        width="stretch",
        alt=f"{caption}: map over the photo, layer {selection.layer.name}",
    )


def show_signed(result: gc.CamResult, what: str, caption: str) -> None:
    key = selection.map_key._replace(class_index=result.class_index)
    st.image(
        ui.signed_overlay(key, what, selection.opacity, photo, result.raw),
        caption=caption,
        width="stretch",
        alt=f"{caption}: signed map over the photo, layer {selection.layer.name}",
    )


def top_k_section() -> None:
    st.header("1. The top classes side by side")
    choices = ui.top_k_choices(TOP_K_CHOICES, selection.classifier.num_classes)
    k = st.segmented_control("How many classes", choices, default=choices[-1], key="classes_top_k")
    k = min(k or choices[-1], choices[-1])
    maps, seconds = ui.top_class_maps(
        selection.digest, selection.model_name, selection.layer.name, selection.score, k, photo
    )
    for cell, result in zip(ui.grid(k, k, selection.presenter), maps, strict=True):
        with cell:
            show_overlay(result, "gradcam", map_caption(result))
    st.caption(
        f"Each map is divided by its own maximum. All {k} come from one forward pass (the one "
        f"that made the predictions) and one backward pass for the {k} classes together: "
        f"{seconds * 1000:.0f} ms."
    )


def counterfactual_section() -> None:
    target = selection.target
    name = selection.class_name(target)
    st.header(f"2. What argues against “{name}”?")
    st.markdown(
        "Flip the sign of the gradient. The weights become −α_k, and the map shows the regions "
        f"whose features **lower** the score of *{name}*: cover or remove them and the model "
        "would be *more* sure of it. Often that is a second object, or background that looks "
        "like another class. With Grad-CAM's averaged gradients this is exactly the negative "
        "part of the signed map Σ_k α_k A^k (the blue cells on the Grad-CAM page)."
    )
    gradcam, _ = cache.grad_cam(selection.map_key, photo)
    against = ui.counterfactual(selection.map_key, photo)
    balance = comparisons.evidence_balance(gradcam.raw)
    cells = ui.grid(3, 3, selection.presenter)
    with cells[0]:
        show_overlay(gradcam, "gradcam", f"For {name}: Grad-CAM · {balance.for_share:.0%} of cells")
    with cells[1]:
        caption = f"Against {name}: counterfactual · {balance.against_share:.0%} of cells"
        if against.is_empty:
            caption = f"Nothing argues against {name} at this layer"
        show_overlay(against, "counterfactual", caption)
    with cells[2]:
        show_signed(
            gradcam,
            "gradcam-signed",
            "Both at once: red for, blue against (Σ_k α_k A^k; stronger colour, larger |value|)",
        )
    st.latex(CounterfactualGradCAM.formula)
    ratio = balance.against_to_for
    st.caption(
        f"Strongest evidence against is {ratio:.2f}× the strongest evidence for "
        f"(max −Σα_kA^k = {balance.against_peak:.3g}, max Σα_kA^k = {balance.for_peak:.3g})."
        if ratio != float("inf")
        else "No cell has positive evidence for the class at this layer."
    )


def contrast_section() -> None:
    st.header("3. Why A rather than B?")
    st.markdown(
        "Take the **difference of two scores**, y^A − y^B, as the thing to explain. Its gradient "
        "is the difference of the two gradients, so the weights are α^A_k − α^B_k. The map keeps "
        "what raises A *more than* B: for two similar classes (two kinds of cat) that is "
        "often a few details rather than the whole object, and sometimes context elsewhere in "
        "the photo. Red and blue show both directions at once."
    )
    options = ui.class_options(selection.predictions, len(selection.classifier.labels))
    top = [p.index for p in selection.predictions]
    ui.follow_context(
        {"contrast_a": top[0], "contrast_b": top[1]},
        (selection.digest, selection.model_name),
        "contrast",
    )
    left, right = st.columns(2)

    def label(index: int) -> str:
        return f"{selection.class_name(index)} ({index})"

    a = left.selectbox("Class A", options, format_func=label, key="contrast_a")
    b = right.selectbox("Class B", options, format_func=label, key="contrast_b")
    if a == b:
        st.warning("Pick two different classes: A and B are the same.")
        return
    key = selection.map_key._replace(class_index=a)
    result = ui.contrast(key, b, photo)
    name_a, name_b = selection.class_name(a), selection.class_name(b)
    cells = ui.grid(2, 2, selection.presenter)
    with cells[0]:
        caption = f"Where {name_a} beats {name_b} (ReLU, normalized)"
        if result.is_empty:
            caption = f"No cell favours {name_a} over {name_b} at this layer"
        show_overlay(result, f"contrast-{b}", caption)
    with cells[1]:
        show_signed(result, f"contrast-signed-{b}", f"Red favours {name_a}, blue favours {name_b}")
    st.latex(CONTRAST_FORMULA)
    st.caption(
        f"{result.score_kind}: y^A − y^B = {result.score:.3g} "
        f"({name_a} {probability_text(a)}, {name_b} {probability_text(b)})."
    )


top_k_section()
counterfactual_section()
contrast_section()
st.caption(
    f"Layer {selection.layer.name} ({selection.layer.size_label}) of "
    f"{selection.title}; {selection.score} scores. Change them in the sidebar."
)
