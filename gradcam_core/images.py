"""Defensive loading of untrusted image files into clean RGB images.

Every failure raises :class:`ImageLoadError` with one line a user can act on.
Nothing here changes Pillow's global settings (sizes are checked against our own
MAX_PIXELS), so it is safe to call from the many threads a Streamlit server runs;
the one process-wide change, a warnings filter while opening, is serialised. Importing
this module registers pillow-heif's HEIF opener with Pillow (one more format, reached
only through ALLOWED_FORMATS here).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pillow_heif
from PIL import Image, ImageOps

from gradcam_core import heif
from gradcam_core.errors import ImageLoadError
from gradcam_core.i18n import N_, Text

# 50 MiB: far above any photo a phone or camera writes as JPEG/PNG, small
# enough that several concurrent uploads cannot exhaust the server's memory.
MAX_FILE_BYTES = 50 * 1024 * 1024

# 40 megapixels, well under Pillow's default of ~89.5 MP: the model only sees
# 224-299 px, and a 40 MP RGBA image already needs 160 MB while decoding (plus
# copies for compositing), per request, per thread. 40 MP still admits most
# camera photos (e.g. 7952x5304 = 42.2 MP is out, 7360x4912 = 36.2 MP is in).
MAX_PIXELS = 40_000_000

# Sides may differ at most 20:1 (a wide phone panorama is under 10:1). A thinner strip squashed
# into the model's square input is meaningless, and drawn in a page it is rounded to 0 px high.
MAX_ASPECT_RATIO = 20

# Pillow decodes these codecs in pure Python, one pixel or row per loop turn with the GIL held:
# an 84-byte run-length BMP claiming 12 MP took ~3 s. Such files are tiny old icons in practice,
# so their cap is far lower (about 0.25 s of decoding at most).
SLOW_CODECS = frozenset({"bmp_rle"})
MAX_SLOW_CODEC_PIXELS = 1_000_000

# Pillow plugin IDs passed to Image.open(formats=...): nothing else is parsed. HEIF (iPhone
# photos, .heic) is pillow-heif's plugin: libheif decodes only the primary image here, with no
# thumbnails, depth maps or auxiliary images, and every size the file declares is checked first.
ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF", "HEIF")
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

# Extensions for the upload widget (st.file_uploader(type=UPLOAD_EXTENSIONS)).
UPLOAD_EXTENSIONS: list[str] = [
    "jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff", "heic", "heif",
]  # fmt: skip

ImageSource = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO

_OPEN_LOCK = threading.Lock()
_READ_CHUNK = 8 * 1024 * 1024
_FORMATS_TEXT = N_("JPEG, PNG, WebP, BMP, TIFF, GIF or HEIC")
_WHITE = (255, 255, 255, 255)
_GIF_BLOCK = re.compile(rb"[!,;]")  # a GIF extension, image descriptor or trailer
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_HIGH_BIT_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N", "F"})

# Exceptions Pillow's (and pillow-heif's) parsers and decoders raise on malformed input.
_DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # includes "image file is truncated" and Image.UnidentifiedImageError
    SyntaxError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    EOFError,
    struct.error,
    ZeroDivisionError,
    OverflowError,
    RuntimeError,  # libheif's errors through pillow-heif, e.g. its own security limits
)

# File signatures of common non-image uploads, to name what was received.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", N_("a PDF document")),
    (b"PK\x03\x04", N_("a ZIP archive (or an Office document)")),
    (b"\x1f\x8b", N_("a gzip archive")),
    (b"Rar!", N_("a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", N_("a 7-Zip archive")),
    (b"8BPS", N_("a Photoshop (PSD) file")),
    (b"\x00\x00\x01\x00", N_("an icon (ICO) file")),
    (b"\x00\x00\x00\x0cjP  ", N_("a JPEG 2000 image")),
    (b"\xff\x4f\xff\x51", N_("a JPEG 2000 image")),
)

# Signatures of the allowed formats, to tell "damaged PNG" from "not an image".
_ALLOWED_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


@dataclass(frozen=True)
class LoadedImage:
    """A decoded upload: RGB pixels plus where they came from."""

    image: Image.Image  # mode "RGB", EXIF orientation applied
    digest: str  # sha256 hex of the input bytes (a cache key)
    format: str  # Pillow format name, e.g. "JPEG"
    source_mode: str  # Pillow mode before conversion, e.g. "CMYK", "I;16"
    size: tuple[int, int]  # (width, height) of `image`


def load_image(source: ImageSource) -> LoadedImage:
    """Decode bytes, a path or a binary file-like into a LoadedImage, or raise ImageLoadError."""
    data = read_capped(source)
    if not data:
        raise ImageLoadError(
            Text(
                "The file is empty (0 bytes). Choose a {formats} image.",
                formats=Text(_FORMATS_TEXT),
            )
        )
    digest = hashlib.sha256(data).hexdigest()
    image, fmt, mode = _decode(data)
    return LoadedImage(image=image, digest=digest, format=fmt, source_mode=mode, size=image.size)


def read_capped(source: ImageSource, limit: int = MAX_FILE_BYTES) -> bytes:
    """Return the source's bytes, reading at most limit + 1, or raise if it is larger."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if memoryview(source).nbytes > limit:
            raise ImageLoadError(_too_many_bytes_message(limit))
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        return _read_path(Path(source), limit)
    if hasattr(source, "read"):
        return _read_stream(source, limit)
    raise TypeError(f"expected bytes, a path or a binary file object, not {type(source).__name__}")


