"""Time every trust check on the bundled model and one sample photo, and print the scores.

PYTHONPATH=. python benchmarks/metrics_timing.py [IMAGE] [--steps 50] [--batch 16]
(IMAGE defaults to gradcam_core/samples_data/cat.jpg)
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image

import gradcam_core as gc
import gradcam_core.metrics as gm

T = TypeVar("T")
MODEL = "efficientnet_lite0"
SAMPLES = Path(__file__).resolve().parent.parent / "gradcam_core" / "samples_data"


def timed(label: str, fn: Callable[[], T], repeat: int = 1) -> T:
    """Run fn ``repeat`` times; print the first (cold) and the best time."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    best = f", best of {repeat}: {min(times):.3f} s" if repeat > 1 else ""
    print(f"{label:<42} {times[0]:8.3f} s{best}")
    return result


def sample_box(path: Path) -> list[int] | None:
    """The first object's box of a shipped sample, if samples.json lists the file."""
    meta = SAMPLES / "samples.json"
    if not meta.exists():
        return None
    for sample in json.loads(meta.read_text())["samples"]:
        if sample["file"] == path.name:
            return sample["box"]
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("image", nargs="?", default=str(SAMPLES / "cat.jpg"))
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()

    model = timed("load model", lambda: gc.load_model(MODEL))
    size = gc.get_spec(MODEL).input_size
    photo = Image.open(args.image).convert("RGB")
    pixels = gc.resize_for_model(photo, (size, size)).astype(np.float64)
    preprocess = functools.partial(gc.preprocess_pixels, MODEL)
    x = preprocess(pixels)
    cam = timed("grad_cam (first call compiles)", lambda: gc.grad_cam(model, x))
    cam = timed("grad_cam", lambda: gc.grad_cam(model, x), repeat=3)
    c = cam.class_index
    print(f"class {c} {gc.class_name(c)}; input {size}x{size}; steps {args.steps}")

    maps = {
        "grad-cam": cam.normalized,
        "random": gm.random_saliency(size, size, seed=0),
        "edge": timed("edge_saliency", lambda: gm.edge_saliency(pixels), repeat=3),
    }
    options = {"steps": args.steps, "batch_size": args.batch}
    for substrate in gm.SUBSTRATES:
        for name, saliency in maps.items():
            for curve_fn in (gm.deletion_curve, gm.insertion_curve):
                curve = timed(
                    f"{curve_fn.__name__} {substrate} {name}",
                    functools.partial(
                        curve_fn,
                        model,
                        pixels,
                        preprocess,
                        saliency,
                        c,
                        substrate=substrate,
                        **options,
                    ),
                )
                print(f"{'':<42} AUC {curve.auc:.3f}")
    p = timed(
        "hide_top 20 %",
        lambda: gm.hide_top(model, pixels, preprocess, cam.normalized, c, 0.2),
        repeat=3,
    )
    print(f"{'':<42} p {p:.3f}")
    change = timed(
        "confidence_change",
        lambda: gm.confidence_change(model, pixels, preprocess, cam.normalized, c),
        repeat=3,
    )
    print(f"{'':<42} {change}")

    cascade = timed(
        "cascading_randomization",
        lambda: gm.cascading_randomization(model, pixels, preprocess, class_index=c),
    )
    for step in cascade.steps:
        print(
            f"  {step.name:<14} spearman {step.cam_similarity.spearman:+.3f} "
            f"ssim {step.cam_similarity.ssim:+.3f}  edge {step.edge_similarity.spearman:.3f}"
            f"{'  (empty map)' if step.empty else ''}"
        )

    box = sample_box(Path(args.image))
    if box is not None:
        loc = timed(
            "localize (full photo)", lambda: gm.localize(cam.normalized, box, photo.size), repeat=3
        )
        print(f"{'':<42} {loc}")


if __name__ == "__main__":
    main()
