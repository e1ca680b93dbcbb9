"""Grad-CAM against pytorch-grad-cam on ResNet50 at 224x224, CPU, one process, as ratios.

Torch is not an app dependency: install it only for this benchmark, in its own venv, e.g.

    python3 -m venv /work/venv-bench
    /work/venv-bench/bin/pip install -r requirements.txt -r requirements-bench.txt
    /work/venv-bench/bin/python benchmarks/bench_torch.py [--rounds 15] [--threads 2]

(on x86_64 Python 3.11 here, pip takes torch 2.14.1 / torchvision 0.29.1 from the local disk.)

Both sides use random weights and the same random 224x224 image, in inference mode:
  ours          gc.grad_cam on keras.applications.ResNet50(weights=None,
                classifier_activation=None), layer conv5_block3_out, a fixed class: one compiled
                forward pass and a backward pass from the logits to that layer only; 7x7 maps
  ours_224      the same plus the map upsampled to 224x224 (gc.upsample), as the torch side returns
  torch         pytorch-grad-cam's GradCAM on torchvision resnet50(weights=None).eval(), target
                layer layer4[-1], ClassifierOutputTarget(class): forward with hooks, backward
                (loss.backward, weight gradients included, as the library does), 224x224 map
  ours_forward  a compiled forward pass (engine.forward_batch), for scale
  torch_forward a torch forward pass under torch.inference_mode(), for scale
TensorFlow and torch get the same number of threads (--threads, default: all CPUs; TF intra-op,
inter-op 1; torch.set_num_threads, interop 1). So that one library's idle worker threads do not
eat the other's time slice, the sides run in alternating blocks of --block calls; the median per
call over all rounds is reported. --separate runs each side in its own process instead, to show
whether sharing a process changes anything.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LAYER_KERAS = "conv5_block3_out"
CLASS_INDEX = 281
SIZE = 224


def _configure_threads(threads: int) -> None:
    """Same thread counts on both sides; must run before TensorFlow executes anything."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)


def ours(image: np.ndarray) -> dict[str, Callable[[], object]]:
    import keras

    import gradcam_core as gc
    from gradcam_core import engine

    keras.utils.set_random_seed(0)
    model = keras.applications.ResNet50(weights=None, classifier_activation=None)
    x = image[None]

    def grad_cam():
        return gc.grad_cam(model, x, layer=LAYER_KERAS, class_index=CLASS_INDEX)

    def grad_cam_224():
        return gc.upsample(grad_cam().normalized, SIZE, SIZE)

    result = grad_cam()
    assert result.normalized.shape == (7, 7), result.normalized.shape
    assert grad_cam_224().shape == (SIZE, SIZE)
    return {
        "ours": grad_cam,
        "ours_224": grad_cam_224,
        "ours_forward": lambda: engine.forward_batch(model, x),
    }


def theirs(image: np.ndarray) -> dict[str, Callable[[], object]]:
    import torch
    import torchvision
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    torch.manual_seed(0)
    model = torchvision.models.resnet50(weights=None).eval()
    x = torch.from_numpy(image.transpose(2, 0, 1)[None].copy())
    cam = GradCAM(model=model, target_layers=[model.layer4[-1]])
    targets = [ClassifierOutputTarget(CLASS_INDEX)]

    def grad_cam():
        return cam(input_tensor=x, targets=targets)

    def forward():
        with torch.inference_mode():
            return model(x)

    assert grad_cam().shape == (1, SIZE, SIZE)
    return {"torch": grad_cam, "torch_forward": forward}


def blocked_medians(
    functions: dict[str, Callable[[], object]], rounds: int, block: int
) -> dict[str, float]:
    """Median seconds per call; each round runs every function `block` times in a row."""
    for fn in functions.values():  # warm-up: tracing, allocator, thread pools
        for _ in range(3):
            fn()
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, fn in functions.items():
            for _ in range(block):
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def measure(side: str, rounds: int, block: int, threads: int) -> dict[str, float]:
    if side in ("torch", "both"):
        # torch first: importing it (its triton package) after TensorFlow segfaults here.
        import pytorch_grad_cam  # noqa: F401
        import torch  # noqa: F401
        import torchvision  # noqa: F401
    _configure_threads(threads)
    image = np.random.default_rng(0).uniform(-1.0, 1.0, (SIZE, SIZE, 3)).astype(np.float32)
    functions: dict[str, Callable[[], object]] = {}
    if side in ("ours", "both"):
        functions.update(ours(image))
    if side in ("torch", "both"):
        functions.update(theirs(image))
    return blocked_medians(functions, rounds, block)


def versions() -> str:
    parts = []
    try:  # torch before TensorFlow (see measure)
        from importlib.metadata import version

        import torch
        import torchvision

        parts += [
            f"torch {torch.__version__}",
            f"torchvision {torchvision.__version__}",
            f"grad-cam {version('grad-cam')}",
        ]
    except ImportError:
        parts.append("torch not installed")
    import keras
    import tensorflow as tf

    return ", ".join([f"tensorflow {tf.__version__}", f"keras {keras.__version__}", *parts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--block", type=int, default=3, help="calls per side per round")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--separate", action="store_true", help="one process per side")
    parser.add_argument("--side", choices=["both", "ours", "torch"], default="both")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.json:  # a worker of --separate
        print(json.dumps(measure(args.side, args.rounds, args.block, args.threads)))
        return
    if args.separate:
        medians: dict[str, float] = {}
        for side in ("ours", "torch"):
            command = [sys.executable, __file__, "--json", "--side", side]
            command += ["--rounds", str(args.rounds), "--block", str(args.block)]
            command += ["--threads", str(args.threads)]
            output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            medians.update(json.loads(output.strip().splitlines()[-1]))
    else:
        medians = measure(args.side, args.rounds, args.block, args.threads)

    mode = "separate processes" if args.separate else "one process"
    print(
        f"ResNet50 {SIZE}x{SIZE}, random weights, CPU, {args.threads} threads each, {mode}, "
        f"{args.rounds} rounds x {args.block} calls, median per call"
    )
    print(versions())
    for name, seconds in medians.items():
        print(f"  {name:14s} {seconds * 1000:8.1f} ms")
    if {"ours", "torch"} <= medians.keys():
        print(f"  {'torch / ours':30s} {medians['torch'] / medians['ours']:6.2f}x")
        print(f"  {'torch / ours_224':30s} {medians['torch'] / medians['ours_224']:6.2f}x")
        print(f"  {'ours / ours_forward':30s} {medians['ours'] / medians['ours_forward']:6.2f}")
        print(f"  {'torch / torch_forward':30s} {medians['torch'] / medians['torch_forward']:6.2f}")


if __name__ == "__main__":
    main()
