"""The Trust lab's cached checks and layout pieces: curves, hide-the-top, cascade, localization.

Every check is cached with ``st.cache_data``, keyed by the photo digest, model, class and the
check's settings; arrays and models go in underscore arguments, so they are never hashed. Every
TensorFlow call holds ``gc.TF_LOCK``.

Long checks draw a progress bar. Streamlit cannot replay a cached function that updates an
element created outside it, so the bar stays outside the cache: a *store* is looked up first (a
miss raises, and exceptions are never cached), then the check runs with its progress callback,
then its result is put in the store.
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import altair as alt
import keras
import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

import gradcam_core as gc
import gradcam_core.metrics as gm
from gradcam_core import figures, samples, trustlab

from . import cache
from .controls import Selection

KINDS: tuple[trustlab.CurveKind, ...] = ("deletion", "insertion")
SEEDS = (0, 1, 2)  # random orders averaged for the random baseline
STEP_CHOICES = (10, 20, 50, 100)
DEFAULT_STEPS = 20
GRAD_CAM = "Grad-CAM"
RANDOM = f"Random blobs (mean of {len(SEEDS)})"
PIXEL_RANDOM = "Random pixels"
EDGES = "Edges (Sobel)"
BASELINE_NAMES = {
    RANDOM: "the random order",
    PIXEL_RANDOM: "the per-pixel random order",
    EDGES: "the edge map",
}
COLORS = {GRAD_CAM: "#e4572e", RANDOM: "#7f7f7f", PIXEL_RANDOM: "#bcbcbc", EDGES: "#3a86ff"}
_CASCADES = "_trust_cascades"  # session: the cascades asked for, shown again on reruns


class Source(NamedTuple):
    """The map that orders the pixels: ("grad-cam", (layer, score)), ("random", (h, w, seed)),
    ("edge", ())."""

    name: str
    detail: tuple[object, ...] = ()


class CurveKey(NamedTuple):
    """Everything one deletion or insertion curve depends on."""

    digest: str
    model: str
    class_index: int
    kind: str
    substrate: str
    steps: int
    source: Source


class HideKey(NamedTuple):
    """One hide-the-top prediction: the curve's inputs but a single percentage."""

    digest: str
    model: str
    class_index: int
    substrate: str
    source: Source
    percent: int


class CascadeKey(NamedTuple):
    """Everything a cascading randomization depends on."""

    digest: str
    model: str
    layer: str
    class_index: int
    score: str


@dataclass(frozen=True)
class Faithfulness:
    """Deletion and insertion curves by label, and the seconds spent computing (0: all cached)."""

    curves: dict[str, dict[str, gm.Curve]]  # kind -> label -> curve
    seconds: float


@dataclass(frozen=True)
class Cascade:
    """A cascading randomization and the seconds it took when it ran."""

    result: gm.CascadeResult
    seconds: float


class _Missing(Exception):
    """A store was asked for a result it does not hold."""


@st.cache_data(max_entries=1024, show_spinner=False)
def _curve_store(key: CurveKey, _curve: gm.Curve | None = None) -> gm.Curve:
    """Curves computed so far; raises _Missing on a miss (nothing is cached then)."""
    if _curve is None:
        raise _Missing
    return _curve


@st.cache_data(max_entries=16, show_spinner=False)
def _cascade_store(key: CascadeKey, _cascade: Cascade | None = None) -> Cascade:
    """Cascades computed so far; raises _Missing on a miss."""
    if _cascade is None:
        raise _Missing
    return _cascade


class Progress:
    """A progress bar that only appears when work is done, so cache hits show nothing."""

    def __init__(self) -> None:
        self._slot = st.empty()

    def update(self, fraction: float, text: str) -> None:
        self._slot.progress(min(max(fraction, 0.0), 1.0), text=text)

    def clear(self) -> None:
        self._slot.empty()


def _preprocess(model_name: str) -> Callable[[np.ndarray], np.ndarray]:
    return functools.partial(gc.preprocess_pixels, model_name)


@st.cache_data(max_entries=32, show_spinner=False)
def model_pixels(digest: str, model_name: str, _image: Image.Image) -> np.ndarray:
    """The whole photo resized to the model's input, RGB 0..255 (what the curves perturb)."""
    size = gc.get_spec(model_name).input_size
    return gc.resize_for_model(_image, (size, size))


