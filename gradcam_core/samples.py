"""The sample photos shipped as package data in ``gradcam_core/samples_data/``.

Sources and licenses are in samples_data/SOURCES.md. The files are read through
importlib.resources, so they are found wherever the package is installed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import PurePath

from .images import LoadedImage, load_image

SAMPLES_DIR: Traversable = files("gradcam_core").joinpath("samples_data")
DEFAULT_SAMPLE = "cat_and_coffee"

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels; x1 and y1 exclusive


@dataclass(frozen=True)
class SampleObject:
    """One object in a sample photo: what it is, its ImageNet classes and its box."""

    label: str
    classes: tuple[int, ...]
    box: Box


@dataclass(frozen=True)
class Sample:
    """A bundled photo with its title, expected classes, object boxes and license."""

    id: str
    title: str
    path: Traversable  # a file in the installed package (a Path when installed as files)
    expected_classes: tuple[int, ...]
    objects: tuple[SampleObject, ...]
    credit: str
    license: str
    source: str


@cache
def list_samples() -> tuple[Sample, ...]:
    """Every sample described in samples_data/samples.json, in its order."""
    index = SAMPLES_DIR.joinpath("samples.json").read_text(encoding="utf-8")
    entries = json.loads(index)["samples"]
    return tuple(
        Sample(
            id=PurePath(entry["file"]).stem,
            title=entry["title"],
            path=SAMPLES_DIR.joinpath(entry["file"]),
            expected_classes=tuple(entry["expected_classes"]),
            objects=tuple(
                SampleObject(o["label"], tuple(o["classes"]), tuple(o["box"]))  # type: ignore[arg-type]
                for o in entry.get("objects", [])
            ),
            credit=entry.get("credit", ""),
            license=entry.get("license", ""),
            source=entry.get("source", ""),
        )
        for entry in entries
    )


def sample_ids() -> list[str]:
    """The ids (file stems) of the samples, default first."""
    ids = [s.id for s in list_samples()]
    return sorted(ids, key=lambda i: i != DEFAULT_SAMPLE)


def get_sample(sample_id: str) -> Sample:
    """The sample with this id, or a KeyError naming the ids."""
    for sample in list_samples():
        if sample.id == sample_id:
            return sample
    raise KeyError(f"No sample '{sample_id}'; samples are: {', '.join(sample_ids())}.")


def load_sample(sample_id: str) -> LoadedImage:
    """Decode a sample photo with the same defensive loader as uploads."""
    return load_image(get_sample(sample_id).path.read_bytes())


def pick_object(objects: Sequence[SampleObject], target: int) -> int:
    """The first object whose classes contain the target, else the first object (0)."""
    return next((i for i, obj in enumerate(objects) if target in obj.classes), 0)
