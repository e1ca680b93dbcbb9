"""The sidebar every page shares: photo, model, layer, class, score, colormap and opacity.

The widgets live in the entrypoint (app.py calls ``sidebar()`` before the page runs), so their
values are shared by all pages and survive page switches. Model, layer, target, sample, score,
colormap and opacity are bound to the URL with Streamlit's query-parameter binding: Streamlit
checks a URL value against the widget's options (the allow-list) and ignores anything else.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import keras
import numpy as np
import streamlit as st

import gradcam_core as gc
from gradcam_core import drawing
from gradcam_core.images import LoadedImage

from . import cache, deployment, own_models, pages_folder, photo_picker
from .i18n import N_, _, render
from .url_picker import url_picker

TOP_K = 5
COLORMAP_NOTES = {
    "inferno": N_("perceptual"),
    "jet": N_("as in the article"),
    "viridis": N_("colour-blind safe"),
    "cividis": N_("colour-blind safe"),
    "magma": N_("perceptual"),
    "turbo": N_("rainbow, smoother than jet"),
    "plasma": N_("perceptual"),
}

# The selection lives for one script run, in the thread that runs it: session state would keep
# the previous run's copy (and its full-size photo) alive for another run.
_RUN = threading.local()
_CONTEXT = "_explained_context"
_FAILED_MODELS = "_failed_models"


@dataclass(frozen=True)
class Selection:
    """What every page explains: the photo, model, layer, class and display settings."""

    photo: LoadedImage
    photo_label: str
    sample_id: str | None
    model_name: str  # what caches are keyed by: a model's name, or own:<SHA-256>:<preset>
    classifier: gc.Classifier  # the model, its class names, preprocessing and probabilities
    layer: gc.LayerInfo
    target: int
    score: gc.Score
    cmap: str
    opacity: float
    predictions: tuple[gc.Prediction, ...]
    probabilities: np.ndarray  # softmax of the logits, one per class
    presenter: bool = False  # projector mode: larger type and images

    def probability(self, index: int) -> float:
        """The model's probability for class ``index`` on this photo."""
        return float(self.probabilities[int(index)])

    def class_name(self, index: int) -> str:
        """The name of class ``index`` for this model (ImageNet's, or the uploaded labels)."""
        return self.classifier.labels.name(int(index))

    @property
    def model(self) -> keras.Model:
        return self.classifier.model

    @property
    def title(self) -> str:
        """The model for people: 'EfficientNet-Lite0', or the uploaded file's name."""
        return self.classifier.title

    @property
    def own_model(self) -> bool:
        return cache.is_own(self.model_name)

    @property
    def digest(self) -> str:
        return self.photo.digest

    @property
    def map_key(self) -> cache.MapKey:
        return cache.MapKey(self.digest, self.model_name, self.layer.name, self.target, self.score)

    def settings(self) -> dict[str, object]:
        """The choices that reproduce this view, for downloads and links."""
        model: object = self.model_name
        if self.own_model:
            model = {
                "file": self.classifier.file_name,
                "sha256": self.classifier.sha256,
                "origin": self.classifier.origin,
                "preprocessing": self.classifier.preset,
            }
        return {
            "photo": self.photo_label,
            "photo_sha256": self.digest,
            "model": model,
            "layer": self.layer.name,
            "target": self.target,
            "score": self.score,
            "colormap": self.cmap,
            "opacity": self.opacity,
        }


def current() -> Selection | None:
    """The selection made in the sidebar during this run (None if nothing could be explained).

    Every page calls this first. A page file that Streamlit ran alone (see ``pages_folder``)
    runs again through app.py and its shared sidebar.
    """
    pages_folder.run_through_entrypoint()
    return getattr(_RUN, "selection", None)


def _retry_download(name: str) -> None:
    st.session_state[_FAILED_MODELS].pop(name, None)


def _model_label(name: str) -> str:
    spec = gc.get_spec(name)
    if deployment.fits(spec.size_mb):
        return spec.label
    return _("{model}: too large here").format(model=spec.label)


def _model() -> tuple[str, gc.Classifier]:
    """Your own model while one is loaded, else the chosen model, else the bundled default.

    A failed download is remembered for the session, so reruns do not retry it until asked. In
    low-memory mode a model too large for it is refused before anything loads.
    """
    picker = st.sidebar.container()  # above the "Your own model" section drawn first
    own = own_models.sidebar_section()
    specs = gc.available_models()
    name = url_picker(
        _("Model"),
        [s.name for s in specs],
        _model_label,
        "model",
        where=picker,
        disabled=own is not None,
        help=_(
            "Bundled models work offline; others download their weights once (size shown). "
            "While your own model is loaded it is the one explained."
        ),
    )
    if own is not None:
        return own
    too_large = [s.title for s in specs if not deployment.fits(s.size_mb)]
    if too_large:
        st.sidebar.caption(
            _("Low-memory mode: one model in memory at a time; {models} do not fit here.").format(
                models=", ".join(too_large)
            )
        )
    failures: dict[str, gc.ModelUnavailableError] = st.session_state.setdefault(_FAILED_MODELS, {})
    spec = gc.get_spec(name)
    if not deployment.fits(spec.size_mb):
        st.error(
            _(
                "{model} ({megabytes:.0f} MB of weights) does not fit this server's memory in "
                "low-memory mode; pick a model of at most {limit:.0f} MB."
            ).format(
                model=spec.title,
                megabytes=spec.size_mb,
                limit=deployment.LOW_MEMORY_MODEL_LIMIT_MB,
            )
        )
    elif name not in failures:
        try:
            return name, cache.classifier(name)
        except gc.ModelUnavailableError as error:
            failures[name] = gc.ModelUnavailableError(*error.args)  # message, not frames
    if name in failures:
        st.error(render(failures[name]))
        st.sidebar.button(_("Retry the download"), on_click=_retry_download, args=(name,))
    fallback = gc.DEFAULT_MODEL
    st.info(
        _("Showing {model} instead; it is bundled and works offline.").format(
            model=gc.get_spec(fallback).title
        )
    )
    return fallback, cache.classifier(fallback)


