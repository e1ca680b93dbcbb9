"""Loading your own model: the cost of the safety checks, as ratios measured in one process.

    python benchmarks/bench_own_model.py [--rounds 5] [--hostile]

Files, made in a temporary folder:
  teachable   the example Teachable Machine export (gradcam_core/models/demo, 2.7 MB: nested
              Sequentials, a Keras 2 .h5 in a zip), and the same model saved by Keras 3 as .keras
  resnet50    keras.applications.ResNet50(weights=None) saved as .keras (98 MB)
Measured, each round in turn (interleaved rounds, medians):
  keras_load  keras.models.load_model(.keras, compile=False): the baseline (Keras cannot load
              the Teachable Machine file itself, so its baseline is the same model as .keras)
  checks      gradcam_core.models.own.inspect_model_file: every check, nothing built
  ours        gc.load_classifier(file): checks, config rewrite, build, weights
  first_map   ours, then the first Grad-CAM (tracing the compiled passes included)
``--hostile`` also times every hostile file of tests/hostile_model_files.py (refusal time and
peak resident memory growth).
"""

from __future__ import annotations

import argparse
import gc as garbage
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import keras
import numpy as np
import tensorflow as tf

import gradcam_core as gc
from gradcam_core.models import own

CLEAR_REFS = Path("/proc/self/clear_refs")


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    del result
    garbage.collect()
    return seconds


def first_map(path: Path, preset: str) -> None:
    classifier = gc.load_classifier(path, preprocess=preset)
    x = np.random.default_rng(0).uniform(0, 255, (1, *classifier.input_shape)).astype(np.float32)
    gc.grad_cam(classifier.model, classifier.preprocessing.pixels(x))


def checks(path: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        own.inspect_model_file(path, path.name, Path(work))


def interleaved(functions: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    for fn in functions.values():
        fn()  # warm-up: imports, first traces
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, fn in functions.items():
            times[name].append(timed(fn))
    return {name: statistics.median(values) for name, values in times.items()}


def report(title: str, medians: dict[str, float]) -> None:
    print(title)
    for name, seconds in medians.items():
        print(f"  {name:12s} {seconds * 1000:9.1f} ms")
    base = medians["keras_load"]
    print(f"  ours / keras_load (goal <= 1.2)   {medians['ours'] / base:6.3f}")
    print(f"  checks / keras_load               {medians['checks'] / base:6.3f}")
    print(f"  first_map / keras_load            {medians['first_map'] / base:6.3f}")


def hostile_table() -> None:
    import hostile_model_files as hostile
    from proc_status import status_kb

    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        marker = folder / "PAYLOAD_RAN"
        cases = hostile.all_cases(folder, marker)
        gc.load_classifier(hostile.FIXTURES / "keras3_tutorial.keras")  # imports, before timing
        print("hostile files: refusal time, peak RSS growth")
        for name, (path, _) in cases.items():
            CLEAR_REFS.write_text("5")
            before = status_kb("VmRSS")
            start = time.perf_counter()
            try:
                gc.load_classifier(path)
                outcome = "LOADED"
            except gc.ModelRefusedError as error:
                outcome = str(error)[:70]
            seconds = time.perf_counter() - start
            growth = (status_kb("VmHWM") - before) / 1024
            print(f"  {name:28s} {seconds * 1000:7.1f} ms {growth:6.1f} MB  {outcome}")
        print(f"  payload ran: {marker.exists()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hostile", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # Keras' warnings about the hostile files
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}, {os.cpu_count()} CPUs")
    if args.hostile:  # first, while the process is small: a load's freed memory hides growth
        hostile_table()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        teachable = gc.demo_model_path()
        teachable_keras = folder / "teachable.keras"
        gc.load_classifier(teachable).model.save(teachable_keras)
        resnet = folder / "resnet50.keras"
        keras.applications.ResNet50(weights=None).save(resnet)
        garbage.collect()
        for title, path, baseline, preset in (
            (
                f"teachable ({teachable.stat().st_size / 1e6:.1f} MB)",
                teachable,
                teachable_keras,
                "tf",
            ),
            (f"resnet50 .keras ({resnet.stat().st_size / 1e6:.0f} MB)", resnet, resnet, "caffe"),
        ):
            medians = interleaved(
                {
                    "keras_load": lambda b=baseline: keras.models.load_model(b, compile=False),
                    "checks": lambda p=path: checks(p),
                    "ours": lambda p=path, s=preset: gc.load_classifier(p, preprocess=s),
                    "first_map": lambda p=path, s=preset: first_map(p, s),
                },
                args.rounds,
            )
            report(title, medians)


if __name__ == "__main__":
    main()
