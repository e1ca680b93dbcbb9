"""Hostile files uploaded through the app page: refused fast, in bounded memory, and then the app
keeps explaining photos.

AppTest hands the uploaded bytes straight to the app, so these reach our loader whatever their
size (a real browser refuses files over .streamlit/config.toml's maxUploadSize = 20 MB before the
app sees them: the last test checks that through Chromium). Memory is the process's peak RSS
during the rerun (VmHWM, reset just before it), time the wall clock of the rerun; the sample photo
is explained and cached before each upload, so the rerun's cost is the upload's.
"""

from __future__ import annotations

import io
import struct
import time
import zlib

import numpy as np
import pytest
from apptest_support import new_app
from image_files import png_chunk
from PIL import Image
from proc_status import peak_rss_growth, peak_rss_resettable, status_kb

from gradcam_core.images import MAX_FILE_BYTES, MAX_PIXELS

pytestmark = pytest.mark.slow

MB = 1024 * 1024


def _measured_run(app) -> tuple[float, int]:
    """Run the app; return (seconds, peak RSS growth in bytes during the run)."""
    if not peak_rss_resettable():
        pytest.skip("this kernel does not let a process reset its peak RSS")
    with peak_rss_growth() as growth:
        started = time.perf_counter()
        app.run()
        seconds = time.perf_counter() - started
    return seconds, growth[0]


def _png(width: int, height: int, colour_type: int, idat: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def decompression_bomb(width: int = 8000, height: int = 8000) -> bytes:
    """A small, fully valid grey PNG of zeros: 8000 x 8000 is 64 MP from about 60 kB."""
    return _png(width, height, 0, zlib.compress((b"\0" * (width + 1)) * height, 9))


def header_claiming(width: int, height: int) -> bytes:
    """A 74-byte PNG whose header claims width x height RGB pixels."""
    return _png(width, height, 2, zlib.compress(b"\0" * 1000))


def oversized_png() -> bytes:
    """A valid little PNG padded with zeros to one byte over the 50 MB cap."""
    head = _png(24, 16, 0, zlib.compress((b"\0" * 25) * 16))
    return head + b"\0" * (MAX_FILE_BYTES + 1 - len(head))


def tiny_jpeg_claiming(width: int, height: int, tag: int = 0) -> bytes:
    """A valid sub-kilobyte JPEG whose frame header says width x height: libjpeg fills the rest.

    `tag` goes into a comment segment, so each tag is a different upload (another digest).
    """
    buffer = io.BytesIO()
    noise = np.random.default_rng(0).integers(0, 256, (16, 24, 3), dtype=np.uint8)
    Image.fromarray(noise).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data[:2]) + b"\xff\xfe\x00\x04" + bytes((tag & 255, tag >> 8)) + bytes(data[2:])


@pytest.fixture
def app():
    session = new_app()
    session.run()
    assert not session.exception and not session.error
    return session


def _headline(session) -> str:
    return next(m.value for m in session.markdown if m.value.startswith("Explaining"))


def _upload(session, name: str, data: bytes, mime: str = "image/png") -> None:
    session.file_uploader(key="upload").upload(name, data, mime)


def _still_works(session) -> None:
    """Remove the upload and pick another sample: it is explained, with no error."""
    session.file_uploader(key="upload").set_value(None)
    session.selectbox(key="sample").set_value("coffee")
    session.run()
    assert not session.exception and not session.error
    assert "espresso" in _headline(session)


