"""All-layers Grad-CAM from one pass vs calling grad_cam layer by layer.

    /work/venv/bin/python benchmarks/bench_layers.py [--repeats 3] [--models mobilenet_v2 ...]

For each model: Grad-CAM of every 4-D layer (``gc.list_layers``) for the top-1 class, once with
``grad_cam_all_layers`` (one forward and one backward pass through ``engine.layer_gradients``)
and once with ``gc.grad_cam`` per layer (a forward and a head-only backward pass per layer).
Both run once to warm up (compile) and are then timed in the same process; the best of
``--repeats`` runs is reported with the ratio, and the maps are checked to agree within 1e-5
(normalized maps, absolute; raw maps, relative to each map's largest |value|).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras
import numpy as np

import gradcam_core as gc
from gradcam_core.cams import CamResult, grad_cam_all_layers

TOLERANCE = 1e-5


def mobilenet_v2() -> tuple[keras.Model, str]:
    """Keras MobileNetV2 with random weights, returning logits."""
    return keras.applications.MobileNetV2(weights=None, classifier_activation=None), "random"


def efficientnet_lite0() -> tuple[keras.Model, str]:
    """The bundled EfficientNet-Lite0, with its ImageNet weights when installed."""
    try:
        return gc.load_model("efficientnet_lite0"), "imagenet"
    except gc.ModelUnavailableError:
        return gc.load_model("efficientnet_lite0", weights=None), "random"


MODELS: dict[str, Callable[[], tuple[keras.Model, str]]] = {
    "mobilenet_v2": mobilenet_v2,
    "efficientnet_lite0": efficientnet_lite0,
}


def per_layer(model: keras.Model, x: np.ndarray, layers: list[str], c: int) -> dict:
    """{layer: Grad-CAM}, one gc.grad_cam call per layer."""
    return {name: gc.grad_cam(model, x, layer=name, class_index=c) for name in layers}


def best_time(fn: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` timed calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def max_differences(a: dict[str, CamResult], b: dict[str, CamResult]) -> tuple[float, float]:
    """(max |normalized_a - normalized_b|, max |raw_a - raw_b| / max |raw_b|) over all layers."""
    normalized, raw = 0.0, 0.0
    for name, result in a.items():
        other = b[name]
        normalized = max(normalized, float(np.abs(result.normalized - other.normalized).max()))
        scale = max(float(np.abs(other.raw).max()), np.finfo(np.float32).tiny)
        raw = max(raw, float(np.abs(result.raw - other.raw).max()) / scale)
    return normalized, raw


def bench(name: str, repeats: int) -> bool:
    """Benchmark one model; True when the maps agree within the tolerance."""
    try:
        model, weights = MODELS[name]()
    except Exception as error:  # a model still being finished must not stop the others
        print(f"{name}: skipped, the model did not load ({type(error).__name__}: {error})")
        return True
    size = model.inputs[0].shape[1]
    x = np.random.default_rng(0).uniform(-1, 1, size=(1, size, size, 3)).astype(np.float32)
    layers = gc.list_layers(model)
    c = int(np.argmax(gc.forward(model, x).logits))

    start = time.perf_counter()
    together = grad_cam_all_layers(model, x, c, layers)
    warm_all = time.perf_counter() - start
    start = time.perf_counter()
    separate = per_layer(model, x, layers, c)
    warm_each = time.perf_counter() - start

    t_all = best_time(lambda: grad_cam_all_layers(model, x, c, layers), repeats)
    t_each = best_time(lambda: per_layer(model, x, layers, c), repeats)
    normalized, raw = max_differences(together, separate)
    ok = normalized <= TOLERANCE and raw <= TOLERANCE
    print(f"{name} ({weights} weights, {size}x{size}, {len(layers)} layers, class {c})")
    print(f"  warm-up (compile + run): all layers {warm_all:.1f} s, per layer {warm_each:.1f} s")
    print(f"  all layers, one pass:    {t_all * 1000:9.1f} ms")
    print(f"  grad_cam layer by layer: {t_each * 1000:9.1f} ms")
    print(f"  speed-up:                {t_each / t_all:9.1f} x")
    print(
        f"  max difference: normalized {normalized:.2e}, raw (relative) {raw:.2e} "
        f"-> {'OK' if ok else 'MISMATCH'} (tolerance {TOLERANCE:.0e})"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results = [bench(name, args.repeats) for name in args.models]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
