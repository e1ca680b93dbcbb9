"""Photos resized for display: previews for figures, thumbnails, model-sized pixels shown back."""

from __future__ import annotations

import numpy as np
from PIL import Image


def preview(photo: Image.Image, max_side: int = 1024) -> Image.Image:
    """A copy no larger than max_side on its long side, for figures (overlays stay full size)."""
    if max(photo.size) <= max_side:
        return photo
    copy = photo.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    return copy


def thumbnail(photo: Image.Image, width: int) -> Image.Image:
    """A copy of the photo ``width`` pixels wide, keeping its aspect ratio."""
    height = max(1, round(photo.size[1] * width / photo.size[0]))
    return photo.convert("RGB").resize((width, height), Image.Resampling.BILINEAR)


def to_display(pixels: np.ndarray, photo_size: tuple[int, int], width: int) -> Image.Image:
    """Model-sized pixels (H, W, 3), rounded to uint8, stretched back to the photo's aspect."""
    photo_width, photo_height = photo_size
    height = max(1, round(width * photo_height / photo_width))
    image = Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))
    return image.resize((width, height), Image.Resampling.BILINEAR)