@pytest.mark.parametrize(
    ("name", "make", "reason", "memory_bound"),
    [
        # refused from the header: nothing decoded, nothing allocated
        ("bomb.png", decompression_bomb, "8000x8000 = 64.0 megapixels", 32 * MB),
        ("claims.png", lambda: header_claiming(20000, 20000), "400.0 megapixels", 32 * MB),
        # the bytes themselves are 50 MB: one copy of them is allowed, not a decode
        ("huge.png", oversized_png, "larger than 50 MB", 50 * MB + 32 * MB),
    ],
)
def test_hostile_upload_is_refused_fast_in_bounded_memory(app, name, make, reason, memory_bound):
    data = make()
    _upload(app, name, data)
    seconds, growth = _measured_run(app)
    print(f"\n{name} ({len(data):,} bytes): refused in {seconds:.2f} s, +{growth / MB:.0f} MB")
    assert not app.exception
    assert len(app.error) == 1
    assert name in app.error[0].value and reason in app.error[0].value
    assert "limit is 40 megapixels" in app.error[0].value or "50 MB" in app.error[0].value
    assert seconds < 5.0, f"{seconds:.2f} s"
    assert growth < memory_bound, f"peak RSS grew by {growth / MB:.0f} MB"
    assert _headline(app)  # the sample is explained instead
    _still_works(app)


def test_a_bomb_just_under_the_pixel_cap_is_explained_in_bounded_memory(app):
    """8000 x 5000 RGBA zeros (40 MP, 155 kB) is a legal photo: it is explained, and the peak
    stays within the loader's budget of 32 bytes per pixel (plus the app's working set)."""
    width, height = 8000, 5000
    data = _png(width, height, 6, zlib.compress((b"\0" + b"\0" * 4 * width) * height, 9))
    assert width * height == MAX_PIXELS
    _upload(app, "under_the_cap.png", data)
    seconds, growth = _measured_run(app)
    print(f"\n40 MP RGBA bomb ({len(data):,} bytes): {seconds:.1f} s, +{growth / MB:.0f} MB")
    assert not app.exception and not app.error
    assert "under_the_cap.png" in " ".join(c.value for c in app.caption)
    assert seconds < 60.0
    assert growth < 32 * MAX_PIXELS + 256 * MB, f"peak RSS grew by {growth / MB:.0f} MB"
    _still_works(app)


def _rss() -> int:
    import gc

    gc.collect()
    return status_kb("VmRSS") * 1024


def test_tiny_uploads_that_decode_to_40_megapixels_do_not_pin_hundreds_of_mb(app):
    _upload(app, "first.jpg", tiny_jpeg_claiming(8000, 5000, 999), "image/jpeg")
    app.run()  # one big upload first, so the allocator's pools are already grown
    baseline = _rss()
    uploads = 4
    for tag in range(uploads):
        _upload(app, f"tiny{tag}.jpg", tiny_jpeg_claiming(8000, 5000, tag), "image/jpeg")
        app.run()
        assert not app.exception and not app.error
    app.file_uploader(key="upload").set_value(None)
    app.run()
    retained = (_rss() - baseline) / uploads
    print(f"\nretained per 878-byte 40 MP upload: {retained / MB:.0f} MB")
    assert retained < 64 * MB, f"{retained / MB:.0f} MB retained per upload"


@pytest.mark.browser
def test_a_real_browser_refuses_an_upload_over_max_upload_size(server, tmp_path):
    """In Chromium, Streamlit's uploader refuses a 21 MB file itself (maxUploadSize = 20)."""
    from browser_support import SCRIPT_TIMEOUT_MS, launch, wait_for_script
    from playwright.sync_api import sync_playwright

    big = tmp_path / "big.png"
    big.write_bytes(header_claiming(100, 100) + b"\0" * (21 * MB))
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server)
        page.get_by_text("1. Weighted sum").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        uploader = page.locator(".st-key-upload [data-testid='stFileUploader']")
        uploader.locator("input[type='file']").set_input_files(str(big))
        uploader.get_by_text("or smaller").wait_for(timeout=30_000)
        assert "20" in uploader.inner_text()
        wait_for_script(page)
        main = page.locator("[data-testid='stMain']")
        assert "Could not use" not in main.inner_text()  # our loader never saw it
        assert page.locator("[data-testid='stException']").count() == 0
        assert main.get_by_text("Explaining").count() >= 1
        browser.close()
