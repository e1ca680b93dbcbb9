"""One object with everything a page needs to explain any model, bundled or your own."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
from PIL import Image
from scipy.special import expit

from ..labels import ClassLabels, Prediction, parse_labels, softmax
from ..modifiers import Head
from .preprocessing import Preprocessing, for_model, require


@dataclass(frozen=True, eq=False)
class Classifier:
    """A model ready for Grad-CAM, with its class names, its input scaling and where it came from.

    ``model`` returns logits, one per class (a binary model's single logit z as [-z, z]);
    ``probabilities`` turns them into the model's own probabilities (softmax, or sigmoid per
    output). ``preprocessing`` is None when the file does not say how its pixels were scaled:
    ``preprocess`` then raises PreprocessingRequiredError and ``with_preprocessing`` chooses.
    """

    model: keras.Model
    labels: ClassLabels
    preprocessing: Preprocessing | None
    head: Head
    default_layer: str
    origin: (
        str  # "bundled", "keras.applications", "Teachable Machine export", "Keras 3 .keras", ...
    )
    name: str  # the model's name ("efficientnet_lite0") or the file's name ("keras_model.h5")
    title: str  # for people: "EfficientNet-Lite0", or the file's name
    input_shape: tuple[int, int, int]  # (H, W, C) of the model's input
    parameters: int
    binary: bool = False  # one output unit z, shown as the two classes [-z, z]
    suggested_preprocessing: str | None = None  # what the file says; None: the caller chooses
    file_name: str | None = None
    sha256: str | None = None  # of the model file: the cache key of an own model
    notes: tuple[str, ...] = ()  # what was rewritten or looked through while loading

    @property
    def input_size(self) -> tuple[int, int]:
        """(width, height) that photos are resized to."""
        return self.input_shape[1], self.input_shape[0]

    @property
    def channels(self) -> int:
        """1 (grey) or 3 (RGB)."""
        return self.input_shape[2]

    @property
    def is_binary(self) -> bool:
        """True for a model with one output unit (class 1 scores z, class 0 scores -z)."""
        return self.binary

    @property
    def num_classes(self) -> int:
        """How many classes the logits cover (2 for a binary model)."""
        return len(self.labels)

    @property
    def preset(self) -> str | None:
        """The preprocessing in use ('tf', ...), or None while none is chosen."""
        return None if self.preprocessing is None else self.preprocessing.preset

    @property
    def cache_key(self) -> str:
        """What identifies this model and its preprocessing: the file's SHA-256, or the name."""
        return f"{self.sha256 or self.name}:{self.preset}"

    def preprocess(self, image: Image.Image) -> np.ndarray:
        """float32 (1, H, W, C) for the model: the whole photo resized to its input, scaled."""
        return require(self.preprocessing, self.title)(image)

    def preprocess_batch(self, rgb: np.ndarray) -> np.ndarray:
        """Model input from (N, H, W, 3) RGB pixels in 0..255 already at the input size."""
        return require(self.preprocessing, self.title).batch(rgb)

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        """softmax(z) over the classes, or sigmoid(z) per class for a sigmoid head (float64)."""
        z = np.asarray(logits, dtype=np.float64)
        if self.head == "sigmoid":
            return expit(z)
        return np.apply_along_axis(softmax, -1, z) if z.ndim > 1 else softmax(z)

    def top_k(self, logits: np.ndarray, k: int = 5) -> list[Prediction]:
        """The k highest-scoring classes with their names and probabilities, highest first."""
        z = np.asarray(logits, dtype=np.float64).reshape(-1)
        probabilities = self.probabilities(z)
        order = np.argsort(-z, kind="stable")[: max(1, min(int(k), z.size))]
        return [
            Prediction(int(i), self.labels.name(int(i)), float(probabilities[i]), float(z[i]))
            for i in order
        ]

    def with_preprocessing(self, preset: str) -> Classifier:
        """The same model with a preprocessing preset chosen ('raw', 'unit', 'tf', ...)."""
        chosen = for_model(preset, self.input_size, self.channels)
        return dataclasses.replace(self, preprocessing=chosen)

    def with_labels(self, labels: ClassLabels | bytes | str | os.PathLike) -> Classifier:
        """The same model with other class names: a labels file's path, its bytes or its text."""
        if isinstance(labels, os.PathLike):
            path = Path(labels)
            labels = parse_labels(path.read_bytes(), self.num_classes, path.name)
        elif not isinstance(labels, ClassLabels):
            labels = parse_labels(labels, self.num_classes)
        elif len(labels) != self.num_classes:
            raise ValueError(f"{len(labels)} names for a model with {self.num_classes} classes.")
        return dataclasses.replace(self, labels=labels)

    def describe(self) -> dict[str, Any]:
        """JSON-ready facts for a model card or result.json."""
        return {
            "name": self.name,
            "title": self.title,
            "origin": self.origin,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "preprocessing": self.preset,
            "input_size": list(self.input_size),
            "channels": self.channels,
            "classes": self.num_classes,
            "binary": self.binary,
            "probabilities": self.head,
            "parameters": self.parameters,
            "default_layer": self.default_layer,
        }
