"""Making a quiz's pictures behind a progress bar: a teacher's room, and the solo quiz.

The only place the quiz loads models: through the app's resident-model registry (``cache``), so
the low-memory mode's one-model rule holds. Analyses of bundled photos already in the database
are reused (``QuizStore.cached_analysis``), so a second room with the same photos and models
loads no model at all. The solo quiz is made once per process and kept for every visitor
(``Kept``); the first visitor waits for it, the others find it ready.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import streamlit as st

import gradcam_core as gc
from gradcam_core import quiz
from gradcam_core.quiz import PhotoAnalysis, QuizStore, RoomContent, RoomDesign, StoreUnavailable

from .. import cache
from ..i18n import _
from ..progress import Kept, ProgressBar
from . import messages as m
from .item_view import model_title, shown_title

SOLO_DESIGN = RoomDesign()
SOLO_PHOTOS: tuple[str, ...] = ()  # every bundled photo
SOLO: Kept[str, RoomContent] = Kept(2)


def _cached_lookup(store: QuizStore | None):
    def lookup(key: str) -> PhotoAnalysis | None:
        if store is None:
            return None
        try:
            return store.cached_analysis(key)
        except StoreUnavailable:
            return None  # made again here: slower, never wrong

    return lookup


def build(
    design: RoomDesign, photos: Sequence[quiz.QuizPhoto], store: QuizStore | None
) -> RoomContent:
    """The room's items and pictures, with a progress bar counting photos per model.

    Raises gc.ImageLoadError (a bad upload) and gc.ModelUnavailableError (a model that cannot
    load here); the caller shows them in one line.
    """
    total = len(photos) * len(design.models)
    bar = ProgressBar(total)

    def progress(done: int, _total: int) -> None:
        job = done - 1  # jobs go model by model, photo by photo
        model = model_title(design.models[job // len(photos)])
        photo = shown_title(photos[job % len(photos)])
        bar.show(done, _(m.BUILD_PROGRESS).format(photo=photo, model=model))

    try:
        return quiz.build_room(design, photos, cache.classifier, _cached_lookup(store), progress)
    finally:
        bar.clear()


def selected_photos(ids: Sequence[str]) -> list[quiz.QuizPhoto]:
    """The bundled quiz photos with these ids, in the catalogue's order (all when empty)."""
    wanted = set(ids)
    return [p for p in quiz.quiz_photos() if not wanted or p.id in wanted]


def solo_content(store: QuizStore | None) -> RoomContent:
    """The solo quiz's items and pictures, made once per process for every visitor."""
    photos = selected_photos(SOLO_PHOTOS)
    key = f"{SOLO_DESIGN.digest}:{','.join(p.id for p in photos)}"
    note = st.empty()

    def make() -> RoomContent:
        note.caption(_(m.SOLO_PREPARING))
        content = build(SOLO_DESIGN, photos, store)
        if store is not None:
            # other server processes reuse the pictures; without the database, this one has them
            with contextlib.suppress(StoreUnavailable):
                store.keep_content(content)
        return content

    content, _computed = SOLO.get_or_compute(key, make, lambda: note.caption(_(m.SOLO_WAITING)))
    note.empty()
    return content


def model_error(error: gc.GradCamError) -> str:
    return _(m.BUILD_FAILED).format(reason=error)
