"""What the Dataset page hands to the shared controls: a photo to explain, and the lesson's model.

Two small hooks, both session-scoped:

* ``open_on_grad_cam_page``: a click on a thumbnail decodes that photo into this session and
  switches to the Grad-CAM page; ``controls`` then explains that photo (``photo``) until the
  visitor picks a sample, uploads a photo or takes one. The model and layer are the sidebar's,
  which the audit used, and the class is the photo's top-1 (the sidebar's class picker follows
  a new photo's top-1), the predicted class whose map the thumbnail shows. (The class cannot
  go through the URL: ``?target=`` is bound to the picker, and Streamlit refuses to set it.)
* ``lesson_model``: while the Dataset page's lesson runs, the sidebar's "Your own model" section
  loads the lesson's model as if it had been uploaded (``own_models`` asks for it), so every page
  explains it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache as memoize

import streamlit as st

import gradcam_core as gc
from gradcam_core.dataset_audit import lesson
from gradcam_core.images import LoadedImage

from .dataset.texts import HANDED_OVER
from .i18n import _

_PHOTO = "_handed_over_photo"  # (LoadedImage, label, the sample chosen when it was handed over)
LESSON = "_dataset_lesson"  # "biased" or "balanced" while the lesson runs
EXPLAIN_PAGE = "pages/explain.py"
# Sidebar choices that st.switch_page drops (Streamlit 1.67 resets them on the switch, not on a
# navigation link): set again from the click's callback, they carry over. "preprocess" is an
# own model's preset, without which the Grad-CAM page would fall back to the bundled model.
KEPT_ACROSS_THE_SWITCH = ("preprocess",)


def open_on_grad_cam_page(data: bytes, label: str) -> None:
    """Decode the photo into this session and show it on the Grad-CAM page (its top-1 class)."""
    try:
        loaded = gc.load_image(data)
    except gc.ImageLoadError as error:
        st.error(_("Could not open '{name}': {reason}").format(name=label, reason=error))
        return
    st.session_state[_PHOTO] = (loaded, label, st.session_state.get("sample"))
    for key in KEPT_ACROSS_THE_SWITCH:
        if st.session_state.get(key) is not None:
            st.session_state[key] = st.session_state[key]
    st.switch_page(EXPLAIN_PAGE)


def photo(sample_id: str, chosen_elsewhere: bool) -> tuple[LoadedImage, str, None] | None:
    """The photo handed over from the Dataset page, until another sample, upload or shot."""
    kept = st.session_state.get(_PHOTO)
    if kept is None:
        return None
    loaded, label, sample_then = kept
    if chosen_elsewhere or sample_id != sample_then:
        del st.session_state[_PHOTO]
        return None
    st.caption(_(HANDED_OVER).format(key=label))
    return loaded, label, None


@memoize
def _lesson_digest(which: str) -> str:
    return hashlib.sha256(lesson.lesson_model_path(which).read_bytes()).hexdigest()  # type: ignore[arg-type]


def lesson_file_name(which: str) -> str:
    """The name the lesson's model goes by, as an uploaded file's would: one name in every
    language (the model is loaded once for every session, under the first session's name)."""
    return f"{which}.zip (lesson)"


def lesson_model() -> tuple[str, str, Callable[[], bytes]] | None:
    """(file name, SHA-256, how to read it) of the lesson's model while the lesson runs."""
    which = st.session_state.get(LESSON)
    if which not in lesson.LESSON_MODELS:
        return None
    path = lesson.lesson_model_path(which)
    return lesson_file_name(which), _lesson_digest(which), path.read_bytes