def _read_path(path: Path, limit: int) -> bytes:
    """Read at most limit + 1 bytes from a file path."""
    try:
        with path.open("rb") as fh:
            return _read_stream(fh, limit)
    except FileNotFoundError:
        raise ImageLoadError(
            Text("File not found: {name}. Check the path.", name=path.name)
        ) from None
    except IsADirectoryError:
        raise ImageLoadError(
            Text("{name} is a folder, not an image file.", name=path.name)
        ) from None
    except PermissionError:
        raise ImageLoadError(Text("Permission denied reading {name}.", name=path.name)) from None
    except OSError as exc:
        raise ImageLoadError(
            Text("Could not read {name}: {reason}.", name=path.name, reason=_reason(exc))
        ) from None


def _read_stream(stream: BinaryIO, limit: int) -> bytes:
    """Read at most limit + 1 bytes from a binary stream (rewound first when seekable)."""
    chunks: list[bytes] = []
    remaining = limit + 1
    try:
        if getattr(stream, "seekable", lambda: False)():
            stream.seek(0)
        while remaining > 0:  # a loop, since raw streams and pipes may return short reads
            chunk = stream.read(min(remaining, _READ_CHUNK))
            if not chunk:
                break
            if not isinstance(chunk, (bytes, bytearray)):
                raise TypeError("the file object must be opened in binary mode")
            chunks.append(bytes(chunk))
            remaining -= len(chunk)
    except OSError as exc:
        raise ImageLoadError(
            Text("Could not read the uploaded file: {reason}.", reason=_reason(exc))
        ) from None
    if remaining <= 0:
        raise ImageLoadError(_too_many_bytes_message(limit))
    return b"".join(chunks)


def _too_many_bytes_message(limit: int) -> Text:
    """One-line message for an input over the byte cap."""
    return Text(
        "The file is larger than {megabytes:.0f} MB. "
        "Upload a smaller image (e.g. re-save it as JPEG or reduce its size).",
        megabytes=limit / 2**20,
    )


def _decode(data: bytes) -> tuple[Image.Image, str, str]:
    """Open, size-check, decode the first frame and convert to RGB; all errors -> ImageLoadError."""
    try:
        _check_gif_first_frame(data)
        _check_heif_sizes(data)
        im = _open_lazily(data)
        fmt, mode = str(im.format), im.mode
        check_header_size(im.size)
        _check_slow_codec(im)
        if fmt == "PNG":
            _verify_png(data)
        if fmt != "HEIF":  # HEIF opens on its primary image, which need not be the first
            im.seek(0)  # first frame of GIF / multi-page TIFF / animated WebP
        im.load()
        check_header_size(im.size)  # a GIF frame may enlarge the canvas
        rgb = to_rgb(_apply_exif_orientation(im))
        return (rgb.copy() if rgb is im else rgb), fmt, mode
    except ImageLoadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageLoadError(_too_many_pixels_message(_bomb_pixels(exc))) from None
    except Image.UnidentifiedImageError:
        raise ImageLoadError(_unidentified_message(data)) from None
    except MemoryError:
        raise ImageLoadError(
            Text("Not enough memory to decode this image. Try a smaller image.")
        ) from None
    except _DECODE_ERRORS as exc:
        raise ImageLoadError(
            Text(
                "The image could not be decoded: it is damaged or incomplete ({reason}). "
                "Re-export or re-download it and try again.",
                reason=_reason(exc),
            )
        ) from exc
    except Exception as exc:  # last resort: a user must never see a traceback
        raise ImageLoadError(
            Text(
                "The image could not be decoded ({kind}: {reason}). "
                "Try another file or re-export this one as PNG or JPEG.",
                kind=type(exc).__name__,
                reason=_reason(exc),
            )
        ) from exc


