"""What the Dataset page audits: an uploaded zip, or the lesson's photos in one click.

The caps (``APP_LIMITS``) keep what an audit adds to the app's memory small next to
Community Cloud's allowance (690 MB to 2.7 GB for the whole app; measured: +175 MB for the
largest upload, docs/audit.md): the zip is held in memory (Streamlit's upload and one copy, at
most 50 MB each), images are decoded one at a time (each capped by the loader at 40 MP), and a
result keeps a 160-px thumbnail and the layer-sized maps per image. The image count and the
total pixels bound the time on two cores (about 0.1 s per image).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from gradcam_core.dataset_audit import Dataset, DatasetError, DatasetLimits, lesson, open_dataset

from .. import deployment, handover
from ..i18n import Text, _, render
from . import texts

MB = 1024 * 1024
APP_LIMITS = DatasetLimits(
    max_images=300,
    max_entries=1_000,
    max_archive_bytes=50 * MB,
    max_image_bytes=20 * MB,  # the app's limit for one uploaded photo
    max_total_bytes=400 * MB,
    max_total_pixels=300_000_000,
)
UPLOAD_MB = APP_LIMITS.max_archive_bytes // MB  # type: ignore[operator]
LESSON_NAME = "lesson photos.zip"


_OPENED = "_dataset_opened"  # (digest, Dataset or why it was refused): one zip per session
Refusal = Text | str  # why a zip was refused, rendered when shown (the visitor may switch)


@dataclass(frozen=True)
class Source:
    """A zip to audit: its name, its SHA-256 (the key of its kept result), how to read it."""

    name: str
    digest: str
    read: Callable[[], bytes]
    is_lesson: bool = False


def caps_text() -> str:
    return _(texts.CAPS).format(
        images=APP_LIMITS.max_images,
        megapixels=(APP_LIMITS.max_total_pixels or 0) // 1_000_000,
        zip_mb=UPLOAD_MB,
        image_mb=APP_LIMITS.max_image_bytes // MB,
    )


def _start_lesson() -> None:
    st.session_state[handover.LESSON] = "biased"
    st.session_state["dataset_lesson_model"] = "biased"
    st.session_state["dataset_outcome"] = "correct"  # where the lesson's first finding shows
    st.session_state["dataset_sort"] = "corner_mass"


def _end_lesson() -> None:
    st.session_state.pop(handover.LESSON, None)


def _lesson_model_changed() -> None:
    st.session_state[handover.LESSON] = st.session_state["dataset_lesson_model"]


@st.cache_resource(show_spinner=False)
def _lesson_digest() -> str:
    return hashlib.sha256(lesson.lesson_photos_path().read_bytes()).hexdigest()


def _lesson_source() -> Source:
    path = lesson.lesson_photos_path()
    return Source(LESSON_NAME, _lesson_digest(), path.read_bytes, is_lesson=True)


def lesson_running() -> bool:
    """True while this session runs the lesson (its model is the sidebar's own model)."""
    return st.session_state.get(handover.LESSON) in lesson.LESSON_MODELS


def lesson_controls() -> None:
    """Start the lesson, or while it runs: pick its model, or end it."""
    if not lesson_running():
        if deployment.model_uploads_allowed():
            st.button(
                _(texts.LESSON_BUTTON),
                key="dataset_lesson_start",
                type="primary",
                icon=":material/school:",
                help=_(texts.LESSON_BUTTON_HELP),
                on_click=_start_lesson,
            )
        else:
            st.caption(_(texts.NO_UPLOADS))
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.radio(
        _(texts.LESSON_MODEL_LABEL),
        lesson.LESSON_MODELS,
        format_func={name: _(texts.LESSON_MODELS[name]) for name in lesson.LESSON_MODELS}.get,
        key="dataset_lesson_model",
        on_change=_lesson_model_changed,
    )
    right.button(_(texts.LESSON_END), key="dataset_lesson_end", on_click=_end_lesson)


def chosen() -> Source | None:
    """The lesson's photos while it runs, else the uploaded zip, else None."""
    if lesson_running():
        return _lesson_source()
    upload = st.file_uploader(
        _(texts.UPLOAD_LABEL),
        type=["zip"],
        key="dataset_zip",
        help=_(texts.UPLOAD_HELP),
        max_upload_size=UPLOAD_MB,
    )
    if upload is None:
        return None
    digests: dict[str, str] = st.session_state.setdefault("_dataset_digests", {})
    if upload.file_id not in digests:
        digests.clear()
        digests[upload.file_id] = hashlib.sha256(upload.getbuffer()).hexdigest()
    return Source(upload.name, digests[upload.file_id], upload.getvalue)


def opened(source: Source) -> Dataset | None:
    """The source's images checked against the app's caps, once per zip and session; or one
    error line and None when the zip is refused.

    Held in session state, not in a cache shared by all sessions, so the zip's bytes live as
    long as the visitor keeps it chosen. A refusal is kept as its message, rendered in the
    language of each run that shows it."""
    kept = st.session_state.get(_OPENED)
    if kept is None or kept[0] != source.digest:
        st.session_state.pop(_OPENED, None)
        try:
            dataset: Dataset | Refusal = open_dataset(
                source.read(), limits=APP_LIMITS, name=source.name
            )
            dataset.check_total_pixels(APP_LIMITS.max_total_pixels or 0)
        except DatasetError as error:
            dataset = error.args[0] if len(error.args) == 1 else str(error)
        kept = (source.digest, dataset)
        st.session_state[_OPENED] = kept
    if not isinstance(kept[1], Dataset):
        reason = " ".join(render(kept[1]).split())
        st.error(_(texts.BAD_ZIP).format(name=source.name, reason=reason))
        return None
    return kept[1]


def forget() -> None:
    """Let go of the session's zip (nothing is chosen any more)."""
    st.session_state.pop(_OPENED, None)
