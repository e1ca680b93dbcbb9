"""Precompute a room: every picture its items show, made once per photo and model, then encoded.

This is the quiz's only TensorFlow work. Per photo and model: one forward pass, Grad-CAM for both
objects' classes from it (one batched backward pass through the head), Eigen-CAM from the same
activations, and guided backprop once per class; Guided Grad-CAM is guided backprop times the
upsampled Grad-CAM map. Everything is drawn at most ``DISPLAY_SIDE`` pixels on its long side
and encoded as JPEG, so a student's page only sends stored bytes.

How each method is drawn without the photo:

- Guided Backprop and Guided Grad-CAM: the gradient picture, 0.5 + 0.1 z-score per colour
  (``gradient_image``), resized from the model's input to the photo's shape.
- Grad-CAM and Eigen-CAM (coarse maps): ``map_view="masked"`` shows the photo's pixels weighted
  by the map, on black; ``"heatmap"`` shows the coloured map alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image

import gradcam_core as gc
from gradcam_core.cams import EigenCAM, GradCAM, guided_backprop
from gradcam_core.drawing import gradient_image

from . import checks
from .design import RoomDesign
from .items import (
    ObjectAnalysis,
    PhotoAnalysis,
    Picture,
    RoomContent,
    analysis_key,
    plan_items,
)
from .photos import QuizPhoto

DISPLAY_SIDE = 480  # pictures: a phone shows about 360 px, a projector column about 500
PHOTO_SIDE = 640  # the photo shown after an answer
HEATMAP_COLORMAP = "inferno"


def fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    """(width, height) scaled down so the long side is at most ``side`` (never up)."""
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def draw_map(photo: Image.Image, normalized: np.ndarray, view: str) -> Image.Image:
    """A coarse [0, 1] map at the photo's size: the photo weighted by it, or coloured alone."""
    mask = gc.upsample(normalized, photo.height, photo.width)
    if view == "heatmap":
        return Image.fromarray(gc.colorize(mask, HEATMAP_COLORMAP), "RGB")
    pixels = np.asarray(photo.convert("RGB"), dtype=np.float32) * np.clip(mask, 0, 1)[..., None]
    return Image.fromarray(np.rint(pixels).astype(np.uint8), "RGB")


def draw_gradient(gradient: np.ndarray, size: tuple[int, int]) -> Image.Image:
    """A signed input gradient (H, W, C) as a picture of ``size`` (a grey model's in grey)."""
    pixels = gradient_image(gradient)
    if pixels.shape[-1] == 1:
        pixels = np.repeat(pixels, 3, axis=-1)
    return Image.fromarray(pixels, "RGB").resize(size, Image.Resampling.BILINEAR)


