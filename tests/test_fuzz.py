"""Fuzzing the image loader and the CLI with structured mutations of real files of every format.

tests/test_images.py already throws random bytes and a few flipped bytes at four tiny seeds. This
file goes further: a corpus of real files of every allowed format and their variants (interlaced,
progressive, 16-bit, palette, animated, EXIF-rotated, LZW/deflate/PackBits, RLE, ...), the
bundled camera photos, HEIC files made by pillow-heif (one image, a grid of tiles, alpha,
rotated, 16-bit grey), and mutations that know each format's structure: PNG chunks re-checksummed
so they reach the decoder, zlib streams re-compressed after mutating scanlines, JPEG segments,
GIF blocks, TIFF IFD entries, BMP header fields, RIFF chunks, HEIF boxes (ispe sizes, grid
canvases, box sizes, boxes dropped or repeated with their parents' sizes fixed), and headers that
claim huge dimensions. Every truncation at every structural boundary is tried too.

The properties, for every input:
  * load_image returns an RGB image within MAX_PIXELS, or raises ImageLoadError with one
    non-empty line; nothing else escapes;
  * no hang: a soft time bound per case, and a hard alarm that turns a hang into a failure;
  * memory bounded: the process's peak RSS (VmHWM, reset before each case) grows by at most
    64 MB plus 32 bytes per pixel the header claims, and the claim counts only if it is within
    MAX_PIXELS: a header over the cap must be refused before any pixel is allocated.
The CLI gets the same files (exit 0 with every output written, or exit 2 with one stderr line
and nothing written) and fuzzed options; a few valid fuzzed images run the bundled model.

scripts/fuzz_long.py runs the same strategies with many more examples (and atheris).
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import io
import itertools
import json
import signal
import struct
import sys
import time
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from image_files import PNG_SIGNATURE, png_chunk, png_chunks, rle8_bmp
from PIL import Image
from proc_status import peak_rss_growth

from gradcam_core import cli
from gradcam_core.errors import ImageLoadError
from gradcam_core.images import ALLOWED_FORMATS, MAX_ASPECT_RATIO, MAX_PIXELS, load_image

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024

# Pillow warns about odd tags and chunks in damaged files; the contract is about what is raised.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

# ---------------------------------------------------------------- bounds

BASE_TIME_S = 5.0  # per case, generous: CI shares two cores with TensorFlow's threads
TIME_PER_PIXEL_S = 200e-9  # a 40 MP decode-and-convert may take several seconds more
HARD_TIMEOUT_S = 60  # a case still running after this is a hang: SIGALRM fails it
BASE_MEMORY = 64 * MB
MEMORY_PER_PIXEL = 32  # bytes per claimed pixel (an RGBA decode, compositing and RGB copy)

# ---------------------------------------------------------------- memory and time probes


class Hang(BaseException):
    """Raised by SIGALRM inside a case that ran past HARD_TIMEOUT_S."""


@contextlib.contextmanager
def hard_timeout(seconds: int) -> Iterator[None]:
    """Turn a hang into a failure (SIGALRM), and a hang in C code into a traceback and exit."""
    use_alarm = hasattr(signal, "SIGALRM") and _in_main_thread()
    if use_alarm:

        def on_alarm(signum, frame):
            raise Hang(f"a case ran for more than {seconds} s")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(seconds)
    faulthandler.dump_traceback_later(seconds * 3, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def claimed_pixels(data: bytes) -> int:
    """Width x height as the file's header states it (Pillow reads only the header), else 0.

    A HEIF file claims the largest of its ispe properties and grid canvases: a crop (clap) makes
    Pillow's size smaller than what libheif decodes.
    """
    if data[4:8] == b"ftyp":
        return heif_claimed_pixels(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as probe:
                width, height = probe.size
    except Exception:
        return 0
    return max(0, width) * max(0, height)


# ---------------------------------------------------------------- the loader property


@dataclass
class FuzzStats:
    """What the fuzzing saw: counts, the slowest case and the largest memory growth."""

    cases: int = 0
    loaded: int = 0
    rejected: int = 0
    slowest_s: float = 0.0
    largest_growth: int = 0
    process_peak: int = 0  # the process's peak RSS over all cases, bytes
    started: float = field(default_factory=time.perf_counter)
    messages: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        return {
            "cases": self.cases,
            "loaded": self.loaded,
            "rejected": self.rejected,
            "seconds": round(time.perf_counter() - self.started, 1),
            "slowest_case_s": round(self.slowest_s, 3),
            "largest_peak_rss_growth_mb": round(self.largest_growth / MB, 1),
            "process_peak_rss_mb": round(self.process_peak / MB, 1),
        }


STATS = FuzzStats()


def check_loader(data: bytes, stats: FuzzStats = STATS) -> None:
    """The loader's contract on one input; raises AssertionError (or Hang) when broken."""
    claimed = claimed_pixels(data)
    budget_pixels = claimed if claimed <= MAX_PIXELS else 0
    outcome: object
    with hard_timeout(HARD_TIMEOUT_S), peak_rss_growth() as growth:
        started = time.perf_counter()
        try:
            outcome = load_image(data)
        except ImageLoadError as error:
            outcome = error
        elapsed = time.perf_counter() - started
    stats.cases += 1
    stats.slowest_s = max(stats.slowest_s, elapsed)
    stats.largest_growth = max(stats.largest_growth, growth[0])
    stats.process_peak = max(stats.process_peak, growth[1])
    if isinstance(outcome, ImageLoadError):
        stats.rejected += 1
        message = str(outcome)
        assert message.strip(), "an empty error message"
        assert "\n" not in message, f"a multi-line message: {message!r}"
        assert "Traceback" not in message and " at 0x" not in message, message
        key = message.split(":")[0].split("(")[0][:60]
        stats.messages[key] = stats.messages.get(key, 0) + 1
    else:
        stats.loaded += 1
        image = outcome.image  # type: ignore[attr-defined]
        assert image.mode == "RGB"
        assert image.size == outcome.size  # type: ignore[attr-defined]
        width, height = image.size
        assert width > 0 and height > 0
        assert width * height <= MAX_PIXELS, f"accepted {width}x{height}"
        budget_pixels = max(budget_pixels, width * height)
    time_bound = BASE_TIME_S + TIME_PER_PIXEL_S * budget_pixels
    assert elapsed < time_bound, f"took {elapsed:.2f} s (bound {time_bound:.1f} s)"
    memory_bound = BASE_MEMORY + MEMORY_PER_PIXEL * budget_pixels
    assert growth[0] <= memory_bound, (
        f"peak RSS grew by {growth[0] / MB:.0f} MB (bound {memory_bound / MB:.0f} MB; "
        f"header claims {claimed} pixels)"
    )


