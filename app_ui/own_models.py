"""The sidebar's "Your own model": upload a classifier, pick its preprocessing, read its card.

The file is checked before Keras sees it (gradcam_core.models.safety) and loaded once per file,
by its SHA-256; that digest and the preprocessing preset then stand wherever a model's name
keys a cache. Only the session that uploaded a file knows its digest, so no other visitor can
list or pick it. An operator can switch uploads off (``deployment.model_uploads_allowed``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache as memoize

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

import gradcam_core as gc
from gradcam_core.models.safety import MAX_MODEL_BYTES

from . import cache, deployment, handover
from .i18n import N_, Text, _, ngettext, render

MODEL_FILE_TYPES = ["keras", "h5", "hdf5", "zip"]
LABEL_FILE_TYPES = ["txt", "json"]
MAX_MODEL_MB = MAX_MODEL_BYTES // (1024 * 1024)
EXAMPLE_NAME = "converted_keras.zip"
UPLOAD_NOTE = N_(
    "A Keras 3 `.keras`, a Keras 2 / tf_keras `.h5`, or Teachable Machine's "
    "`converted_keras.zip` as downloaded. Checked before it is loaded; no code in it runs; "
    "only you see it."
)
LINKS_NOTE = N_(
    "Links to this view keep every setting but your model, which stays in this session."
)
_DIGESTS = "_own_model_digests"  # uploaded file id -> SHA-256, so a rerun does not hash again
_SHOWN = "_own_model_shown"  # the digest whose preset picker is shown
_REFUSED = "_own_model_refused"  # SHA-256 -> the refusal: a refused file is not read again
Problem = tuple[str, Text]  # ("error" or "warning", what to say; rendered when shown)


@memoize
def _example_digest() -> str:
    return hashlib.sha256(gc.demo_model_path().read_bytes()).hexdigest()


def _digest(upload: UploadedFile) -> str:
    digests: dict[str, str] = st.session_state.setdefault(_DIGESTS, {})
    if upload.file_id not in digests:
        digests.clear()  # one upload at a time: forget the last one's
        digests[upload.file_id] = hashlib.sha256(upload.getbuffer()).hexdigest()
    return digests[upload.file_id]


def _source(upload: UploadedFile | None) -> tuple[str, str, Callable[[], bytes]] | None:
    """(file name, SHA-256, how to read the bytes) of the upload, or of the example if chosen."""
    if upload is not None:
        return upload.name, _digest(upload), upload.getvalue
    if (lesson_model := handover.lesson_model()) is not None:
        return lesson_model  # the Dataset page's lesson
    if st.toggle(
        _("Try an example own model"),
        key="own_example",
        help=_(
            "A Teachable-Machine-shaped model trained on the sample photos (Cat, Coffee cup, "
            "Something else), on EfficientNet-Lite0's first blocks."
        ),
    ):
        return EXAMPLE_NAME, _example_digest(), gc.demo_model_path().read_bytes
    return None


def _preset(loaded: gc.Classifier, digest: str) -> str | None:
    """The preprocessing picker: the file's own choice when it says, else the visitor's."""
    if st.session_state.get(_SHOWN) != digest:  # a new model: start from what its file says
        st.session_state[_SHOWN] = digest
        st.session_state["preprocess"] = loaded.suggested_preprocessing
    return st.selectbox(
        _("Preprocessing: how its pixels were scaled"),
        gc.PRESET_NAMES,
        index=None,
        key="preprocess",
        placeholder=_("Choose one: watch the top-k"),
        format_func={name: f"{name}: {_(gc.PRESETS[name].hint)}" for name in gc.PRESETS}.get,
        help=_(
            "Chosen from the file when it says (Teachable Machine: tf; a model that starts "
            "with Rescaling or Normalization: raw). A wrong choice shows in the predictions."
        ),
    )


def _card(classifier: gc.Classifier, suggested: str | None) -> None:
    names = classifier.labels.names
    shown = ", ".join(names[:6])
    if len(names) > 6:
        shown = _("{names} and {count} more").format(names=shown, count=len(names) - 6)
    width, height = classifier.input_size
    source = _("from the file") if suggested == classifier.preset else _("your choice")
    if classifier.is_binary:
        classes = _("{count} classes, binary: one output unit, class 1 scores z")
    else:
        classes = ngettext("{count} class", "{count} classes", len(names))
    lines = (
        f"**{classifier.file_name}** · {_(classifier.origin)}",
        _("input {width}×{height}×{channels}").format(
            width=width, height=height, channels=classifier.channels
        )
        + " · "
        + classes.format(count=len(names))
        + f" ({shown})",
        _("{parameters:,} parameters · default layer `{layer}`").format(
            parameters=classifier.parameters, layer=classifier.default_layer
        ),
        _("preprocessing `{preset}` ({source})").format(preset=classifier.preset, source=source),
    )
    st.markdown("  \n".join(lines))
    st.caption(_(LINKS_NOTE))


def sidebar_section() -> tuple[str, gc.Classifier] | None:
    """The section's widgets; the uploaded model's cache key and classifier while one is in use.

    A refused file, a bad labels file or a missing preset gives one line on the page (not in the
    sidebar, which a phone folds away) and None, so the app goes on explaining a bundled model.
    """
    if not deployment.model_uploads_allowed():
        return None
    in_use = st.session_state.get("model_file") is not None or st.session_state.get("own_example")
    with st.sidebar.expander(_("Your own model"), expanded=bool(in_use)):
        chosen, problem = _section()
    if problem is not None:
        kind, message = problem
        (st.warning if kind == "warning" else st.error)(render(message))
    return chosen


def _section() -> tuple[tuple[str, gc.Classifier] | None, Problem | None]:
    st.caption(_(UPLOAD_NOTE))
    upload = st.file_uploader(
        _("Model file"), type=MODEL_FILE_TYPES, key="model_file", max_upload_size=MAX_MODEL_MB
    )
    labels_file = st.file_uploader(
        _("Class names (optional)"),
        type=LABEL_FILE_TYPES,
        key="labels_file",
        help=_(
            "`labels.txt` (`0 Cat` or one name per line), a JSON list or `{index: name}`. "
            "Without one: the zip's `labels.txt`, else `class 0`, `class 1`, ..."
        ),
    )
    source = _source(upload)
    if source is None:
        return None, None
    file_name, digest, read = source
    refused: dict[str, Text] = st.session_state.setdefault(_REFUSED, {})
    if digest not in refused:
        try:
            loaded = cache.load_own(read, file_name, digest)
        except (gc.GradCamError, ValueError) as error:
            refused[digest] = Text(
                "Could not use '{name}': {reason}", name=file_name, reason=_OneLine(error.args)
            )
    if digest in refused:
        return None, ("error", refused[digest])
    weights_mb = loaded.parameters * 4 / 1e6
    if not deployment.fits(weights_mb):
        return None, (
            "error",
            Text(
                "'{name}' ({megabytes:.0f} MB of weights) does not fit this server's memory in "
                "low-memory mode; at most {limit:.0f} MB.",
                name=file_name,
                megabytes=weights_mb,
                limit=deployment.LOW_MEMORY_MODEL_LIMIT_MB,
            ),
        )
    preset = _preset(loaded, digest)
    if preset is None:
        return None, (
            "warning",
            Text(
                "Choose how '{name}' expects its pixels (the preprocessing picker under “Your own "
                "model” in the sidebar): its file does not say. Until then the bundled model is "
                "shown.",
                name=file_name,
            ),
        )
    try:
        classifier = loaded.with_preprocessing(preset)
        if labels_file is not None:
            classifier = classifier.with_labels(labels_file.getvalue())
    except (gc.GradCamError, ValueError) as error:
        return None, (
            "error",
            Text(
                "Could not use those settings for '{name}': {reason}",
                name=file_name,
                reason=_OneLine(error.args),
            ),
        )
    _card(classifier, loaded.suggested_preprocessing)
    return (cache.own_model_key(digest, preset), classifier), None


class _OneLine:
    """An error's message on one line, rendered in the language of the run that shows it (kept
    as the message alone: no traceback, no frames holding the file's bytes)."""

    def __init__(self, args: tuple) -> None:
        self.message = args[0] if args else ""

    def __format__(self, spec: str) -> str:
        return format(" ".join(render(self.message).split()), spec)
