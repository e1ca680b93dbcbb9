"""The app in a real browser: cold start to the first map, and warm reruns.

    python benchmarks/bench_app.py [--rounds 5]

Starts `streamlit run app.py` on a free localhost port, drives Debian's Chromium with
Playwright, and measures (wall clock, this machine):
  cold_start     from launching the server to the first Grad-CAM overlay drawn in the page
  cmap_rerun     a colormap change: click to the new overlay drawn (no Grad-CAM recomputed)
  class_switch   clicking another top-5 class: click to its overlay drawn (forward pass cached)
Warm figures are medians over the rounds, alternating between two values each time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import streamlit_server  # noqa: E402
from test_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

TIMEOUT_MS = 300_000
OVERLAY = "[data-testid='stMain'] [data-testid='stColumn']:nth-child(4) [data-testid='stImage'] img"


def overlay_source(page) -> str:
    return page.locator(OVERLAY).first.get_attribute("src") or ""


def wait_new_overlay(page, old: str) -> None:
    """Wait until the overlay image has a new source and has finished loading."""
    page.wait_for_function(
        """([selector, old]) => {
            const img = document.querySelector(selector);
            return img && img.src && img.src !== old && img.complete && img.naturalWidth > 0;
        }""",
        arg=[OVERLAY, old],
        timeout=TIMEOUT_MS,
    )


def choose(page, label: str, option: str) -> None:
    """Pick an option in a sidebar selectbox by typing it and confirming with Enter."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label)
    combobox = box.get_by_role("combobox")
    combobox.click()
    combobox.fill(option)
    page.get_by_role("option", name=option, exact=True).wait_for()
    page.keyboard.press("Enter")


def click_pill(page, text: str) -> None:
    page.locator("[data-testid='stButtonGroup'] button", has_text=text).first.click()


def timed(page, action) -> float:
    old = overlay_source(page)
    start = time.perf_counter()
    action()
    wait_new_overlay(page, old)
    return time.perf_counter() - start


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    port = streamlit_server.free_port()
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    server = streamlit_server.start(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            streamlit_server.wait_healthy(url, timeout_s=300)
            page.goto(url)
            wait_new_overlay(page, "")
            cold = time.perf_counter() - start
            cmap, switch = [], []
            for i in range(args.rounds):
                cmap.append(
                    timed(page, lambda i=i: choose(page, "Colormap", ("jet", "viridis")[i % 2]))
                )
                pill = ("Egyptian cat", "tiger cat")[i % 2]
                switch.append(timed(page, lambda pill=pill: click_pill(page, pill)))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"cold_start    {cold:6.2f} s (server launch to first overlay in the page)")
    print(f"cmap_rerun    {statistics.median(cmap) * 1000:6.0f} ms (median of {args.rounds})")
    print(
        f"class_switch  {statistics.median(switch) * 1000:6.0f} ms (median of {args.rounds}; "
        f"first switch {switch[0] * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