def analyse_photo(
    classifier: gc.Classifier,
    model_name: str,
    photo: QuizPhoto,
    methods: Sequence[str],
    map_view: str,
) -> tuple[PhotoAnalysis, dict[str, Picture]]:
    """One model on one photo: both objects' classes, ranks, map shares, and the pictures."""
    image = gc.load_image(photo.data).image
    shown = image.resize(fit(image.size, DISPLAY_SIDE), Image.Resampling.LANCZOS)
    after = image.resize(fit(image.size, PHOTO_SIDE), Image.Resampling.LANCZOS)
    pictures: dict[str, Picture] = {}

    def keep(picture_image: Image.Image) -> str:
        picture = Picture.from_image(picture_image)
        pictures[picture.digest] = picture
        return picture.digest

    model, layer = classifier.model, classifier.default_layer
    x = classifier.preprocess(image)
    with gc.TF_LOCK:
        forward = gc.forward(model, x, [layer])
        logits = np.asarray(forward.logits, dtype=np.float64).reshape(-1)
        classes = [checks.best_class(logits, o.classes) for o in photo.objects]
        gradcams = GradCAM().from_forward(model, x, forward, layer, classes)
        eigen = EigenCAM().from_forward(model, x, forward, layer, classes[:1])[0]
        guided = [guided_backprop(model, x, c) if _needs_guided(methods) else None for c in classes]
    boxes = [o.box for o in photo.objects]
    eigen_picture = (
        keep(draw_map(shown, eigen.normalized, map_view)) if "eigencam" in methods else ""
    )
    objects = []
    for index, (obj, class_index, result) in enumerate(
        zip(photo.objects, classes, gradcams, strict=True)
    ):
        shares = None
        if all(box is not None for box in boxes):
            upsampled = gc.upsample(result.normalized, image.height, image.width)
            own_first = boxes if index == 0 else boxes[::-1]
            shares = checks.mass_shares(upsampled, own_first)  # type: ignore[arg-type]
        drawn: dict[str, str] = {}
        if "gradcam" in methods:
            drawn["gradcam"] = keep(draw_map(shown, result.normalized, map_view))
        if "eigencam" in methods:
            drawn["eigencam"] = eigen_picture
        gradient = guided[index]
        if gradient is not None and "guided_backprop" in methods:
            drawn["guided_backprop"] = keep(draw_gradient(gradient, shown.size))
        if gradient is not None and "guided_gradcam" in methods:
            mask = gc.upsample(result.normalized, *gradient.shape[:2])
            drawn["guided_gradcam"] = keep(draw_gradient(gradient * mask[..., None], shown.size))
        objects.append(
            ObjectAnalysis(
                label=obj.label,
                class_index=class_index,
                class_name=classifier.labels.name(class_index),
                rank=checks.class_rank(logits, class_index),
                shares=None if shares is None else (float(shares[0]), float(shares[1])),
                pictures=drawn,
            )
        )
    top5 = [
        (p.index, p.name, round(float(p.probability), 4)) for p in classifier.top_k(logits[None], 5)
    ]
    analysis = PhotoAnalysis(
        photo=photo.id,
        model=model_name,
        layer=layer,
        top5=top5,
        objects=(objects[0], objects[1]),
        photo_picture=keep(after),
        map_view=map_view,
    )
    return analysis, pictures


def _needs_guided(methods: Sequence[str]) -> bool:
    return "guided_backprop" in methods or "guided_gradcam" in methods


def methods_for(design: RoomDesign, model: str) -> tuple[str, ...]:
    """The methods a model's pictures are needed for in this design."""
    wanted: list[str] = []
    if design.discrimination_methods and model == design.discrimination_model:
        wanted += design.discrimination_methods
    if design.trust_methods and model in design.trust_models:
        wanted += design.trust_methods
    return tuple(dict.fromkeys(wanted))


Progress = Callable[[int, int], None]


def build_room(
    design: RoomDesign,
    photos: Sequence[QuizPhoto],
    classifier_for: Callable[[str], gc.Classifier],
    cached: Callable[[str], PhotoAnalysis | None] = lambda key: None,
    progress: Progress | None = None,
) -> RoomContent:
    """Analyse every (photo, model) the design needs, reusing cached analyses, and plan the items.

    ``classifier_for(name)`` is called only when an analysis is missing, so a room whose
    analyses are all cached loads no model.
    """
    # model by model: in low-memory mode only one model stays loaded, so each loads once
    jobs = [(photo, model) for model in design.models for photo in photos]
    analyses: dict[tuple[str, str], PhotoAnalysis] = {}
    new_analyses: dict[str, PhotoAnalysis] = {}
    pictures: dict[str, Picture] = {}
    for done, (photo, model) in enumerate(jobs):
        methods = methods_for(design, model)
        key = analysis_key(photo, model, methods, design.map_view)
        analysis = cached(key)
        if analysis is None:
            analysis, made = analyse_photo(
                classifier_for(model), model, photo, methods, design.map_view
            )
            new_analyses[key] = analysis
            pictures.update(made)
        analyses[(photo.id, model)] = analysis
        if progress is not None:
            progress(done + 1, len(jobs))
    items, left_out = plan_items(design, photos, analyses)
    return RoomContent(design, items, left_out, new_analyses, pictures)
