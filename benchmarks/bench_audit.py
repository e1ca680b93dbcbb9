"""The dataset audit's speed and the Dataset page's memory, as ratios measured in one process.

    python benchmarks/bench_audit.py [--images 200] [--workers 2] [--rounds 3] [--skip-ray]
                                     [--skip-memory] [--only-memory]

Speed, on the bundled EfficientNet-Lite0 and its default layer, over a made set of ``--images``
photos (views of the sample photos, 480 x 360 JPEGs in two class folders):
  grad_cam    baseline: one gc.grad_cam call (compiled forward + head-only backward) on one
              preprocessed photo, the median of 20 after warming up
  local       gc.audit(..., engine="local"): per image, decode, forward, the maps of the
              predicted (and true) class, the measures, a thumbnail, and one batched forward
              pass for the deletion measure; written to a folder as the CLI does
  ray         the same with engine="ray" on a local Ray started for the run (--workers actors,
              each loading the model once)
Each runs on the photos and on half of them: the whole run, and the marginal cost of one more
image (the difference), which leaves out what a run pays once; ratios are ray / local in
images per second.
Memory (a fresh process driving the app with Streamlit's AppTest, VmHWM from /proc):
  baseline    the Grad-CAM page on its default photo
  dataset     then the Dataset page with the largest upload it accepts (300 images of 1 MP,
              300 MP in all, under 50 MB), audited with the default model
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PIL import Image

import gradcam_core as gc
from gradcam_core import samples

ROOT = Path(__file__).resolve().parents[1]


def made_photos(
    count: int, size: tuple[int, int], seed: int = 0, quality: int = 85
) -> dict[str, bytes]:
    """``count`` JPEG views of the sample photos (random crops, resized), in two folders."""
    rng = np.random.default_rng(seed)
    photos = {s.id: Image.open(s.path).convert("RGB") for s in samples.list_samples()}
    names = sorted(photos)
    files = {}
    for i in range(count):
        photo = photos[names[i % len(names)]]
        w, h = photo.size
        cw, ch = int(w * rng.uniform(0.6, 1.0)), int(h * rng.uniform(0.6, 1.0))
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        view = photo.crop((x, y, x + cw, y + ch)).resize(size)
        buffer = io.BytesIO()
        view.save(buffer, "JPEG", quality=quality)
        folder = "espresso" if names[i % len(names)] == "coffee" else "tabby"
        files[f"{folder}/{i:04d}.jpg"] = buffer.getvalue()
    return files


def write_folder(files: dict[str, bytes], folder: Path) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def grad_cam_seconds(rounds: int = 20) -> float:
    model = gc.load_model("efficientnet_lite0")
    x = gc.preprocess("efficientnet_lite0", samples.load_sample("cat").image)
    layer = gc.default_layer(model)
    gc.grad_cam(model, x, layer, 281)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        gc.grad_cam(model, x, layer, 281)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def audit_seconds(folder: Path, out: Path, engine: str, workers: int | None) -> float:
    """Seconds for a whole run: loading the model, compiling, (starting Ray), every image."""
    start = time.perf_counter()
    result = gc.audit(folder, out=out, engine=engine, workers=workers)  # type: ignore[arg-type]
    assert result.summary["errors"] == 0
    return time.perf_counter() - start


def ray_start_seconds(workers: int) -> float:
    import ray

    start = time.perf_counter()
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    seconds = time.perf_counter() - start
    ray.shutdown()
    return seconds


def speed(images: int, workers: int, skip_ray: bool, rounds: int) -> None:
    """Each engine on ``images`` photos and on half as many: the whole run, and the marginal
    cost of an image, (T(n) - T(n/2)) / (n/2), which leaves out what a run pays once (loading
    the model, compiling, starting Ray and its actors). Ray streams its results in bursts, so
    a pace read from its progress reports would not be fair to either engine. The runs are
    interleaved, ``rounds`` times, and the medians reported: other processes' load then weighs
    on both engines alike."""
    baseline = grad_cam_seconds()
    print(f"grad_cam (baseline): {baseline * 1000:.1f} ms per call")
    half = images // 2
    engines = ["local"] if skip_ray else ["local", "ray"]
    times: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        photos = made_photos(images, (480, 360))
        folders = {
            images: write_folder(photos, Path(tmp) / "full"),
            half: write_folder(dict(list(photos.items())[:half]), Path(tmp) / "half"),
        }
        for round_ in range(rounds):
            for engine in engines:
                for count, folder in folders.items():
                    out = Path(tmp) / f"{engine}_{count}_{round_}"
                    seconds = audit_seconds(
                        folder, out, engine, workers if engine == "ray" else None
                    )
                    times.setdefault((engine, count), []).append(seconds)
    total, marginal = {}, {}
    for engine in engines:
        total[engine] = statistics.median(times[(engine, images)])
        shorter = statistics.median(times[(engine, half)])
        marginal[engine] = (total[engine] - shorter) / (images - half)
        print(
            f"{engine}: {images} images in {total[engine]:.1f} s = {images / total[engine]:.2f} "
            f"images/s ({half} in {shorter:.1f} s; medians of {rounds}); one more image costs "
            f"{marginal[engine] * 1000:.0f} ms = {marginal[engine] / baseline:.1f}x one grad_cam"
        )
    if "ray" in total:
        print(
            f"ray / local, images per second ({workers} actors): whole run "
            f"{total['local'] / total['ray']:.2f}, per extra image "
            f"{marginal['local'] / marginal['ray']:.2f}; Ray's own start-up alone "
            f"{ray_start_seconds(workers):.1f} s"
        )


MEMORY_SCRIPT = r"""
import io, json, sys, zipfile
sys.path.insert(0, "tests")
from gradcam_core import tf_logging
tf_logging.load_tensorflow()
from apptest_support import new_app
from app_ui import pages_folder
from proc_status import status_kb
data = open(sys.argv[1], "rb").read()
with pages_folder.as_in_a_running_server():
    app = new_app()
    app.run()
    assert not app.exception
    baseline = status_kb("VmHWM")
    app.switch_page("pages/dataset.py")
    app.run()
    app.file_uploader(key="dataset_zip").upload("largest.zip", data, "application/zip")
    app.run()
    assert not app.error, [e.value for e in app.error]
    app.button(key="dataset_run").click().run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
