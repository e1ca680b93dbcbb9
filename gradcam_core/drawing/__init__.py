"""All drawing in one place: maps over photos, stage and walkthrough figures, localization boxes,
and the bytes they are sent as.

``maps`` (colormaps, overlay, signed overlay, gradient images), ``photos`` (previews,
thumbnails), ``encode`` (PNG and JPEG bytes), ``stages`` (the Grad-CAM stage figures and what
each stage is called), ``walkthrough`` (the How-it-works and Layers figures), ``boxes``
(localization drawn on a photo).
"""

from .encode import figure_png, jpeg_bytes, png_bytes
from .maps import (
    COLORMAPS,
    DEFAULT_COLORMAP,
    DIVERGING_COLORMAP,
    check_colormap,
    colorize,
    colormap_table,
    gradient_image,
    overlay,
    pixel_image,
    signed_overlay,
    symmetric_limit,
)
from .photos import preview, thumbnail, to_display

__all__ = [
    "COLORMAPS",
    "DEFAULT_COLORMAP",
    "DIVERGING_COLORMAP",
    "check_colormap",
    "colorize",
    "colormap_table",
    "figure_png",
    "gradient_image",
    "jpeg_bytes",
    "overlay",
    "pixel_image",
    "png_bytes",
    "preview",
    "signed_overlay",
    "symmetric_limit",
    "thumbnail",
    "to_display",
]
