"""Peak resident memory of the app, page by page, for each model: docs/memory.md's table.

Each scenario runs in a fresh process (so one model's memory never counts against another's),
drives app.py through Streamlit's AppTest the way a visitor would (every page, and the buttons
a visitor presses: Run Score-CAM, Randomize the model), and reports the process's peak resident
memory (VmHWM) after each step. Zoo models are built with ``weights=None``: their arrays have the
same size as the ImageNet ones, which cannot be downloaded here.

    python scripts/memory.py                      # every model, then the worst session; a table
    python scripts/memory.py --models efficientnet_lite0 --low-memory
    python scripts/memory.py --scenario worst --low-memory --json   # one scenario, JSON figures
    python scripts/memory.py --models efficientnet_lite0 --quick --lang zh  # in 简体中文
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

PAGES = (
    ("Grad-CAM", None, None),
    ("How it works", "pages/how_it_works.py", None),
    ("Layers", "pages/layers.py", None),
    ("Classes", "pages/classes.py", None),
    ("Methods", "pages/methods.py", "run_scorecam"),
    ("Trust lab", "pages/trust_lab.py", "trust_randomize"),
)
BIG_PHOTO_SIDE = (7300, 5470)  # 39.9 megapixels, just under the loader's 40 MP cap


@dataclass
class Step:
    """Memory after one step of a session: the peak so far and what is resident now (MB)."""

    name: str
    peak_mb: float
    rss_mb: float
    seconds: float
    errors: list[str] = field(default_factory=list)
    anon_peak_mb: float = 0.0  # the step's peak of anonymous memory (sampled every 2 ms)
    file_mb: float = 0.0  # file-backed resident pages after the step (mapped libraries)


def _status_mb(field_name: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field_name)


class AnonSampler:
    """The peak of RssAnon while a step runs, read from /proc every 2 ms in a thread.

    VmHWM counts file-backed pages too: the mapped TensorFlow libraries, page cache the kernel
    shares and can drop, whose resident size is not ours to decide (355 MB in one venv and 490 MB
    in another with the very same packages, on one machine). Anonymous memory is what the app
    allocates; a peak shorter than the interval is caught from VmHWM minus the file-backed part
    when it is the process's peak so far (``run_session``).
    """

    INTERVAL_S = 0.002

    def __init__(self) -> None:
        import threading

        self.peak = _status_mb("RssAnon")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.INTERVAL_S):
            self.peak = max(self.peak, _status_mb("RssAnon"))

    def __enter__(self) -> AnonSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _status_mb("RssAnon"))


def _random_zoo_weights() -> None:
    """Build zoo models with random weights (same arrays, no download) wherever the app asks."""
    import gradcam_core
    from gradcam_core import models

    original = models.load_model

    def load(name: str = models.DEFAULT_MODEL, weights: str | None = "imagenet"):
        if models.get_spec(name).source == "download":
            weights = None
        return original(name, weights)

    models.load_model = load
    gradcam_core.load_model = load


def _big_upload() -> bytes:
    """A 39.9-megapixel JPEG photo (smooth colours, so it stays a few MB on the wire)."""
    import io

    import numpy as np
    from PIL import Image

    width, height = BIG_PHOTO_SIDE
    small = np.random.default_rng(0).integers(0, 256, (54, 73, 3), dtype=np.uint8)
    image = Image.fromarray(small).resize((width, height), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _quickest_score_cam_layer(app) -> str:
    """The sidebar layer with the fewest channels among maps of at least 7x7 cells.

    Score-CAM's peak memory is that of one batch of masked photos through the whole model, the
    same at any layer; its time grows with the channels. A short run (CI) picks this layer.
    """
    best = None
    for shown in app.sidebar.selectbox(key="layer").options:
        name, size = shown.rsplit(" (", 1)
        height, width, channels = (int(d) for d in size.rstrip(")").split("×"))
        if min(height, width) >= 7 and (best is None or channels < best[0]):
            best = (channels, name)
    return best[1]


def _press(app, button: str, quick: bool) -> None:
    """Press a page's button; for a quick run, Score-CAM first moves to its quickest layer (that
    rerun counts in the step: the page's maps at the new layer)."""
    if quick and button == "run_scorecam":
        app.sidebar.selectbox(key="layer").set_value(_quickest_score_cam_layer(app)).run()
    app.button(key=button).click().run()


