"""The two human studies of Grad-CAM's paper as a class quiz: methods, models and a room's design.

Selvaraju et al. (IJCV 2020, section 5) measured two claims with people:

- **Class discrimination**: a photo holds two object categories; a visualization made for one of
  them is shown *without the photo*, and the person answers which of the two it depicts.
- **Trust**: two models that both predict the right class; each one's visualization is shown with
  that class, and the person rates which model is more reliable, from -2 to +2.

A room's ``RoomDesign`` says which methods and models each study uses, which photos its items
come from, how many items each student answers and how a coarse map is drawn. No text for people
lives here (see ``app_ui/quiz/messages.py``); method and model names stay as they are.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from typing import Literal

Study = Literal["discrimination", "trust"]
STUDIES: tuple[Study, ...] = ("discrimination", "trust")

# How a coarse map (Grad-CAM, Eigen-CAM) is drawn without the photo: "masked" shows the photo's
# pixels weighted by the map (what the map selects, on black: the counterpart of Guided Grad-CAM,
# which weights guided backprop by the map); "heatmap" shows the coloured map alone.
MapView = Literal["masked", "heatmap"]
MAP_VIEWS: tuple[MapView, ...] = ("masked", "heatmap")

# Ratings of the trust study: +2 model 1 clearly more reliable ... -2 model 2 clearly more.
TRUST_RATINGS: tuple[int, ...] = (2, 1, 0, -1, -2)


@dataclass(frozen=True)
class QuizMethod:
    """A visualization the quiz can show, and whether it depends on the class asked."""

    id: str
    title: str  # the method's name, as the paper and the Methods page write it
    class_discriminative: bool  # False: the same picture whichever class is asked
    pixel_level: bool  # an image-sized gradient picture rather than a coarse map


METHODS: dict[str, QuizMethod] = {
    m.id: m
    for m in (
        QuizMethod("guided_backprop", "Guided Backprop", False, True),
        QuizMethod("guided_gradcam", "Guided Grad-CAM", True, True),
        QuizMethod("gradcam", "Grad-CAM", True, False),
        QuizMethod("eigencam", "Eigen-CAM", False, False),
    )
}
DISCRIMINATION_METHODS: tuple[str, ...] = (
    "guided_backprop",
    "guided_gradcam",
    "gradcam",
    "eigencam",
)
TRUST_METHODS: tuple[str, ...] = ("guided_backprop", "guided_gradcam", "gradcam")
DEFAULT_TRUST_METHODS: tuple[str, ...] = ("guided_backprop", "guided_gradcam")  # the paper's two


# ImageNet top-1 accuracy (%) published for each model the app can load. EfficientNet-Lite: the
# FP32 figures of Google's checkpoints these weights were converted from (tensorflow/tpu,
# models/official/efficientnet/lite); the Keras zoo: keras.io/api/applications.
IMAGENET_TOP1: dict[str, float] = {
    "efficientnet_lite0": 75.1,
    "efficientnet_lite1": 76.7,
    "efficientnet_lite2": 77.6,
    "vgg16": 71.3,
    "vgg19": 71.3,
    "resnet50": 74.9,
    "resnet50v2": 76.0,
    "inception_v3": 77.9,
    "xception": 79.0,
    "mobilenet_v2": 71.3,
    "densenet121": 75.0,
    "efficientnet_b0": 77.1,
    "convnext_tiny": 81.3,
}

# The paper compared VGG16 with AlexNet (about 71 % against 57 % top-1). Offline, the widest gap
# between two models that ship with the app is EfficientNet-Lite2 against Lite0: one family, one
# training recipe, differing in size and input resolution (260 against 224 px), 2.5 points apart.
DEFAULT_DISCRIMINATION_MODEL = "efficientnet_lite0"
DEFAULT_TRUST_MODELS: tuple[str, str] = ("efficientnet_lite2", "efficientnet_lite0")
DEFAULT_ITEMS_PER_STUDENT = 20
MIN_ITEMS_PER_STUDENT = 4
MAX_ITEMS_PER_STUDENT = 60


def stronger_first(models: tuple[str, str] | list[str]) -> tuple[str, str]:
    """The two models ordered by published ImageNet accuracy, higher first (ValueError if tied
    or unknown: the trust study needs a stronger model)."""
    first, second = models
    if first == second:
        raise ValueError("The trust study needs two different models.")
    for name in models:
        if name not in IMAGENET_TOP1:
            raise ValueError(f"No published ImageNet accuracy for '{name}'.")
    if IMAGENET_TOP1[first] == IMAGENET_TOP1[second]:
        raise ValueError(f"'{first}' and '{second}' have the same published accuracy.")
    return (first, second) if IMAGENET_TOP1[first] > IMAGENET_TOP1[second] else (second, first)


@dataclass(frozen=True)
class RoomDesign:
    """What a room asks: studies, methods, models, photos, items per student, how maps are drawn.

    Every map is made at the model's default layer (the last feature map before pooling).

    ``photos`` are the bundled photos chosen (ids of ``photos.quiz_photos``), for the record;
    a teacher's uploads are added to the room, not named here.
    """

    discrimination_methods: tuple[str, ...] = DISCRIMINATION_METHODS
    trust_methods: tuple[str, ...] = DEFAULT_TRUST_METHODS
    discrimination_model: str = DEFAULT_DISCRIMINATION_MODEL
    trust_models: tuple[str, str] = DEFAULT_TRUST_MODELS  # (stronger, weaker)
    photos: tuple[str, ...] = ()
    items_per_student: int = DEFAULT_ITEMS_PER_STUDENT
    map_view: MapView = "masked"

    def __post_init__(self) -> None:
        unknown = [m for m in self.discrimination_methods if m not in DISCRIMINATION_METHODS]
        unknown += [m for m in self.trust_methods if m not in TRUST_METHODS]
        if unknown:
            raise ValueError(f"Unknown quiz methods: {', '.join(unknown)}.")
        if not self.discrimination_methods and not self.trust_methods:
            raise ValueError("A quiz needs at least one method in one study.")
        if self.trust_methods:
            object.__setattr__(self, "trust_models", stronger_first(self.trust_models))
        if self.map_view not in MAP_VIEWS:
            raise ValueError(f"Unknown map view '{self.map_view}'.")
        if not MIN_ITEMS_PER_STUDENT <= self.items_per_student <= MAX_ITEMS_PER_STUDENT:
            raise ValueError(
                f"Items per student must be between {MIN_ITEMS_PER_STUDENT} and "
                f"{MAX_ITEMS_PER_STUDENT}."
            )

    @property
    def models(self) -> tuple[str, ...]:
        """Every model the room's items need, each once."""
        used = [self.discrimination_model] if self.discrimination_methods else []
        used += list(self.trust_models) if self.trust_methods else []
        return tuple(dict.fromkeys(used))

    def to_json(self) -> str:
        """The design as canonical JSON (sorted keys), as stored with the room."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> RoomDesign:
        """A design read back from ``to_json`` (unknown keys ignored)."""
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known}
        return cls(**values)

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON: equal designs give equal items."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()
