"""Tests for gradcam_core.images: every input is built here, in memory, with a known answer."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import threading
import time
import tracemalloc
import warnings
import zlib
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from image_files import png_chunk, rle8_bmp
from PIL import Image, ImageFile
from proc_status import peak_rss_growth

from gradcam_core.errors import ImageLoadError
from gradcam_core.images import (
    ALLOWED_FORMATS,
    MAX_FILE_BYTES,
    MAX_PIXELS,
    UPLOAD_EXTENSIONS,
    LoadedImage,
    check_header_size,
    load_image,
    read_capped,
    resize_for_model,
    scale_to_uint8,
    to_rgb,
)

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)


# ---------------------------------------------------------------- builders


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    """Save an image to bytes in the given Pillow format."""
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def quadrants(width: int = 40, height: int = 30) -> Image.Image:
    """RGB image: red top-left, green top-right, blue bottom-left, white bottom-right."""
    arr = np.zeros((height, width, 3), np.uint8)
    h2, w2 = height // 2, width // 2
    arr[:h2, :w2], arr[:h2, w2:], arr[h2:, :w2], arr[h2:, w2:] = RED, GREEN, BLUE, WHITE
    return Image.fromarray(arr, "RGB")


def raw_png(width: int, height: int, bit_depth: int, color_type: int, idat: bytes = b"") -> bytes:
    """A PNG assembled by hand: signature, IHDR, one IDAT (already compressed), IEND."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def pixel(loaded: LoadedImage, xy: tuple[int, int]) -> tuple[int, ...]:
    """RGB tuple of one pixel of a loaded image."""
    value = loaded.image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def assert_close(actual: tuple[int, ...], expected: tuple[int, ...], tol: int = 1) -> None:
    """Every channel within tol."""
    assert len(actual) == len(expected)
    assert all(abs(a - e) <= tol for a, e in zip(actual, expected, strict=True)), (actual, expected)


def load_error(source: object) -> str:
    """Load something that must fail; check the message is one clean line; return it."""
    with pytest.raises(ImageLoadError) as info:
        load_image(source)  # type: ignore[arg-type]
    message = str(info.value)
    assert message
    assert "\n" not in message
    assert "Traceback" not in message
    assert " at 0x" not in message
    assert "b'" not in message
    return message


@pytest.fixture(scope="module", autouse=True)
def _warm_pillow() -> None:
    """Pay Pillow's one-off plugin registration before any timing test."""
    load_image(encode(quadrants(), "PNG"))


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("fmt", "params", "tol"),
    [
        ("JPEG", {"quality": 95}, 12),
        ("PNG", {}, 0),
        ("WEBP", {"lossless": True}, 0),
        ("BMP", {}, 0),
        ("TIFF", {}, 0),
        ("GIF", {}, 0),
        ("HEIF", {"quality": 95}, 12),
    ],
)
def test_each_format_decodes_to_rgb_with_known_colours(fmt: str, params: dict, tol: int) -> None:
    data = encode(quadrants(), fmt, **params)
    loaded = load_image(data)
    assert loaded.format == fmt
    assert loaded.image.mode == "RGB"
    assert loaded.size == loaded.image.size == (40, 30)
    assert_close(pixel(loaded, (5, 5)), RED, tol)
    assert_close(pixel(loaded, (35, 5)), GREEN, tol)
    assert_close(pixel(loaded, (5, 25)), BLUE, tol)
    assert_close(pixel(loaded, (35, 25)), WHITE, tol)


def test_result_fields_digest_and_formats_constants() -> None:
    data = encode(quadrants(), "PNG")
    loaded = load_image(data)
    assert loaded.digest == hashlib.sha256(data).hexdigest()
    assert loaded.source_mode == "RGB"
    assert set(ALLOWED_FORMATS) == {"JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF", "HEIF"}
    extensions = {"jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff", "heic", "heif"}
    assert set(UPLOAD_EXTENSIONS) == extensions
    assert MAX_FILE_BYTES == 50 * 1024 * 1024
    assert MAX_PIXELS == 40_000_000


def _frames(*colours: tuple[int, int, int]) -> list[Image.Image]:
    return [Image.new("RGB", (16, 12), c) for c in colours]


