"""An image's declared size from its header, with the loader's own checks first, no decoding.

The Dataset page sums the pixels of a zip's images before it audits any (its cap on the total).
Image.open reads only the header, but Pillow allocates a GIF's first frame while opening, and
libheif a HEIC's images at their declared sizes, so the loader's checks of those run first, as
in ``images.load_image``. They are the loader's private helpers, imported here only: re-point
this one import if ``gradcam_core.images`` changes.
"""

from __future__ import annotations

from ..images import _check_gif_first_frame, _check_heif_sizes, _open_lazily, check_header_size


def declared_pixels(data: bytes) -> int | None:
    """Width x height from the header, or None when the loader would refuse the file anyway."""
    try:
        _check_gif_first_frame(data)
        _check_heif_sizes(data)
        with _open_lazily(data) as image:
            width, height = image.size
        check_header_size((width, height))
    except Exception:  # a bad file is its row's error later, in the loader's words
        return None
    return width * height
