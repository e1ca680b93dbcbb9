"""A real browser (Playwright + Debian's Chromium) against `streamlit run app.py` on localhost."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit_server

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("GRADCAM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
SERVER_LOG = ARTIFACTS / "streamlit_server.log"
STARTUP_TIMEOUT_S = 120
SCRIPT_TIMEOUT_MS = 180_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _require_browser() -> None:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("GRADCAM_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    _require_browser()
    port = streamlit_server.free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(SERVER_LOG, "w")  # noqa: SIM115
    # oneDNN forced on: the start-up path of AVX-512 CPUs, on every machine (see the last test)
    env = streamlit_server.user_environment(TF_ENABLE_ONEDNN_OPTS="1")
    process = streamlit_server.start(port, log, env)
    url = f"http://127.0.0.1:{port}"
    if not streamlit_server.wait_healthy(url, STARTUP_TIMEOUT_S):
        process.kill()
        pytest.fail("streamlit did not start")
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


def wait_for_script(page, timeout_ms: int = SCRIPT_TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished running the script (no 'running' status shown)."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms
    )


def _panel_titles(page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid='stMain'] strong").all_inner_texts()]


def _launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def test_a_deep_link_as_the_first_request_gets_the_shared_sidebar(server):
    """A shared link to a page, opened before anyone opened the root, still runs through app.py."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = _launch(playwright)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{server}/layers?sample=Espresso+cup")
        page.get_by_text("Layers: from edges to objects").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        sidebar = page.locator("[data-testid='stSidebar']")
        assert sidebar.locator("[data-testid='stSelectbox']").count() >= 5
        # the sample from the URL is explained: espresso is its top class
        assert "espresso (967" in page.locator("[data-testid='stMain']").inner_text()
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "browser_deep_link.png"))
        browser.close()


def test_upload_through_the_page_shows_four_panels(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = _launch(playwright)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(server)
        page.get_by_text("1. Weighted sum").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        page.screenshot(path=str(ARTIFACTS / "browser_first_load.png"), full_page=True)

        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
            str(ROOT / "gradcam_core" / "samples_data" / "coffee.jpg")
        )
        page.get_by_text("coffee.jpg").first.wait_for(timeout=SCRIPT_TIMEOUT_MS)
        page.get_by_text("Explaining espresso").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        main = page.locator("[data-testid='stMain']")
        for title in ("1. Weighted sum", "2. After ReLU", "3. Normalized", "4. Overlay"):
            assert main.get_by_text(title, exact=True).is_visible()
        panels = main.locator("[data-testid='stHorizontalBlock']").first
        images = panels.locator("[data-testid='stImage'] img")
        assert images.count() == 4
        for i in range(4):
            assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "browser_upload.png"), full_page=True)
        browser.close()


def test_the_server_log_has_no_tensorflow_startup_lines(server):
    """Once a page has run (TensorFlow loaded, the model traced), the log has none of its lines."""
    from playwright.sync_api import sync_playwright

    from gradcam_core.tf_logging import is_startup_line

    with sync_playwright() as playwright:
        browser = _launch(playwright)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(server)
        page.get_by_text("1. Weighted sum").wait_for(timeout=SCRIPT_TIMEOUT_MS)
        wait_for_script(page)
        browser.close()
    logged = SERVER_LOG.read_text().splitlines()
    assert any("Streamlit app" in line for line in logged)  # the log is the server's
    assert [line for line in logged if is_startup_line(line) or "oneDNN" in line] == []