def test_animated_gif_gives_first_frame() -> None:
    first, *rest = _frames(RED, BLUE, GREEN)
    data = encode(first, "GIF", save_all=True, append_images=rest, duration=100, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    loaded = load_image(data)
    assert loaded.size == (16, 12)
    assert pixel(loaded, (8, 6)) == RED


def test_animated_webp_gives_first_frame() -> None:
    first, *rest = _frames(BLUE, RED)
    data = encode(first, "WEBP", save_all=True, append_images=rest, lossless=True, duration=100)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    assert pixel(load_image(data), (8, 6)) == BLUE


def test_multipage_tiff_gives_first_page() -> None:
    first, *rest = _frames(GREEN, RED)
    data = encode(first, "TIFF", save_all=True, append_images=rest)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    assert pixel(load_image(data), (8, 6)) == GREEN


# ---------------------------------------------------------------- EXIF orientation


def _oriented_jpeg(orientation: int) -> bytes:
    """Stored pixels 40 wide x 20 high: blue, with a red 10x10 block at the stored top-left."""
    arr = np.zeros((20, 40, 3), np.uint8)
    arr[:] = BLUE
    arr[:10, :10] = RED
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(Image.fromarray(arr), "JPEG", quality=95, exif=exif.tobytes())


def test_exif_orientation_6_rotates_clockwise() -> None:
    loaded = load_image(_oriented_jpeg(6))
    assert loaded.size == (20, 40)  # stored 40x20 comes back 20x40
    # Orientation 6 = rotate 90 degrees clockwise: stored top-left -> top-right.
    assert_close(pixel(loaded, (15, 4)), RED, 12)
    assert_close(pixel(loaded, (4, 4)), BLUE, 12)
    assert_close(pixel(loaded, (4, 35)), BLUE, 12)


def test_exif_orientation_8_rotates_counter_clockwise() -> None:
    loaded = load_image(_oriented_jpeg(8))
    assert loaded.size == (20, 40)
    # Orientation 8 = rotate 90 degrees counter-clockwise: stored top-left -> bottom-left.
    assert_close(pixel(loaded, (4, 35)), RED, 12)
    assert_close(pixel(loaded, (4, 4)), BLUE, 12)
    assert_close(pixel(loaded, (15, 35)), BLUE, 12)


def test_bad_exif_orientation_value_is_ignored() -> None:
    loaded = load_image(_oriented_jpeg(99))
    assert loaded.size == (40, 20)


# ---------------------------------------------------------------- modes


def test_cmyk_jpeg() -> None:
    cmyk = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # pure red in CMYK
    loaded = load_image(encode(cmyk, "JPEG", quality=95))
    assert loaded.source_mode == "CMYK"
    assert_close(pixel(loaded, (8, 8)), RED, 3)


def _palette_image() -> Image.Image:
    """P image, 2x1: index 0 (green) at x=0, index 1 (red) at x=1."""
    im = Image.new("P", (2, 1))
    im.putpalette([*GREEN, *RED] + [0] * (3 * 254))
    im.putpixel((0, 0), 0)
    im.putpixel((1, 0), 1)
    return im


def test_palette_without_transparency() -> None:
    loaded = load_image(encode(_palette_image(), "PNG"))
    assert loaded.source_mode == "P"
    assert pixel(loaded, (0, 0)) == GREEN
    assert pixel(loaded, (1, 0)) == RED


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
def test_palette_with_transparency_becomes_white(fmt: str) -> None:
    loaded = load_image(encode(_palette_image(), fmt, transparency=0))
    assert pixel(loaded, (0, 0)) == WHITE
    assert pixel(loaded, (1, 0)) == RED


def test_grey_l() -> None:
    loaded = load_image(encode(Image.new("L", (4, 4), 100), "PNG"))
    assert loaded.source_mode == "L"
    assert pixel(loaded, (1, 1)) == (100, 100, 100)


def test_grey_with_alpha_la() -> None:
    im = Image.new("LA", (2, 1))
    im.putpixel((0, 0), (0, 0))  # transparent black -> white
    im.putpixel((1, 0), (0, 255))  # opaque black
    loaded = load_image(encode(im, "PNG"))
    assert loaded.source_mode == "LA"
    assert pixel(loaded, (0, 0)) == WHITE
    assert pixel(loaded, (1, 0)) == (0, 0, 0)


def test_rgba_composited_on_white() -> None:
    im = Image.new("RGBA", (3, 1))
    im.putpixel((0, 0), (0, 0, 0, 0))  # fully transparent
    im.putpixel((1, 0), (255, 0, 0, 128))  # half-transparent red
    im.putpixel((2, 0), (0, 0, 255, 255))  # opaque blue
    loaded = load_image(encode(im, "PNG"))
    assert loaded.source_mode == "RGBA"
    assert pixel(loaded, (0, 0)) == WHITE
    assert_close(pixel(loaded, (1, 0)), (255, 128, 128), 1)
    assert pixel(loaded, (2, 0)) == BLUE


def test_16_bit_grey_png_scaled_by_bit_range() -> None:
    values = np.array([[0, 32768, 65535, 257]], dtype=np.uint16)
    data = encode(Image.fromarray(values), "PNG")
    loaded = load_image(data)
    assert loaded.source_mode in {"I;16", "I"}
    assert pixel(loaded, (0, 0)) == (0, 0, 0)
    assert_close(pixel(loaded, (1, 0)), (128, 128, 128), 1)
    assert pixel(loaded, (2, 0)) == WHITE
    assert pixel(loaded, (3, 0)) == (1, 1, 1)  # 257 / 257: divided, not clipped


def test_16_bit_grey_png_built_by_hand() -> None:
    raw = b"\x00" + struct.pack(">HHH", 0, 32768, 65535)
    loaded = load_image(raw_png(3, 1, 16, 0, zlib.compress(raw)))
    assert [pixel(loaded, (x, 0))[0] for x in range(3)] == [0, 128, 255]


def test_16_bit_grey_png_transparency_value_is_white() -> None:
    raw = b"\x00" + struct.pack(">HH", 1000, 0)
    ihdr = struct.pack(">IIBBBBB", 2, 1, 16, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"tRNS", struct.pack(">H", 1000))
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )
    loaded = load_image(data)
    assert pixel(loaded, (0, 0)) == WHITE
    assert pixel(loaded, (1, 0)) == (0, 0, 0)