# ---------------------------------------------------------------- the corpus


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _picture(width: int, height: int, seed: int = 0) -> Image.Image:
    """Gradients plus noise plus a disc: compresses like a photo, not like a flat colour."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    disc = ((x - width / 2) ** 2 + (y - height / 2) ** 2) < (min(width, height) / 3) ** 2
    pixels = np.stack(
        [x * 255 // max(1, width - 1), y * 255 // max(1, height - 1), disc * 200], axis=-1
    )
    pixels = pixels + rng.integers(0, 24, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif


def _rle8_bmp() -> bytes:
    """A 4x3 8-bit RLE-compressed BMP, assembled by hand (Pillow cannot write RLE)."""
    palette = b"".join(bytes((i * 40 % 256, i * 80 % 256, 255 - i * 40 % 256, 0)) for i in range(4))
    rows = [
        b"\x04\x01",  # four pixels of colour 1
        b"\x00\x00",  # end of line
        b"\x02\x02\x02\x03",  # two of colour 2, two of colour 3
        b"\x00\x00",
        b"\x00\x02\x01\x00",  # delta: right 1, down 0
        b"\x03\x00\x00\x01",  # three of colour 0, end of bitmap
    ]
    return rle8_bmp(4, 3, b"".join(rows), palette)


def _png_with_text_chunks() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "plain text chunk")
    info.add_text("Description", "compressed text " * 20, zip=True)
    info.add_itxt("Title", "international text", lang="en", tkey="Title")
    return encode(_picture(20, 14, 3), "PNG", pnginfo=info)


def _tiff(image: Image.Image, **params: object) -> bytes:
    return encode(image, "TIFF", **params)


def _animated(fmt: str, **params: object) -> bytes:
    frames = [_picture(18, 12, seed).convert("P") for seed in range(3)]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=40, **params)


def _samples() -> list[bytes]:
    """Two of the bundled camera photos (real JPEGs with their quirks)."""
    files = sorted((ROOT / "gradcam_core" / "samples_data").glob("*.jpg"))
    return [path.read_bytes() for path in files[:2]]


@functools.cache
def corpus() -> dict[str, bytes]:
    """Seed files by name ('png/rgba', 'jpeg/progressive', ...): every format and its variants."""
    rgb = _picture(24, 16)
    rgba = rgb.copy()
    rgba.putalpha(Image.linear_gradient("L").resize(rgb.size))
    grey = rgb.convert("L")
    grey16 = Image.fromarray(np.asarray(grey, np.uint16) * 257)
    palette = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    seeds: dict[str, bytes] = {
        "png/rgb": encode(rgb, "PNG"),
        "png/rgba": encode(rgba, "PNG"),
        "png/grey": encode(grey, "PNG"),
        "png/grey16": encode(grey16, "PNG"),
        "png/palette_trns": encode(palette, "PNG", transparency=0),
        "png/bilevel": encode(rgb.convert("1"), "PNG"),
        "png/la": encode(rgba.convert("LA"), "PNG"),
        "png/text_chunks": _png_with_text_chunks(),
        "png/exif_rotated": encode(rgb, "PNG", exif=_exif(6)),
        "png/apng": _animated("PNG"),
        "jpeg/baseline": encode(rgb, "JPEG", quality=85),
        "jpeg/progressive": encode(rgb, "JPEG", quality=85, progressive=True),
        "jpeg/grey": encode(grey, "JPEG"),
        "jpeg/cmyk": encode(rgb.convert("CMYK"), "JPEG"),
        "jpeg/subsampled_420": encode(rgb, "JPEG", subsampling=2),
        "jpeg/exif_rotated": encode(rgb, "JPEG", exif=_exif(8)),
        "jpeg/restart_markers": encode(rgb, "JPEG", restart_marker_blocks=1),
        "gif/still": encode(palette, "GIF"),
        "gif/animated": _animated("GIF", loop=0, disposal=2, transparency=0),
        "gif/interlaced": encode(palette, "GIF", interlace=True),
        "webp/lossy": encode(rgb, "WEBP", quality=80),
        "webp/lossless": encode(rgb, "WEBP", lossless=True),
        "webp/alpha": encode(rgba, "WEBP", quality=80),
        "webp/animated": _animated("WEBP"),
        "bmp/rgb24": encode(rgb, "BMP"),
        "bmp/palette8": encode(palette, "BMP"),
        "bmp/bilevel": encode(rgb.convert("1"), "BMP"),
        "bmp/rgba32": encode(rgba, "BMP"),
        "bmp/rle8": _rle8_bmp(),
        "tiff/raw": _tiff(rgb),
        "tiff/lzw": _tiff(rgb, compression="tiff_lzw"),
        "tiff/deflate": _tiff(rgb, compression="tiff_adobe_deflate"),
        "tiff/packbits": _tiff(rgb, compression="packbits"),
        "tiff/jpeg": _tiff(rgb, compression="jpeg"),
        "tiff/grey16": _tiff(grey16),
        "tiff/float": _tiff(Image.fromarray(np.asarray(grey, np.float32) / 7.0)),
        "tiff/cmyk": _tiff(rgb.convert("CMYK")),
        "tiff/rgba": _tiff(rgba, compression="tiff_lzw"),
        "tiff/multipage": encode(rgb, "TIFF", save_all=True, append_images=[grey.convert("RGB")]),
        "heif/rgb": encode(rgb, "HEIF", quality=80),
        "heif/grid": encode(_picture(150, 100, 1), "HEIF", quality=60, tile_size=64),
        "heif/rgba": encode(rgba, "HEIF", quality=80),
        "heif/rotated": encode(rgb, "HEIF", quality=80, exif=_exif(6)),
        "heif/grey16": encode(grey16, "HEIF", quality=80),
        # Not allowed: real images Pillow could parse, which must be refused unparsed.
        "other/ico": encode(rgb, "ICO"),
        "other/tga": encode(rgb, "TGA"),
        "other/pcx": encode(rgb, "PCX"),
    }
    seeds["png/interlaced"] = _interlace_png(seeds["png/rgb"])  # Pillow cannot write Adam7
    for index, photo in enumerate(_samples()):
        seeds[f"jpeg/photo{index}"] = photo
    return seeds


def _interlace_png(data: bytes) -> bytes:
    """Re-encode a non-interlaced 8-bit RGB PNG as Adam7 (Pillow's encoder cannot)."""
    with Image.open(io.BytesIO(data)) as im:
        pixels = np.asarray(im.convert("RGB"))
    height, width = pixels.shape[:2]
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2)]
    passes.append((0, 1, 1, 2))
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = pixels[y0::dy, x0::dx]
        if sub.size:
            raw += b"".join(b"\0" + row.tobytes() for row in sub)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 1)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )


def seeds_of(prefix: str) -> list[bytes]:
    return [data for name, data in corpus().items() if name.startswith(prefix + "/")]


# ---------------------------------------------------------------- format structure


