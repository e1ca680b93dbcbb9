"""The app in a real browser: cold start, warm reruns, and the sections that rerun alone.

    python benchmarks/bench_app.py [--rounds 5]
    python benchmarks/bench_app.py --before /tmp/gradcam-before [--rounds 7]

Starts `streamlit run app.py` on a free localhost port, drives Debian's Chromium with
Playwright, and measures (wall clock, this machine):
  cold_start     from launching the server to the first Grad-CAM overlay drawn in the page
  cmap_rerun     a colormap change: click to the new overlay drawn (no Grad-CAM recomputed)
  class_switch   clicking another top-5 class: click to its overlay drawn (forward pass cached)
and, click to drawn, the interactions that change one section (st.fragment on this checkout):
  layers_scrub   Layers: the layer slider one step (the chosen layer's overlay redrawn)
  trust_hide     Trust lab: the hide slider one step (the hidden-pixels image redrawn)
  trust_box      Trust lab: x0 of the box typed in (the localization picture redrawn)
  score_cam      Methods at block1a_project_bn (16 channels): Run Score-CAM to its
                 map drawn, a new class each round, so it is computed every time
With ``--before DIR`` the section interactions run against the checkout in DIR (e.g. a git
worktree of the commit before the change) and this one, two servers side by side, in
interleaved rounds (alternating which goes first); warm figures are medians over the rounds.
Each section interaction also reports how many elements the server sent for it (delta messages
on the websocket): a full rerun sends the whole page and the sidebar, a fragment only itself.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import streamlit_server  # noqa: E402
from browser_support import CHROMIUM, CHROMIUM_ARGS, wait_for_script  # noqa: E402

TIMEOUT_MS = 300_000
OVERLAY = "[data-testid='stMain'] [data-testid='stColumn']:nth-child(4) [data-testid='stImage'] img"
SCORE_CAM_QUERY = "layer=block1a_project_bn&target={}"
SCORE_CAM_CLASSES = (282, 281, 285, 504, 968, 967, 287, 283, 284, 286, 969, 965, 966, 910, 499)
SECTION_PAGES = {
    "layers_scrub": "layers",
    "trust_hide": "trust_lab",
    "trust_box": "trust_lab",
}


def image_source(page, selector: str = OVERLAY) -> str:
    return page.locator(selector).first.get_attribute("src") or ""


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


def captioned_source(page, caption: str) -> str:
    """The source of the image whose caption contains ``caption`` ('' if none is shown)."""
    return page.evaluate(
        """(caption) => {
            const box = [...document.querySelectorAll("[data-testid='stImage']")]
                .find((e) => e.innerText.includes(caption));
            const img = box && box.querySelector("img");
            return img ? img.src : "";
        }""",
        caption,
    )


def wait_new_captioned(page, caption: str, old: str) -> None:
    """Wait until the image captioned ``caption`` has a new source and has finished loading."""
    page.wait_for_function(
        """([caption, old]) => {
            const box = [...document.querySelectorAll("[data-testid='stImage']")]
                .find((e) => e.innerText.includes(caption));
            const img = box && box.querySelector("img");
            return img && img.src && img.src !== old && img.complete && img.naturalWidth > 0;
        }""",
        arg=[caption, old],
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


class DeltaCounter:
    """Counts the elements (delta messages) the server sends a page: what a rerun redraws."""

    def __init__(self, page) -> None:
        self.count = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._received))

    def _received(self, payload: bytes | str) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, bytes) and ForwardMsg.FromString(payload).HasField("delta"):
            self.count += 1


def timed(page, action) -> float:
    old = image_source(page)
    start = time.perf_counter()
    action()
    wait_new_overlay(page, old)
    return time.perf_counter() - start


def timed_captioned(page, caption: str, action: Callable[[], None], sent: DeltaCounter) -> float:
    """Seconds from ``action`` to the image captioned ``caption`` drawn anew (``sent`` counts)."""
    old = captioned_source(page, caption)
    sent.count = 0
    start = time.perf_counter()
    action()
    wait_new_captioned(page, caption, old)
    return time.perf_counter() - start


def step_slider(page, label: str, key: str) -> None:
    """Move the main-area slider labelled ``label`` one step with the keyboard."""
    slider = page.locator("[data-testid='stMain'] [data-testid='stSlider']").filter(has_text=label)
    slider.get_by_role("slider").first.press(key)


def type_number(page, label: str, value: int) -> None:
    """Type ``value`` into the number input labelled ``label`` and confirm with Enter."""
    field = page.locator("[data-testid='stNumberInput']").filter(has_text=label).locator("input")
    field.fill(str(value))
    field.press("Enter")


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_for_script(page, TIMEOUT_MS)


def layers_scrub(page, url: str, i: int, sent: DeltaCounter) -> float:
    key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"  # the warm-up (-1) leaves the last layer
    return timed_captioned(
        page, "Grad-CAM over the photo", lambda: step_slider(page, "Layer: input", key), sent
    )


def trust_hide(page, url: str, i: int, sent: DeltaCounter) -> float:
    key = "ArrowLeft" if i % 2 == 0 else "ArrowRight"  # the warm-up (-1) goes from 20 to 25 %
    return timed_captioned(
        page, "What the model sees", lambda: step_slider(page, "Hide the map", key), sent
    )


def trust_box(page, url: str, i: int, sent: DeltaCounter) -> float:
    value = 0 if i % 2 == 0 else 20  # the warm-up (-1) moves x0 from 0 to 20
    return timed_captioned(page, "Green:", lambda: type_number(page, "x0", value), sent)


def score_cam(page, url: str, i: int, sent: DeltaCounter) -> float:
    """Run Score-CAM for a class not computed yet on this server: click to its map drawn."""
    target = SCORE_CAM_CLASSES[i % len(SCORE_CAM_CLASSES)]
    open_page(page, f"{url}/methods?{SCORE_CAM_QUERY.format(target)}")
    button = page.get_by_role("button", name="Run Score-CAM")
    button.wait_for(timeout=TIMEOUT_MS)
    wait_for_script(page, TIMEOUT_MS)  # every other card drawn before the click
    return timed_captioned(page, "forward passes in", button.click, sent)


SECTIONS: dict[str, Callable] = {
    "layers_scrub": layers_scrub,
    "trust_hide": trust_hide,
    "trust_box": trust_box,
    "score_cam": score_cam,
}


Figures = dict[str, dict[str, list[tuple[float, int]]]]  # interaction -> checkout -> rounds


def measure_sections(pages: dict[str, tuple], rounds: int) -> Figures:
    """{interaction: {checkout: (seconds, elements sent) per round}}, checkouts interleaved.

    Each interaction is done once untimed on each checkout first (its caches warm, as in class).
    """
    names = list(pages)
    figures: Figures = {}
    for interaction, act in SECTIONS.items():
        figures[interaction] = {name: [] for name in names}
        for page, url, sent in pages.values():
            if interaction in SECTION_PAGES:
                open_page(page, f"{url}/{SECTION_PAGES[interaction]}")
            act(page, url, -1, sent)  # warm-up (Score-CAM: a class no timed round uses)
        for i in range(rounds):
            order = names if i % 2 == 0 else names[::-1]
            for name in order:
                page, url, sent = pages[name]
                wait_for_script(page, TIMEOUT_MS)
                seconds = act(page, url, i, sent)
                wait_for_script(page, TIMEOUT_MS)
                figures[interaction][name].append((seconds, sent.count))
    return figures


def start_server(root: Path) -> tuple[object, str]:
    port = streamlit_server.free_port()
    server = streamlit_server.start(port, root=root)
    url = f"http://127.0.0.1:{port}"
    if not streamlit_server.wait_healthy(url, timeout_s=300):
        server.kill()
        raise SystemExit(f"streamlit did not start in {root}")
    return server, url


def report_sections(figures: Figures, rounds: int) -> None:
    """Per interaction and checkout: median, range and rounds in ms, and the elements sent."""
    print(f"click to drawn (ms, median and range of {rounds} rounds); elements sent per click")
    for interaction, by_name in figures.items():
        for name, runs in by_name.items():
            ms = [seconds * 1000 for seconds, _ in runs]
            sent = statistics.median(count for _, count in runs)
            print(
                f"{interaction:13s} {name:7s} {statistics.median(ms):6.0f}  "
                f"({min(ms):.0f}-{max(ms):.0f}; {', '.join(f'{m:.0f}' for m in ms)})  "
                f"{sent:.0f} elements"
            )


def basic(playwright, rounds: int) -> None:
    """Cold start, colormap change and class switch on this checkout."""
    start = time.perf_counter()
    server, url = start_server(ROOT)
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        counter = DeltaCounter(page)
        page.goto(url)
        wait_new_overlay(page, "")
        cold = time.perf_counter() - start
        cmap, switch = [], []
        for i in range(rounds):
            colormap = ("jet", "viridis")[i % 2]
            cmap.append(timed(page, lambda colormap=colormap: choose(page, "Colormap", colormap)))
            pill = ("Egyptian cat", "tiger cat")[i % 2]
            switch.append(timed(page, lambda pill=pill: click_pill(page, pill)))
        figures = measure_sections({"this": (page, url, counter)}, rounds)
        browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"cold_start    {cold:6.2f} s (server launch to first overlay in the page)")
    print(f"cmap_rerun    {statistics.median(cmap) * 1000:6.0f} ms (median of {rounds})")
    print(
        f"class_switch  {statistics.median(switch) * 1000:6.0f} ms (median of {rounds}; "
        f"first switch {switch[0] * 1000:.0f} ms)"
    )
    report_sections(figures, rounds)


def before_and_after(playwright, before: Path, rounds: int) -> None:
    """The section interactions on ``before``'s checkout and this one, interleaved."""
    servers = {"before": start_server(before.resolve()), "after": start_server(ROOT)}
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {}
        for name, (_, url) in servers.items():
            page = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
            counter = DeltaCounter(page)
            page.goto(url)
            wait_new_overlay(page, "")
            pages[name] = (page, url, counter)
        figures = measure_sections(pages, rounds)
        browser.close()
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=30)
    print(f"before: {before.resolve()}  after: {ROOT}")
    report_sections(figures, rounds)


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", type=Path, help="another checkout to compare the sections")
    args = parser.parse_args()
    if not 1 <= args.rounds < len(SCORE_CAM_CLASSES):
        parser.error(f"Use 1 to {len(SCORE_CAM_CLASSES) - 1} rounds (a new class each).")
    with sync_playwright() as playwright:
        if args.before is None:
            basic(playwright, args.rounds)
        else:
            before_and_after(playwright, args.before, args.rounds)


if __name__ == "__main__":
    main()
