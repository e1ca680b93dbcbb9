"""The photo at the top of every page: a sample, an upload or a webcam shot, decoded once.

An upload is decoded by the engine's defensive loader (``gc.load_image``) and kept in the
session's state until it changes; a refusal is one line, and the sample stays on screen.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

import gradcam_core as gc
from gradcam_core import samples
from gradcam_core.images import UPLOAD_EXTENSIONS, LoadedImage

from . import cache, handover
from .i18n import N_, _, render
from .url_picker import url_picker

_DECODED = "_decoded_upload"
CAMERA_HELP = N_(
    "Asks for camera access. Browsers allow the camera only over HTTPS or on this computer "
    "(localhost); on a phone, the photo uploader can also open the camera."
)


def pick_photo() -> tuple[LoadedImage, str, str | None]:
    """Webcam shot, else upload, else the chosen sample; a bad file shows an error, falls back.

    The photo is picked at the top of the page, not in the sidebar: on a phone the sidebar is
    folded away, and the photo is the first thing a visitor of a shared link wants to change.
    """
    picker = st.container(key="photo_picker", border=True)
    samples_column, upload_column, camera_column = picker.columns(
        [3, 4, 2], vertical_alignment="center"
    )
    sample_id = url_picker(
        _("Sample photo"),
        samples.sample_ids(),
        sample_title,
        "sample",
        where=samples_column,
    )
    upload = upload_column.file_uploader(
        _("…or your own photo"), type=UPLOAD_EXTENSIONS, key="upload"
    )
    shot = None
    if camera_column.toggle(_("Use the webcam"), key="use_camera", help=_(CAMERA_HELP)):
        shot = picker.camera_input(_("Take a photo"), key="camera")
    if handed := handover.photo(sample_id, chosen_elsewhere=shot is not None or upload is not None):
        return handed  # a photo opened from the Dataset page
    for given, label in ((shot, _("webcam photo")), (upload, None)):
        if given is None:
            continue
        name = label or given.name
        decoded = _decoded(given)
        if isinstance(decoded, LoadedImage):
            return decoded, name, None
        st.error(_("Could not use '{name}': {reason}").format(name=name, reason=render(decoded)))
        st.caption(
            _("Showing the sample photo '{title}' instead.").format(title=sample_title(sample_id))
        )
    if shot is None and upload is None:
        st.session_state.pop(_DECODED, None)  # let go of the last upload's full-size pixels
    return cache.load_sample(sample_id), sample_title(sample_id), sample_id


def sample_title(sample_id: str) -> str:
    """A sample photo's title in the run's language."""
    return _(samples.get_sample(sample_id).title)


def _decoded(given: UploadedFile) -> LoadedImage | gc.ImageLoadError:
    """The session's upload decoded once (or why it could not be), kept until it changes.

    One full-resolution photo per session, held in session state rather than a cache shared by
    all sessions, so memory follows the sessions that are open and a 40-megapixel upload is
    released as soon as it is replaced or removed. A refusal is kept as the error itself, whose
    message is written in the language of the run that shows it.
    """
    kept = st.session_state.get(_DECODED)
    if kept is not None and kept[0] == given.file_id:
        return kept[1]
    st.session_state.pop(_DECODED, None)
    try:
        decoded: LoadedImage | gc.ImageLoadError = gc.load_image(given.getvalue())
    except gc.ImageLoadError as error:
        decoded = gc.ImageLoadError(*error.args)  # the message only: no frames, no cause
    st.session_state[_DECODED] = (given.file_id, decoded)
    return decoded
