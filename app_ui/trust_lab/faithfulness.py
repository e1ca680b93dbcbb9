"""Faithfulness: deletion and insertion curves of the map against random and edge baselines.

Curves take seconds (every step is a prediction), so they run behind a progress bar that counts
the images still to predict and are kept for every session in ``CURVES``.
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import streamlit as st

import gradcam_core as gc
import gradcam_core.metrics as gm

from ..controls import Selection
from ..i18n import N_, _
from ..progress import Kept, ProgressBar
from . import charts
from .inputs import Source, model_pixels, preprocess, probabilities

KINDS: tuple[gm.CurveKind, ...] = ("deletion", "insertion")
SEEDS = (0, 1, 2)  # random orders averaged for the random baseline
STEP_CHOICES = (10, 20, 50, 100)
DEFAULT_STEPS = 20
KEPT_CURVES = 1024  # about 1 kB each
GRAD_CAM = "Grad-CAM"
RANDOM = N_("Random blobs (mean of {count})")  # labels are keys; shown through map_label()
PIXEL_RANDOM = N_("Random pixels")
EDGES = N_("Edges (Sobel)")
BASELINE_NAMES = {
    RANDOM: N_("the random order"),
    PIXEL_RANDOM: N_("the per-pixel random order"),
    EDGES: N_("the edge map"),
}
COLORS = {GRAD_CAM: "#e4572e", RANDOM: "#7f7f7f", PIXEL_RANDOM: "#bcbcbc", EDGES: "#3a86ff"}
WAITING = N_("Another session is computing these curves; they will appear here when it is done…")
NOTE = N_(
    "The photo is resized to the model's input and its pixels are ranked by the map "
    "(upsampled). Deletion replaces the top-ranked pixels by a blurred or grey version, step by "
    "step, re-predicting each time; insertion starts from the blurred or grey image and puts "
    "them back. The random baseline ranks random blobs the size of the map's cells (mean of "
    "{count} draws); the edge baseline ranks pixels by a Sobel edge detector."
)
LOSING_NOTE = N_(
    "When Grad-CAM loses to a baseline, the map's ranking is not what moves the score most on "
    "this photo: the evidence may be spread out, or the substrate itself may confuse the model. "
    "It is a reason to look closer, not a proof that the map is wrong."
)
PER_PIXEL_HELP = N_(
    "Scattering single grey or blurred pixels everywhere destroys the texture, which many "
    "networks mind more than losing any one region: a per-pixel random deletion curve often "
    "falls fast, so it is a strict yardstick, not the usual 'chance' level."
)


class CurveKey(NamedTuple):
    """Everything one deletion or insertion curve depends on."""

    digest: str
    model: str
    class_index: int
    kind: str
    substrate: str
    steps: int
    source: Source


class CurveJob(NamedTuple):
    """One curve to show: its map's label, the function drawing the map, and its key."""

    label: str
    saliency: Callable[[], np.ndarray]
    key: CurveKey


@dataclass(frozen=True)
class Faithfulness:
    """Deletion and insertion curves by label, and the seconds spent computing (0: all kept)."""

    curves: dict[str, dict[str, gm.Curve]]  # kind -> label -> curve
    seconds: float


CURVES: Kept[CurveKey, gm.Curve] = Kept(KEPT_CURVES)
KIND_NAMES = {"deletion": N_("Deletion"), "insertion": N_("Insertion")}
SUBSTRATE_NAMES = {"blur": N_("blur"), "grey": N_("grey")}


def map_label(label: str) -> str:
    """A map's label as the page says it, in the run's language."""
    return _(label).format(count=len(SEEDS))


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


def _jobs(
    selection: Selection, maps: list, substrate: str, steps: int
) -> list[tuple[str, CurveJob]]:
    """(kind, job) for every curve of every map, deletion first."""
    base = (selection.digest, selection.model_name, selection.target)
    return [
        (kind, CurveJob(label, saliency, CurveKey(*base, kind, substrate, steps, source)))
        for kind, (label, source, saliency) in itertools.product(KINDS, maps)
    ]


Report = Callable[[int, int], None]  # (images predicted, of total) in one curve


def _compute(selection: Selection, pixels: np.ndarray, job: CurveJob, report: Report) -> gm.Curve:
    with gc.TF_LOCK:
        return gm.perturbation_curve(
            job.key.kind,  # type: ignore[arg-type]
            selection.model,
            pixels,
            preprocess(job.key.model),
            job.saliency(),
            job.key.class_index,
            steps=job.key.steps,
            substrate=job.key.substrate,  # type: ignore[arg-type]
            progress=report,
            probabilities=probabilities(job.key.model),
        )


def _reporter(bar: ProgressBar, offset: int, title: str) -> Report:
    """One curve's progress on the bar that counts the images of every curve computed."""

    def report(done: int, total: int) -> None:
        text = _("{title}: {done}/{total} images").format(title=title, done=done, total=total)
        bar.show(offset + done, text)

    return report


