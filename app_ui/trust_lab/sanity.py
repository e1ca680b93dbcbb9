"""Sanity: cascading model randomization, top layer first (Adebayo et al. 2018).

A cascade takes seconds to minutes: it runs only when asked, behind a progress bar that counts
the randomized groups, and is kept for every session in ``CASCADES``. A session shows again, on
its reruns, the cascades it asked for.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple

import streamlit as st

import gradcam_core as gc
import gradcam_core.metrics as gm
from gradcam_core import drawing
from gradcam_core.metrics.sanity import DEFAULT_MAX_STEPS
from gradcam_core.modifiers import logits_view

from .. import cache
from ..controls import Selection
from ..i18n import N_, _
from ..progress import Kept, ProgressBar
from . import charts
from .inputs import model_pixels, preprocess

KEPT_CASCADES = 16  # each holds a map per step: at most a few MB at early layers
_REQUESTED = "_trust_cascades"  # session: the cascades asked for, shown again on reruns
WAITING = N_("Another session is randomizing this same model; its result will appear here…")

NOTE = N_(
    "On a copy of the model (the original is never touched), groups of layers are "
    "re-initialized cumulatively from the logits down (Adebayo et al. 2018). After each step the "
    "map is recomputed and compared with the original: Spearman rank correlation ρ and SSIM "
    "(1 = identical). A map that explains the model should change; the edge map never looks at "
    "the model, stays at 1, and shows what failing this test looks like."
)
BUTTON_HELP = N_(
    "Each step re-initializes one more group of layers and recomputes the map. The first step "
    "also copies the model and compiles its passes; from then on the bar estimates the time "
    "left on this machine. The result is kept for everyone using this server."
)


class CascadeKey(NamedTuple):
    """Everything a cascading randomization depends on."""

    digest: str
    model: str
    layer: str
    class_index: int
    score: str


@dataclass(frozen=True)
class Cascade:
    """A cascading randomization and the seconds it took when it ran."""

    result: gm.CascadeResult
    seconds: float


CASCADES: Kept[CascadeKey, Cascade] = Kept(KEPT_CASCADES)


def cascade_key(selection: Selection) -> CascadeKey:
    """The cascade of the current photo, model, layer, class and score."""
    return CascadeKey(
        selection.digest,
        selection.model_name,
        selection.layer.name,
        selection.target,
        selection.score,
    )


def cascade_requested(key: CascadeKey) -> bool:
    """Was this cascade run in this session (so it is shown again after a rerun)?"""
    return key in st.session_state.get(_REQUESTED, set())


@st.cache_data(max_entries=16, show_spinner=False)
def step_count(model_name: str) -> int:
    """How many groups of layers the cascade randomizes, one step each."""
    return len(gm.layer_groups(logits_view(cache.load_model(model_name)), DEFAULT_MAX_STEPS))


def _run(selection: Selection, key: CascadeKey, bar: ProgressBar) -> Cascade:
    """The cascade, reporting each step on the bar and letting other sessions run between."""

    def report(done: int, total: int) -> None:
        bar.show(
            done,
            _("Randomized {done} of {total} groups of layers").format(done=done, total=total),
        )
        cache.let_others_run()

    pixels = model_pixels(selection.digest, selection.model_name, selection.photo.image)
    start = time.perf_counter()
    with gc.TF_LOCK:
        result = gm.cascading_randomization(
            selection.model,
            pixels,
            preprocess(key.model),
            key.layer,
            key.class_index,
            score=key.score,  # type: ignore[arg-type]
            progress=report,
        )
    return Cascade(result, time.perf_counter() - start)


def cascade(selection: Selection, key: CascadeKey) -> Cascade:
    """Cascading randomization, kept; when it runs, a progress bar follows its steps."""
    st.session_state.setdefault(_REQUESTED, set()).add(key)
    kept = CASCADES.get(key)
    if kept is not None:
        return kept
    bar = ProgressBar(step_count(key.model))
    bar.show(0, _("Copying the model and compiling its passes"))
    run, _unused = CASCADES.get_or_compute(
        key, lambda: _run(selection, key, bar), waiting=lambda: bar.note(_(WAITING))
    )
    bar.clear()
    return run


def cascade_strip(selection: Selection, result: gm.CascadeResult, count: int = 5) -> None:
    """The original map and a few randomized ones over the photo, side by side."""
    photo = drawing.preview(selection.photo.image, 480 if selection.presenter else 320)
    picks = gm.steps_to_show(len(result.steps), count)
    columns = st.columns(len(picks) + 1)
    columns[0].image(
        gc.overlay(photo, result.original, selection.cmap, selection.opacity),
        caption=_("original model"),
    )
    for column, index in zip(columns[1:], picks, strict=True):
        step = result.steps[index]
        note = _("empty map") if step.empty else f"ρ = {step.cam_similarity.spearman:.2f}"
        column.image(
            gc.overlay(photo, step.cam, selection.cmap, selection.opacity),
            caption=_("down to {step} ({note})").format(step=step.name, note=note),
        )


def cascade_verdict(result: gm.CascadeResult) -> None:
    """Pass or warn, in words, from the Spearman curve."""
    summary = gm.summarize_cascade(result.spearman, [s.empty for s in result.steps])
    if not result.original.any():
        st.info(
            _(
                "The intact model's map is already empty, so there is nothing to compare: run "
                "this check on a class with positive evidence."
            ),
            icon=":material/info:",
        )
    elif summary.survives:
        st.warning(
            _(
                "Part of the map survives the randomization: |ρ| reaches {largest:.2f}. A map "
                "that stays similar when the weights are destroyed explains the image more than "
                "the model."
            ).format(largest=summary.largest),
            icon=":material/warning:",
        )
    else:
        first = (
            _("is empty")
            if result.steps[0].empty
            else _("has ρ = {rho:.2f}").format(rho=summary.first)
        )
        st.success(
            _(
                "Grad-CAM passes: after the first step its map {first}, and no step reaches "
                "|ρ| = {limit:g}. It depends on the learned weights, as it should; the edge map "
                "stays at 1 whatever happens to the model."
            ).format(first=first, limit=gm.SANITY_LIMIT),
            icon=":material/check_circle:",
        )
    if summary.empty_steps:
        st.caption(
            _(
                "{empty} of {count} steps left no positive evidence (✕ on the chart): the map is "
                "all zeros, Spearman is undefined and the line has a gap."
            ).format(empty=summary.empty_steps, count=len(result.steps))
        )


def section(selection: Selection) -> None:
    """The randomization button; once run (or kept), the chart, verdict and map strip."""
    st.caption(_(NOTE))
    key = cascade_key(selection)
    steps = step_count(selection.model_name)
    label = _("Randomize the model ({steps} steps)").format(steps=steps)
    clicked = st.button(label, key="trust_randomize", help=_(BUTTON_HELP))
    if not (clicked or cascade_requested(key)):
        return
    run = cascade(selection, key)
    st.altair_chart(
        charts.cascade_chart(run.result, selection.presenter),
        width="stretch",
        height=charts.chart_height(selection.presenter),
    )
    cascade_verdict(run.result)
    cascade_strip(selection, run.result)
    if run.seconds:
        done = _("{count} steps; computed in {seconds:.1f} s, cached afterwards.")
    else:
        done = _("{count} steps.")
    st.caption(done.format(count=len(run.result.steps), seconds=run.seconds))