def test_16_bit_rgb_png_keeps_full_range() -> None:
    raw = b"\x00" + struct.pack(">HHHHHH", 65535, 32768, 0, 0, 0, 65535)
    loaded = load_image(raw_png(2, 1, 16, 2, zlib.compress(raw)))
    assert_close(pixel(loaded, (0, 0)), (255, 128, 0), 1)
    assert pixel(loaded, (1, 0)) == BLUE


def test_mode_i_from_16_bit_source_divides_by_257() -> None:
    values = np.array([[0, 32768, 65535]], dtype=np.int32)
    assert scale_to_uint8(values, "I").tolist() == [[0, 128, 255]]
    rgb = to_rgb(Image.fromarray(values, "I"))
    assert rgb.getpixel((2, 0)) == WHITE


def test_mode_i_outside_16_bit_range_is_stretched() -> None:
    values = np.array([[-100, 50, 200_000]], dtype=np.int32)
    loaded = load_image(encode(Image.fromarray(values, "I"), "TIFF"))
    assert loaded.source_mode == "I"
    assert [pixel(loaded, (x, 0))[0] for x in range(3)] == [0, 0, 255]


def test_16_bit_big_endian_tiff() -> None:
    values = np.array([[0, 32768, 65535]], dtype=">u2")
    image = Image.fromarray(values)
    assert image.mode == "I;16B"
    loaded = load_image(encode(image, "TIFF"))
    assert [pixel(loaded, (x, 0))[0] for x in range(3)] == [0, 128, 255]


def test_one_bit() -> None:
    im = Image.new("1", (8, 1), 0)
    im.putpixel((3, 0), 1)
    loaded = load_image(encode(im, "PNG"))
    assert loaded.source_mode == "1"
    assert pixel(loaded, (0, 0)) == (0, 0, 0)
    assert pixel(loaded, (3, 0)) == WHITE