def jpeg_segments(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each marker segment, and of the entropy-coded data after each SOS.

    Tolerates damaged files (the mutators parse what they have already mutated).
    """
    spans, at = [(0, 2)], 2
    while at + 2 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xD9 or 0xD0 <= marker <= 0xD7 or at + 4 > len(data):
            spans.append((at, at + 2))
            at += 2
            if marker == 0xD9:
                break
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        end = min(at + 2 + length, len(data))  # a damaged length may point past the end
        spans.append((at, end))
        at = end
        if marker == 0xDA:  # scan data runs to the next marker that is not a stuffed 0 or RSTn
            scan = at
            while at + 1 < len(data) and not (
                data[at] == 0xFF and data[at + 1] not in (0x00, *range(0xD0, 0xD8))
            ):
                at += 1
            spans.append((scan, at))
    return [(a, b) for a, b in spans if a < b]


def riff_chunks(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of the RIFF header and of each chunk of a WebP file."""
    spans, at = [(0, 12)], 12
    while at + 8 <= len(data):
        (size,) = struct.unpack("<I", data[at + 4 : at + 8])
        end = min(len(data), at + 8 + size + (size & 1))
        spans.append((at, end))
        at = end
    return spans


def gif_blocks(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of the header, screen descriptor, colour tables, blocks and sub-blocks.

    Tolerates damaged files (the mutators parse what they have already mutated).
    """
    n = len(data)
    spans = [(0, min(6, n)), (6, min(13, n))]
    at = 13
    if n > 10 and data[10] & 0x80:
        at += 3 << ((data[10] & 7) + 1)
        spans.append((13, min(at, n)))
    while at < n:
        kind, start = data[at], at
        if kind == 0x3B:
            spans.append((at, at + 1))
            break
        if kind == 0x21:
            at += 2
        elif kind == 0x2C and at + 9 < n:
            flags = data[at + 9]
            at += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0) + 1  # + LZW code size
        else:
            break
        spans.append((start, min(at, n)))
        while at < n and data[at]:  # data sub-blocks
            spans.append((at, min(at + 1 + data[at], n)))
            at += 1 + data[at]
        if at < n:
            spans.append((at, at + 1))
        at += 1
    return [(a, b) for a, b in spans if a < b]


def tiff_entries(data: bytes) -> tuple[str, list[int]]:
    """The byte order ('<' or '>') and the offset of every IFD entry, all IFDs."""
    order = "<" if data[:2] == b"II" else ">"
    (ifd,) = struct.unpack(order + "I", data[4:8])
    entries, seen = [], set()
    while 8 <= ifd < len(data) - 2 and ifd not in seen:
        seen.add(ifd)
        (count,) = struct.unpack(order + "H", data[ifd : ifd + 2])
        entries.extend(ifd + 2 + 12 * i for i in range(count) if ifd + 14 + 12 * i <= len(data))
        next_at = ifd + 2 + 12 * count
        if next_at + 4 > len(data):
            break
        (ifd,) = struct.unpack(order + "I", data[next_at : next_at + 4])
    return order, entries


# Boxes whose payload holds boxes, and how many bytes come first (full-box header, entry count).
HEIF_CONTAINERS = {b"meta": 4, b"iprp": 0, b"ipco": 0, b"iinf": 6, b"iref": 4, b"dinf": 0}


def heif_boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of every box of a HEIF file, nested ones too, as far as the sizes hold."""
    end = len(data) if end is None else end
    spans, at = [], start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if size < 8 or at + size > end:
            break
        spans.append((at, at + size))
        if kind in HEIF_CONTAINERS:
            spans += heif_boxes(data, at + 8 + HEIF_CONTAINERS[kind], at + size)
        at += size
    return spans


def heif_find(data: bytes, kind: bytes) -> list[tuple[int, int]]:
    """(start, end) of every box of one type."""
    return [(a, b) for a, b in heif_boxes(data) if data[a + 4 : a + 8] == kind]


def heif_claimed_pixels(data: bytes) -> int:
    """The largest width x height in the file's ispe properties and its grid canvas (in idat)."""
    ispe = [a for a, b in heif_find(data, b"ispe") if b - a >= 20]
    sizes = [struct.unpack(">II", data[a + 12 : a + 20]) for a in ispe]
    for a, b in heif_find(data, b"idat"):  # the grid seed keeps its grid data here
        wide = 4 if b - a > 9 and data[a + 9] & 1 else 2  # flags bit 0: 32-bit sides
        if b - a >= 12 + 2 * wide:
            fields = ">II" if wide == 4 else ">HH"
            sizes.append(struct.unpack(fields, data[a + 12 : a + 12 + 2 * wide]))
    return max((w * h for w, h in sizes), default=0)


BMP_FIELDS = {  # offset: (struct format, name)
    2: ("<I", "file size"),
    10: ("<I", "pixel data offset"),
    14: ("<I", "info header size"),
    18: ("<i", "width"),
    22: ("<i", "height"),
    26: ("<H", "planes"),
    28: ("<H", "bits per pixel"),
    30: ("<I", "compression"),
    34: ("<I", "image size"),
    46: ("<I", "colours used"),
}


def boundaries(name: str, data: bytes) -> list[int]:
    """Every structural boundary of a seed: where a truncation cuts between two parts."""
    kind = name.split("/")[0]
    if kind == "png":
        offsets, at = [8], 8
        for _, payload in png_chunks(data):
            for inner in (4, 8, 8 + len(payload), 12 + len(payload)):
                offsets.append(at + inner)
            at += 12 + len(payload)
    elif kind == "jpeg":
        offsets = [edge for span in jpeg_segments(data) for edge in span]
    elif kind == "webp":
        offsets = [edge for span in riff_chunks(data) for edge in span]
    elif kind == "gif":
        offsets = [edge for span in gif_blocks(data) for edge in span]
    elif kind == "tiff":
        _, entries = tiff_entries(data)
        offsets = [8, *entries, *(e + 12 for e in entries)]
    elif kind == "bmp":
        offsets = [2, 6, 10, 14, 18, 22, 26, 30, 34, 46, 50, 54]
        offsets.append(struct.unpack("<I", data[10:14])[0])
    elif kind == "heif":  # each box's start, end, and the ends of its size and type fields
        offsets = [edge for a, b in heif_boxes(data) for edge in (a, a + 4, a + 8, a + 12, b)]
    else:
        offsets = [1, 2, 4, 8, 16, 32]
    return sorted({o for o in offsets if 0 < o < len(data)})


# ---------------------------------------------------------------- mutations

INTERESTING_DIMENSIONS = [
    *(0, 1, 2, 3, 7, 8, 9, 16, 255, 256, 1000, 4095, 4096),
    *(8000, 8001, 16383, 16384, 20000, 32767, 32768, 65535, 65536),
    *(2**24 - 1, 2**31 - 1, 2**31, 2**32 - 1),
]
INTERESTING_BYTES = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF]


def dimensions(limit: int = 2**32 - 1) -> st.SearchStrategy[int]:
    """Small sizes most of the time, the edge cases the rest: 0, powers of two, 2^31, 2^32-1."""
    edges = [d for d in INTERESTING_DIMENSIONS if d <= limit]
    return st.one_of(st.sampled_from(edges), st.integers(0, min(limit, 300)))


@st.composite
def byte_mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """1-6 generic mutations: bit flips, interesting bytes and words, inserts, deletes, copies."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        if not out:
            break
        op = draw(st.sampled_from(["flip", "byte", "word", "insert", "delete", "copy", "cut"]))
        at = draw(st.integers(0, len(out) - 1))
        if op == "flip":
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte":
            out[at] = draw(st.sampled_from(INTERESTING_BYTES))
        elif op == "word":
            fmt = draw(st.sampled_from(["<H", ">H", "<I", ">I"]))
            value = draw(st.sampled_from([0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]))
            value &= (1 << (8 * struct.calcsize(fmt))) - 1
            out[at : at + struct.calcsize(fmt)] = struct.pack(fmt, value)
        elif op == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del out[at : at + draw(st.integers(1, 64))]
        elif op == "copy":
            length = draw(st.integers(1, 64))
            to = draw(st.integers(0, len(out)))
            out[to:to] = out[at : at + length]
        else:
            del out[at:]
    return bytes(out)


@st.composite
def mutated_seeds(draw: st.DrawFn) -> bytes:
    """Any seed with generic mutations, or two seeds spliced (head of one, tail of another)."""
    seeds = list(corpus().values())
    data = draw(st.sampled_from(seeds))
    if draw(st.booleans()):
        other = draw(st.sampled_from(seeds))
        data = data[: draw(st.integers(0, len(data)))] + other[draw(st.integers(0, len(other))) :]
    return draw(byte_mutations(data))


def _set_png_dimensions(payload: bytes, width: int, height: int) -> bytes:
    return struct.pack(">II", width, height) + payload[8:]


PNG_CHUNK_TYPES = [
    *(b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"zTXt", b"iCCP", b"acTL"),
    *(b"fcTL", b"fdAT", b"eXIf", b"sBIT", b"gAMA", b"pHYs", b"abCd"),
]
PNG_OPS = [
    *("dimensions", "ihdr_fields", "scanlines", "payload", "drop"),
    *("duplicate", "swap", "insert", "split_idat", "bad_crc"),
]


@st.composite
def png_mutants(draw: st.DrawFn) -> bytes:
    """Chunk-level mutations with valid CRCs (so they pass verify() and reach the decoder)."""
    chunks = [list(c) for c in png_chunks(draw(st.sampled_from(seeds_of("png"))))]
    keep_crc = True
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(chunks) - 1))
        kind, payload = chunks[index]
        op = draw(st.sampled_from(PNG_OPS))
        ihdr = next((c for c in chunks if c[0] == b"IHDR" and len(c[1]) == 13), None)
        if op == "dimensions" and ihdr:
            ihdr[1] = _set_png_dimensions(ihdr[1], draw(dimensions()), draw(dimensions()))
        elif op == "ihdr_fields" and ihdr:
            fields = bytearray(ihdr[1])
            fields[8 + draw(st.integers(0, 4))] = draw(
                st.sampled_from([0, 1, 2, 3, 4, 6, 8, 16, 255])
            )
            ihdr[1] = bytes(fields)
        elif op == "scanlines" and kind in (b"IDAT", b"fdAT"):
            head = payload[:4] if kind == b"fdAT" else b""
            try:
                raw = zlib.decompress(payload[len(head) :])
            except zlib.error:
                raw = b""
            if raw:
                raw = draw(byte_mutations(raw))
                chunks[index][1] = head + zlib.compress(raw)
        elif op == "payload":
            chunks[index][1] = draw(byte_mutations(payload)) if payload else draw(st.binary())
        elif op == "drop" and len(chunks) > 1:
            del chunks[index]
        elif op == "duplicate":
            chunks.insert(index, [kind, payload])
        elif op == "swap":
            other = draw(st.integers(0, len(chunks) - 1))
            chunks[index], chunks[other] = chunks[other], chunks[index]
        elif op == "insert":
            new_kind = draw(st.sampled_from(PNG_CHUNK_TYPES))
            chunks.insert(index, [new_kind, draw(st.binary(max_size=40))])
        elif op == "split_idat" and kind == b"IDAT" and len(payload) > 2:
            cut = draw(st.integers(1, len(payload) - 1))
            chunks[index : index + 1] = [[kind, payload[:cut]], [kind, payload[cut:]]]
        elif op == "bad_crc":
            keep_crc = False
    body = b"".join(png_chunk(k, p) for k, p in chunks)
    data = PNG_SIGNATURE + body
    if not keep_crc:
        data = draw(byte_mutations(data))
    return data


SOF_MARKERS = (0xC0, 0xC1, 0xC2, 0xC3, 0xC9, 0xCA)


def _jpeg_frame_header(data: bytes) -> int | None:
    for start, _ in jpeg_segments(data):
        if start + 9 <= len(data) and data[start] == 0xFF and data[start + 1] in SOF_MARKERS:
            return start
    return None


@st.composite
def jpeg_mutants(draw: st.DrawFn) -> bytes:
    """Segment-level mutations: frame sizes and components, tables, EXIF, segments dropped."""
    data = draw(st.sampled_from(seeds_of("jpeg")))
    for _ in range(draw(st.integers(1, 3))):
        spans = jpeg_segments(data)
        op = draw(st.sampled_from(["dimensions", "frame", "segment", "drop", "dup", "exif"]))
        sof = _jpeg_frame_header(data)
        if op == "dimensions" and sof is not None:
            height, width = draw(dimensions(65535)), draw(dimensions(65535))
            data = data[: sof + 5] + struct.pack(">HH", height, width) + data[sof + 9 :]
        elif op == "frame" and sof is not None:
            out = bytearray(data)
            at = sof + draw(st.integers(4, 18))  # precision, components, sampling, tables
            if at < len(out):
                out[at] = draw(st.sampled_from([0, 1, 2, 3, 4, 8, 12, 16, 0x11, 0x22, 0x44, 255]))
            data = bytes(out)
        elif op == "segment":
            start, end = draw(st.sampled_from(spans[1:])) if len(spans) > 1 else spans[0]
            data = data[:start] + draw(byte_mutations(data[start:end])) + data[end:]
        elif op == "drop" and len(spans) > 2:
            start, end = draw(st.sampled_from(spans[1:-1]))
            data = data[:start] + data[end:]
        elif op == "dup" and len(spans) > 2:
            start, end = draw(st.sampled_from(spans[1:-1]))
            data = data[:end] + data[start:end] + data[end:]
        elif op == "exif":
            data = data[:2] + _app1_exif(draw) + data[2:]
    return data


def _app1_exif(draw: st.DrawFn) -> bytes:
    """An APP1 EXIF segment with a random orientation, or a mangled one."""
    exif = _exif(draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255, 65535]))).tobytes()
    if draw(st.booleans()):
        exif = draw(byte_mutations(exif))
    payload = b"Exif\0\0" + exif
    return b"\xff\xe1" + struct.pack(">H", min(65535, len(payload) + 2)) + payload[:65533]


@st.composite
def gif_mutants(draw: st.DrawFn) -> bytes:
    """Screen and frame sizes and offsets, colour-table flags, LZW code sizes, sub-blocks."""
    data = bytearray(draw(st.sampled_from(seeds_of("gif"))))
    for _ in range(draw(st.integers(1, 3))):
        spans = gif_blocks(bytes(data))
        descriptors = [s for s, _ in spans if data[s] == 0x2C and s > 12]
        op = draw(st.sampled_from(["screen", "frame", "flags", "lzw", "block", "drop"]))
        if op == "screen" and len(data) >= 10:
            struct.pack_into("<HH", data, 6, draw(dimensions(65535)), draw(dimensions(65535)))
        elif op == "frame" and descriptors:
            at = draw(st.sampled_from(descriptors))
            if at + 9 > len(data):
                continue
            values = [draw(dimensions(65535)) for _ in range(4)]  # left, top, width, height
            struct.pack_into("<HHHH", data, at + 1, *values)
        elif op == "flags":
            at = draw(st.sampled_from([10, *(d + 9 for d in descriptors)]))
            if at < len(data):
                data[at] = draw(st.integers(0, 255))
        elif op == "lzw" and descriptors:
            at = draw(st.sampled_from(descriptors)) + 10
            if at - 1 < len(data) and data[at - 1] & 0x80:
                at += 3 << ((data[at - 1] & 7) + 1)
            if at < len(data):
                data[at] = draw(st.sampled_from([0, 1, 2, 8, 11, 12, 13, 255]))
        elif op == "block":
            start, end = draw(st.sampled_from(spans))
            data[start:end] = draw(byte_mutations(bytes(data[start:end])))
        elif op == "drop" and len(spans) > 3:
            start, end = draw(st.sampled_from(spans[2:]))
            del data[start:end]
    return bytes(data)


@st.composite
def bmp_mutants(draw: st.DrawFn) -> bytes:
    """Header fields set to edge values: sizes (negative = top-down), depth, compression, ..."""
    data = bytearray(draw(st.sampled_from(seeds_of("bmp"))))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.sampled_from(sorted(BMP_FIELDS)))
        fmt, name = BMP_FIELDS[at]
        if name in ("width", "height"):
            value = draw(dimensions(2**31 - 1)) * draw(st.sampled_from([1, -1]))
        elif name == "bits per pixel":
            value = draw(st.sampled_from([0, 1, 2, 4, 8, 15, 16, 24, 32, 64, 65535]))
        elif name == "compression":
            value = draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 11, 0xFFFFFFFF]))
        elif name == "info header size":
            value = draw(st.sampled_from([0, 12, 16, 40, 52, 56, 64, 108, 124, 0xFFFFFFFF]))
        else:
            value = draw(st.sampled_from([0, 1, 14, 54, 1078, 2**16, 2**31 - 1, 2**32 - 1]))
        if fmt == "<H":
            value &= 0xFFFF
        struct.pack_into(fmt, data, at, value)
    if draw(st.booleans()):
        return draw(byte_mutations(bytes(data)))
    return bytes(data)


TIFF_TAGS = [256, 257, 258, 259, 262, 273, 277, 278, 279, 284, 317, 322, 323, 324, 325, 338, 339]


@st.composite
def tiff_mutants(draw: st.DrawFn) -> bytes:
    """IFD entries: sizes, bit depths, compression, strip offsets and counts, types, IFD loops."""
    data = bytearray(draw(st.sampled_from(seeds_of("tiff"))))
    order, entries = tiff_entries(bytes(data))
    for _ in range(draw(st.integers(1, 4))):
        if not entries:
            break
        at = draw(st.sampled_from(entries))
        op = draw(st.sampled_from(["value", "value", "tag", "type", "count", "loop"]))
        if op == "value":
            value = draw(
                st.one_of(
                    dimensions(),
                    st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 32773, 34712, 65535]),
                )
            )
            struct.pack_into(order + "HI", data, at + 2, 4, 1)  # one LONG, stored inline
            struct.pack_into(order + "I", data, at + 8, value)
        elif op == "tag":
            struct.pack_into(order + "H", data, at, draw(st.sampled_from(TIFF_TAGS)))
        elif op == "type":
            struct.pack_into(order + "H", data, at + 2, draw(st.integers(0, 20)))
        elif op == "count":
            count = draw(st.sampled_from([0, 1, 2, 3, 255, 65535, 2**31 - 1, 2**32 - 1]))
            struct.pack_into(order + "I", data, at + 4, count)
        else:  # point the next-IFD offset back at the first IFD
            (first,) = struct.unpack(order + "I", data[4:8])
            (count,) = struct.unpack(order + "H", data[first : first + 2])
            next_at = first + 2 + 12 * count
            if next_at + 4 <= len(data):
                struct.pack_into(order + "I", data, next_at, first)
    if draw(st.booleans()):
        return draw(byte_mutations(bytes(data)))
    return bytes(data)


@st.composite
def webp_mutants(draw: st.DrawFn) -> bytes:
    """RIFF sizes, VP8X canvas and VP8/VP8L frame sizes, chunks dropped, duplicated, mangled."""
    data = bytearray(draw(st.sampled_from(seeds_of("webp"))))
    for _ in range(draw(st.integers(1, 3))):
        spans = riff_chunks(bytes(data))
        op = draw(st.sampled_from(["riff_size", "sizes", "chunk", "drop", "dup", "vp8x"]))
        if op == "riff_size":
            struct.pack_into("<I", data, 4, draw(st.sampled_from([0, 4, 12, 2**31, 2**32 - 1])))
        elif op == "sizes":
            for start, _ in spans[1:]:
                kind, at = bytes(data[start : start + 4]), start + 8
                width, height = draw(dimensions(16384)), draw(dimensions(16384))
                if kind == b"VP8X" and at + 10 <= len(data):
                    w, h = max(width - 1, 0), max(height - 1, 0)
                    data[at + 4 : at + 10] = (w & 0xFFFFFF).to_bytes(3, "little") + (
                        h & 0xFFFFFF
                    ).to_bytes(3, "little")
                elif kind == b"VP8L" and at + 5 <= len(data):
                    bits = int.from_bytes(data[at + 1 : at + 5], "little")
                    bits = (
                        (bits & ~0xFFFFFFF)
                        | ((width - 1) & 0x3FFF)
                        | (((height - 1) & 0x3FFF) << 14)
                    )
                    data[at + 1 : at + 5] = bits.to_bytes(4, "little")
                elif kind == b"VP8 " and at + 10 <= len(data):
                    struct.pack_into("<HH", data, at + 6, width & 0x3FFF, height & 0x3FFF)
        elif op == "chunk" and len(spans) > 1:
            start, end = draw(st.sampled_from(spans[1:]))
            data[start:end] = draw(byte_mutations(bytes(data[start:end])))
        elif op == "drop" and len(spans) > 2:
            start, end = draw(st.sampled_from(spans[1:]))
            del data[start:end]
        elif op == "dup" and len(spans) > 1:
            start, end = draw(st.sampled_from(spans[1:]))
            data[end:end] = data[start:end]
        elif op == "vp8x":
            flags = draw(st.integers(0, 255))
            width, height = draw(dimensions(2**24)), draw(dimensions(2**24))
            chunk = (
                b"VP8X"
                + struct.pack("<I", 10)
                + bytes((flags, 0, 0, 0))
                + ((width - 1) & 0xFFFFFF).to_bytes(3, "little")
                + ((height - 1) & 0xFFFFFF).to_bytes(3, "little")
            )
            data[12:12] = chunk
    return bytes(data)


def _heif_replace(data: bytearray, span: tuple[int, int], new: bytes) -> None:
    """Put new bytes in place of a box and fix the size of every box around it."""
    start, end = span
    for outer_start, outer_end in heif_boxes(bytes(data)):
        if outer_start < start and end <= outer_end:
            (size,) = struct.unpack(">I", data[outer_start : outer_start + 4])
            struct.pack_into(">I", data, outer_start, (size + len(new) - (end - start)) % 2**32)
    data[start:end] = new


HEIF_OPS = ["ispe", "canvas", "size", "box", "drop", "dup", "mdat"]
HEIF_SIZE_VALUES = [0, 1, 7, 8, 9, 2**31, 2**32 - 1]


@st.composite
def heif_mutants(draw: st.DrawFn) -> bytes:
    """ispe sizes, grid canvases, box sizes; boxes mangled, dropped or repeated (sizes fixed)."""
    data = bytearray(draw(st.sampled_from(seeds_of("heif"))))
    for _ in range(draw(st.integers(1, 3))):
        spans = heif_boxes(bytes(data))
        op = draw(st.sampled_from(HEIF_OPS))
        ispe, idat = heif_find(bytes(data), b"ispe"), heif_find(bytes(data), b"idat")
        if op == "ispe" and ispe:
            width, height = draw(dimensions()), draw(dimensions())
            for start, _ in ispe if draw(st.booleans()) else [draw(st.sampled_from(ispe))]:
                struct.pack_into(">II", data, start + 12, width, height)
        elif op == "canvas" and idat and idat[0][1] - idat[0][0] >= 16:
            start = idat[0][0]
            data[start + 9] = draw(st.sampled_from([0, 1, 0xFF]))  # flags: bit 0 = 32-bit sides
            rows_columns = draw(st.sampled_from([(0, 0), (3, 3), (255, 255)]))
            data[start + 10 : start + 12] = bytes(rows_columns)
            width, height = draw(dimensions(65535)), draw(dimensions(65535))
            struct.pack_into(">HH", data, start + 12, width, height)
        elif op == "size" and spans:
            start, end = draw(st.sampled_from(spans))
            value = draw(st.sampled_from([*HEIF_SIZE_VALUES, end - start - 1, end - start + 1]))
            struct.pack_into(">I", data, start, value % 2**32)
        elif op in ("box", "mdat") and spans:
            kinds = [(a, b) for a, b in spans if (data[a + 4 : a + 8] == b"mdat") == (op == "mdat")]
            if kinds:
                start, end = draw(st.sampled_from(kinds))
                payload = draw(byte_mutations(bytes(data[start + 8 : end])))
                box = struct.pack(">I", 8 + len(payload)) + bytes(data[start + 4 : start + 8])
                _heif_replace(data, (start, end), box + payload)
        elif op in ("drop", "dup") and len(spans) > 1:
            start, end = draw(st.sampled_from(spans[1:]))  # never the ftyp box
            box = bytes(data[start:end])
            _heif_replace(data, (start, end), b"" if op == "drop" else box + box)
    return bytes(data)


SIGNATURES = [
    PNG_SIGNATURE,
    b"\xff\xd8\xff\xe0",
    b"\xff\xd8\xff\xdb",
    b"GIF89a",
    b"GIF87a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"RIFF\x00\x00\x00\x00WEBPVP8L",
    b"RIFF\x00\x00\x00\x00WEBPVP8X",
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heicmiaf",
]


@st.composite
def signature_and_noise(draw: st.DrawFn) -> bytes:
    """A real format signature followed by random bytes: past the format check, into the parser."""
    return draw(st.sampled_from(SIGNATURES)) + draw(st.binary(max_size=512))


STRATEGIES: dict[str, st.SearchStrategy[bytes]] = {
    "png": png_mutants(),
    "jpeg": jpeg_mutants(),
    "gif": gif_mutants(),
    "bmp": bmp_mutants(),
    "tiff": tiff_mutants(),
    "webp": webp_mutants(),
    "heif": heif_mutants(),
    "any_seed": mutated_seeds(),
    "signature": signature_and_noise(),
}

# Examples per strategy in CI: about 3,500 in all, about a minute on two busy cores.
CI_EXAMPLES = {
    "png": 500,
    "jpeg": 400,
    "gif": 350,
    "bmp": 350,
    "tiff": 400,
    "webp": 300,
    "heif": 400,
    "any_seed": 600,
    "signature": 200,
}


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,  # the per-case bound is ours: check_loader's time bound and alarm
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


# ---------------------------------------------------------------- the seeds themselves


def test_every_seed_is_what_it_claims() -> None:
    """The corpus is real: allowed seeds load (in their format), the others are refused."""
    for name, data in corpus().items():
        kind = name.split("/")[0]
        if kind == "other":
            with pytest.raises(ImageLoadError, match="not a supported image format"):
                load_image(data)
            continue
        loaded = load_image(data)
        assert loaded.format == kind.upper(), name
        # The structure parsers see the whole file.
        assert boundaries(name, data), name
    assert {n.split("/")[0] for n in corpus()} >= {f.lower() for f in ALLOWED_FORMATS}


def test_structure_parsers_cover_the_files() -> None:
    for name, data in corpus().items():
        kind = name.split("/")[0]
        if kind == "png":
            assert b"".join(png_chunk(k, p) for k, p in png_chunks(data)) == data[8:], name
        elif kind == "jpeg":
            spans = jpeg_segments(data)
            assert spans[-1][1] == len(data), name
            assert all(a[1] == b[0] for a, b in itertools.pairwise(spans)), name
        elif kind == "webp":
            assert riff_chunks(data)[-1][1] == len(data), name
        elif kind == "gif":
            assert gif_blocks(data)[-1] == (len(data) - 1, len(data)), name
        elif kind == "heif":
            spans = heif_boxes(data)
            tops = [(a, b) for a, b in spans if not any(x < a and b <= y for x, y in spans)]
            assert tops[0][0] == 0 and tops[-1][1] == len(data), name
            assert all(a[1] == b[0] for a, b in itertools.pairwise(tops)), name
            assert heif_find(data, b"ispe") and heif_find(data, b"iloc"), name
            assert heif_claimed_pixels(data) > 0, name


# ---------------------------------------------------------------- deterministic sweeps


@pytest.mark.parametrize("name", [n for n in corpus() if not n.startswith("other/")])
def test_truncation_at_every_boundary(name: str) -> None:
    """Cut each seed at every structural boundary, one byte either side, and at every byte of
    the first 64 (headers): each cut loads or is refused with one line, in bounded time and memory.
    """
    data = corpus()[name]
    cuts = {edge + delta for edge in boundaries(name, data) for delta in (-1, 0, 1)}
    cuts |= set(range(0, min(64, len(data))))
    for cut in sorted(c for c in cuts if 0 <= c < len(data)):
        check_loader(data[:cut])


def _claiming(name: str, width: int, height: int) -> bytes:
    """The seed with its header edited to claim width x height pixels (nothing else changed)."""
    data = bytearray(corpus()[name])
    kind = name.split("/")[0]
    if kind == "png":
        chunks = png_chunks(bytes(data))
        chunks[0] = (b"IHDR", _set_png_dimensions(chunks[0][1], width, height))
        return PNG_SIGNATURE + b"".join(png_chunk(k, p) for k, p in chunks)
    if kind == "jpeg":
        sof = _jpeg_frame_header(bytes(data))
        assert sof is not None
        struct.pack_into(">HH", data, sof + 5, height, width)
    elif kind == "gif":
        struct.pack_into("<HH", data, 6, width, height)
    elif kind == "bmp":
        struct.pack_into("<ii", data, 18, width, -height)
    elif kind == "tiff":
        order, entries = tiff_entries(bytes(data))
        for at in entries:
            (tag,) = struct.unpack(order + "H", data[at : at + 2])
            if tag in (256, 257):
                struct.pack_into(order + "HHI", data, at, tag, 4, 1)
                struct.pack_into(order + "I", data, at + 8, width if tag == 256 else height)
    elif kind == "webp":
        chunk = (
            b"VP8X"
            + struct.pack("<I", 10)
            + bytes(4)
            + (width - 1).to_bytes(3, "little")
            + (height - 1).to_bytes(3, "little")
        )
        data[12:12] = chunk
    elif kind == "heif":
        for start, _ in heif_find(bytes(data), b"ispe"):
            struct.pack_into(">II", data, start + 12, width, height)
        for start, _ in heif_find(bytes(data), b"idat"):  # a grid's canvas: 16-bit sides here
            struct.pack_into(">HH", data, start + 12, min(width, 65535), min(height, 65535))
    return bytes(data)


HUGE_CLAIMS = [
    ("png/rgb", 20000, 20000),
    ("png/rgba", 2**31 - 1, 2**31 - 1),
    ("png/interlaced", 65535, 65535),
    ("png/grey16", 8001, 5000),
    ("jpeg/baseline", 65535, 65535),
    ("jpeg/progressive", 20000, 20000),
    ("jpeg/photo0", 8001, 5000),
    ("gif/still", 65535, 65535),
    ("gif/animated", 20000, 20000),
    ("bmp/rgb24", 100000, 100000),
    ("bmp/rle8", 20000, 20000),
    ("bmp/palette8", 2**31 - 1, 1),
    ("tiff/raw", 2**32 - 1, 2**32 - 1),
    ("tiff/lzw", 20000, 20000),
    ("tiff/jpeg", 8001, 5000),
    ("webp/lossy", 16384, 16384),
    ("webp/lossless", 2**24, 2**24),
    ("heif/rgb", 20000, 20000),
    ("heif/rgba", 2**32 - 1, 2**32 - 1),
    ("heif/rotated", 8001, 5000),
    ("heif/grid", 65535, 65535),
    ("heif/grid", 8001, 5000),
]


@pytest.mark.parametrize(("name", "width", "height"), HUGE_CLAIMS)
def test_headers_claiming_huge_dimensions_are_refused_before_decoding(
    name: str, width: int, height: int
) -> None:
    data = _claiming(name, width, height)
    if not name.startswith("webp"):  # a VP8X canvas is checked against the frame, not claimed
        assert claimed_pixels(data) == width * height or claimed_pixels(data) == 0
    with peak_rss_growth() as growth:
        started = time.perf_counter()
        with pytest.raises(ImageLoadError) as refused:
            load_image(data)
        elapsed = time.perf_counter() - started
    assert "\n" not in str(refused.value)
    assert elapsed < 0.5, f"{elapsed:.2f} s"
    assert growth[0] < 16 * MB, f"peak RSS grew by {growth[0] / MB:.0f} MB"


def test_a_tiny_rle_bmp_cannot_hold_the_loader_for_seconds() -> None:
    width, height = 4_000_000, 3  # 12 MP: within MAX_PIXELS
    data = rle8_bmp(width, height, b"\x01\x00\x00\x00" * height + b"\x00\x01")  # 1 px, EOL
    assert len(data) == 84
    started = time.perf_counter()
    with contextlib.suppress(ImageLoadError):
        load_image(data)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"{elapsed:.1f} s for an {len(data)}-byte file"


@pytest.mark.slow
def test_a_40_megapixel_rgba_png_decodes_within_16_bytes_per_pixel() -> None:
    width, height = 8000, 5000
    rows = (b"\0" + b"\x80" * 4 * width) * height
    data = PNG_SIGNATURE + b"".join(
        png_chunk(kind, payload)
        for kind, payload in (
            (b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
            (b"IDAT", zlib.compress(rows, 9)),
            (b"IEND", b""),
        )
    )
    del rows
    with peak_rss_growth() as growth:
        loaded = load_image(data)
    assert loaded.size == (width, height)
    del loaded
    assert growth[0] <= 16 * width * height, f"{growth[0] / (width * height):.1f} bytes per pixel"


def gif_with_disposal(screen: tuple[int, int], frame: tuple[int, int], junk: bytes = b"") -> bytes:
    """A 43-byte GIF: one frame with disposal method 2 (restore to background), after ``junk``."""
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", *screen, 0x80, 0, 0)
        + bytes(6)  # a two-colour global palette
        + junk  # bytes that are no block: Pillow skips them, one by one
        + b"\x21\xf9\x04\x08\x00\x00\x00\x00"  # graphic control: disposal 2
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, *frame, 0)
        + b"\x02\x02\x4c\x01\x00\x3b"
    )


@pytest.mark.parametrize(
    ("screen", "junk"), [((20000, 20000), b""), ((100, 100), b""), ((100, 100), b"GIF\x00\xff")]
)
def test_a_gif_frame_over_the_cap_is_refused_before_pillow_fills_it(screen, junk) -> None:
    data = gif_with_disposal(screen, (9000, 9000), junk)  # 81 MP: under Pillow's limit, over ours
    with peak_rss_growth() as growth, pytest.raises(ImageLoadError, match="megapixels"):
        load_image(data)
    assert growth[0] < 16 * MB, f"peak RSS grew by {growth[0] / MB:.0f} MB for {len(data)} bytes"


# ---------------------------------------------------------------- hypothesis over the loader


def _fuzz_test(strategy_name: str) -> Callable[[], None]:
    @fuzz_settings(CI_EXAMPLES[strategy_name])
    @given(data=STRATEGIES[strategy_name])
    def test(data: bytes) -> None:
        check_loader(data)

    test.__name__ = f"test_fuzz_loader_{strategy_name}"
    return test


test_fuzz_loader_png = _fuzz_test("png")
test_fuzz_loader_jpeg = _fuzz_test("jpeg")
test_fuzz_loader_gif = _fuzz_test("gif")
test_fuzz_loader_bmp = _fuzz_test("bmp")
test_fuzz_loader_tiff = _fuzz_test("tiff")
test_fuzz_loader_webp = _fuzz_test("webp")
test_fuzz_loader_heif = _fuzz_test("heif")
test_fuzz_loader_any_seed = _fuzz_test("any_seed")
test_fuzz_loader_signature = _fuzz_test("signature")


# ---------------------------------------------------------------- the CLI


def tiny_classifier():
    """A 224x224 -> 1000-logit Keras model that runs in milliseconds, standing in for the CLI's."""
    import keras

    inputs = keras.Input((224, 224, 3))
    h = keras.layers.Conv2D(4, 16, strides=16, name="conv")(inputs)
    h = keras.layers.ReLU(name="features")(h)
    h = keras.layers.GlobalAveragePooling2D(name="gap")(h)
    logits = keras.layers.Dense(1000, name="logits")(h)
    model = keras.Model(inputs, logits, name="tiny_classifier")
    rng = np.random.default_rng(0)
    for layer in model.layers:
        if layer.get_weights():
            layer.set_weights([rng.normal(size=w.shape) * 0.1 for w in layer.get_weights()])
    return model


@pytest.fixture(scope="module")
def tiny_cli_model():
    return tiny_classifier()


@contextlib.contextmanager
def cli_model(model) -> Iterator[None]:
    """Make the CLI use this already-built model (it builds one per call otherwise)."""
    original = cli.load_model
    cli.load_model = lambda name: model
    try:
        yield
    finally:
        cli.load_model = original


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """cli.main in-process: (exit code, stdout, stderr); SystemExit counts as its code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def check_cli_run(
    argv: list[str], out_dir: Path, image: Path, expect_ok: bool | None = None
) -> int:
    """The CLI's contract: 0 with every output written, or 2 with one stderr line and no outputs."""
    with hard_timeout(HARD_TIMEOUT_S):
        code, _stdout, stderr = run_cli(argv)
    if code == 0:
        outputs = {p.name for p in out_dir.iterdir()}
        assert outputs == {"raw.npy", "relu.npy", "normalized.npy", "overlay.png", "result.json"}
        summary = json.loads((out_dir / "result.json").read_text())
        raw = np.load(out_dir / "raw.npy")
        normalized = np.load(out_dir / "normalized.npy")
        assert raw.ndim == 2 and normalized.shape == raw.shape
        assert np.all(np.isfinite(normalized))
        assert normalized.min() >= 0.0 and normalized.max() <= 1.0
        with Image.open(out_dir / "overlay.png") as overlay:
            assert list(overlay.size) == summary["image"]["size"]
        assert stderr == ""
    else:
        assert code == cli.EXIT_BAD_INPUT, f"exit {code}: {stderr!r}"
        assert stderr.startswith("error: ") and stderr.count("\n") == 1, repr(stderr)
        assert "Traceback" not in stderr
        assert not out_dir.exists() or not any(out_dir.iterdir())
    if expect_ok is not None:
        assert (code == 0) == expect_ok, f"exit {code}: {stderr!r} for {image.name}"
    return code


_FUZZ_DIR = "gradcam_fuzz_cli"


def _fresh_dir(base: Path, name: str) -> Path:
    import shutil

    path = base / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.mark.slow
@fuzz_settings(250)
@given(
    data=st.one_of(*STRATEGIES.values()),
    suffix=st.sampled_from([".png", ".jpg", ".gif", ".bmp", ".tif", ".webp", ".heic", "", ".txt"]),
)
def test_fuzz_cli_on_mutated_files(tiny_cli_model, tmp_path_factory, data, suffix) -> None:
    """Every mutated file exits 0 (a valid image: the whole pipeline runs) or 2 with one line."""
    base = _fresh_dir(tmp_path_factory.getbasetemp(), _FUZZ_DIR)
    image = base / f"input{suffix}"
    image.write_bytes(data)
    out_dir = base / "out"
    try:
        loads = load_image(data) is not None
    except ImageLoadError:
        loads = False
    with cli_model(tiny_cli_model):
        check_cli_run(["explain", str(image), "--out", str(out_dir)], out_dir, image, loads)


CLI_OPTION_VALUES = {
    "--target": st.one_of(
        st.integers(-2000, 2000).map(str),
        st.sampled_from(["tabby", "cat", "coffee mug", "", " ", "--5", "²", "٣", "1e3", "0x10"]),
        st.text(max_size=20),
    ),
    "--layer": st.one_of(
        st.sampled_from(["conv", "features", "gap", "logits", "tiny_classifier/features", ""]),
        st.text(max_size=20),
    ),
    "--top": st.integers(-5, 10**6).map(str),
    "--score": st.sampled_from(["logit", "softmax"]),
    "--colormap": st.one_of(st.sampled_from(["inferno", "jet", "viridis", "gray"]), st.text()),
    "--opacity": st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(["0", "1", "0.5", "-0.0", "nan", "inf"]),
    ),
}


