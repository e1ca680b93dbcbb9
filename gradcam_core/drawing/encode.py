"""Pictures and figures as bytes: PNG for maps and figures, JPEG for photos and overlays."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def png_bytes(pixels: np.ndarray) -> bytes:
    """RGB uint8 (H, W, 3) as PNG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(pixels: np.ndarray | Image.Image, quality: int = 90) -> bytes:
    """An RGB picture as JPEG bytes (photos and overlays: a tenth of the PNG's size)."""
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def figure_png(fig: Figure, dpi: int = 100, tight: bool = False) -> bytes:
    """Render a figure to PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    return buffer.getvalue()