def _open_lazily(data: bytes) -> Image.Image:
    """Image.open (reads the header only) with Pillow's bomb warning raised as an error."""
    # Pillow warns above ~89.5 MP; we make that an error, though check_header_size
    # (MAX_PIXELS) is stricter and does not depend on it. Before Python 3.14,
    # catch_warnings swaps the process-wide filter list; the lock stops two loader
    # threads interleaving enter/exit, which could leave our filter installed.
    with _OPEN_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)


def _check_gif_first_frame(data: bytes) -> None:
    """Size-check a GIF's screen and first frame before Image.open, which allocates the frame."""
    if not data.startswith((b"GIF87a", b"GIF89a")) or len(data) < 13:
        return
    screen = struct.unpack_from("<HH", data, 6)
    check_header_size(screen)
    frame = _gif_first_frame_extent(data)
    if frame is not None:
        check_header_size((max(screen[0], frame[0]), max(screen[1], frame[1])))


def _check_heif_sizes(data: bytes) -> None:
    """Hold every size a HEIF file declares (ispe, grid and overlay canvases) to the pixel cap.

    libheif allocates each image at its declared size, and an ispe can be far larger than the
    size Pillow reports (a clean-aperture crop shrinks it), so Image.open's size is not enough.
    """
    if not heif.is_heif(data):
        return
    sizes = heif.declared_sizes(data)
    if not sizes:
        raise ImageLoadError(
            Text(
                "The HEIC/HEIF file is damaged: it declares no image size. "
                "Re-export the photo (or save it as JPEG) and try again."
            )
        )
    for width, height in sizes:
        if width * height > MAX_PIXELS:
            raise ImageLoadError(_too_many_pixels_message((width, height)))


def _gif_first_frame_extent(data: bytes) -> tuple[int, int] | None:
    """(left + width, top + height) of a GIF's first image descriptor, found as Pillow finds it."""
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    while (block := _GIF_BLOCK.search(data, pos)) is not None:  # Pillow skips other bytes
        pos = block.start()
        if data[pos] == 0x3B:  # trailer
            return None
        if data[pos] == 0x2C:  # image descriptor
            if pos + 9 > len(data):
                return None
            left, top, width, height = struct.unpack_from("<HHHH", data, pos + 1)
            return left + width, top + height
        pos += 2  # an extension: introducer and label, then its data sub-blocks
        while pos < len(data) and data[pos]:
            pos += data[pos] + 1
        pos += 1
    return None


def check_header_size(size: tuple[int, int], max_pixels: int = MAX_PIXELS) -> None:
    """Raise ImageLoadError if a header's (width, height) is empty, over max_pixels or too thin."""
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageLoadError(_empty_size_message((width, height)))
    if width * height > max_pixels:
        raise ImageLoadError(_too_many_pixels_message((width, height), max_pixels))
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ImageLoadError(
            Text(
                "The image is {width}x{height} pixels: a strip more than {ratio} times "
                "longer than it is wide, too thin to explain. Crop it closer to square and try "
                "again.",
                width=width,
                height=height,
                ratio=MAX_ASPECT_RATIO,
            )
        )


def _check_slow_codec(im: Image.Image) -> None:
    """Refuse large images whose codec Pillow runs in pure Python (a cheap way to stall us)."""
    width, height = im.size
    slow = any(tile.codec_name in SLOW_CODECS for tile in getattr(im, "tile", ()))
    if slow and width * height > MAX_SLOW_CODEC_PIXELS:
        raise ImageLoadError(
            Text(
                "This {format} uses run-length compression, which decodes slowly; at "
                "{megapixels:.1f} megapixels it is over the {limit:.0f}-megapixel limit for that "
                "form. Re-save it as PNG or JPEG.",
                format=im.format,
                megapixels=width * height / 1e6,
                limit=MAX_SLOW_CODEC_PIXELS / 1e6,
            )
        )


