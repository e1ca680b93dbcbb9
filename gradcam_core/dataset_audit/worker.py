"""The audit of a batch of images: what the local engine runs in-process and each Ray actor runs.

For each image: the same defensive loader as an upload, the photo resized whole to the model's
input, one forward pass (top-k), the map of the predicted class and, when the true class differs,
of the true class too (one backward pass for both), the measures of ``measures``; then one
forward pass for the whole batch's photos with their maps' top pixels deleted. A file that
cannot be read or explained becomes a row with its error.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

import gradcam_core as gc

from ..cams import CAM_METHODS, BaseCAM
from ..errors import GradCamError
from ..i18n import Text
from ..metrics.localization import Box
from . import measures
from .dataset import Dataset, ImageReadError, LabelledBox
from .matching import normalized
from .messages import say

THUMBNAIL_SIDE = 160  # long side of the overlay thumbnails, px
THUMBNAIL_QUALITY = 85


@dataclass(frozen=True)
class AuditConfig:
    """What every image is audited with, besides the model."""

    layer: str
    method: str = "gradcam"
    top: int = 5
    hide_fraction: float = measures.HIDE_FRACTION
    border_band: float = measures.BORDER_BAND
    corner: float = measures.CORNER
    substrate: str = "blur"
    colormap: str = field(default_factory=lambda: gc.DEFAULT_COLORMAP)
    opacity: float = 0.5
    thumbnail_side: int = THUMBNAIL_SIDE
    batch_size: int = 8

    def cam_method(self) -> BaseCAM:
        """An instance of the chosen CAM method."""
        if self.method not in CAM_METHODS:
            raise ValueError(
                say("unknown_method", method=self.method, choices=", ".join(CAM_METHODS))
            )
        return CAM_METHODS[self.method]()

    def describe(self) -> dict[str, Any]:
        """JSON-ready settings (what a resumed run must share)."""
        return {
            "layer": self.layer,
            "method": self.method,
            "top": self.top,
            "hide_fraction": self.hide_fraction,
            "border_band": self.border_band,
            "corner": self.corner,
            "substrate": self.substrate,
        }


@dataclass(frozen=True)
class AuditItem:
    """One image to audit: its key, class folder, true class and boxes."""

    key: str
    id: str
    folder: str | None
    true_index: int | None
    boxes: tuple[LabelledBox, ...] = ()


@dataclass
class ImageResult:
    """One image's row, its maps (``predicted``, ``true``: normalized, at the layer's cells)
    and its overlay thumbnail (JPEG bytes); maps and thumbnail are empty for an error row.

    ``error`` is an error row's message as it was raised (a ``Text``, rendered in the language of
    whoever shows it); the row's ``error`` column holds it as text, in the run's language."""

    row: dict[str, Any]
    maps: dict[str, np.ndarray] = field(default_factory=dict)
    thumbnail: bytes = b""
    error: object = None

    def error_text(self) -> str:
        """The row's error in the current language, on one line ("" when it has none)."""
        if self.error is None:
            return str(self.row.get("error", ""))
        return " ".join(str(self.error).split())

    def maps_npz(self) -> bytes:
        """The maps as one .npz file's bytes."""
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **self.maps)
        return buffer.getvalue()

    @staticmethod
    def maps_from_npz(data: bytes) -> dict[str, np.ndarray]:
        with np.load(io.BytesIO(data)) as loaded:
            return {name: loaded[name] for name in loaded.files}


def error_row(item: AuditItem, message: object, labels: gc.ClassLabels) -> dict[str, Any]:
    """The row of an image that could not be read or explained (its message as text)."""
    row = _base_row(item, labels)
    row["error"] = " ".join(str(message).split())
    return row


def error_result(item: AuditItem, message: object, labels: gc.ClassLabels) -> ImageResult:
    """An error row's result, keeping the message to render again in another language."""
    return ImageResult(error_row(item, message, labels), error=message)


def _message(error: Exception) -> object:
    """What an exception says: its ``Text`` when it was raised with one, else its text."""
    return error.args[0] if len(error.args) == 1 and isinstance(error.args[0], Text) else str(error)


def _base_row(item: AuditItem, labels: gc.ClassLabels) -> dict[str, Any]:
    true = item.true_index
    return {
        "key": item.key,
        "id": item.id,
        "folder": item.folder or "",
        "true_index": -1 if true is None else int(true),
        "true_name": "" if true is None else labels.name(true),
        "predicted_index": -1,
        "predicted_name": "",
        "probability": math.nan,
        "true_probability": math.nan,
        "correct": None,
        "top_k": "[]",
        "width": 0,
        "height": 0,
        "sha256": "",
        "empty_map": None,
        "box_mass": math.nan,
        "corner_mass": math.nan,
        "border_mass": math.nan,
        "spread": math.nan,
        "deletion_kept": math.nan,
        "deletion_probability": math.nan,
        "true_box_mass": math.nan,
        "true_corner_mass": math.nan,
        "true_border_mass": math.nan,
        "true_spread": math.nan,
        "box": "",
        "error": "",
    }


def chosen_box(boxes: Sequence[LabelledBox], true_name: str) -> Box | None:
    """The box whose label names the true class, else the image's first box, else None."""
    if not boxes:
        return None
    wanted = normalized(true_name)
    for labelled in boxes:
        if wanted and normalized(labelled.label) == wanted:
            return labelled.box
    return boxes[0].box