# -- faithfulness ------------------------------------------------------------------------------


def _maps(
    selection: Selection, cam: np.ndarray, pixels: np.ndarray, per_pixel: bool
) -> list[tuple[str, Source, Callable[[], np.ndarray]]]:
    """(label, source, map) of Grad-CAM and its baselines, the random one once per seed."""
    h, w = cam.shape
    height, width = pixels.shape[:2]
    layer, score = selection.layer.name, selection.score
    maps: list[tuple[str, Source, Callable[[], np.ndarray]]] = [
        (GRAD_CAM, Source("grad-cam", (layer, score)), lambda: cam)
    ]
    for seed in SEEDS:
        random_map = functools.partial(gm.random_saliency, h, w, seed)
        maps.append((RANDOM, Source("random", (h, w, seed)), random_map))
    if per_pixel:
        pixel_map = functools.partial(gm.random_saliency, height, width, 0)
        maps.append((PIXEL_RANDOM, Source("random", (height, width, 0)), pixel_map))
    maps.append((EDGES, Source("edge"), functools.partial(gm.edge_saliency, pixels)))
    return maps


def _curve(
    key: CurveKey,
    model: keras.Model,
    pixels: np.ndarray,
    saliency: Callable[[], np.ndarray],
    progress: Callable[[int, int], None],
) -> tuple[gm.Curve, bool]:
    """The cached curve, else computed (with progress) and stored; True if it was computed."""
    try:
        return _curve_store(key), False
    except _Missing:
        pass
    with gc.TF_LOCK:
        curve = gm.perturbation_curve(
            key.kind,  # type: ignore[arg-type]
            model,
            pixels,
            _preprocess(key.model),
            saliency(),
            key.class_index,
            steps=key.steps,
            substrate=key.substrate,  # type: ignore[arg-type]
            progress=progress,
        )
    return _curve_store(key, curve), True


def faithfulness(
    selection: Selection, cam: np.ndarray, substrate: str, steps: int, per_pixel: bool
) -> Faithfulness:
    """Deletion and insertion curves of Grad-CAM and the baselines (random means averaged)."""
    start = time.perf_counter()
    pixels = model_pixels(selection.digest, selection.model_name, selection.photo.image)
    maps = _maps(selection, cam, pixels, per_pixel)
    jobs = list(itertools.product(KINDS, maps))
    bar = Progress()
    groups: dict[str, dict[str, list[gm.Curve]]] = {kind: {} for kind in KINDS}
    computed = False
    for i, (kind, (label, source, saliency)) in enumerate(jobs):
        key = CurveKey(
            selection.digest, selection.model_name, selection.target, kind, substrate, steps, source
        )

        def report(done: int, total: int, i: int = i, kind: str = kind, label: str = label):
            bar.update(
                (i + done / total) / len(jobs),
                f"{kind.capitalize()} curve {i + 1}/{len(jobs)} ({label}): {done}/{total} images",
            )

        curve, fresh = _curve(key, selection.model, pixels, saliency, report)
        groups[kind].setdefault(label, []).append(curve)
        computed |= fresh
    bar.clear()
    curves = {
        kind: {label: gm.average_curves(group) for label, group in by_label.items()}
        for kind, by_label in groups.items()
    }
    return Faithfulness(curves, time.perf_counter() - start if computed else 0.0)


@st.cache_data(max_entries=256, show_spinner=False)
def hide_probability(
    key: HideKey, _model: keras.Model, _pixels: np.ndarray, _saliency: np.ndarray
) -> float:
    """p_c with the top ``percent`` % of the map's pixels replaced by the substrate."""
    with gc.TF_LOCK:
        return gm.hide_top(
            _model,
            _pixels,
            _preprocess(key.model),
            _saliency,
            key.class_index,
            key.percent / 100,
            key.substrate,  # type: ignore[arg-type]
        )


@st.cache_data(max_entries=64, show_spinner=False)
def hidden_image(key: HideKey, _pixels: np.ndarray, _saliency: np.ndarray) -> np.ndarray:
    """The image that hide_probability predicts on (model-sized, uint8)."""
    return trustlab.hidden_pixels(_pixels, _saliency, key.percent / 100, key.substrate)  # type: ignore[arg-type]