def test_float_tiff_stretched_min_to_max() -> None:
    values = np.array([[-1.0, 0.0, 1.0, np.nan]], dtype=np.float32)
    loaded = load_image(encode(Image.fromarray(values, "F"), "TIFF"))
    assert loaded.source_mode == "F"
    assert [pixel(loaded, (x, 0))[0] for x in range(4)] == [0, 128, 255, 0]


def test_constant_float_image_is_black_not_an_error() -> None:
    loaded = load_image(encode(Image.new("F", (3, 3), 7.5), "TIFF"))
    assert pixel(loaded, (1, 1)) == (0, 0, 0)


@pytest.mark.parametrize(
    ("mode", "colour", "expected", "tol"),
    [
        ("YCbCr", (76, 85, 255), RED, 2),
        ("HSV", (0, 255, 255), RED, 0),
        ("LAB", (255, 128, 128), WHITE, 2),
        ("RGBX", (0, 0, 255, 0), BLUE, 0),
        ("PA", (0, 0), WHITE, 0),
        ("La", (0, 0), WHITE, 0),
        ("RGBa", (0, 0, 0, 0), WHITE, 0),
        ("CMYK", (0, 0, 0, 255), (0, 0, 0), 0),
    ],
)
def test_to_rgb_other_modes(
    mode: str, colour: tuple[int, ...], expected: tuple[int, ...], tol: int
) -> None:
    rgb = to_rgb(Image.new(mode, (2, 2), colour))
    assert rgb.mode == "RGB"
    value = rgb.getpixel((1, 1))
    assert isinstance(value, tuple)
    assert_close(value, expected, tol)


def test_ycbcr_jpeg_and_lab_tiff_files() -> None:
    lab = Image.new("LAB", (4, 4), (0, 128, 128))  # black
    assert_close(pixel(load_image(encode(lab, "TIFF")), (1, 1)), (0, 0, 0), 2)


# ---------------------------------------------------------------- sources


def test_path_str_and_pathlib(tmp_path: Path) -> None:
    file = tmp_path / "q.png"
    file.write_bytes(encode(quadrants(), "PNG"))
    assert load_image(file).size == (40, 30)
    assert load_image(str(file)).size == (40, 30)


def test_missing_path_and_folder(tmp_path: Path) -> None:
    assert "not found" in load_error(tmp_path / "nope.png")
    assert "folder" in load_error(tmp_path)


class FakeUploadedFile(io.BytesIO):
    """Stands in for Streamlit's UploadedFile (a BytesIO subclass with a name)."""

    name = "photo.jpg"


def test_file_like_upload_even_if_already_read() -> None:
    upload = FakeUploadedFile(encode(quadrants(), "JPEG", quality=95))
    upload.read()  # an earlier consumer left the position at the end
    loaded = load_image(upload)
    assert loaded.format == "JPEG"
    assert loaded.size == (40, 30)


class EndlessStream(io.RawIOBase):
    """A non-seekable stream that never ends; counts bytes handed out."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "an unbounded read() would never return"
        self.served += size
        return b"\0" * size


def test_file_like_reads_at_most_cap_plus_one() -> None:
    stream = EndlessStream()
    message = load_error(stream)
    assert "larger than 50 MB" in message
    assert stream.served == MAX_FILE_BYTES + 1


class TrickleStream(io.RawIOBase):
    """A non-seekable stream that returns at most 100 bytes per read (like a pipe)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk, self.data = self.data[: min(size, 100)], self.data[min(size, 100) :]
        return chunk


def test_short_reads_are_completed() -> None:
    assert load_image(TrickleStream(encode(quadrants(), "PNG"))).size == (40, 30)


def test_read_capped_limit_for_bytes_and_stream() -> None:
    assert read_capped(b"abc", limit=3) == b"abc"
    with pytest.raises(ImageLoadError):
        read_capped(b"abcd", limit=3)
    with pytest.raises(ImageLoadError):
        read_capped(io.BytesIO(b"abcd"), limit=3)


def test_oversize_bytes_rejected_before_decoding() -> None:
    data = encode(quadrants(), "PNG")
    big = data + b"\0" * (MAX_FILE_BYTES + 1 - len(data))
    message = load_error(big)
    assert "larger than 50 MB" in message


