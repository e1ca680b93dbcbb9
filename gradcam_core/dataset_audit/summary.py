"""The audit's summary: accuracy, per-class accuracy, the confusion matrix, and how each measure
is distributed (over all images, and over the correct and the wrong ones)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

MEASURE_COLUMNS = (
    "box_mass",
    "corner_mass",
    "border_mass",
    "spread",
    "deletion_kept",
    "true_box_mass",
    "true_corner_mass",
    "true_border_mass",
    "true_spread",
)
QUANTILES = {"p10": 10, "p25": 25, "median": 50, "p75": 75, "p90": 90}


def distribution(values: Iterable[float]) -> dict[str, float | int | None]:
    """count, mean, std, min, p10, p25, median, p75, p90, max of the finite values."""
    array = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)
    if array.size == 0:
        return {"count": 0}
    stats: dict[str, float | int | None] = {
        "count": int(array.size),
        "mean": float(array.mean()),
        "std": float(array.std()),
        "min": float(array.min()),
    }
    for name, q in QUANTILES.items():
        stats[name] = float(np.percentile(array, q))
    stats["max"] = float(array.max())
    return stats


def labelled_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with a true class that were explained (no error)."""
    return [r for r in rows if not r["error"] and int(r["true_index"]) >= 0]


def confusion(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts of (true class, predicted class) over the labelled rows; classes by index."""
    labelled = labelled_rows(rows)
    names: dict[int, str] = {}
    for r in labelled:
        names[int(r["true_index"])] = r["true_name"]
        names[int(r["predicted_index"])] = r["predicted_name"]
    order = sorted(names)
    position = {index: i for i, index in enumerate(order)}
    matrix = [[0] * len(order) for _ in order]
    for r in labelled:
        matrix[position[int(r["true_index"])]][position[int(r["predicted_index"])]] += 1
    return {"indices": order, "labels": [names[i] for i in order], "matrix": matrix}


def summarize(rows: Sequence[dict[str, Any]], notes: Sequence[object] = ()) -> dict[str, Any]:
    """JSON-ready summary of the rows (see the module's docstring); the notes as text, in the
    language of this run."""
    explained = [r for r in rows if not r["error"]]
    labelled = labelled_rows(rows)
    correct = sum(bool(r["correct"]) for r in labelled)
    per_class: dict[str, dict[str, Any]] = {}
    for r in labelled:
        entry = per_class.setdefault(r["true_name"], {"index": int(r["true_index"]), "rows": []})
        entry["rows"].append(r)
    classes = {}
    for name, entry in sorted(per_class.items(), key=lambda item: item[1]["index"]):
        group = entry["rows"]
        hits = sum(bool(r["correct"]) for r in group)
        classes[name] = {
            "index": entry["index"],
            "images": len(group),
            "correct": hits,
            "accuracy": hits / len(group),
            "median": {m: distribution(r[m] for r in group).get("median") for m in MEASURE_COLUMNS},
        }
    return {
        "images": len(rows),
        "explained": len(explained),
        "errors": len(rows) - len(explained),
        "labelled": len(labelled),
        "correct": correct,
        "accuracy": correct / len(labelled) if labelled else None,
        "per_class": classes,
        "confusion": confusion(rows),
        "measures": {m: distribution(r[m] for r in explained) for m in MEASURE_COLUMNS},
        "measures_by_outcome": {
            outcome: {
                m: distribution(r[m] for r in labelled if bool(r["correct"]) == wanted)
                for m in MEASURE_COLUMNS
            }
            for outcome, wanted in (("correct", True), ("wrong", False))
        },
        "notes": [str(note) for note in notes],
    }