def curves(
    selection: Selection, cam: np.ndarray, substrate: str, steps: int, per_pixel: bool
) -> Faithfulness:
    """Deletion and insertion curves of Grad-CAM and the baselines (random means averaged).

    Kept curves are taken as they are; the others are computed behind one progress bar that
    counts their predictions (steps + 1 images a curve).
    """
    start = time.perf_counter()
    pixels = model_pixels(selection.digest, selection.model_name, selection.photo.image)
    jobs = _jobs(selection, _maps(selection, cam, pixels, per_pixel), substrate, steps)
    missing = sum(CURVES.get(job.key) is None for _, job in jobs)
    per_curve = steps + 1
    bar: ProgressBar | None = None
    groups: dict[str, dict[str, list[gm.Curve]]] = {kind: {} for kind in KINDS}
    computed = 0
    for kind, job in jobs:
        curve = CURVES.get(job.key)
        if curve is None:
            bar = bar or ProgressBar(max(missing, computed + 1) * per_curve)
            title = _("{kind} curve {number}/{count} ({map})").format(
                kind=_(KIND_NAMES[kind]),
                number=computed + 1,
                count=missing,
                map=map_label(job.label),
            )
            report = _reporter(bar, computed * per_curve, title)
            curve, fresh = CURVES.get_or_compute(
                job.key,
                functools.partial(_compute, selection, pixels, job, report),
                waiting=functools.partial(bar.note, _(WAITING)),
            )
            computed += fresh
        groups[kind].setdefault(job.label, []).append(curve)
    if bar is not None:
        bar.clear()
    averaged = {
        kind: {label: gm.average_curves(group) for label, group in by_label.items()}
        for kind, by_label in groups.items()
    }
    return Faithfulness(averaged, time.perf_counter() - start if computed else 0.0)


def auc_table(faith: Faithfulness) -> pd.DataFrame:
    """One row per map: its deletion and insertion AUC."""
    labels = list(faith.curves["deletion"])
    return pd.DataFrame(
        {
            _("Map"): [map_label(k) for k in labels],
            _("Deletion AUC ↓"): [round(faith.curves["deletion"][k].auc, 3) for k in labels],
            _("Insertion AUC ↑"): [round(faith.curves["insertion"][k].auc, 3) for k in labels],
        }
    )


_OUTCOME_WORDS = {
    "beats": N_("beats {baseline} ({auc:.3f})"),
    "ties": N_("is level with {baseline} ({auc:.3f})"),
    "loses": N_("does **not** beat {baseline} ({auc:.3f})"),
}


def verdict(kind: gm.CurveKind, by_label: dict[str, gm.Curve]) -> None:
    """Say plainly whether Grad-CAM beats each baseline on this curve."""
    ours = by_label[GRAD_CAM].auc
    parts, outcomes = [], []
    for label, curve in by_label.items():
        if label == GRAD_CAM:
            continue
        comparison = gm.compare_auc(kind, ours, curve.auc)
        outcomes.append(comparison.outcome)
        name = _(BASELINE_NAMES[label])
        parts.append(_(_OUTCOME_WORDS[comparison.outcome]).format(baseline=name, auc=curve.auc))
    if kind == "deletion":
        lead = _("**Deletion** (lower is better): Grad-CAM {auc:.3f}")
    else:
        lead = _("**Insertion** (higher is better): Grad-CAM {auc:.3f}")
    text = _("{lead} {comparisons}.").format(
        lead=lead.format(auc=ours), comparisons=_(", ").join(parts)
    )
    if "loses" in outcomes:
        st.warning(text, icon=":material/warning:")
    elif "ties" in outcomes:
        st.info(text, icon=":material/balance:")
    else:
        st.success(text, icon=":material/check_circle:")


def _settings() -> tuple[str, int, bool]:
    columns = st.columns([1, 1, 2])
    substrate = columns[0].radio(
        _("Removed pixels become"),
        gm.SUBSTRATES,
        format_func={name: _(shown) for name, shown in SUBSTRATE_NAMES.items()}.get,
        horizontal=True,
        key="trust_substrate",
    )
    steps = columns[1].select_slider(
        _("Steps"), STEP_CHOICES, value=DEFAULT_STEPS, key="trust_steps"
    )
    per_pixel = columns[2].toggle(
        _("Also a per-pixel random order (a harder bar)"),
        key="trust_per_pixel",
        help=_(PER_PIXEL_HELP),
    )
    return substrate, int(steps), per_pixel


def section(selection: Selection, cam: np.ndarray) -> str:
    """Settings, the two charts, the AUC table and the verdicts; returns the substrate."""
    st.caption(_(NOTE).format(count=len(SEEDS)))
    substrate, steps, per_pixel = _settings()
    faith = curves(selection, cam, substrate, steps, per_pixel)
    class_label = selection.class_name(selection.target)
    for column, kind in zip(st.columns(2), KINDS, strict=True):
        if kind == "deletion":
            heading = _("**Deletion**: a faithful map's curve falls faster, lower AUC")
        else:
            heading = _("**Insertion**: a faithful map's curve rises faster, higher AUC")
        column.markdown(heading)
        chart = charts.curve_chart(
            kind,
            faith.curves[kind],
            class_label,
            selection.presenter,
            COLORS,
            GRAD_CAM,
            shown=map_label,
        )
        column.altair_chart(chart, width="stretch", height=charts.chart_height(selection.presenter))
    table, verdicts = st.columns([2, 3])
    table.dataframe(auc_table(faith), hide_index=True)
    with verdicts:
        for kind in KINDS:
            verdict(kind, faith.curves[kind])
    timing = (
        " "
        + _("Curves computed in {seconds:.1f} s, cached afterwards.").format(seconds=faith.seconds)
        if faith.seconds
        else ""
    )
    st.caption(_(LOSING_NOTE) + timing)
    return substrate