def test_oversize_file_on_disk(tmp_path: Path) -> None:
    file = tmp_path / "huge.png"
    with file.open("wb") as fh:
        fh.write(encode(quadrants(), "PNG"))
        fh.truncate(MAX_FILE_BYTES + 10)  # sparse: no real disk use
    assert "larger than 50 MB" in load_error(file)


def test_wrong_source_type_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        load_image(12345)  # type: ignore[arg-type]


# ---------------------------------------------------------------- bad files


ALLOWED_NAMES = "JPEG, PNG, WebP, BMP, TIFF, GIF or HEIC"


def test_empty_bytes() -> None:
    message = load_error(b"")
    assert "empty" in message
    assert ALLOWED_NAMES in message


def test_random_bytes() -> None:
    data = np.random.default_rng(0).bytes(4096)
    message = load_error(data)
    assert "not a supported image format" in message
    assert ALLOWED_NAMES in message


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"Hello,\nthis is a plain text file.\n", "text file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\0" * 30, "ZIP"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
        (b"<!DOCTYPE html>\n<html><body>not an image</body></html>", "HTML"),
        (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif", "AVIF"),
    ],
)
def test_non_images_are_named(data: bytes, kind: str) -> None:
    message = load_error(data)
    assert kind in message
    assert ALLOWED_NAMES in message


