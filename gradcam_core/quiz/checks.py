"""Is a class-discrimination item fair? Where a map puts its mass, and how a model ranks a class.

An item shows a map made for one of a photo's two objects. It is only a fair question if that map
lies on that object: ``mass_shares`` gives the share of the map's mass (upsampled to the photo,
bilinear with half-pixel centres, as drawn) inside each object's box, and ``lies_on`` asks that
the shown object's share exceed the other's by ``margin`` (1.0: just more).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Box = tuple[int, int, int, int]


def mass_shares(upsampled: np.ndarray, boxes: Sequence[Box]) -> tuple[float, ...]:
    """Share of sum(map) inside each box, for a map already at the photo's size (H, W)."""
    total = float(np.sum(upsampled, dtype=np.float64))
    if total <= 0:
        return tuple(0.0 for _ in boxes)
    return tuple(
        float(np.sum(upsampled[y0:y1, x0:x1], dtype=np.float64)) / total for x0, y0, x1, y1 in boxes
    )


def lies_on(shares: Sequence[float], index: int, margin: float = 1.0) -> bool:
    """True when box ``index`` holds more than ``margin`` times the other box's share."""
    own, other = shares[index], shares[1 - index]
    return own > 0 and own > margin * other


def class_rank(logits: np.ndarray, class_index: int) -> int:
    """0 for the model's top class, 1 for the second, ..."""
    logits = np.asarray(logits, dtype=np.float64).reshape(-1)
    return int(np.sum(logits > logits[int(class_index)]))


def best_class(logits: np.ndarray, classes: Sequence[int]) -> int:
    """Of an object's ImageNet classes, the one the model scores highest on this photo."""
    logits = np.asarray(logits, dtype=np.float64).reshape(-1)
    return max((int(c) for c in classes), key=lambda c: (logits[c], -c))