def _empty_size_message(size: tuple[int, int]) -> Text:
    """One-line message for a header with zero width or height."""
    return Text(
        "The image header says it is {width}x{height} pixels, i.e. empty: "
        "the file is damaged. Re-export the image and try again.",
        width=size[0],
        height=size[1],
    )


def _too_many_pixels_message(
    size: tuple[int, int] | int | None, max_pixels: int = MAX_PIXELS
) -> Text:
    """One-line message for an image over the pixel cap (a possible decompression bomb)."""
    limit = max_pixels / 1e6
    if isinstance(size, tuple):
        return Text(
            "The image is {width}x{height} = {megapixels:.1f} megapixels; the limit is "
            "{limit:g} megapixels. Downscale it and upload it again.",
            width=size[0],
            height=size[1],
            megapixels=size[0] * size[1] / 1e6,
            limit=limit,
        )
    if isinstance(size, int):
        return Text(
            "The image header declares {megapixels:.1f} megapixels; the limit is {limit:g} "
            "megapixels. Downscale it and upload it again.",
            megapixels=size / 1e6,
            limit=limit,
        )
    return Text(
        "The image is far too large to decode safely; the limit is {limit:g} megapixels. "
        "Downscale it and upload it again.",
        limit=limit,
    )


def _bomb_pixels(exc: BaseException) -> int | None:
    """The pixel count from Pillow's decompression-bomb message, if present."""
    match = re.search(r"\((\d+) pixels\)", str(exc))
    return int(match.group(1)) if match else None


def _verify_png(data: bytes) -> None:
    """Check every PNG chunk's CRC and the IEND marker (load() skips IDAT CRCs)."""
    with Image.open(io.BytesIO(data), formats=["PNG"]) as probe:
        probe.verify()


def _unidentified_message(data: bytes) -> Text:
    """Say what the unreadable file looks like and which formats are accepted."""
    empty = _png_empty_size(data)
    if empty is not None:
        return _empty_size_message(empty)
    name = next((n for s, n in _ALLOWED_SIGNATURES if data.startswith(s)), None)
    if name is None and heif.is_heif(data):
        name = "HEIC/HEIF"
    if name is not None:
        return Text(
            "The file looks like a {format} image but its header is damaged or invalid. "
            "Re-export the image and try again.",
            format=name,
        )
    kind = _sniff_kind(data)
    if kind:
        return Text(
            "This file is {kind}, not a supported image format. Upload a {formats} image.",
            kind=Text(kind),
            formats=Text(_FORMATS_TEXT),
        )
    return Text(
        "This file is not a supported image format. Upload a {formats} image.",
        formats=Text(_FORMATS_TEXT),
    )


def _png_empty_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG IHDR if one of them is zero, else None."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR" or len(data) < 24:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return (width, height) if width == 0 or height == 0 else None


def _sniff_kind(data: bytes) -> str | None:
    """Name a common non-image file type from its first bytes, or None if unknown."""
    head = data[:64]
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return N_("an AVIF image")
        return N_("a video or MP4/QuickTime-family file")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")) or b"<svg" in data[:1024].lower():
        return N_("an SVG/XML file")
    if text.startswith((b"<!doctype html", b"<html")):
        return N_("an HTML page")
    if _looks_like_text(data[:4096]):
        return N_("a text file")
    return None


def _looks_like_text(sample: bytes) -> bool:
    """True if the sample decodes as UTF-8 without control characters."""
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)


def _reason(exc: BaseException) -> str:
    """A short single-line reason from an exception, without reprs or addresses."""
    text = str(exc) or type(exc).__name__
    text = re.sub(r"<[^<>]* at 0x[0-9a-fA-F]+>", "the file", text)
    text = re.sub(r"\bb'([^']*)'", r"\1", text)
    text = " ".join(text.split())
    return text[:150].rstrip(" .")


