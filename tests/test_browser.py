"""A real browser (Playwright + Debian's Chromium) against `streamlit run app.py`.

On localhost over HTTP, and, for the webcam, over HTTPS on the machine's LAN address with a
certificate made by scripts/make_cert.py, as a classroom serves it (Chromium's fake camera).
"""

from __future__ import annotations

import http.server
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit_server
from browser_support import (
    ARTIFACTS,
    FAKE_CAMERA_ARGS,
    SCRIPT_TIMEOUT_MS,
    SERVER_LOG,
    STARTUP_TIMEOUT_S,
    launch,
    require_browser,
    wait_for_script,
)

ROOT = Path(__file__).resolve().parents[1]
# True once the image has loaded (waiting for it if it is still loading), false on an error or
# after the timeout: a script run can end a moment before the browser has fetched its images.
IMAGE_LOADED = """(img, timeout) => img.complete ? img.naturalWidth > 0 : new Promise(done => {
    img.addEventListener("load", () => done(img.naturalWidth > 0), {once: true});
    img.addEventListener("error", () => done(false), {once: true});
    setTimeout(() => done(img.complete && img.naturalWidth > 0), timeout);
})"""
IMAGE_LOAD_TIMEOUT_MS = 30_000
PANEL_TITLES = ("1. Weighted sum", "2. After ReLU", "3. Normalized", "4. Overlay")

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _panel_titles(page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid='stMain'] strong").all_inner_texts()]


def _assert_four_panels_drawn(page) -> None:
    """The four stage titles are visible and their four images have loaded."""
    main = page.locator("[data-testid='stMain']")
    for title in PANEL_TITLES:
        assert main.get_by_text(title, exact=True).is_visible()
    panels = main.locator("[data-testid='stHorizontalBlock']:has(.st-key-overlay_panel)")
    images = panels.locator("[data-testid='stImage'] img:not([alt^='Colour scale'])")
    assert images.count() == 4
    for i in range(4):
        assert images.nth(i).evaluate(IMAGE_LOADED, IMAGE_LOAD_TIMEOUT_MS)


def test_a_deep_link_as_the_first_request_gets_the_shared_sidebar(server):
    """A shared link to a page, opened before anyone opened the root, still runs through app.py."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{server}/layers?sample=Espresso+cup")
        page.get_by_text("Layers: from edges to objects").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        sidebar = page.locator("[data-testid='stSidebar']")
        assert sidebar.locator("[data-testid='stSelectbox']").count() >= 4  # model ... colormap
        picker = page.locator(".st-key-photo_picker")  # the photo, on the page itself
        assert picker.locator("[data-testid='stFileUploader']").count() == 1
        # the sample from the URL is explained: espresso is its top class
        assert "espresso (967" in page.locator("[data-testid='stMain']").inner_text()
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "browser_deep_link.png"))
        browser.close()


def test_upload_through_the_page_shows_four_panels(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(server)
        page.get_by_text("1. Weighted sum").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        page.screenshot(path=str(ARTIFACTS / "browser_first_load.png"), full_page=True)

        page.locator(".st-key-upload input[type='file']").set_input_files(
            str(ROOT / "gradcam_core" / "samples_data" / "coffee.jpg")
        )
        page.get_by_text("coffee.jpg").first.wait_for(timeout=SCRIPT_TIMEOUT_MS)
        page.get_by_text("Explaining espresso").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        _assert_four_panels_drawn(page)
        alts = page.locator(".st-key-overlay_panel img").first.get_attribute("alt")
        assert "Grad-CAM of espresso" in alts
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "browser_upload.png"), full_page=True)
        browser.close()


def test_the_server_log_has_no_tensorflow_startup_lines(server):
    """Once a page has run (TensorFlow loaded, the model traced), the log has none of its lines."""
    from playwright.sync_api import sync_playwright

    from gradcam_core.tf_logging import is_startup_line

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(server)
        page.get_by_text("1. Weighted sum").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        browser.close()
    logged = SERVER_LOG.read_text().splitlines()
    assert any("Streamlit app" in line for line in logged)  # the log is the server's
    assert [line for line in logged if is_startup_line(line) or "oneDNN" in line] == []


def test_on_a_phone_the_photo_picker_and_the_overlay_come_first(server):
    """At 390 x 844 (an iPhone 14) the first screen holds the photo picker and the overlay."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        page.goto(server)
        page.get_by_text("4. Overlay").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        main = page.locator("[data-testid='stMain']")
        sample = main.locator("[data-testid='stSelectbox']").first.bounding_box()
        upload = main.locator("[data-testid='stFileUploader']").bounding_box()
        overlay = main.locator(".st-key-overlay_panel [data-testid='stImage'] img").first
        overlay.evaluate("img => img.decode()")
        shown = overlay.bounding_box()
        first_stage = main.get_by_text("1. Weighted sum", exact=True).bounding_box()
        assert upload["y"] + upload["height"] <= 844 and sample["y"] >= 0
        assert shown["y"] + shown["height"] / 2 <= 844  # most of the overlay, no scrolling
        assert shown["y"] < first_stage["y"]  # before the three stages, not after them
        assert not page.locator("[data-testid='stSidebar']").is_visible() or (
            page.locator("[data-testid='stSidebar']").bounding_box()["x"] < 0
        )  # the settings stay in the folded sidebar
        page.screenshot(path=str(ROOT / "docs" / "phone.png"))
        browser.close()


