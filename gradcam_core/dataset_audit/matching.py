"""Class folders matched to a model's class names, by name.

A folder matches a class when their names agree once both are lower-cased, with '_' and '-'
read as spaces and runs of spaces as one ('coffee_cup' is 'Coffee cup'); a folder named by a
class index ('281') matches that class. ImageNet classes also match by any of their WordNet
synonyms ('tabby' and 'tabby cat'). A folder that matches nothing, or several classes, keeps its
images in the audit without a true label, and the run says so in one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..labels import ClassLabels, ImageNetLabels, imagenet_classes_table


def normalized(name: str) -> str:
    """'Coffee_Cup ' -> 'coffee cup'."""
    return " ".join(re.sub(r"[_\-]+", " ", name).lower().split())


@dataclass(frozen=True)
class FolderMatch:
    """Which class each folder stands for, and the folders that stand for none."""

    classes: dict[str, int]  # folder -> class index
    unmatched: tuple[str, ...]
    ambiguous: dict[str, tuple[int, ...]]  # folder -> the several classes its name fits

    def class_of(self, folder: str | None) -> int | None:
        """The true class of an image in ``folder`` (None: no label)."""
        return None if folder is None else self.classes.get(folder)


def _names_by_class(labels: ClassLabels) -> list[tuple[int, set[str]]]:
    if isinstance(labels, ImageNetLabels):
        return [
            (c.index, {normalized(c.name), *(normalized(s) for s in c.synonyms)})
            for c in imagenet_classes_table()
        ]
    return [(i, {normalized(name)}) for i, name in enumerate(labels.names)]


def match_folders(folders: Iterable[str], labels: ClassLabels) -> FolderMatch:
    """Each folder's class by name (or by index when the folder's name is a number)."""
    table = _names_by_class(labels)
    classes: dict[str, int] = {}
    unmatched: list[str] = []
    ambiguous: dict[str, tuple[int, ...]] = {}
    for folder in folders:
        wanted = normalized(folder)
        if re.fullmatch(r"[0-9]+", wanted) and int(wanted) < len(labels):
            classes[folder] = int(wanted)
            continue
        hits = tuple(index for index, names in table if wanted in names)
        if len(hits) == 1:
            classes[folder] = hits[0]
        elif hits:
            ambiguous[folder] = hits
        else:
            unmatched.append(folder)
    return FolderMatch(classes, tuple(unmatched), ambiguous)