@st.cache_data(max_entries=64, show_spinner=False)
def confidence(
    key: tuple[object, ...], _model: keras.Model, _pixels: np.ndarray, _saliency: np.ndarray
) -> gm.ConfidenceChange:
    """p on the image and on image × map (Chattopadhay et al.'s drop and increase)."""
    with gc.TF_LOCK:
        return gm.confidence_change(
            _model, _pixels, _preprocess(key.model), _saliency, key.class_index
        )


# -- sanity ------------------------------------------------------------------------------------


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
    return key in st.session_state.get(_CASCADES, set())


def cascade(selection: Selection, key: CascadeKey) -> Cascade:
    """Cascading randomization, cached; when it runs, a progress bar follows its steps."""
    st.session_state.setdefault(_CASCADES, set()).add(key)
    try:
        return _cascade_store(key)
    except _Missing:
        pass
    pixels = model_pixels(selection.digest, selection.model_name, selection.photo.image)
    bar = Progress()
    bar.update(0.0, "Copying the model and compiling its passes…")

    def report(done: int, total: int) -> None:
        bar.update(done / total, f"Randomized {done} of {total} groups of layers")
        cache.let_others_run()

    start = time.perf_counter()
    with gc.TF_LOCK:
        result = gm.cascading_randomization(
            selection.model,
            pixels,
            _preprocess(key.model),
            key.layer,
            key.class_index,
            score=key.score,  # type: ignore[arg-type]
            progress=report,
        )
    bar.clear()
    return _cascade_store(key, Cascade(result, time.perf_counter() - start))


# -- localization ------------------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def localize(
    key: tuple[str, ...], box: gm.Box, size: tuple[int, int], _cam: np.ndarray
) -> gm.Localization:
    """Pointing game, mass in the box, the 15 % box and its IoU (full-photo map, cached)."""
    return gm.localize(_cam, box, size)


# -- layout: text ------------------------------------------------------------------------------

INTRO = (
    "A heatmap can look convincing and still be wrong. This page puts the current Grad-CAM map "
    "through three tests researchers use. **Faithfulness**: if the map marks what the model "
    "uses, deleting its hottest pixels first should make the score fall faster than deleting "
    "pixels in a random order. **Sanity**: if the map explains *this* model, scrambling the "
    "model's weights must scramble the map; an edge detector, which ignores the model, does not "
    "change. **Localization**: does the map fall on the object? No test proves a map right; "
    "each one can catch it being wrong."
)
FAITHFULNESS_NOTE = (
    "The photo is resized to the model's input and its pixels are ranked by the map "
    "(upsampled). Deletion replaces the top-ranked pixels by a blurred or grey version, step by "
    "step, re-predicting each time; insertion starts from the blurred or grey image and puts "
    "them back. The random baseline ranks random blobs the size of the map's cells (mean of "
    f"{len(SEEDS)} draws); the edge baseline ranks pixels by a Sobel edge detector."
)
LOSING_NOTE = (
    "When Grad-CAM loses to a baseline, the map's ranking is not what moves the score most on "
    "this photo: the evidence may be spread out, or the substrate itself may confuse the model. "
    "It is a reason to look closer, not a proof that the map is wrong."
)
PER_PIXEL_HELP = (
    "Scattering single grey or blurred pixels everywhere destroys the texture, which many "
    "networks mind more than losing any one region: a per-pixel random deletion curve often "
    "falls fast, so it is a strict yardstick, not the usual 'chance' level."
)
SANITY_NOTE = (
    "On a copy of the model (the original is never touched), groups of layers are "
    "re-initialized cumulatively from the logits down (Adebayo et al. 2018). After each step the "
    "map is recomputed and compared with the original: Spearman rank correlation ρ and SSIM "
    "(1 = identical). A map that explains the model should change; the edge map never looks at "
    "the model, stays at 1, and shows what failing this test looks like."
)
LOCALIZATION_NOTE = (
    "Boxes are in the photo's pixels: x to the right and y down from the top-left corner; x1 "
    "and y1 are exclusive. The map is upsampled to the whole photo."
)


