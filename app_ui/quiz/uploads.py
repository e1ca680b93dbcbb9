"""A teacher's own two-object photos: each checked by the app's image loader, its two objects
named and given an ImageNet class each.

A file is decoded once per upload (the same defensive loader as every upload in the app) and the
result kept in the session: a bad file gets one line and is left out; the others go on.
"""

from __future__ import annotations

import hashlib

import streamlit as st

import gradcam_core as gc
from gradcam_core.images import UPLOAD_EXTENSIONS
from gradcam_core.quiz import photos

from ..i18n import _
from . import messages as m
from .item_view import UPLOAD_PREFIX

_CHECKED = "quiz_upload_checks"  # file id -> None (fine) or why it was refused


def _checked(file_id: str, data: bytes) -> gc.ImageLoadError | None:
    """None when the loader accepts the file, else its one-line refusal (kept per file, and
    rendered when shown: in the language of that run)."""
    checks: dict[str, gc.ImageLoadError | None] = st.session_state.setdefault(_CHECKED, {})
    if file_id not in checks:
        try:
            gc.load_image(data)
            checks[file_id] = None
        except gc.ImageLoadError as error:
            checks[file_id] = error
    return checks[file_id]


def _class_label(index: int) -> str:
    return f"{gc.class_name(index)} ({index})"


def _object(file_key: str, file_name: str, position: int) -> tuple[str, int | None]:
    """One object's name and ImageNet class, side by side."""
    left, right = st.columns(2)
    chosen = right.selectbox(
        _(m.UPLOAD_CLASS).format(position=position, file=file_name),
        range(len(gc.imagenet_labels())),
        index=None,
        format_func=_class_label,
        key=f"quiz_upload_{file_key}_class{position}",
    )
    label = left.text_input(
        _(m.UPLOAD_LABEL).format(position=position, file=file_name),
        value="",
        max_chars=40,
        placeholder=gc.class_name(chosen) if chosen is not None else "",
        key=f"quiz_upload_{file_key}_label{position}",
    )
    return (label.strip() or (gc.class_name(chosen) if chosen is not None else "")), chosen


def section() -> tuple[list[photos.QuizPhoto], list[str]]:
    """The uploaded photos ready for a room, and a line for each one that is not."""
    files = st.file_uploader(
        _(m.UPLOADS),
        type=UPLOAD_EXTENSIONS,
        accept_multiple_files=True,
        help=_(m.UPLOADS_HELP),
        key="quiz_uploads",
    )
    ready, problems = [], []
    for upload in files or []:
        data = upload.getvalue()
        refused = _checked(upload.file_id, data)
        if refused is not None:
            problems.append(_(m.UPLOAD_REFUSED).format(file=upload.name, reason=refused))
            continue
        digest = hashlib.sha256(data).hexdigest()
        first = _object(digest[:12], upload.name, 1)
        second = _object(digest[:12], upload.name, 2)
        labels, classes = (first[0], second[0]), (first[1], second[1])
        if None in classes or not all(labels):
            problems.append(_(m.UPLOAD_INCOMPLETE).format(file=upload.name))
            continue
        if classes[0] == classes[1]:
            problems.append(_(m.UPLOAD_SAME_CLASS).format(file=upload.name))
            continue
        photo_id = f"{UPLOAD_PREFIX}{digest[:16]}"
        ready.append(photos.uploaded_photo(photo_id, upload.name, data, labels, classes))
    return ready, problems