class BatchAuditor:
    """Audits batches of images with one loaded classifier (one per process or Ray actor)."""

    def __init__(self, classifier: gc.Classifier, config: AuditConfig, dataset: Dataset) -> None:
        self.classifier = classifier
        self.config = config
        self.dataset = dataset
        self.method = config.cam_method()
        self.layer = gc.find_layer(classifier.model, config.layer)[0]
        reason = self.method.unsupported_reason(classifier.model, self.layer)
        if reason:
            raise ValueError(say("method_unsupported", method=self.method.name, reason=reason))
        if self.method.pixel_level:
            maps = ", ".join(k for k, m in CAM_METHODS.items() if not m.pixel_level)
            raise ValueError(say("pixel_method", method=self.method.name, choices=maps))

    def audit(self, items: Sequence[AuditItem]) -> list[ImageResult]:
        """One result per item, in order."""
        results: list[ImageResult] = []
        hidden: list[tuple[int, np.ndarray, int, float]] = []  # (result index, photo, class, p)
        for item in items:
            result, pending = self._one(item)
            if pending is not None:
                hidden.append((len(results), *pending))
            results.append(result)
        self._deletion(results, hidden)
        return results

    def _one(self, item: AuditItem) -> tuple[ImageResult, tuple[np.ndarray, int, float] | None]:
        labels = self.classifier.labels
        try:
            loaded = gc.load_image(self.dataset.read(item.key))
        except (ImageReadError, gc.ImageLoadError) as error:
            return error_result(item, _message(error), labels), None
        try:
            return self._explain(item, loaded)
        except (GradCamError, ValueError) as error:
            reason = _message(error)
            return error_result(item, say("map_failed", reason=reason), labels), None

    def _explain(
        self, item: AuditItem, loaded: gc.LoadedImage
    ) -> tuple[ImageResult, tuple[np.ndarray, int, float]]:
        classifier, config = self.classifier, self.config
        photo = loaded.image
        width, height = photo.size
        pixels = gc.resize_for_model(photo, classifier.input_size)
        x = classifier.preprocess_batch(pixels[None].copy())  # presets may scale in place
        with gc.TF_LOCK:
            forward = gc.forward(classifier.model, x, [self.layer])
            top = classifier.top_k(forward.logits, config.top)
            predicted = top[0].index
            classes = [predicted]
            if item.true_index is not None and item.true_index != predicted:
                classes.append(int(item.true_index))
            cams = self.method.from_forward(
                classifier.model, x, forward, self.layer, classes, "logit"
            )
        probabilities = classifier.probabilities(forward.logits)
        row = _base_row(item, classifier.labels)
        row.update(
            predicted_index=int(predicted),
            predicted_name=top[0].name,
            probability=float(probabilities[predicted]),
            top_k=json.dumps([[p.index, p.name, round(p.probability, 6)] for p in top]),
            width=width,
            height=height,
            sha256=loaded.digest,
            empty_map=bool(cams[0].is_empty),
        )
        if item.true_index is not None:
            row["true_probability"] = float(probabilities[item.true_index])
            row["correct"] = bool(predicted == item.true_index)
        box = chosen_box(item.boxes, row["true_name"] or top[0].name)
        if box is not None:
            row["box"] = json.dumps(list(box))
        maps = {"predicted": cams[0].normalized}
        self._measure(row, "", cams[0].normalized, box, width, height)
        if len(cams) > 1:
            maps["true"] = cams[1].normalized
            self._measure(row, "true_", cams[1].normalized, box, width, height)
        thumbnail = self._thumbnail(photo, cams[0].normalized)
        hidden = measures.hidden_photo(
            pixels,
            cams[0].normalized,
            config.hide_fraction,
            config.substrate,  # type: ignore[arg-type]
        )
        result = ImageResult(row, maps, thumbnail)
        return result, (hidden, int(predicted), float(probabilities[predicted]))

    def _measure(
        self, row: dict[str, Any], prefix: str, cam: np.ndarray, box: Box | None, w: int, h: int
    ) -> None:
        row[f"{prefix}corner_mass"] = measures.corner_mass(cam, w, h, self.config.corner)
        row[f"{prefix}border_mass"] = measures.border_mass(cam, w, h, self.config.border_band)
        row[f"{prefix}spread"] = measures.spread(cam)
        if box is not None:
            row[f"{prefix}box_mass"] = measures.box_mass(cam, box, w, h)

    def _thumbnail(self, photo: Image.Image, cam: np.ndarray) -> bytes:
        small = photo.copy()
        small.thumbnail((self.config.thumbnail_side, self.config.thumbnail_side))
        blended = gc.overlay(small, cam, self.config.colormap, self.config.opacity)
        buffer = io.BytesIO()
        Image.fromarray(blended).save(buffer, "JPEG", quality=THUMBNAIL_QUALITY)
        return buffer.getvalue()

    def _deletion(
        self, results: list[ImageResult], hidden: list[tuple[int, np.ndarray, int, float]]
    ) -> None:
        """p_c of every photo with its map's top deleted, ``batch_size`` photos per pass."""
        size = max(1, self.config.batch_size)
        for start in range(0, len(hidden), size):
            chunk = hidden[start : start + size]
            batch = np.stack([photo for _, photo, _, _ in chunk]).astype(np.float32)
            x = self.classifier.preprocess_batch(batch)
            with gc.TF_LOCK:
                logits = gc.forward_batch(self.classifier.model, x)
            after = self.classifier.probabilities(logits)
            for row_after, (index, _, predicted, before) in zip(after, chunk, strict=True):
                row = results[index].row
                row["deletion_probability"] = float(row_after[predicted])
                row["deletion_kept"] = measures.kept(before, float(row_after[predicted]))