def headline(selection: Selection, result: gc.CamResult) -> None:
    """What is being checked, and a warning for an empty map."""
    probability = {p.index: p.probability for p in selection.predictions}.get(selection.target)
    shown = "" if probability is None else f", p = {probability:.1%}"
    h, w = result.normalized.shape
    st.markdown(
        f"Checking the Grad-CAM map of **{gc.class_name(selection.target)}** (class "
        f"{selection.target}{shown}) at layer **{selection.layer.name}** ({h}×{w} cells) of "
        f"**{selection.spec.title}**, on *{selection.photo_label}*."
    )
    if result.is_empty:
        st.warning(
            "This map is empty (no positive evidence): its curves are just a random pixel order "
            "and it has no peak. Pick a class the model finds likely, or a later layer."
        )


# -- layout: faithfulness ----------------------------------------------------------------------


def _chart_config(chart, presenter: bool):
    size = 17 if presenter else 12
    return chart.configure_axis(labelFontSize=size, titleFontSize=size + 1).configure_legend(
        labelFontSize=size, titleFontSize=size, labelLimit=0
    )


def chart_height(presenter: bool) -> int:
    """Pixels for a chart with its legend on top (Streamlit sizes the whole chart)."""
    return 520 if presenter else 380


def curve_chart(kind: str, curves: dict[str, gm.Curve], class_label: str, presenter: bool):
    """The curves of one kind, one line per map, each AUC in the legend."""
    names = {label: f"{label}: AUC {curve.auc:.3f}" for label, curve in curves.items()}
    rows = [
        {"percent": 100 * f, "p": s, "map": names[label]}
        for label, curve in curves.items()
        for f, s in zip(curve.fractions, curve.scores, strict=True)
    ]
    verb = "removed" if kind == "deletion" else "inserted"
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=alt.OverlayMarkDef(size=16))
        .encode(
            x=alt.X("percent:Q", title=f"pixels {verb}, most important first (%)"),
            y=alt.Y("p:Q", title=f"p({class_label})"),
            color=alt.Color(
                "map:N",
                title=None,
                scale=alt.Scale(
                    domain=list(names.values()), range=[COLORS[label] for label in names]
                ),
                legend=alt.Legend(orient="top", columns=2),
            ),
            strokeDash=alt.condition(
                alt.datum.map == names[GRAD_CAM], alt.value([1, 0]), alt.value([5, 3])
            ),
            tooltip=[
                "map:N",
                alt.Tooltip("percent:Q", format=".0f"),
                alt.Tooltip("p:Q", format=".3f"),
            ],
        )
    )
    return _chart_config(chart, presenter)


def auc_table(faith: Faithfulness) -> pd.DataFrame:
    """One row per map: its deletion and insertion AUC."""
    labels = list(faith.curves["deletion"])
    return pd.DataFrame(
        {
            "Map": labels,
            "Deletion AUC ↓": [round(faith.curves["deletion"][k].auc, 3) for k in labels],
            "Insertion AUC ↑": [round(faith.curves["insertion"][k].auc, 3) for k in labels],
        }
    )


_OUTCOME_WORDS = {"beats": "beats", "ties": "is level with", "loses": "does **not** beat"}


def verdict(kind: trustlab.CurveKind, curves: dict[str, gm.Curve]) -> None:
    """Say plainly whether Grad-CAM beats each baseline on this curve."""
    ours = curves[GRAD_CAM].auc
    parts, outcomes = [], []
    for label, curve in curves.items():
        if label == GRAD_CAM:
            continue
        comparison = trustlab.compare_auc(kind, ours, curve.auc)
        outcomes.append(comparison.outcome)
        name = BASELINE_NAMES[label]
        parts.append(f"{_OUTCOME_WORDS[comparison.outcome]} {name} ({curve.auc:.3f})")
    better = "lower" if kind == "deletion" else "higher"
    text = (
        f"**{kind.capitalize()}** ({better} is better): Grad-CAM {ours:.3f} "
        + ", ".join(parts)
        + "."
    )
    if "loses" in outcomes:
        st.warning(text, icon=":material/warning:")
    elif "ties" in outcomes:
        st.info(text, icon=":material/balance:")
    else:
        st.success(text, icon=":material/check_circle:")