def _layer(model_name: str, classifier: gc.Classifier) -> gc.LayerInfo:
    table = cache.layer_table(model_name)
    names = [info.name for info in table]
    default = classifier.default_layer
    by_name = {info.name: info for info in table}

    def label(name: str) -> str:
        return f"{name} ({by_name[name].size_label})"

    chosen = url_picker(
        _("Layer"),
        names,
        label,
        "layer",
        index=names.index(default) if default in names else len(names) - 1,
        help=_(
            "Every layer with a 4-D feature map, input to output; the default is the last map "
            "before pooling."
        ),
    )
    return by_name[chosen]


def _target(
    predictions: list[gc.Prediction],
    probabilities: np.ndarray,
    context: tuple[str, str],
    labels: gc.ClassLabels,
) -> int:
    """Top-k first, then every class; follows the new top-1 when the photo or model changes."""
    top = [p.index for p in predictions]
    options = top + [i for i in range(len(labels)) if i not in set(top)]
    previous = st.session_state.get(_CONTEXT)
    if (previous is not None and previous != context) or st.session_state.get("target") not in (
        None,
        *options,
    ):
        st.session_state["target"] = top[0]
    st.session_state[_CONTEXT] = context

    def label(index: int) -> str:
        return f"{labels.name(index)} ({index})"

    return url_picker(
        _("Target class"),
        options,
        label,
        "target",
        help=_(
            "The top predictions come first ({top}); type to search all {count} classes."
        ).format(
            top=", ".join(f"{labels.name(i)} {probabilities[i]:.0%}" for i in top),
            count=len(labels),
        ),
    )


PRESENTER_CSS = """
<style>
  html { font-size: 125%; }
  [data-testid="stMainBlockContainer"] { max-width: 100%; padding: 1rem 2rem; }
  [data-testid="stCaptionContainer"] { font-size: 1rem; }
</style>
"""


def presenter_mode() -> bool:
    """A toggle for projectors: larger type everywhere; pages also draw larger figures."""
    on = st.sidebar.toggle(
        _("Presenter mode"),
        key="presenter",
        bind="query-params",
        help=_("Larger type and images for a projector."),
    )
    if on:
        st.html(PRESENTER_CSS)
    return on


def sidebar() -> Selection | None:
    """Render the shared controls and remember the selection for the page."""
    _RUN.selection = None
    photo, photo_label, sample_id = photo_picker.pick_photo()
    st.sidebar.subheader(_("Model and target"))
    model_name, classifier = _model()
    layer = _layer(model_name, classifier)
    try:
        forward = cache.forward_pass(photo.digest, model_name, layer.name, photo.image)
    except (gc.GradCamError, ValueError) as error:
        st.error(
            _("Could not run {model} on this photo: {reason}").format(
                model=classifier.title, reason=render(error)
            )
        )
        return None
    predictions = classifier.top_k(forward.logits, TOP_K)
    probabilities = classifier.probabilities(forward.logits)
    target = _target(predictions, probabilities, (photo.digest, model_name), classifier.labels)
    score = st.sidebar.radio(
        _("Score y^c"),
        gc.SCORES,
        key="score",
        bind="query-params",
        horizontal=True,
        help=_(
            "logit: the class score before softmax, as in the paper. softmax: the probability, "
            "which saturates and shrinks the gradients."
        ),
    )
    st.sidebar.subheader(_("Display"))
    cmap = st.sidebar.selectbox(
        _("Colormap"),
        drawing.COLORMAPS,
        index=drawing.COLORMAPS.index(drawing.DEFAULT_COLORMAP),
        key="cmap",
        bind="query-params",
        help="; ".join(f"{name}: {_(note)}" for name, note in COLORMAP_NOTES.items()),
    )
    opacity = st.sidebar.slider(
        _("Overlay opacity"), 0.0, 1.0, 0.5, 0.05, key="opacity", bind="query-params"
    )
    presenter = presenter_mode()
    selection = Selection(
        photo=photo,
        photo_label=photo_label,
        sample_id=sample_id,
        model_name=model_name,
        classifier=classifier,
        layer=layer,
        target=int(target),
        score=score,
        cmap=cmap,
        opacity=float(opacity),
        predictions=tuple(predictions),
        probabilities=probabilities,
        presenter=presenter,
    )
    _RUN.selection = selection
    return selection