def run_session(
    models: list[str], upload: bool, quick: bool = False, only: str | None = None, lang: str = "en"
) -> list[Step]:
    """One visitor: for each model in turn, every page and its buttons; optionally a big photo.

    ``quick`` runs Score-CAM at the model's quickest layer (the same peak, in far less time);
    ``only`` names one page: the visitor opens the app (Grad-CAM) and goes to that page alone;
    ``lang`` is the interface's language (?lang=): zh loads the catalogues and the CJK font.
    """
    from apptest_support import new_app

    long_steps_s = 3600  # Score-CAM on a zoo model's 2048 channels takes minutes on two cores

    _random_zoo_weights()
    steps: list[Step] = []
    app = new_app(model=models[0], lang=lang)
    app.default_timeout = long_steps_s

    def record(name: str, action) -> None:
        started = time.perf_counter()
        peak_before = _status_mb("VmHWM")
        with AnonSampler() as anon:
            action()
        file_mb = _status_mb("RssFile")
        if _status_mb("VmHWM") > peak_before:  # the process's peak was in this step: a spike
            # shorter than the sampling interval still shows in VmHWM minus the file-backed part
            anon.peak = max(anon.peak, _status_mb("VmHWM") - file_mb)
        errors = [e.value for e in app.exception] + [e.value for e in app.error]
        steps.append(
            Step(
                name,
                round(_status_mb("VmHWM")),
                round(_status_mb("VmRSS")),
                round(time.perf_counter() - started, 1),
                [str(e).splitlines()[0] for e in errors],
                round(anon.peak),
                round(file_mb),
            )
        )

    app.run()
    if upload:
        data = _big_upload()
        record(
            "40 MP upload",
            lambda: app.file_uploader(key="upload").upload("big.jpg", data, "image/jpeg").run(),
        )
    for model in models:
        if model != models[0]:
            app.switch_page("pages/explain.py")
            record(f"{model}: model", lambda m=model: app.sidebar.selectbox(key="model")
                   .set_value(m).run())  # fmt: skip
        for title, page, button in PAGES:
            if only is not None and title not in ("Grad-CAM", only):
                continue
            prefix = f"{model}: " if len(models) > 1 else ""
            if page is not None:
                record(prefix + title, lambda p=page: app.switch_page(p).run())
            else:
                record(prefix + title, lambda: app.run())
            if button is not None:
                record(prefix + title + " (button)", lambda b=button: _press(app, b, quick))
    return steps


@dataclass
class Scenario:
    name: str
    models: list[str]
    upload: bool
    low_memory: bool
    steps: list[Step] = field(default_factory=list)

    @property
    def peak_mb(self) -> float:
        return max(step.peak_mb for step in self.steps)


def run_in_subprocess(
    models: list[str], upload: bool, low_memory: bool, quick: bool = False, lang: str = "en"
) -> Scenario:
    """Run one scenario in a fresh Python process and read its figures."""
    command = [sys.executable, __file__, "--json", "--models", *models, "--lang", lang]
    for flag, wanted in (("--upload", upload), ("--low-memory", low_memory), ("--quick", quick)):
        if wanted:
            command.append(flag)
    env = {k: v for k, v in os.environ.items() if k != "GRADCAM_LOW_MEMORY"}
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(models)}: {done.stderr.strip().splitlines()[-1:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Scenario(
        figures["name"],
        models,
        upload,
        low_memory,
        [Step(**step) for step in figures["steps"]],
    )


def fitting_models() -> list[str]:
    """Every model this mode can load (low-memory mode refuses the largest)."""
    from app_ui import deployment
    from gradcam_core.models import MODELS

    return [name for name, spec in MODELS.items() if deployment.fits(spec.size_mb)]


def largest_models(count: int = 2) -> list[str]:
    """The worst realistic session's models: the largest ones this mode can load."""
    from gradcam_core.models import MODELS

    by_size = sorted(fitting_models(), key=lambda name: MODELS[name].size_mb, reverse=True)
    return by_size[:count]


def _table(scenarios: list[Scenario]) -> str:
    pages = [title for title, _, _ in PAGES]
    header = "| model | " + " | ".join(pages) + " | peak |"
    rows = [header, "|" + "---|" * (len(pages) + 2)]
    for scenario in scenarios:
        by_page = {}
        for step in scenario.steps:
            title = step.name.split(": ")[-1].replace(" (button)", "")
            by_page[title] = max(by_page.get(title, 0), step.peak_mb)
        cells = [f"{by_page.get(title, 0):.0f}" for title in pages]
        rows.append(f"| {scenario.name} | " + " | ".join(cells) + f" | {scenario.peak_mb:.0f} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", help="models visited in turn in one session")
    parser.add_argument("--upload", action="store_true", help="start with a 40 MP upload")
    parser.add_argument("--low-memory", action="store_true", help="GRADCAM_LOW_MEMORY=1")
    parser.add_argument(
        "--quick", action="store_true", help="Score-CAM at the quickest layer (same peak)"
    )
    parser.add_argument("--page", help="open the app, then only this page (e.g. 'Layers')")
    parser.add_argument("--json", action="store_true", help="run here and print JSON figures")
    parser.add_argument("--lang", default="en", choices=("en", "zh"), help="interface language")
    args = parser.parse_args()
    if args.low_memory:
        os.environ["GRADCAM_LOW_MEMORY"] = "1"
    if args.json:
        from app_ui import pages_folder

        with pages_folder.as_in_a_running_server():
            steps = run_session(args.models, args.upload, args.quick, args.page, args.lang)
        name = " + ".join(args.models) + (" + 40 MP photo" if args.upload else "")
        name += f", {args.lang}" if args.lang != "en" else ""
        name += f", {args.page} alone" if args.page else ""
        print(json.dumps({"name": name, "steps": [asdict(s) for s in steps]}))
        return

    scenarios = []
    for model in args.models or fitting_models():
        scenarios.append(run_in_subprocess([model], False, args.low_memory, args.quick, args.lang))
        print(f"{model}: peak {scenarios[-1].peak_mb:.0f} MB", file=sys.stderr)
    print(_table(scenarios))
    worst = run_in_subprocess(largest_models(), True, args.low_memory, args.quick)
    print(f"\nworst session ({worst.name}): peak {worst.peak_mb:.0f} MB")
    for step in worst.steps:
        print(f"  {step.name}: peak {step.peak_mb:.0f} MB, resident {step.rss_mb:.0f} MB"
              + (f"  errors: {step.errors}" if step.errors else ""))  # fmt: skip


if __name__ == "__main__":
    main()