def _faithfulness_settings() -> tuple[str, int, bool]:
    columns = st.columns([1, 1, 2])
    substrate = columns[0].radio(
        "Removed pixels become", gm.SUBSTRATES, horizontal=True, key="trust_substrate"
    )
    steps = columns[1].select_slider("Steps", STEP_CHOICES, value=DEFAULT_STEPS, key="trust_steps")
    per_pixel = columns[2].toggle(
        "Also a per-pixel random order (a harder bar)", key="trust_per_pixel", help=PER_PIXEL_HELP
    )
    return substrate, int(steps), per_pixel


def faithfulness_section(selection: Selection, cam: np.ndarray) -> str:
    """Settings, the two charts, the AUC table and the verdicts; returns the substrate."""
    st.caption(FAITHFULNESS_NOTE)
    substrate, steps, per_pixel = _faithfulness_settings()
    faith = faithfulness(selection, cam, substrate, steps, per_pixel)
    class_label = gc.class_name(selection.target)
    for column, kind in zip(st.columns(2), KINDS, strict=True):
        better = "falls faster, lower AUC" if kind == "deletion" else "rises faster, higher AUC"
        column.markdown(f"**{kind.capitalize()}**: a faithful map's curve {better}")
        column.altair_chart(
            curve_chart(kind, faith.curves[kind], class_label, selection.presenter),
            width="stretch",
            height=chart_height(selection.presenter),
        )
    table, verdicts = st.columns([2, 3])
    table.dataframe(auc_table(faith), hide_index=True)
    with verdicts:
        for kind in KINDS:
            verdict(kind, faith.curves[kind])
    timing = (
        f" Curves computed in {faith.seconds:.1f} s, cached afterwards." if faith.seconds else ""
    )
    st.caption(LOSING_NOTE + timing)
    return substrate


# -- layout: hide the top, drop and increase ---------------------------------------------------


def _points(p: float, reference: float) -> str:
    return f"{100 * (p - reference):+.1f} points"


def hide_section(selection: Selection, cam: np.ndarray, substrate: str) -> None:
    """The hide-the-top slider with its live prediction, and the photo × map confidence."""
    percent = st.slider(
        "Hide the map's top … % of pixels", 0, 100, 20, 5, key="trust_hide",
        help="Re-predicts once per value (cached).",
    )  # fmt: skip
    pixels = model_pixels(selection.digest, selection.model_name, selection.photo.image)
    h, w = cam.shape
    ours = Source("grad-cam", (selection.layer.name, selection.score))
    base = (selection.digest, selection.model_name, selection.target, substrate)
    key, random_key = (
        HideKey(*base, ours, percent),
        HideKey(*base, Source("random", (h, w, 0)), percent),
    )
    p_map = hide_probability(key, selection.model, pixels, cam)
    p_random = hide_probability(random_key, selection.model, pixels, gm.random_saliency(h, w, 0))
    change = confidence(selection.map_key, selection.model, pixels, cam)
    class_label = gc.class_name(selection.target)
    width, size = (360 if selection.presenter else 260), selection.photo.image.size
    columns = st.columns([1, 1, 1.3])
    columns[0].image(
        trustlab.to_display(hidden_image(key, pixels, cam), size, width),
        caption=f"What the model sees: the map's top {percent} % {substrate}",
    )
    with columns[1]:
        st.metric(
            f"p({class_label}), map's top {percent} % hidden",
            f"{p_map:.1%}",
            delta=_points(p_map, change.probability),
            delta_color="inverse",
        )
        st.metric(
            f"…a random {percent} % hidden instead",
            f"{p_random:.1%}",
            delta=_points(p_random, change.probability),
            delta_color="off",
            help="Random blobs the size of the map's cells (one draw, seed 0).",
        )
        st.caption(f"On the whole photo: p = {change.probability:.1%}.")
    with columns[2]:
        st.image(
            trustlab.to_display(gm.explanation_map(pixels, cam), size, width),
            caption="Only what the map shows: photo × map",
        )
        increased = " It *increased*." if change.increased else " No increase."
        st.markdown(
            f"On photo × map p = **{change.masked_probability:.1%}**: a confidence drop of "
            f"**{change.drop:.1%}**.{increased}"
        )
        st.caption(
            "Average Drop and Increase in Confidence (Chattopadhay et al. 2018) average these "
            "over a data set: a lower drop and more increases mean a more faithful method. "
            "Here they are for one photo."
        )


