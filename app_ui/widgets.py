"""Layout pieces several pages share: the predictions bar, alt texts, the empty-map note, image
grids, stacked formulas, and widgets that follow the photo and model."""

from __future__ import annotations

import re

import streamlit as st

import gradcam_core as gc

from .controls import Selection
from .i18n import _

PRESENTER_COLUMNS = 2  # images to a row in presenter mode
_TEXT_WORD = re.compile(r"\\text\{([^{}]*)\}")


def _pick_target() -> None:
    picked = st.session_state.get("top_pick")
    if picked is not None:
        st.session_state["target"] = picked


def predictions_bar(selection: Selection) -> None:
    """The top-k predictions with probabilities; clicking one explains that class."""
    options = [p.index for p in selection.predictions]
    st.session_state["top_pick"] = selection.target if selection.target in options else None
    # Streamlit keeps a widget's format_func between runs: it must not hold the selection (and
    # through it the model), or a model let go for another would stay in memory.
    shown = {i: f"{selection.class_name(i)} · {selection.probability(i):.1%}" for i in options}
    st.pills(
        _("Top-{count} predictions: click one to explain it").format(count=len(options)),
        options,
        format_func=shown.__getitem__,
        key="top_pick",
        on_change=_pick_target,
    )


def alt_text(selection: Selection, what: str) -> str:
    """What an image shows, for screen readers: the picture, the class, the layer, the model."""
    return _(
        "{what}: Grad-CAM of {label} (class {index}) at layer {layer} of {model}, on {photo}"
    ).format(
        what=what,
        label=selection.class_name(selection.target),
        index=selection.target,
        layer=selection.layer.name,
        model=selection.title,
        photo=selection.photo_label,
    )


def empty_map_note(selection: Selection, result: gc.CamResult) -> None:
    """Explain in words when no cell has positive evidence (instead of a blank map)."""
    if not result.is_empty:
        return
    st.warning(
        _(
            "No positive evidence for **{label}** at layer **{layer}**: every cell of "
            "Σ_k α_k A^k is ≤ 0 (largest value {largest:.3g}), so ReLU leaves nothing and the "
            "normalized map is all zeros rather than 0 / 0. Try a later layer, or a class the "
            "model finds more likely."
        ).format(
            label=selection.class_name(selection.target),
            layer=selection.layer.name,
            largest=result.raw.max(),
        )
    )


def grid(count: int, per_row: int, presenter: bool = False) -> list:
    """``count`` cells, ``per_row`` to a row (at most two in presenter mode: larger images)."""
    if presenter:
        per_row = min(per_row, PRESENTER_COLUMNS)
    cells: list = []
    while len(cells) < count:
        cells.extend(st.columns(per_row))
    return cells[:count]


def formula_in_language(formula: str) -> str:
    r"""The formula with the words of its ``	ext{...}`` in the run's language (the symbols as
    they are): ``	ext{else}`` becomes ``	ext{否则}``."""

    def word(match: re.Match) -> str:
        inner = match.group(1)
        spaced = " " if inner.endswith(" ") else ""
        return r"\text{" + _(inner.strip()) + spaced + "}"

    return _TEXT_WORD.sub(word, formula)


def latex(formula: str) -> None:
    """``st.latex`` with the formula's words translated."""
    st.latex(formula_in_language(formula))


def stacked_formula(formula: str) -> str:
    r"""The formula's ``\quad``-separated parts one under the other, for narrow columns."""
    parts = [part.strip().rstrip(",").strip() for part in formula.split(r"\quad")]
    return r"\begin{gathered}" + r"\\".join(part for part in parts if part) + r"\end{gathered}"


def follow_context(keys_defaults: dict[str, int], context: tuple[str, ...], name: str) -> None:
    """Set the widgets to their defaults on first show and when the photo or model changes."""
    marker = f"_context_{name}"
    changed = st.session_state.get(marker) != context
    for widget_key, default in keys_defaults.items():
        if changed or widget_key not in st.session_state:
            st.session_state[widget_key] = default
    st.session_state[marker] = context