# ---------------------------------------------------------------- the webcam, over HTTPS on the LAN


class Camera:
    """The webcam widgets, found by their labels wherever the page puts them (sidebar or main).

    The one place that knows how to reach them: if the layout moves them, only this changes.
    """

    TOGGLE = "Use the webcam"  # st.toggle that shows the camera
    WIDGET = "Take a photo"  # st.camera_input's label
    SHUTTER = "Take Photo"  # the button Streamlit draws inside st.camera_input

    def __init__(self, page) -> None:
        self.page = page

    def turn_on(self) -> None:
        self.page.get_by_text(self.TOGGLE, exact=True).first.click()

    CLEAR = "Clear photo"  # the button that replaces the shutter once a photo is taken
    CAPTURE_WAIT_MS = 10_000  # after a press, how long until the taken photo must show

    def take_photo(self, timeout_ms: int = SCRIPT_TIMEOUT_MS) -> None:
        """Wait until the camera streams (the shutter is enabled), then press it until a photo
        is taken: on a busy machine the shutter can be enabled before the first frame has
        arrived, and that press takes nothing (seen in a full run, never alone)."""
        from playwright.sync_api import expect

        widget = (
            self.page.locator("[data-testid='stCameraInput']")
            .filter(has=self.page.get_by_text(self.WIDGET, exact=True))
            .first
        )
        shutter = widget.get_by_role("button", name=self.SHUTTER)
        taken = widget.get_by_role("button", name=self.CLEAR)
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            expect(shutter).to_be_enabled(timeout=timeout_ms)
            shutter.click()
            try:
                expect(taken).to_be_visible(timeout=self.CAPTURE_WAIT_MS)
                return
            except AssertionError:
                if time.monotonic() > deadline:
                    raise


def lan_ipv4() -> str | None:
    """This machine's address on its network (the one students would type), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 9))  # picks the outgoing interface; sends nothing
        except OSError:
            return None
        address = sock.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@pytest.fixture(scope="module")
def https_server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The app over HTTPS on the LAN address (else localhost), with a certificate from
    scripts/make_cert.py; yields the URL and the certificate."""
    require_browser()
    certs = tmp_path_factory.mktemp("certs")
    made = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_cert.py"), "--out", str(certs)],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    cert, key = certs / "cert.pem", certs / "key.pem"
    address = lan_ipv4() or "127.0.0.1"
    port = streamlit_server.free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "streamlit_https_server.log", "w")  # noqa: SIM115
    ssl_options = ["--server.sslCertFile", str(cert), "--server.sslKeyFile", str(key)]
    process = streamlit_server.start(port, log, address=address, options=ssl_options)
    url = f"https://{address}:{port}"
    unverified = ssl._create_unverified_context()  # only waiting here; the test verifies
    if not streamlit_server.wait_healthy(url, STARTUP_TIMEOUT_S, context=unverified):
        process.kill()
        pytest.fail("streamlit did not start over HTTPS")
    yield url, cert
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_the_server_answers_over_https_with_the_generated_certificate(https_server):
    url, cert = https_server
    trusting = ssl.create_default_context(cafile=str(cert))  # checks the name too (SAN: the IP)
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10, context=trusting) as answer:
        assert (answer.status, answer.read()) == (200, b"ok")
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(f"{url}/_stcore/health", timeout=10)  # self-signed: not trusted


def test_the_webcam_over_https_on_the_lan_takes_a_photo_that_is_explained(https_server):
    """A student's browser on the teacher's LAN address: accept the certificate, take a photo."""
    from playwright.sync_api import sync_playwright

    url, _ = https_server
    with sync_playwright() as playwright:
        browser = launch(playwright, FAKE_CAMERA_ARGS)
        context = browser.new_context(
            ignore_https_errors=True,  # the student accepting the certificate warning once
            viewport={"width": 1600, "height": 1000},
        )
        page = context.new_page()
        page.goto(url)
        page.get_by_text(PANEL_TITLES[0]).wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        assert page.evaluate("window.isSecureContext && !!navigator.mediaDevices")
        headline = page.locator("[data-testid='stMain']").get_by_text("Explaining").first
        before = headline.inner_text()
        camera = Camera(page)
        camera.turn_on()
        camera.take_photo()
        page.get_by_text("Photo: webcam photo").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        assert headline.inner_text() != before  # the sample's explanation is gone
        _assert_four_panels_drawn(page)
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "browser_camera.png"))
        browser.close()


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<!doctype html><title>plain http</title>")

    def log_message(self, *args) -> None:
        pass


def test_over_plain_http_on_the_lan_a_browser_offers_no_camera():
    """Why the classroom needs HTTPS: by address over HTTP, a page cannot ask for the camera."""
    require_browser()
    address = lan_ipv4()
    if address is None:
        pytest.skip("this machine has no LAN address")
    from playwright.sync_api import sync_playwright

    with http.server.ThreadingHTTPServer((address, 0), _Page) as plain:
        threading.Thread(target=plain.serve_forever, daemon=True).start()
        with sync_playwright() as playwright:
            browser = launch(playwright, FAKE_CAMERA_ARGS)
            page = browser.new_page()
            page.goto(f"http://{address}:{plain.server_address[1]}/")
            assert page.evaluate("[window.isSecureContext, typeof navigator.mediaDevices]") == [
                False,
                "undefined",
            ]
            browser.close()
        plain.shutdown()