# -- layout: sanity ----------------------------------------------------------------------------


def cascade_chart(result: gm.CascadeResult, presenter: bool):
    """Spearman and SSIM of each step's map with the original; the edge map's stay at 1."""
    names = ["original", *result.names]
    series = {
        "Grad-CAM: Spearman ρ": result.spearman,
        "Grad-CAM: SSIM": result.ssim,
        "Edges: Spearman ρ": result.edge_spearman,
        "Edges: SSIM": result.edge_ssim,
    }
    rows = [
        {"step": name, "measure": measure, "value": _finite_or_none(value)}
        for measure, values in series.items()
        for name, value in zip(names, [1.0, *values], strict=True)
    ]
    x = alt.X("step:N", sort=names, title="randomized down to (cumulative, top layer first)")
    lines = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y(
                "value:Q", title="similarity to the original map", scale=alt.Scale(domain=[-1, 1])
            ),
            color=alt.Color(
                "measure:N",
                title=None,
                scale=alt.Scale(
                    domain=list(series), range=["#e4572e", "#f4a259", "#3a86ff", "#8ecae6"]
                ),
                legend=alt.Legend(orient="top", columns=4),
            ),
            strokeDash=alt.condition(
                "indexof(datum.measure, 'Edges') == 0", alt.value([5, 3]), alt.value([1, 0])
            ),
            tooltip=["step:N", "measure:N", alt.Tooltip("value:Q", format=".3f")],
        )
    )
    empty = pd.DataFrame(
        {"step": [s.name for s in result.steps if s.empty], "value": 0.0, "note": "empty map"}
    )
    crosses = (
        alt.Chart(empty)
        .mark_point(shape="cross", size=140, color="#d00000", filled=True)
        .encode(x=x, y="value:Q", tooltip=["step:N", "note:N"])
    )
    return _chart_config(lines + crosses, presenter)


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def cascade_strip(selection: Selection, result: gm.CascadeResult, count: int = 5) -> None:
    """The original map and a few randomized ones over the photo, side by side."""
    photo = figures.preview(selection.photo.image, 480 if selection.presenter else 320)
    picks = trustlab.steps_to_show(len(result.steps), count)
    columns = st.columns(len(picks) + 1)
    columns[0].image(
        gc.overlay(photo, result.original, selection.cmap, selection.opacity),
        caption="original model",
    )
    for column, index in zip(columns[1:], picks, strict=True):
        step = result.steps[index]
        note = "empty map" if step.empty else f"ρ = {step.cam_similarity.spearman:.2f}"
        column.image(
            gc.overlay(photo, step.cam, selection.cmap, selection.opacity),
            caption=f"down to {step.name} ({note})",
        )


def cascade_verdict(result: gm.CascadeResult) -> None:
    """Pass or warn, in words, from the Spearman curve."""
    summary = trustlab.summarize_cascade(result.spearman, [s.empty for s in result.steps])
    if not result.original.any():
        st.info(
            "The intact model's map is already empty, so there is nothing to compare: run this "
            "check on a class with positive evidence.",
            icon=":material/info:",
        )
    elif summary.survives:
        st.warning(
            f"Part of the map survives the randomization: |ρ| reaches {summary.largest:.2f}. A "
            "map that stays similar when the weights are destroyed explains the image more than "
            "the model.",
            icon=":material/warning:",
        )
    else:
        first = "is empty" if result.steps[0].empty else f"has ρ = {summary.first:.2f}"
        st.success(
            f"Grad-CAM passes: after the first step its map {first}, and no step reaches "
            f"|ρ| = {trustlab.SANITY_LIMIT:g}. It depends on the learned weights, as it "
            "should; the edge map stays at 1 whatever happens to the model.",
            icon=":material/check_circle:",
        )
    if summary.empty_steps:
        st.caption(
            f"{summary.empty_steps} of {len(result.steps)} steps left no positive evidence (✕ on "
            "the chart): the map is all zeros, Spearman is undefined and the line has a gap."
        )


