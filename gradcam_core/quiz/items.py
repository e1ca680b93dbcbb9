"""A room's items, planned from what each model made of each photo (no TensorFlow here).

``build.analyse_photo`` runs a model on a photo once and keeps everything the items need: the
class explained for each object, where its Grad-CAM map lies, the model's top class, and every
picture already encoded (JPEG bytes, named by their SHA-256). ``plan_items`` turns those analyses
into the room's numbered items:

- class discrimination: per photo, per method, per object, a picture made for that object;
  both categories are the answers. An object whose Grad-CAM map does not lie on it (more of
  the map's mass in its box than in the other's) gives no item, for any method: the question
  would be unfair. Uploads have no boxes and are not checked.
- trust: per photo where both models' top class belongs to the same object, per method, the two
  models' pictures for their own top class.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from PIL import Image

from . import checks
from .design import RoomDesign, Study
from .photos import QuizPhoto

ANALYSIS_VERSION = 1  # bump when pictures or facts change: cached analyses are then redone


@dataclass(frozen=True)
class Picture:
    """An encoded image named by the SHA-256 of its bytes."""

    digest: str
    media_type: str
    data: bytes
    width: int
    height: int

    @classmethod
    def from_image(cls, image: Image.Image, quality: int = 85) -> Picture:
        """A JPEG of an RGB image (no metadata)."""
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True)
        data = buffer.getvalue()
        return cls(hashlib.sha256(data).hexdigest(), "image/jpeg", data, *image.size)


@dataclass(frozen=True)
class ObjectAnalysis:
    """What one model made of one of a photo's objects."""

    label: str
    class_index: int
    class_name: str
    rank: int  # 0: the model's top class
    shares: tuple[float, float] | None  # Grad-CAM mass in (this box, the other box); no boxes: None
    pictures: dict[str, str]  # method id -> picture digest, for this object's class

    @property
    def map_on_object(self) -> bool:
        """Does this object's Grad-CAM map lie on it (always True without boxes)?"""
        return self.shares is None or checks.lies_on(self.shares, 0)


@dataclass(frozen=True)
class PhotoAnalysis:
    """One model on one photo: its top classes, both objects, the photo for after the answer."""

    photo: str  # photo id
    model: str
    layer: str
    top5: list[tuple[int, str, float]]
    objects: tuple[ObjectAnalysis, ObjectAnalysis]
    photo_picture: str  # digest of the photo as shown after answering
    map_view: str

    @property
    def top_object(self) -> int | None:
        """The object the model's top class belongs to, or None."""
        ranked = [i for i, o in enumerate(self.objects) if o.rank == 0]
        return ranked[0] if ranked else None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PhotoAnalysis:
        data = json.loads(text)
        objects = tuple(
            ObjectAnalysis(
                label=o["label"],
                class_index=o["class_index"],
                class_name=o["class_name"],
                rank=o["rank"],
                shares=None if o["shares"] is None else tuple(o["shares"]),
                pictures=dict(o["pictures"]),
            )
            for o in data["objects"]
        )
        return cls(
            photo=data["photo"],
            model=data["model"],
            layer=data["layer"],
            top5=[(int(i), str(name), float(p)) for i, name, p in data["top5"]],
            objects=objects,  # type: ignore[arg-type]
            photo_picture=data["photo_picture"],
            map_view=data["map_view"],
        )


def analysis_key(photo: QuizPhoto, model: str, methods: Sequence[str], map_view: str) -> str:
    """What an analysis depends on: photo bytes, model, methods drawn, map view, version."""
    parts = [
        str(ANALYSIS_VERSION),
        hashlib.sha256(photo.data).hexdigest(),
        json.dumps([o.label for o in photo.objects] + [list(o.classes) for o in photo.objects]),
        json.dumps([o.box for o in photo.objects]),
        model,
        ",".join(sorted(methods)),
        map_view,
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Item:
    """One question of a room, as stored: what is shown, what the answers are, what is true."""

    number: int
    study: Study
    method: str
    photo: str
    photo_title: str
    labels: tuple[str, str]  # discrimination: the two categories; trust: (category, "")
    truth: int | None  # discrimination: the index in labels the picture was made for
    picture: str  # discrimination: the picture; trust: the stronger model's
    picture_2: str | None  # trust: the weaker model's
    photo_picture: str
    details: dict = field(default_factory=dict)  # models, classes, class names, shares


@dataclass(frozen=True)
class LeftOut:
    """A photo's object that gives no class-discrimination item, and why (a reason code)."""

    photo_title: str
    label: str
    reason: str  # "map_not_on_object"
    model: str


def plan_items(
    design: RoomDesign,
    photos: Sequence[QuizPhoto],
    analyses: Mapping[tuple[str, str], PhotoAnalysis],
) -> tuple[list[Item], list[LeftOut]]:
    """The room's items from the analyses keyed by (photo id, model), numbered from 1."""
    items: list[Item] = []
    left_out: list[LeftOut] = []

    def add(**values) -> None:
        items.append(Item(number=len(items) + 1, **values))

    for photo in photos:
        if design.discrimination_methods:
            analysis = analyses[(photo.id, design.discrimination_model)]
            for index, obj in enumerate(analysis.objects):
                if not obj.map_on_object:
                    left_out.append(
                        LeftOut(photo.title, obj.label, "map_not_on_object", analysis.model)
                    )
                    continue
                for method in design.discrimination_methods:
                    add(
                        study="discrimination",
                        method=method,
                        photo=photo.id,
                        photo_title=photo.title,
                        labels=photo.labels,
                        truth=index,
                        picture=obj.pictures[method],
                        picture_2=None,
                        photo_picture=analysis.photo_picture,
                        details={
                            "model": analysis.model,
                            "layer": analysis.layer,
                            "class": obj.class_index,
                            "class_name": obj.class_name,
                            "rank": obj.rank,
                            "shares": obj.shares,
                        },
                    )
        if design.trust_methods:
            stronger = analyses[(photo.id, design.trust_models[0])]
            weaker = analyses[(photo.id, design.trust_models[1])]
            shared = stronger.top_object
            if shared is None or weaker.top_object != shared:
                continue
            first, second = stronger.objects[shared], weaker.objects[shared]
            for method in design.trust_methods:
                add(
                    study="trust",
                    method=method,
                    photo=photo.id,
                    photo_title=photo.title,
                    labels=(first.label, ""),
                    truth=None,
                    picture=first.pictures[method],
                    picture_2=second.pictures[method],
                    photo_picture=stronger.photo_picture,
                    details={
                        "models": [stronger.model, weaker.model],
                        "layers": [stronger.layer, weaker.layer],
                        "classes": [first.class_index, second.class_index],
                        "class_names": [first.class_name, second.class_name],
                    },
                )
    return items, left_out


@dataclass(frozen=True)
class RoomContent:
    """A room's items, the objects left out, and the analyses and pictures made for it.

    ``pictures`` and ``analyses`` hold only what this build computed (cached ones are already
    stored); ``analyses`` is keyed by ``analysis_key``.
    """

    design: RoomDesign
    items: list[Item]
    left_out: list[LeftOut]
    analyses: dict[str, PhotoAnalysis]
    pictures: dict[str, Picture]