@pytest.mark.slow
@fuzz_settings(200)
@given(
    options=st.dictionaries(st.sampled_from(sorted(CLI_OPTION_VALUES)), st.just(None)).flatmap(
        lambda keys: st.fixed_dictionaries({k: CLI_OPTION_VALUES[k] for k in keys})
    )
)
def test_fuzz_cli_options(tiny_cli_model, tmp_path_factory, options: dict[str, str]) -> None:
    """Any option values (passed as --name=value) exit 0 or 2 with one line, never a traceback."""
    base = _fresh_dir(tmp_path_factory.getbasetemp(), _FUZZ_DIR + "_options")
    image = base / "photo.png"
    image.write_bytes(corpus()["png/rgb"])
    out_dir = base / "out"
    argv = ["explain", str(image), "--out", str(out_dir)]
    argv += [f"{name}={value}" for name, value in options.items() if "\0" not in value]
    with cli_model(tiny_cli_model):
        check_cli_run(argv, out_dir, image)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["²", "--5"])
def test_cli_target_that_only_looks_numeric_gets_a_class_lookup_message(
    tiny_cli_model, tmp_path, target: str
) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(corpus()["png/rgb"])
    with cli_model(tiny_cli_model):
        code, _, stderr = run_cli(
            ["explain", str(image), "--out", str(tmp_path / "o"), f"--target={target}"]
        )
    assert code == cli.EXIT_BAD_INPUT
    assert "invalid literal" not in stderr, stderr


