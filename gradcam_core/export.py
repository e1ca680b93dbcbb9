"""Downloadable artefacts: the maps as .npy and .npz, and a JSON of the settings and top-k."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from .cams.base import CamResult
from .labels import Prediction, class_name


def npy_bytes(values: np.ndarray) -> bytes:
    """One array as .npy bytes (np.load reads them back)."""
    buffer = io.BytesIO()
    np.save(buffer, values)
    return buffer.getvalue()


def maps_npz_bytes(result: CamResult) -> bytes:
    """Every stage in one .npz: weights, raw, relu, normalized."""
    buffer = io.BytesIO()
    arrays = {"raw": result.raw, "relu": result.relu, "normalized": result.normalized}
    if result.weights is not None:
        arrays["weights"] = result.weights
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def summary(
    result: CamResult,
    predictions: Sequence[Prediction],
    settings: dict[str, Any],
    target_name: str | None = None,
) -> dict[str, Any]:
    """Settings, target, score, map facts and top-k, as plain JSON-ready values.

    ``target_name`` is the class's name in the model's labels (default: the ImageNet name).
    """
    name = class_name(result.class_index) if target_name is None else target_name
    return {
        "settings": dict(settings),
        "method": result.method,
        "layer": result.layer,
        "map_size": list(result.raw.shape),
        "target": {"index": result.class_index, "name": name},
        "score": {"kind": result.score_kind, "value": result.score},
        "empty_map": result.is_empty,
        "raw_range": [float(result.raw.min()), float(result.raw.max())],
        "top_k": [
            {"index": p.index, "name": p.name, "probability": p.probability, "logit": p.logit}
            for p in predictions
        ],
    }


def summary_json(result: CamResult, predictions: Sequence[Prediction], settings: dict) -> str:
    """The summary as indented JSON text."""
    return json.dumps(summary(result, predictions, settings), indent=2)