def sanity_section(selection: Selection) -> None:
    """The randomization button; once run (or cached), the chart, verdict and map strip."""
    st.caption(SANITY_NOTE)
    key = cascade_key(selection)
    clicked = st.button("Randomize the model (a few seconds)", key="trust_randomize")
    if not (clicked or cascade_requested(key)):
        return
    run = cascade(selection, key)
    st.altair_chart(
        cascade_chart(run.result, selection.presenter),
        width="stretch",
        height=chart_height(selection.presenter),
    )
    cascade_verdict(run.result)
    cascade_strip(selection, run.result)
    timing = f"; computed in {run.seconds:.1f} s, cached afterwards" if run.seconds else ""
    st.caption(f"{len(run.result.steps)} steps{timing}.")


# -- layout: localization ----------------------------------------------------------------------


def box_inputs(selection: Selection) -> tuple[gm.Box | None, str]:
    """Object selector (shipped boxes) and four number inputs: the box entered and its name."""
    width, height = selection.photo.image.size
    objects = samples.get_sample(selection.sample_id).objects if selection.sample_id else ()
    index = 0
    if len(objects) > 1:
        index = st.selectbox(
            "Object",
            range(len(objects)),
            index=trustlab.pick_object(objects, selection.target),
            format_func=lambda i: objects[i].label,
            key=f"trust_object_{selection.sample_id}_{selection.target}",
            help="Each object's shipped box; the default is the one whose ImageNet classes "
            "contain the target class.",
        )
    if objects:
        default, name = objects[index].box, objects[index].label
    else:
        default, name = (0, 0, width, height), "your box"
        st.info(
            "No box ships with this photo: enter the object's box (it starts as the whole "
            "photo, where every map trivially hits)."
        )
    columns = st.columns(4)
    values = [
        column.number_input(
            label,
            min_value=0,
            max_value=limit,
            value=int(value),
            step=1,
            key=f"trust_box_{selection.digest[:16]}_{index}_{label}",
        )
        for column, label, limit, value in zip(
            columns, ("x0", "y0", "x1", "y1"), (width, height, width, height), default, strict=True
        )
    ]
    try:
        return gm.check_box(values, width, height), name
    except ValueError as error:
        st.error(f"{error} x1 and y1 are exclusive: the box covers x0..x1-1 and y0..y1-1.")
        return None, name


def _localization_picture(selection: Selection, cam: np.ndarray, scores: gm.Localization):
    photo = figures.preview(selection.photo.image, 1024)
    scale = photo.size[0] / selection.photo.image.size[0]
    shown = gc.overlay(photo, cam, selection.cmap, selection.opacity)
    return trustlab.draw_localization(Image.fromarray(shown), scores, scale)


def _localization_numbers(scores: gm.Localization, size: tuple[int, int]) -> None:
    st.metric(
        "Pointing game",
        "hit" if scores.hit else "miss",
        help="Is the map's maximum inside the box? (Zhang et al. 2016)",
    )
    share = "—" if np.isnan(scores.mass_share) else f"{scores.mass_share:.1%}"
    st.metric("Map's mass inside the box", share)
    st.caption(
        f"The box is {trustlab.flat_share(scores.box, size):.1%} of the photo: what a flat map "
        "would score."
    )
    st.metric(
        "IoU of the 15 % box with the box",
        f"{scores.iou:.2f}",
        help="The Grad-CAM paper's weakly-supervised box: keep the pixels ≥ 15 % of the "
        "maximum and box the largest connected region. The paper counts IoU ≥ 0.5 as a "
        "correct localization.",
    )
    if scores.predicted_box is None:
        st.caption("The map is empty: no peak and no 15 % box.")
    else:
        st.caption(f"15 % box {scores.predicted_box}; peak at (x, y) = {scores.peak}.")


def localization_section(selection: Selection, cam: np.ndarray) -> None:
    """Box inputs, then the picture with the boxes and peak beside the scores."""
    st.caption(LOCALIZATION_NOTE)
    box, name = box_inputs(selection)
    if box is None:
        return
    size = selection.photo.image.size
    scores = localize(tuple(selection.map_key), box, size, cam)
    picture, numbers = st.columns([3, 2])
    picture.image(
        _localization_picture(selection, cam, scores),
        caption=f"Green: {name}. Cyan: the map's 15 % box. White ring: the map's peak.",
        width="stretch",
    )
    with numbers:
        _localization_numbers(scores, size)