@st.composite
def valid_photos(draw: st.DrawFn) -> tuple[bytes, str]:
    """A valid image of random size, mode and format (what a phone or an editor might write)."""
    width = draw(st.integers(1, 700))
    height = draw(st.integers(-(-width // MAX_ASPECT_RATIO), min(700, width * MAX_ASPECT_RATIO)))
    picture = _picture(width, height, draw(st.integers(0, 100)))
    mode = draw(st.sampled_from(["RGB", "L", "RGBA", "P", "1", "CMYK", "I;16"]))
    fmt = draw(st.sampled_from(["PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP", "HEIF"]))
    if mode == "RGBA":
        picture.putalpha(draw(st.integers(0, 255)))
    elif mode == "I;16":
        picture = Image.fromarray(np.asarray(picture.convert("L"), np.uint16) * 257)
    else:
        picture = picture.convert(mode)
    if (fmt, picture.mode) in {("JPEG", "RGBA"), ("JPEG", "P"), ("JPEG", "I;16")}:
        picture = picture.convert("RGB")
    if fmt in ("GIF", "WEBP", "BMP") and picture.mode in ("CMYK", "I;16"):
        picture = picture.convert("RGB")
    if fmt == "HEIF" and picture.mode not in ("RGB", "RGBA", "L", "I;16"):
        picture = picture.convert("RGB")
    return encode(picture, fmt), fmt.lower()


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(photo=valid_photos())
def test_fuzz_cli_valid_images_through_the_bundled_model(bundled_model, tmp_path_factory, photo):
    """A few valid fuzzed photos run the whole pipeline on the real bundled model."""
    data, fmt = photo
    base = _fresh_dir(tmp_path_factory.getbasetemp(), _FUZZ_DIR + "_bundled")
    image = base / f"photo.{fmt}"
    image.write_bytes(data)
    out_dir = base / "out"
    with cli_model(bundled_model):
        check_cli_run(["explain", str(image), "--out", str(out_dir)], out_dir, image, True)
    assert np.load(out_dir / "raw.npy").shape == (7, 7)


@pytest.fixture(scope="module")
def bundled_model():
    import gradcam_core as gc

    return gc.load_model(gc.DEFAULT_MODEL)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q", *sys.argv[1:]]))
