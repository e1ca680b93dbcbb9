"""Chromium and a running app for the browser tests, the classroom script and bench_app.

Debian's Chromium (``playwright install`` cannot download a browser here), headless, with
background networking off; the server is `streamlit run app.py` on a free port.
"""

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
# Only for the camera tests: a fake webcam (a test pattern with a clock), allowed without asking.
FAKE_CAMERA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def require_browser() -> None:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("GRADCAM_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def wait_for_script(page, timeout_ms: int = SCRIPT_TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished running the script (no 'running' status shown)."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms
    )


def launch(playwright, extra_args: tuple[str, ...] | list[str] = ()):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])


def running_app() -> Iterator[str]:
    """The app served on localhost (oneDNN forced on: the start-up path of AVX-512 CPUs, on
    every machine); yields its URL, stops it after. Its log goes to SERVER_LOG."""
    require_browser()
    port = streamlit_server.free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(SERVER_LOG, "w")  # noqa: SIM115
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
