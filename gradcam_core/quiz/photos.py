"""The quiz's two-object photos: bundled samples with two separate objects, composites, uploads.

Bundled: every sample photo (``gradcam_core/samples_data``) with exactly two objects that have
ImageNet classes and boxes that do not overlap (so "the object's region" means one thing), and
the composites in ``gradcam_core/quiz/photos_data`` (made by ``scripts/make_quiz_photos.py``, which
records each photo's two classes and checks both bundled models' predictions on it). A teacher's
upload is a photo with two category names and one ImageNet class each, and no boxes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import PurePath
from typing import Literal

Origin = Literal["sample", "composite", "upload"]
Box = tuple[int, int, int, int]
PHOTOS_DIR: Traversable = files("gradcam_core.quiz").joinpath("photos_data")


@dataclass(frozen=True)
class QuizObject:
    """One of a photo's two objects: its category for people, its ImageNet classes, its box."""

    label: str
    classes: tuple[int, ...]  # one of them is explained: the one the model scores highest
    box: Box | None = None  # pixels of the photo; None for uploads


@dataclass(frozen=True)
class QuizPhoto:
    """A photo with two object categories, its bytes and where it came from."""

    id: str
    title: str
    origin: Origin
    objects: tuple[QuizObject, QuizObject]
    data: bytes  # the encoded file (JPEG for bundled photos)
    credit: str = ""
    license: str = ""

    @property
    def labels(self) -> tuple[str, str]:
        return self.objects[0].label, self.objects[1].label


def boxes_overlap(a: Box, b: Box) -> bool:
    """True when two boxes share any pixel."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _two_object_samples() -> list[QuizPhoto]:
    from gradcam_core import samples  # the samples index decodes with the image loader

    found = []
    for sample in samples.list_samples():
        objects = [o for o in sample.objects if o.classes]
        if len(objects) != 2 or boxes_overlap(objects[0].box, objects[1].box):
            continue
        found.append(
            QuizPhoto(
                id=sample.id,
                title=sample.title,
                origin="sample",
                objects=tuple(QuizObject(o.label, o.classes, o.box) for o in objects),  # type: ignore[arg-type]
                data=sample.path.read_bytes(),
                credit=sample.credit,
                license=sample.license,
            )
        )
    return found


def composites_index() -> dict:
    """photos_data/photos.json: the composites, how each was made and the checks it passed."""
    return json.loads(PHOTOS_DIR.joinpath("photos.json").read_text(encoding="utf-8"))


def _composites() -> list[QuizPhoto]:
    return [
        QuizPhoto(
            id=PurePath(entry["file"]).stem,
            title=entry["title"],
            origin="composite",
            objects=tuple(
                QuizObject(o["label"], tuple(o["classes"]), tuple(o["box"]))  # type: ignore[misc]
                for o in entry["objects"]
            ),  # type: ignore[arg-type]
            data=PHOTOS_DIR.joinpath(entry["file"]).read_bytes(),
            credit=entry["credit"],
            license=entry["license"],
        )
        for entry in composites_index()["photos"]
    ]


@cache
def quiz_photos() -> tuple[QuizPhoto, ...]:
    """Every bundled two-object photo: samples first, then composites."""
    return (*_two_object_samples(), *_composites())


def photo_ids() -> list[str]:
    return [p.id for p in quiz_photos()]


def get_photo(photo_id: str) -> QuizPhoto:
    """A bundled quiz photo by id, or a KeyError naming the ids."""
    for photo in quiz_photos():
        if photo.id == photo_id:
            return photo
    raise KeyError(f"No quiz photo '{photo_id}'; photos are: {', '.join(photo_ids())}.")


def uploaded_photo(
    photo_id: str, title: str, data: bytes, labels: tuple[str, str], classes: tuple[int, int]
) -> QuizPhoto:
    """A teacher's photo: two category names, one ImageNet class each, no boxes."""
    objects = tuple(QuizObject(label, (int(c),)) for label, c in zip(labels, classes, strict=True))
    return QuizPhoto(photo_id, title, "upload", objects, data)  # type: ignore[arg-type]
