"""Grad-CAM speed on the bundled model, as ratios measured in one process.

    python benchmarks/bench_gradcam.py [--repeats 20] [--model efficientnet_lite0]

Baselines, all on the same preprocessed sample photo and default layer:
  forward      one compiled forward pass (engine.forward_batch: a traced tf.function)
  keras_eager  the official Keras Grad-CAM example's recipe: a grad model
               keras.Model(inputs, [layer.output, outputs]) called eagerly under a GradientTape
               per call, then pooled gradients, weighted sum, ReLU and normalization
Measured:
  grad_cam     gc.grad_cam (compiled forward + head-only backward + numpy maps)
  class_switch a new class for a photo whose forward pass is cached (what the app does)
  top5_batched the top-5 classes from one forward pass (GradCAM.for_classes)
  top5_serial  the top-5 classes with five gc.grad_cam calls
Each function is warmed up (compiled) first; calls are interleaved round by round so load from
other processes affects all alike, and the median of the rounds is reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras
import numpy as np
import tensorflow as tf

import gradcam_core as gc
from gradcam_core import engine, samples


def keras_example_recipe(model: keras.Model, layer: str) -> Callable[[np.ndarray, int], np.ndarray]:
    """The Keras example's make_gradcam_heatmap, eager, with its grad model built once."""
    grad_model = keras.Model(model.inputs, [model.get_layer(layer).output, model.output])

    def heatmap(x: np.ndarray, class_index: int) -> np.ndarray:
        with tf.GradientTape() as tape:
            layer_output, predictions = grad_model(x)
            class_channel = predictions[:, class_index]
        grads = tape.gradient(class_channel, layer_output)
        pooled = tf.reduce_mean(grads, axis=(0, 1, 2))
        cam = tf.squeeze(layer_output[0] @ pooled[..., tf.newaxis])
        cam = tf.maximum(cam, 0) / tf.math.reduce_max(cam)
        return cam.numpy()

    return heatmap


def interleaved_medians(
    functions: dict[str, Callable[[], object]], rounds: int
) -> dict[str, float]:
    """Median seconds per function, timing one call of each per round."""
    for fn in functions.values():
        fn()
        fn()
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, fn in functions.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--model", default=gc.DEFAULT_MODEL)
    parser.add_argument("--sample", default=samples.DEFAULT_SAMPLE)
    args = parser.parse_args()

    model = gc.load_model(args.model)
    layer = gc.default_layer(model)
    x = gc.preprocess(args.model, samples.load_sample(args.sample).image)
    top5 = [p.index for p in gc.top_k(engine.forward(model, x).logits, 5)]
    target = top5[0]
    cached = engine.forward(model, x, [layer])
    recipe = keras_example_recipe(model, layer)
    method = gc.GradCAM()

    # The recipe and ours must draw the same map before their speeds are compared.
    ours = gc.grad_cam(model, x, layer=layer, class_index=target).normalized
    np.testing.assert_allclose(recipe(x, target), ours, atol=1e-4)

    medians = interleaved_medians(
        {
            "forward": lambda: engine.forward_batch(model, x),
            "grad_cam": lambda: gc.grad_cam(model, x, layer=layer, class_index=target),
            "class_switch": lambda: method.from_forward(model, x, cached, layer, [top5[1]]),
            "keras_eager": lambda: recipe(x, target),
            "top5_batched": lambda: method.for_classes(model, x, layer, top5),
            "top5_serial": lambda: [
                gc.grad_cam(model, x, layer=layer, class_index=c) for c in top5
            ],
        },
        args.repeats,
    )
    print(f"model {args.model}, layer {layer}, sample {args.sample}, {args.repeats} rounds")
    print(f"tensorflow {tf.__version__}, keras {keras.__version__}, {os.cpu_count()} CPUs")
    for name, seconds in medians.items():
        print(f"  {name:13s} {seconds * 1000:8.2f} ms")
    ratios = {
        "grad_cam / forward (target <= 1.3)": medians["grad_cam"] / medians["forward"],
        "grad_cam / keras_eager (target <= 0.5)": medians["grad_cam"] / medians["keras_eager"],
        "class_switch / forward": medians["class_switch"] / medians["forward"],
        "top5_batched / top5_serial": medians["top5_batched"] / medians["top5_serial"],
    }
    for name, ratio in ratios.items():
        print(f"  {name:40s} {ratio:6.3f}")


if __name__ == "__main__":
    main()
