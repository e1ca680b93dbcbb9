"""The lesson shipped with the audit (made by scripts/make_lesson.py): two Teachable-Machine-shaped
models and a held-out set of photos, with and without a corner mark.

``biased``: trained on photos where every "Cat" carries the mark; ``balanced``: trained on the
same photos with the mark on every other photo of every class. ``photos.zip``: one folder per
class, each photo twice (``plain_NN.jpg``, ``marked_NN.jpg``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..errors import ModelUnavailableError
from .messages import say

LESSON_DIR = Path(__file__).resolve().parent / "lesson"
LessonModel = Literal["biased", "balanced"]
LESSON_MODELS: tuple[LessonModel, ...] = ("biased", "balanced")
MARKED_CLASS = "Cat"  # the class whose training photos all carried the mark (biased model)
MARKED_PREFIX = "marked_"  # held-out photos that carry the mark


def _packaged(name: str) -> Path:
    path = LESSON_DIR / name
    if not path.is_file():
        raise ModelUnavailableError(say("lesson_missing", name=name))
    return path


def lesson_model_path(which: LessonModel = "biased") -> Path:
    """The biased model or its balanced control, as converted_keras.zip files."""
    if which not in LESSON_MODELS:
        raise ValueError(say("lesson_model", choices=LESSON_MODELS, which=which))
    return _packaged(f"{which}.zip")


def lesson_photos_path() -> Path:
    """The held-out photos: Cat/, Coffee cup/, Something else/, each photo plain and marked."""
    return _packaged("photos.zip")


def is_marked(key: str) -> bool:
    """True for a held-out photo that carries the mark."""
    return Path(key).name.startswith(MARKED_PREFIX)
