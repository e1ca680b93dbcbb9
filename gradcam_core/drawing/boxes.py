"""Localization drawn on a photo: the reference box, the map's 15 % box and its peak."""

from __future__ import annotations

from PIL import Image, ImageDraw

from ..metrics.localization import Box, Localization

USER_COLOR = (0, 230, 64)  # the reference box: green


PREDICTED_COLOR = (0, 200, 255)  # the 15 % box: cyan


PEAK_COLOR = (255, 255, 255)  # the map's maximum: a white ring with a black outline


def _scaled(box: Box, scale: float) -> tuple[float, float, float, float]:
    """Pixel-edge rectangle of an exclusive box, scaled: last column/row is x1 - 1, y1 - 1."""
    x0, y0, x1, y1 = box
    return x0 * scale, y0 * scale, max(x0 * scale, x1 * scale - 1), max(y0 * scale, y1 * scale - 1)


def draw_localization(
    image: Image.Image, result: Localization, scale: float = 1.0, line: int | None = None
) -> Image.Image:
    """A copy of the image with the reference box, the 15 % box and the map's peak drawn on it.

    ``scale`` maps photo pixels to the image's pixels (the image may be a smaller preview).
    """
    canvas = image.convert("RGB").copy()
    draw = ImageDraw.Draw(canvas)
    width = line or max(2, round(min(canvas.size) / 160))
    if result.predicted_box is not None:
        draw.rectangle(_scaled(result.predicted_box, scale), outline=PREDICTED_COLOR, width=width)
    draw.rectangle(_scaled(result.box, scale), outline=USER_COLOR, width=width)
    if result.peak is not None:
        x, y = ((v + 0.5) * scale for v in result.peak)
        radius = 5 * width + 3
        ring = (x - radius, y - radius, x + radius, y + radius)
        draw.ellipse(ring, outline=(0, 0, 0), width=width + 2)
        draw.ellipse(ring, outline=PEAK_COLOR, width=width)
        for dx, dy in ((1, 0), (0, 1)):  # a cross at the peak, inside the ring
            arm = (
                x - dx * radius / 2,
                y - dy * radius / 2,
                x + dx * radius / 2,
                y + dy * radius / 2,
            )
            draw.line(arm, fill=PEAK_COLOR, width=width)
    return canvas
