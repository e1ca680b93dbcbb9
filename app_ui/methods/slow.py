"""A slow method's card body, for any registered method that declares a cost (``BaseCAM.work``).

It says beforehand how much work the method will do at this layer, runs only when its button is
pressed, behind a progress bar drawn outside any cache (a cached function may not update an
element created outside it), and keeps the result in a ``Kept`` store shared by every session,
keyed by the map's key and the method id. The card is a fragment: its button reruns it alone.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import streamlit as st
from PIL import Image

import gradcam_core as gc
from gradcam_core import cams

from .. import cache, language
from ..cache import MapKey
from ..i18n import N_, _
from ..progress import Kept, ProgressBar

SLOW_RESULTS = 16  # slow methods' results kept for all sessions (a few kB to 1 MB each)
WAITING = N_("Another session is computing this same {name}; waiting for its result…")

SlowKey = tuple[MapKey, str]  # the map's key and the method id
KEPT: Kept[SlowKey, tuple[gc.CamResult, float]] = Kept(SLOW_RESULTS)


def done(key: MapKey, method: str) -> tuple[gc.CamResult, float] | None:
    """The method's map and seconds if it was computed already (by any session), else None."""
    return KEPT.get((key, method))


def cost_text(method: str, channels: int) -> str:
    """What the method will cost at a layer of ``channels`` channels, said before it runs."""
    kind = cams.method_class(method)
    units, batch = kind.work(channels)
    batches = -(-units // batch)
    return _(
        "Slow: {cost}, so {units} {unit} at this layer ({batches} batches of {batch}). It runs "
        "only when asked; after its first batch the bar estimates the time left on this "
        "machine. It is kept once computed."
    ).format(cost=_(kind.cost), units=units, unit=_(kind.work_unit), batches=batches, batch=batch)


def _progress_text(kind: type[cams.BaseCAM], done_units: int, units: int) -> str:
    return f"{kind.name}: {done_units} / {units} {_(kind.work_unit)}"


def _run(
    key: MapKey, method: str, image: Image.Image, units: int, bar: ProgressBar
) -> tuple[gc.CamResult, float]:
    """The method with its progress on ``bar``; the TensorFlow lock is let go between batches."""
    kind = cams.method_class(method)

    def report(fraction: float) -> None:
        done_units = round(fraction * units)
        bar.show(done_units, _progress_text(kind, done_units, units))
        cache.let_others_run()

    start = time.perf_counter()
    model, x, forward = cache.model_and_input(key.digest, key.model, key.layer, image)
    with gc.TF_LOCK:
        result = cams.run_method(
            method, model, x, forward, key.layer, key.class_index, key.score, report
        )
    return result, time.perf_counter() - start


def compute(
    key: MapKey, method: str, image: Image.Image, channels: int
) -> tuple[gc.CamResult, float]:
    """The slow method behind a progress bar, kept once computed.

    Between batches the TensorFlow lock is let go for a moment, so other sessions are not held
    up for the whole run; a session asking for the same map meanwhile waits for this one.
    """
    kind = cams.method_class(method)
    units, _unused = kind.work(channels)
    bar = ProgressBar(units)
    bar.show(0, _progress_text(kind, 0, units))
    value, _unused = KEPT.get_or_compute(
        (key, method),
        lambda: _run(key, method, image, units, bar),
        waiting=lambda: bar.note(_(WAITING).format(name=kind.name)),
    )
    bar.clear()
    return value


@functools.cache
def _card_fragment(method: str) -> Callable[..., None]:
    """The card body of one method as a fragment with its own key, made once per method id.

    Made once, not per run: the fragment Streamlit keeps for a rerun then holds only its
    arguments, not a closure over a past run (and the model that run used).
    """

    @language.fragment(key=f"{method}_card")
    def body(
        key: MapKey,
        channels: int,
        image: Image.Image,
        show: Callable[[gc.CamResult, float], None],
    ) -> None:
        found = done(key, method)
        if found is None:
            ask = st.empty()
            with ask.container():
                st.info(cost_text(method, channels))
                label = _("Run {method}").format(method=cams.method_class(method).name)
                if not st.button(label, key=f"run_{method}", icon="⏱️"):
                    return
            ask.empty()
            found = compute(key, method, image, channels)
        show(*found)

    return body


def card(
    key: MapKey,
    method: str,
    channels: int,
    image: Image.Image,
    show: Callable[[gc.CamResult, float], None],
) -> None:
    """The slow method's card body: its cost and button, then its map (``show``); reruns alone."""
    _card_fragment(method)(key, channels, image, show)