print(json.dumps({"baseline_kb": baseline, "peak_kb": status_kb("VmHWM"), "metrics": metrics}))
"""


def largest_upload() -> bytes:
    """300 photos of 1 MP (1154 x 866), 299.8 MP in all, as a zip just under the 50 MB cap
    (the highest JPEG quality that fits)."""
    for quality in (95, 90, 85, 80, 75, 70, 60):
        files = made_photos(300, (1154, 866), seed=1, quality=quality)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for name, data in files.items():
                archive.writestr(f"largest/{name}", data)
        if len(buffer.getvalue()) <= 50 * 1024 * 1024:
            return buffer.getvalue()
    raise RuntimeError("no JPEG quality fits 300 photos in 50 MB")


def memory() -> None:
    data = largest_upload()
    with tempfile.NamedTemporaryFile(suffix=".zip") as handle:
        handle.write(data)
        handle.flush()
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", MEMORY_SCRIPT, handle.name],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    base, peak = result["baseline_kb"] / 1024, result["peak_kb"] / 1024
    print(
        f"memory: Dataset page with the largest accepted upload ({len(data) / 1e6:.1f} MB, "
        f"300 images, 300 MP): peak {peak:.0f} MB against {base:.0f} MB for the Grad-CAM page "
        f"alone = {peak / base:.2f}x (+{peak - base:.0f} MB); {result['metrics']}; "
        f"{seconds:.0f} s in all"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--only-memory", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not args.only_memory:
        speed(args.images, args.workers, args.skip_ray, args.rounds)
    if not args.skip_memory:
        memory()


if __name__ == "__main__":
    main()
