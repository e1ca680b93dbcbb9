"""What the Chinese interface costs: catalogues, the CJK font, figures, cold start.

    python benchmarks/bench_i18n.py                     # in-process figures (about 30 s)
    python benchmarks/bench_i18n.py --cold --before /work/main --rounds 3   # and cold starts

In one fresh process, this machine, printed as ratios against the English baseline run in the
same process:
  catalogues     reading both compiled catalogues (app and engine) for zh, first call
  font           registering the packaged Noto Sans CJK collection with matplotlib
  figure         the four-panel figure in English, then in Chinese (first: the CJK face is
                 opened; warm: median of 5)
  memory         peak and resident memory of a fresh process after three such figures:
                 without the CJK fallback (as before the languages), in English and in Chinese
With ``--cold``: from launching ``streamlit run app.py`` to the first overlay drawn in Chromium,
for ``?lang=en`` and ``?lang=zh`` on this checkout (and on ``--before``'s, without the language),
rounds interleaved so the machine's load falls on all of them alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE_ROUNDS = 5
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]


def in_process() -> None:
    import numpy as np
    from matplotlib import font_manager
    from PIL import Image

    from app_ui.i18n import catalogue as app_catalogue
    from gradcam_core.cams.base import cam_result
    from gradcam_core.drawing import fonts, stages
    from gradcam_core.i18n import use_language

    start = time.perf_counter()
    app_catalogue("zh").gettext("Sample photo")
    catalogues_s = time.perf_counter() - start

    font = fonts.packaged_font()
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if Path(f.fname) != font]  # as if never added
    start = time.perf_counter()
    manager.addfont(font)
    font_s = time.perf_counter() - start

    photo = Image.new("RGB", (640, 263), "white")
    raw = np.random.default_rng(0).normal(size=(7, 7))
    result = cam_result("Grad-CAM", raw, None, layer="top_relu", class_index=281,
                        score_kind="logit", score=7.6)  # fmt: skip

    def draw(lang: str) -> float:
        with use_language(lang):
            begin = time.perf_counter()
            stages.stages_figure_png(photo, result, "inferno", 0.5, "tiger cat")
            return time.perf_counter() - begin

    first_en = draw("en")
    first_zh = draw("zh")
    warm_en = statistics.median(draw("en") for _ in range(5))
    warm_zh = statistics.median(draw("zh") for _ in range(5))
    print(f"catalogues     {catalogues_s * 1000:7.1f} ms  (both domains, zh, first read)")
    print(f"font           {font_s * 1000:7.1f} ms  (addfont of the 19 MB collection)")
    print(f"figure first   en {first_en * 1000:6.0f} ms   zh {first_zh * 1000:6.0f} ms   "
          f"zh/en {first_zh / first_en:4.2f}")  # fmt: skip
    print(f"figure warm    en {warm_en * 1000:6.0f} ms   zh {warm_zh * 1000:6.0f} ms   "
          f"zh/en {warm_zh / warm_en:4.2f}")  # fmt: skip
    probes: dict[str, list[tuple[float, float, float]]] = {"plain": [], "en": [], "zh": []}
    for _round in range(PROBE_ROUNDS):  # interleaved: the machine's load falls on both alike
        for lang in probes:
            probes[lang].append(_probe_in_subprocess(lang))
    medians = {
        lang: [statistics.median(run[i] for run in runs) for i in range(3)]
        for lang, runs in probes.items()
    }
    plain, en, zh = medians["plain"], medians["en"], medians["zh"]
    print(
        f"memory         fresh process, 3 figures ({PROBE_ROUNDS} rounds, medians): without the "
        f"CJK font {plain[0]:.0f} MB peak, en {en[0]:.0f} MB, zh {zh[0]:.0f} MB; "
        f"zh - without {zh[0] - plain[0]:+.1f} MB peak, {zh[1] - plain[1]:+.1f} MB resident"
    )
    print(
        f"first figure   in a fresh process: without the CJK font {plain[2] * 1000:.0f} ms, "
        f"en {en[2] * 1000:.0f} ms, zh {zh[2] * 1000:.0f} ms (zh/without "
        f"{zh[2] / plain[2]:.2f})"
    )


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def probe(lang: str) -> None:
    """In a fresh process: the app's imports, then three four-panel figures in ``lang``; prints
    the peak and resident memory (MB)."""
    import numpy as np
    from PIL import Image

    import app_ui.i18n  # noqa: F401  (the app's imports: the catalogues' module)
    from gradcam_core.cams.base import cam_result
    from gradcam_core.drawing import stages
    from gradcam_core.i18n import use_language

    photo = Image.new("RGB", (640, 263), "white")
    raw = np.random.default_rng(0).normal(size=(7, 7))
    result = cam_result("Grad-CAM", raw, None, layer="top_relu", class_index=281,
                        score_kind="logit", score=7.6)  # fmt: skip
    if lang == "plain":  # as before the languages: matplotlib's fonts only, no CJK fallback
        import matplotlib

        matplotlib.rcParams["font.family"] = ["sans-serif"]
        lang = "en"
    with use_language(lang):
        start = time.perf_counter()
        stages.stages_figure_png(photo, result, "inferno", 0.5, "tiger cat")
        first = time.perf_counter() - start
        for _ in range(2):
            stages.stages_figure_png(photo, result, "inferno", 0.5, "tiger cat")
    print(f"{_status('VmHWM')} {_status('VmRSS')} {first}")


def _probe_in_subprocess(lang: str) -> tuple[float, float, float]:
    import subprocess

    done = subprocess.run(
        [sys.executable, __file__, "--probe", lang], capture_output=True, text=True, check=True
    )
    peak, resident, first = done.stdout.split()[-3:]
    return float(peak), float(resident), float(first)


def cold_starts(before: Path | None, rounds: int) -> None:
    from bench_app import CHROMIUM, CHROMIUM_ARGS, start_server, wait_new_overlay
    from playwright.sync_api import sync_playwright

    runs: dict[str, list[float]] = {}
    targets = [("en", ROOT, "?lang=en"), ("zh", ROOT, "?lang=zh")]
    if before is not None:
        targets.insert(0, ("before", before.resolve(), ""))
    with sync_playwright() as playwright:
        for _round in range(rounds):
            for name, root, query in targets:
                start = time.perf_counter()
                server, url = start_server(root)
                try:
                    browser = playwright.chromium.launch(
                        executable_path=CHROMIUM, args=CHROMIUM_ARGS
                    )
                    page = browser.new_page(viewport={"width": 1600, "height": 1000})
                    page.goto(url + "/" + query)
                    wait_new_overlay(page, "")
                    runs.setdefault(name, []).append(time.perf_counter() - start)
                    browser.close()
                finally:
                    server.terminate()
                    server.wait(timeout=30)
    base = statistics.median(runs["en"])
    for name, seconds in runs.items():
        shown = ", ".join(f"{s:.1f}" for s in seconds)
        print(f"cold_start {name:7s} {statistics.median(seconds):6.1f} s median ({shown})  "
              f"/en {statistics.median(seconds) / base:4.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="also measure cold starts")
    parser.add_argument("--before", type=Path, help="a checkout without the languages")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--probe", choices=("plain", "en", "zh"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(args.probe)
        return
    in_process()
    if args.cold:
        cold_starts(args.before, args.rounds)


if __name__ == "__main__":
    main()
