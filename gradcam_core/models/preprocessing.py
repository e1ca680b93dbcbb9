"""Input presets for a model trained elsewhere: how its pixels were scaled before training.

Every preset takes RGB (or grey) pixels in 0..255, float32, the whole photo resized to the model's
input (W, H) with no crop, and returns what the model was trained on:

* ``raw``   x (the model scales its own input, e.g. it starts with ``Rescaling``)
* ``unit``  x / 255
* ``tf``    x / 127.5 - 1 (Teachable Machine, MobileNet, Inception)
* ``caffe`` RGB -> BGR, then x - (103.939, 116.779, 123.68) (VGG, ResNet50 in Keras)
* ``torch`` x / 255, then (x - (0.485, 0.456, 0.406)) / (0.229, 0.224, 0.225)

A 1-channel model gets the photo in grey, L = 0.299 R + 0.587 G + 0.114 B (ITU-R 601-2, as in
Pillow); ``caffe`` and ``torch`` subtract a per-colour ImageNet mean, so they need 3 channels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..errors import PreprocessingRequiredError
from ..i18n import N_, Text, _
from ..images import resize_for_model

CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)
TORCH_MEAN_RGB = np.array([0.485, 0.456, 0.406], dtype=np.float32)
TORCH_STD_RGB = np.array([0.229, 0.224, 0.225], dtype=np.float32)
GREY_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def raw(x: np.ndarray) -> np.ndarray:
    """x, unchanged (0..255)."""
    return x


def unit(x: np.ndarray) -> np.ndarray:
    """x / 255, in 0..1."""
    return x / np.float32(255.0)


def tf_style(x: np.ndarray) -> np.ndarray:
    """x / 127.5 - 1, in -1..1."""
    return x / np.float32(127.5) - np.float32(1.0)


def caffe(x: np.ndarray) -> np.ndarray:
    """RGB -> BGR, minus ImageNet's mean colour in BGR order."""
    return x[..., ::-1] - CAFFE_MEAN_BGR


def torch_style(x: np.ndarray) -> np.ndarray:
    """(x / 255 - mean) / std with ImageNet's RGB mean and standard deviation."""
    return (x / np.float32(255.0) - TORCH_MEAN_RGB) / TORCH_STD_RGB


@dataclass(frozen=True)
class Preset:
    """One preset: its name, what it does in a few words, and whether it needs colour."""

    name: str
    hint: str
    function: Callable[[np.ndarray], np.ndarray]
    needs_colour: bool = False


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("raw", N_("0..255 as is, for a model that rescales its own input"), raw),
        Preset("unit", N_("x / 255, in 0..1"), unit),
        Preset("tf", N_("x / 127.5 - 1, in -1..1, as Teachable Machine and MobileNet"), tf_style),
        Preset("caffe", N_("BGR minus the ImageNet mean, as VGG and ResNet50"), caffe, True),
        Preset("torch", N_("x / 255, then ImageNet mean and std, as PyTorch"), torch_style, True),
    )
}
PRESET_NAMES: tuple[str, ...] = tuple(PRESETS)


def presets_text() -> str:
    """'raw: 0..255 as is, ...; unit: x / 255, in 0..1; ...' for error messages and help, in the
    current language."""
    return "; ".join(f"{p.name}: {_(p.hint)}" for p in PRESETS.values())


class _PresetsText:
    """``presets_text()`` rendered when a message is shown (a field of a ``Text``)."""

    def __str__(self) -> str:
        return presets_text()

    def __format__(self, spec: str) -> str:
        return format(presets_text(), spec)

    def __reduce__(self):
        return (_PresetsText, ())


def get_preset(name: str) -> Preset:
    """The preset with this name, or a clear error naming them all."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preprocessing '{name}'; choose one of ({presets_text()}).")
    return PRESETS[name]


@dataclass(frozen=True)
class Preprocessing:
    """How a photo becomes model input: the model's input size, its channels and the scaling.

    ``pixels`` maps (N, H, W, C) pixels in 0..255 to model input; ``preset`` names it ('tf', ...)
    or, for the bundled and zoo models, the function the model was published with.
    """

    preset: str
    size: tuple[int, int]  # (width, height) of the model's input
    channels: int
    pixels: Callable[[np.ndarray], np.ndarray]

    def __call__(self, image: Image.Image) -> np.ndarray:
        """float32 (1, H, W, C): the whole photo resized to (W, H), no crop, then scaled."""
        return self.batch(resize_for_model(image, self.size)[None])

    def batch(self, rgb: np.ndarray) -> np.ndarray:
        """float32 (N, H, W, C) model input from (N, H, W, 3) RGB pixels in 0..255 at the input
        size (grey = RGB · GREY_WEIGHTS for a 1-channel model)."""
        pixels = np.asarray(rgb, dtype=np.float32)
        if self.channels == 1:
            pixels = (pixels @ GREY_WEIGHTS)[..., None]
        return np.asarray(self.pixels(pixels.copy()), dtype=np.float32)


def for_model(preset: str, size: tuple[int, int], channels: int) -> Preprocessing:
    """A preset applied at a model's input size; caffe and torch need a 3-channel model."""
    chosen = get_preset(preset)
    if chosen.needs_colour and channels != 3:
        fits = ", ".join(p.name for p in PRESETS.values() if not p.needs_colour)
        raise ValueError(
            f"The '{preset}' preset subtracts a per-colour mean, but this model takes "
            f"{channels}-channel (grey) images; choose one of: {fits}."
        )
    return Preprocessing(preset, size, channels, chosen.function)


def required_message(what: str) -> Text:
    """The sentence for a model whose file does not say how its pixels are scaled."""
    return Text(
        "{what} does not say how its input pixels were scaled; choose a preprocessing preset "
        "({presets}).",
        what=what,
        presets=_PresetsText(),
    )


def require(preprocessing: Preprocessing | None, what: str) -> Preprocessing:
    """The preprocessing, or PreprocessingRequiredError naming the presets."""
    if preprocessing is None:
        raise PreprocessingRequiredError(required_message(what))
    return preprocessing
