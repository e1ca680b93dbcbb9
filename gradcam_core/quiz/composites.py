"""Two-object photos made from the bundled samples: each object cropped and set in its own cell.

A composite is two square cells of ``CELL`` pixels, side by side (640 x 320) or one above the
other (320 x 640), on mid-grey. Each cell holds one object cropped from a sample photo around its
box (with a margin), scaled to fit the cell (Lanczos) and centred. The object's box is mapped
through the same crop and scale, so the boxes recorded with a composite match its pixels.
``scripts/make_quiz_photos.py`` writes them as JPEGs; the same inputs give the same pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PIL import Image

CELL = 320
BACKGROUND = (128, 128, 128)
Layout = Literal["side by side", "stacked"]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels; x1 and y1 exclusive


@dataclass(frozen=True)
class Cutout:
    """An object to cut from a sample photo: its label, classes and box, and the margin kept
    around the box (a share of the box's width and height on each side)."""

    label: str
    classes: tuple[int, ...]
    sample: str
    box: Box
    margin: float


@dataclass(frozen=True)
class PlacedObject:
    """An object in a composite: label, ImageNet classes, box in the composite's pixels."""

    label: str
    classes: tuple[int, ...]
    box: Box


def crop_box(box: Box, margin: float, size: tuple[int, int]) -> Box:
    """The box grown by ``margin`` of its width and height on each side, kept inside the photo."""
    x0, y0, x1, y1 = box
    dx, dy = int((x1 - x0) * margin), int((y1 - y0) * margin)
    width, height = size
    return max(0, x0 - dx), max(0, y0 - dy), min(width, x1 + dx), min(height, y1 + dy)


def compose(
    photos: tuple[Image.Image, Image.Image],
    cutouts: tuple[Cutout, Cutout],
    layout: Layout,
) -> tuple[Image.Image, tuple[PlacedObject, PlacedObject]]:
    """The composite of two cut-outs (first left or on top) and the objects' boxes in it."""
    size = (2 * CELL, CELL) if layout == "side by side" else (CELL, 2 * CELL)
    canvas = Image.new("RGB", size, BACKGROUND)
    placed = []
    for index, (photo, cutout) in enumerate(zip(photos, cutouts, strict=True)):
        region = crop_box(cutout.box, cutout.margin, photo.size)
        part = photo.convert("RGB").crop(region)
        scale = min(CELL / part.width, CELL / part.height)
        width, height = round(part.width * scale), round(part.height * scale)
        part = part.resize((width, height), Image.Resampling.LANCZOS)
        cell_x, cell_y = (index * CELL, 0) if layout == "side by side" else (0, index * CELL)
        left, top = cell_x + (CELL - width) // 2, cell_y + (CELL - height) // 2
        canvas.paste(part, (left, top))
        x0, y0, x1, y1 = cutout.box
        box = (
            left + round((x0 - region[0]) * scale),
            top + round((y0 - region[1]) * scale),
            left + round((x1 - region[0]) * scale),
            top + round((y1 - region[1]) * scale),
        )
        placed.append(PlacedObject(cutout.label, cutout.classes, box))
    return canvas, (placed[0], placed[1])
