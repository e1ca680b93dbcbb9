"""A classroom at once: N browser tabs open the app on one `streamlit run` server together.

    python scripts/classroom.py [--students 30]

Starts the app on a free localhost port, opens --students pages in Debian's Chromium (one
browser, one context per student, like separate people), each with its own link (photo, class,
colormap named in the URL), all before any finishes, and waits until every page shows its four
panels. Prints, per page: seconds from the first tab opened to its map drawn (an upper bound:
pages are checked in order), whether it explained the class its link asked for, and any
exception or error shown; then the server's peak resident memory. Exits 1 if any page failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import streamlit_server  # noqa: E402
from browser_support import CHROMIUM, CHROMIUM_ARGS, wait_for_script  # noqa: E402
from proc_status import status_kb  # noqa: E402

TIMEOUT_MS = 900_000
STAGES = "[data-testid='stMain'] [data-testid='stHorizontalBlock']"  # the first row: 4 panels
LINKS = [  # (sample, class index, class name as the headline shows it, colormap)
    ("cat_and_coffee", 282, "tiger cat", "inferno"),
    ("cat_and_coffee", 967, "espresso", "jet"),
    ("coffee", 967, "espresso", "viridis"),
    ("cat", 285, "Egyptian cat", "inferno"),
    ("motorcycle", 665, "moped", "cividis"),
    ("rocket", 657, "missile", "jet"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    port = streamlit_server.free_port()
    server = streamlit_server.start(port)
    url = f"http://127.0.0.1:{port}"
    failures = 0
    try:
        if not streamlit_server.wait_healthy(url, 120):
            print("streamlit did not start")
            return 1
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = []
            started = time.perf_counter()
            for student in range(args.students):
                sample, target, name, cmap = LINKS[student % len(LINKS)]
                page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
                link = f"{url}/?sample={sample}&target={target}&cmap={cmap}"
                page.goto(link, wait_until="commit")
                pages.append((page, name))
            opened = time.perf_counter() - started
            seconds = []
            for student, (page, name) in enumerate(pages):
                panels = page.locator(STAGES).first.locator("[data-testid='stImage'] img")
                panels.nth(3).wait_for(timeout=TIMEOUT_MS)
                wait_for_script(page, TIMEOUT_MS)
                seconds.append(time.perf_counter() - started)
                main_text = page.locator("[data-testid='stMain']").inner_text()
                shown = panels.count()
                problems = page.locator(
                    "[data-testid='stException'], [data-testid='stAlertContentError']"
                ).count()
                ok = f"Explaining {name}" in main_text and shown == 4 and problems == 0
                failures += not ok
                print(
                    f"student {student + 1:2d}: {seconds[-1]:6.1f} s, {name}: "
                    f"{'ok' if ok else f'FAILED ({shown} panels, {problems} errors)'}"
                )
            browser.close()
        print(
            f"{args.students} students: tabs opened in {opened:.1f} s; all maps drawn within "
            f"{max(seconds):.1f} s of the first tab opening; server peak RSS "
            f"{status_kb('VmHWM', server.pid) / 1024:.0f} MB; {failures} failed"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
