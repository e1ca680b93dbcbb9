"""The light visitor of bench_classroom.py (tests/streamlit_client.py) gets what a browser gets.

The benchmark's students speak Streamlit's websocket protocol instead of running a browser; if
Streamlit changes that protocol, these visits stop reaching the overlay and this test fails.
"""

from __future__ import annotations

import hashlib
import threading

import pytest
from browser_support import SCRIPT_TIMEOUT_MS, launch
from streamlit_client import Done, PageFiles, Visit

pytestmark = [pytest.mark.slow, pytest.mark.browser]

OVERLAY_ALT = "4. Overlay"


def _chromium_overlay_digest(url: str) -> str:
    """SHA-256 of the overlay image Chromium drew on the main page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        source = page.wait_for_function(
            """(text) => {
                const img = [...document.querySelectorAll("img")]
                    .find((i) => (i.alt || "").startsWith(text));
                return img && img.complete && img.naturalWidth > 0 && img.src;
            }""",
            arg=OVERLAY_ALT,
            timeout=SCRIPT_TIMEOUT_MS,
        ).json_value()
        body = page.request.get(source).body()
        browser.close()
    return hashlib.sha256(body).hexdigest()


def test_light_visits_at_once_get_the_overlay_chromium_draws(server):
    drawn = _chromium_overlay_digest(server)
    done = Done.parse(f"image:{OVERLAY_ALT}")
    visits = [Visit(server, "", "", PageFiles((), ()), done, timeout_s=300) for _ in range(2)]
    threads = [threading.Thread(target=visit.run) for visit in visits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for visit in visits:
        received = visit.received
        visit.close()
        assert received.problems == []
        assert received.digest == drawn
        assert received.script_runs >= 1
        # the page's panels: three stage images, the overlay and its colour scale (the gallery
        # and the JSON download are built only when asked for)
        assert received.media_files >= 5
        assert received.elements > 20


def test_done_conditions_parse_or_refuse():
    assert Done.parse("image:4. Overlay") == Done("image", "4. Overlay")
    assert Done.parse("element:Question 1: x") == Done("element", "Question 1: x")
    assert Done.parse("finished") == Done("finished")
    for bad in ("image", "image:", "picture:x", "finished:x"):
        with pytest.raises(ValueError, match="done condition"):
            Done.parse(bad)