def test_unsupported_image_format_is_not_parsed() -> None:
    # ICO is an image Pillow can read, but it is not on the allow-list.
    data = encode(Image.new("RGB", (16, 16), RED), "ICO")
    message = load_error(data)
    assert "not a supported image format" in message


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_half_file(fmt: str) -> None:
    noise = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), fmt)
    message = load_error(data[: len(data) // 2])
    assert "damaged or incomplete" in message
    assert "truncated" in message.lower()


def _noise_png() -> bytes:
    noise = np.random.default_rng(2).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    return encode(Image.fromarray(noise), "PNG")


def _idat_span(data: bytes) -> tuple[int, int]:
    """(start of IDAT payload, start of its CRC) in a PNG with one IDAT."""
    at = data.index(b"IDAT")
    (length,) = struct.unpack(">I", data[at - 4 : at])
    return at + 4, at + 4 + length


def test_png_with_bad_idat_crc_only() -> None:
    data = bytearray(_noise_png())
    _, crc_at = _idat_span(bytes(data))
    data[crc_at] ^= 0xFF  # pixel data intact, checksum wrong: load() alone would accept it
    message = load_error(bytes(data))
    assert "damaged" in message
    assert "checksum" in message


def test_png_with_corrupted_idat_data() -> None:
    data = bytearray(_noise_png())
    start, crc_at = _idat_span(bytes(data))
    data[(start + crc_at) // 2] ^= 0xFF
    assert "damaged" in load_error(bytes(data))


def test_png_header_claiming_20000x20000_rejected_fast_without_allocating() -> None:
    data = raw_png(20000, 20000, 8, 2, zlib.compress(b"\0" * 100))
    tracemalloc.start()
    started = time.perf_counter()
    message = load_error(data)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "400.0 megapixels" in message
    assert "limit is 40 megapixels" in message
    # The memory bound proves nothing was decoded; the time bound is loose for a busy 2-core CI.
    assert elapsed < 0.5, f"took {elapsed * 1000:.1f} ms"
    assert peak < 1_000_000, f"peak {peak} bytes"  # 20000x20000 RGB would be 1.2 GB


def test_pillow_bomb_warning_is_an_error_and_filters_are_restored() -> None:
    before = list(warnings.filters)
    # 10000x10000 = 100 MP: above Pillow's warning level (~89.5 MP), below its error level.
    message = load_error(raw_png(10000, 10000, 8, 0, zlib.compress(b"\0" * 100)))
    assert "100.0 megapixels" in message
    assert warnings.filters == before


def test_real_decompression_bomb_png() -> None:
    # A genuine, fully valid 6400x6400 grey PNG (41 MP > MAX_PIXELS) of zeros: ~40 kB
    # on disk, 41 MB once decoded. It must be refused from the header, before decoding.
    width = height = 6400
    rows = (b"\0" + b"\0" * width) * height
    data = raw_png(width, height, 8, 0, zlib.compress(rows, 9))
    assert len(data) < 100_000
    assert width * height > MAX_PIXELS
    tracemalloc.start()
    started = time.perf_counter()
    message = load_error(data)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "6400x6400 = 41.0 megapixels" in message
    assert elapsed < 0.5  # loose for a busy CI: the memory bound proves nothing was decoded
    assert peak < 1_000_000


def test_header_size_check_boundaries() -> None:
    check_header_size((8000, 5000))  # exactly MAX_PIXELS is allowed
    with pytest.raises(ImageLoadError, match="megapixels"):
        check_header_size((8001, 5000))
    with pytest.raises(ImageLoadError, match="empty"):
        check_header_size((0, 10))
    check_header_size((2000, 100))  # 20:1 is allowed
    with pytest.raises(ImageLoadError, match="2001x100 pixels: a strip"):
        check_header_size((2001, 100))
    with pytest.raises(ImageLoadError, match="too thin"):
        check_header_size((1, 21))


def test_zero_dimension_png_header() -> None:
    message = load_error(raw_png(0, 10, 8, 2, zlib.compress(b"")))
    assert "0x10 pixels" in message
    assert "empty" in message


def test_zero_width_bmp_header() -> None:
    data = bytearray(encode(Image.new("RGB", (3, 2), RED), "BMP"))
    struct.pack_into("<i", data, 18, 0)  # BITMAPINFOHEADER width
    message = load_error(bytes(data))
    assert "BMP" in message
    assert "damaged" in message


# ---------------------------------------------------------------- threads


def test_concurrent_loads_are_independent() -> None:
    good = encode(quadrants(), "PNG")
    bomb = raw_png(10000, 10000, 8, 0, zlib.compress(b"\0" * 100))
    before = list(warnings.filters)
    failures: list[str] = []

    def worker(index: int) -> None:
        for _ in range(20):
            try:
                if index % 2:
                    assert load_image(good).size == (40, 30)
                else:
                    load_error(bomb)
            except AssertionError as exc:  # pragma: no cover - reported below
                failures.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert warnings.filters == before


# ---------------------------------------------------------------- resize_for_model


def test_resize_for_model_whole_image_no_crop() -> None:
    arr = resize_for_model(quadrants(400, 100), (224, 224))
    assert arr.shape == (224, 224, 3)
    assert arr.dtype == np.float32
    assert arr.min() >= 0.0
    assert arr.max() <= 255.0
    # Every quadrant survives (a centre crop would keep only the middle).
    np.testing.assert_allclose(arr[10, 10], RED, atol=1)
    np.testing.assert_allclose(arr[10, 213], GREEN, atol=1)
    np.testing.assert_allclose(arr[213, 10], BLUE, atol=1)
    np.testing.assert_allclose(arr[213, 213], WHITE, atol=1)


def test_resize_for_model_size_is_width_height() -> None:
    arr = resize_for_model(Image.new("RGB", (50, 50), RED), (30, 20))
    assert arr.shape == (20, 30, 3)
    arr = resize_for_model(Image.new("L", (50, 50), 7), (8, 8))  # non-RGB is converted
    assert arr.shape == (8, 8, 3)
    assert float(arr[0, 0, 0]) == 7.0
    with pytest.raises(ValueError, match="positive"):
        resize_for_model(Image.new("RGB", (4, 4)), (0, 4))


# ---------------------------------------------------------------- HEIC / HEIF (pillow-heif)


def _heic(image: Image.Image, **params: object) -> bytes:
    """An image saved as HEIC by pillow-heif (HEVC through libheif), as an iPhone writes it."""
    return encode(image, "HEIF", quality=params.pop("quality", 90), **params)


def _set_heif_sizes(data: bytes, width: int, height: int, box: bytes) -> bytes:
    """The file with the size in every ``box`` ('ispe': properties, 'idat': the grid canvas)."""
    out = bytearray(data)
    at = out.find(box)
    assert at > 0, box
    while at > 0:
        if box == b"ispe":  # full box: version and flags, then 32-bit width and height
            struct.pack_into(">II", out, at + 8, width, height)
        else:  # grid data: version, flags, rows - 1, columns - 1, then 16-bit width and height
            struct.pack_into(">HH", out, at + 8, width, height)
        at = out.find(box, at + 4)
    return bytes(out)


@pytest.mark.parametrize("tile_size", [0, 128], ids=["one_image", "grid_of_tiles"])
def test_a_heic_photo_decodes_to_the_same_picture_as_the_jpeg(tile_size: int) -> None:
    jpeg = load_image(SAMPLES_DIR / "cat.jpg")
    data = _heic(jpeg.image, tile_size=tile_size)  # iPhones write grids of 512x512 tiles
    assert (b"grid" in data) == bool(tile_size)
    heic = load_image(data)
    assert (heic.format, heic.source_mode, heic.size) == ("HEIF", "RGB", jpeg.size)
    ours, theirs = np.asarray(heic.image, np.float32), np.asarray(jpeg.image, np.float32)
    assert np.abs(ours - theirs).mean() < 2.0  # measured 0.4 (HEVC at quality 90)
    # The measure tells pictures apart: the same photo moved 2 px sideways is far off.
    assert np.abs(ours - np.roll(theirs, 2, axis=1)).mean() > 5.0  # measured 8.9


@pytest.mark.parametrize(
    ("orientation", "box", "size", "red_at"),
    [
        (6, b"irot", (20, 40), (15, 4)),  # 90 degrees clockwise: top-left to top-right
        (8, b"irot", (20, 40), (4, 35)),  # counter-clockwise: to bottom-left
        (3, b"irot", (40, 20), (35, 15)),  # 180 degrees: to bottom-right
        (2, b"imir", (40, 20), (35, 4)),  # mirrored: to top-right
    ],
)
def test_heic_orientation_from_irot_and_imir_applied_once(
    orientation: int, box: bytes, size: tuple[int, int], red_at: tuple[int, int]
) -> None:
    stored = np.zeros((20, 40, 3), np.uint8)
    stored[:] = BLUE
    stored[:10, :10] = RED  # at the stored top-left
    exif = Image.Exif()
    exif[0x0112] = orientation
    # pillow-heif writes the orientation as HEIF transforms (irot/imir), which libheif applies;
    # it also resets the EXIF tag on reading, so the loader's EXIF step does not turn it twice.
    data = _heic(Image.fromarray(stored), quality=95, exif=exif.tobytes())
    assert box in data
    loaded = load_image(data)
    assert loaded.size == size
    assert_close(pixel(loaded, red_at), RED, 40)
    assert_close(pixel(loaded, (4, 4)), BLUE, 40)


def test_heic_with_alpha_is_composited_on_white() -> None:
    image = Image.new("RGBA", (32, 16), (255, 0, 0, 255))
    image.paste((0, 0, 255, 0), (0, 0, 16, 16))  # left half fully transparent
    loaded = load_image(_heic(image, quality=95))
    assert loaded.source_mode == "RGBA"
    assert_close(pixel(loaded, (4, 8)), WHITE, 8)
    assert_close(pixel(loaded, (28, 8)), RED, 12)


@pytest.mark.parametrize("box", [b"ispe", b"idat"], ids=["ispe_property", "grid_canvas"])
def test_a_heic_header_claiming_20000x20000_is_refused_before_libheif_reads_it(
    monkeypatch: pytest.MonkeyPatch, box: bytes
) -> None:
    libheif = pillow_heif.heif._pillow_heif  # the C extension pillow-heif parses files with
    calls: list[int] = []
    parse = libheif.load_file
    monkeypatch.setattr(libheif, "load_file", lambda *a, **k: calls.append(1) or parse(*a, **k))
    real = _heic(quadrants(200, 150), tile_size=64)  # ispe 200x150 (a grid), tiles 64x64
    assert load_image(real).size == (200, 150)
    assert calls == [1]  # the counter sees libheif parse a file
    data = _set_heif_sizes(real, 20000, 20000, box)
    with peak_rss_growth() as growth:
        started = time.perf_counter()
        message = load_error(data)
        elapsed = time.perf_counter() - started
    assert "20000x20000 = 400.0 megapixels" in message
    assert "limit is 40 megapixels" in message
    assert calls == [1], "libheif parsed the file before the size check"
    assert elapsed < 0.5, f"took {elapsed * 1000:.1f} ms"  # measured about 0.1 ms
    assert growth[0] < 4 * 2**20, f"peak RSS grew by {growth[0] / 2**20:.1f} MB"


def test_heic_damage_gets_one_line() -> None:
    data = _heic(quadrants())
    assert "HEIC" in load_error(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")
    assert "damaged" in load_error(data[: len(data) // 2])  # a download cut off in the middle
    assert "damaged" in load_error(data[:40])


# ---------------------------------------------------------------- bundled samples

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "gradcam_core" / "samples_data"


def _sample_records() -> list[dict]:
    index = json.loads((SAMPLES_DIR / "samples.json").read_text(encoding="utf-8"))
    return index["samples"]


@pytest.mark.parametrize("record", _sample_records(), ids=lambda r: r["file"])
def test_bundled_samples_load_and_match_their_index(record: dict) -> None:
    loaded = load_image(SAMPLES_DIR / record["file"])
    width, height = loaded.size
    assert loaded.format == "JPEG"
    assert [width, height] == record["size"]
    assert max(width, height) <= 640
    assert record["box"] == record["objects"][0]["box"]
    for obj in record["objects"]:
        x0, y0, x1, y1 = obj["box"]
        assert 0 <= x0 < x1 <= width
        assert 0 <= y0 < y1 <= height
        assert all(0 <= c < 1000 for c in obj["classes"])
    assert record["expected_classes"]
    assert record["title"]
    assert record["license"]


# ---------------------------------------------------------------- fuzzing


_SEEDS = [
    encode(quadrants(24, 16), "PNG"),
    encode(quadrants(24, 16), "JPEG", quality=80),
    encode(quadrants(24, 16), "GIF"),
    encode(quadrants(24, 16), "WEBP"),
]
_FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _only_image_load_error(data: bytes) -> None:
    """Loading may succeed or raise ImageLoadError with a one-line message; nothing else."""
    try:
        loaded = load_image(data)
    except ImageLoadError as exc:
        message = str(exc)
        assert message
        assert "\n" not in message
        return
    assert loaded.image.mode == "RGB"
    assert loaded.image.size == loaded.size


@_FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes(data: bytes) -> None:
    _only_image_load_error(data)


@_FUZZ
@given(
    seed=st.sampled_from(_SEEDS),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 10**6)),
)
def test_fuzz_mutated_valid_files(
    seed: bytes, flips: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(seed)
    for position, mask in flips:
        data[position % len(data)] ^= mask
    if cut is not None:
        del data[cut % len(data) :]
    _only_image_load_error(bytes(data))


def test_a_small_run_length_bmp_still_loads() -> None:
    # each row: a run of 4 pixels of palette index 1, then end-of-line; end-of-bitmap last
    data = rle8_bmp(4, 2, b"\x04\x01\x00\x00" * 2 + b"\x00\x01")
    loaded = load_image(data)
    assert loaded.size == (4, 2)
    assert loaded.image.getpixel((3, 1)) == (255, 0, 0)


def test_a_large_run_length_bmp_is_refused_before_its_slow_decoder_runs(monkeypatch) -> None:
    # Pillow's RLE decoder takes ~80 ms for these 2 MP here; the test checks it never starts
    # (not a time, which a busy 2-core CI would make flaky).
    decoded = []
    original = ImageFile.ImageFile.load

    def recording_load(self, *args, **kwargs):
        decoded.append(self.format)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)
    data = rle8_bmp(2000, 1000, b"\x00\x01")  # 2 MP claimed by a 60-byte file
    message = load_error(data)
    assert "run-length" in message and "PNG or JPEG" in message
    assert "BMP" not in decoded
    assert load_image(rle8_bmp(4, 2, b"\x04\x01\x00\x00" * 2 + b"\x00\x01")).size == (4, 2)
    assert "BMP" in decoded  # the recorder sees a BMP that is decoded