def _apply_exif_orientation(im: Image.Image) -> Image.Image:
    """Rotate/flip per the EXIF orientation tag, in place (no copy of an upright photo)."""
    try:
        ImageOps.exif_transpose(im, in_place=True)
    except (*_DECODE_ERRORS, AttributeError):
        pass  # unreadable EXIF: keep the pixels as stored
    return im


def to_rgb(im: Image.Image) -> Image.Image:
    """Convert any Pillow mode to RGB: alpha over white, high-bit grey rescaled to 0..255."""
    if im.mode in _HIGH_BIT_MODES:
        return _high_bit_to_rgb(im)
    if im.mode == "La":  # premultiplied; Pillow only converts it to LA
        im = im.convert("LA")
    if im.mode in _ALPHA_MODES or "transparency" in im.info:
        return _composite_on_white(im.convert("RGBA"))
    return im if im.mode == "RGB" else im.convert("RGB")


def _composite_on_white(rgba: Image.Image) -> Image.Image:
    """Blend an RGBA image onto opaque white: out = a * rgb + (1 - a) * 255.

    Pasting with the alpha band as the mask blends in place on one RGB image, instead of the
    three full-size copies an RGBA alpha_composite and its conversion would make.
    """
    background = Image.new("RGB", rgba.size, _WHITE[:3])
    background.paste(rgba, (0, 0), rgba)
    return background


def _high_bit_to_rgb(im: Image.Image) -> Image.Image:
    """Rescale 16/32-bit integer or float grey to 8-bit RGB, honouring a tRNS grey value."""
    values = np.asarray(im)
    grey = Image.fromarray(scale_to_uint8(values, im.mode), "L")
    transparent = im.info.get("transparency")
    if isinstance(transparent, int) and not isinstance(transparent, bool):
        alpha = Image.fromarray((values != transparent).astype(np.uint8) * np.uint8(255), "L")
        return _composite_on_white(Image.merge("RGBA", (grey, grey, grey, alpha)))
    return grey.convert("RGB")


def scale_to_uint8(values: np.ndarray, mode: str) -> np.ndarray:
    """Map high-bit grey values to uint8 by their bit range (16-bit: /257) or min..max."""
    if mode.startswith("I;16"):
        return _div257(values)
    if mode == "I" and values.size and values.min() >= 0 and values.max() <= 0xFFFF:
        return _div257(values)  # 16-bit data that Pillow widened to 32-bit "I"
    return _stretch(values)


def _div257(values: np.ndarray) -> np.ndarray:
    """Round(v / 257) in integers, so 0 -> 0, 32768 -> 128, 65535 -> 255."""
    return ((values.astype(np.uint32) + 128) // 257).astype(np.uint8)


def _stretch(values: np.ndarray) -> np.ndarray:
    """Linearly map finite min..max to 0..255; NaN/inf and constant images become 0."""
    out = values.astype(np.float32)  # one copy, 4 bytes per pixel, reused in place
    finite = np.isfinite(out)
    if not finite.any():
        return np.zeros(values.shape, np.uint8)
    out[~finite] = np.nan
    lo, hi = float(np.nanmin(out)), float(np.nanmax(out))
    if hi <= lo:
        return np.zeros(values.shape, np.uint8)
    scale = 255.0 / (hi - lo)  # float64: finite even for a +-3.4e38 float32 range
    out *= np.float32(scale)
    out -= np.float32(lo * scale)
    np.nan_to_num(out, copy=False, nan=0.0)
    np.rint(out, out=out)
    np.clip(out, 0, 255, out=out)
    return out.astype(np.uint8)


def resize_for_model(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    """Resize the whole image to size=(width, height); return float32 (H, W, 3) in 0..255."""
    width, height = size
    if width <= 0 or height <= 0:
        raise ValueError(f"size must be positive (width, height), got {size!r}")
    rgb = image if image.mode == "RGB" else to_rgb(image)
    # No centre crop: the aspect ratio changes, but the heat-map then covers the
    # whole photo. BILINEAR is what torchvision's ImageNet eval transforms use;
    # Pillow's bilinear widens its kernel when shrinking, so it antialiases, and
    # unlike BICUBIC it cannot ring or overshoot. reducing_gap=3.0 first
    # box-reduces by an integer factor (fast on 12 MP photos) while staying >= 3x
    # the target, which Pillow documents as indistinguishable from a full resample.
    resized = rgb.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=3.0)
    return np.array(resized, dtype=np.float32)
