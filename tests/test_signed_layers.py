"""Every method at every 4-D layer, signed or not, and Eigen-CAM's localization on signed layers.

The sweep runs each registered method at every 4-D layer of the bundled EfficientNet-Lite0 (real
weights, every sample photo) and of ResNet50 and EfficientNetB0 (random weights, one photo), from
one forward and one backward pass per (model, photo) (``all_layer_inputs``). Score-CAM needs one
forward pass per channel (62,240 for Lite0's layers), so it runs at each model's smallest signed
and smallest non-negative layer. At the layers whose activations are >= 0 the maps of Eigen-CAM
and Grad-CAM++ are compared with their formulas as they were before signed layers got their own
rule (written out below), value for value.

numpy's BLAS runs on one thread here: the sweep makes thousands of small SVDs, and on a 2-core
machine with TensorFlow's threads (or another process) busy, OpenBLAS's threads wait for each
other so long that a 196 x 576 SVD took 2.4 s instead of 0.05 s (the whole sweep 9 min, not 2).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import keras
import numpy as np
import pytest
from PIL import Image
from threadpoolctl import threadpool_limits

import gradcam_core as gc
from gradcam_core import engine, samples
from gradcam_core.cams import (
    CAM_METHODS,
    EigenCAM,
    GradCAMPlusPlus,
    LayerInputs,
    ScoreCAM,
    all_layer_inputs,
    guided_backprop,
)
from gradcam_core.cams.eigen_cam import feature_origin
from gradcam_core.cams.grad_cam_plus_plus import plus_plus_alphas
from gradcam_core.metrics.localization import mass_share, upsample_to_image

pytestmark = pytest.mark.slow

ADD_LAYERS = tuple(f"block{b}_add" for b in ("2b", "3b", "4b", "4c", "5b", "5c", "6b", "6c", "6d"))


# ------------------------------------------------------------------ the formulas before


def eigen_raw_before(activations: np.ndarray) -> np.ndarray:
    """Eigen-CAM as it was: A v_1, v_1 signed to correlate with the mean activation."""
    flat = activations.reshape(-1, activations.shape[-1])
    _, _, vt = np.linalg.svd(flat, full_matrices=False)
    direction = vt[0]
    projection = flat @ direction
    mean_activation = flat.mean(axis=1)
    agreement = np.dot(projection - projection.mean(), mean_activation - mean_activation.mean())
    if agreement == 0:
        agreement = projection.sum()
    direction = -direction if agreement < 0 else direction
    return np.tensordot(activations, direction, axes=([2], [0]))


def plus_plus_raw_before(activations: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """Grad-CAM++ as it was: alpha = g^2 / (2 g^2 + sum_ab A_ab g^3), 0 where that is 0."""
    g2 = gradients**2
    denominator = 2.0 * g2 + activations.sum(axis=(0, 1)) * g2 * gradients
    alphas = np.divide(g2, denominator, out=np.zeros_like(g2), where=denominator != 0)
    weights = (alphas * np.maximum(gradients, 0.0)).sum(axis=(0, 1))
    return np.tensordot(activations, weights, axes=([2], [0]))


# ------------------------------------------------------------------ the sweep


@dataclass
class Sweep:
    """What the sweep saw and what went wrong, for one model."""

    problems: list[str] = field(default_factory=list)
    maps: Counter = field(default_factory=Counter)  # method -> maps checked
    empty: Counter = field(default_factory=Counter)  # method -> empty maps
    unchanged: int = 0  # maps at layers with A >= 0 compared with the formulas before
    turned_over: list[str] = field(default_factory=list)  # old Eigen-CAM empty there, now -A v_1
    signed_layers: int = 0

    def check(self, condition: bool, what: str) -> None:
        if not condition:
            self.problems.append(what)


def _check_result(sweep: Sweep, kind: type, inputs: LayerInputs, result: gc.CamResult) -> None:
    where = f"{kind.name} at {inputs.layer}"
    sweep.maps[kind.name] += 1
    finite = all(np.all(np.isfinite(a)) for a in (result.raw, result.relu, result.normalized))
    sweep.check(finite, f"{where}: not finite")
    sweep.check(result.normalized.min() >= 0.0 and result.normalized.max() <= 1.0, where)
    if result.is_empty:
        sweep.empty[kind.name] += 1
        sweep.check(result.raw.max() <= 0 and not result.normalized.any(), f"{where}: empty?")
    if kind is EigenCAM and result.is_empty:
        # Empty only when no cell differs from the zero point along any direction.
        origin = feature_origin(inputs.activations)
        shifted = inputs.activations if origin is None else inputs.activations - origin
        rows = shifted.reshape(-1, shifted.shape[-1])
        sweep.check(np.allclose(rows, rows[0], atol=1e-12), f"{where}: empty with cells apart")


def _check_unchanged(sweep: Sweep, inputs: LayerInputs, results: dict) -> None:
    """At a layer with A >= 0, Eigen-CAM and Grad-CAM++ give the very values they gave before.

    Except one case: where the old sign rule left Eigen-CAM's map empty (every cell < 0) while
    the other orientation is not, the map is now that orientation, -A v_1 exactly.
    """
    activations, gradients = inputs.activations, inputs.gradients[0]
    eigen = eigen_raw_before(activations)
    if eigen.max() <= 0 and eigen.min() < 0:
        sweep.turned_over.append(inputs.layer)
        eigen = -eigen
    same = np.array_equal(results[EigenCAM].raw, eigen.astype(np.float32))
    sweep.check(same, f"Eigen-CAM changed at {inputs.layer}")
    before = plus_plus_raw_before(activations, gradients).astype(np.float32)
    same = np.array_equal(results[GradCAMPlusPlus].raw, before)
    sweep.check(same, f"Grad-CAM++ changed at {inputs.layer}")
    sweep.unchanged += 2


def _sweep_photo(sweep: Sweep, model, name: str, x: np.ndarray, reasons: dict) -> None:
    target = int(np.argmax(engine.forward(model, x).logits))
    for path, inputs in all_layer_inputs(model, x, target).items():
        signed = bool(np.any(inputs.activations < 0))
        sweep.signed_layers += signed
        alphas = plus_plus_alphas(inputs.activations, inputs.gradients[0])
        sweep.check(
            bool(np.all(np.isfinite(alphas)) and alphas.min() >= 0 and alphas.max() <= 0.5),
            f"Grad-CAM++ alphas at {path}",
        )
        results = {}
        for method_id, kind in CAM_METHODS.items():
            if kind.cost:
                continue  # Score-CAM: see _sweep_score_cam
            if (method_id, path) not in reasons:
                reasons[method_id, path] = kind.unsupported_reason(model, path)
            if reasons[method_id, path] is not None:
                continue  # the Methods page shows this reason instead of a map
            try:
                (result,) = kind().from_inputs(inputs)
            except Exception as error:
                sweep.problems.append(f"{kind.name} at {path} on {name}: {error!r}")
                continue
            _check_result(sweep, kind, inputs, result)
            results[kind] = result
            if kind is GradCAMPlusPlus:
                sweep.check(np.all(result.weights >= 0), f"negative Grad-CAM++ weight at {path}")
        if not signed and EigenCAM in results and GradCAMPlusPlus in results:
            _check_unchanged(sweep, inputs, results)
    guided = guided_backprop(model, x, target)
    sweep.check(bool(np.all(np.isfinite(guided))), f"guided backprop on {name}")


def _sweep_score_cam(sweep: Sweep, model, x: np.ndarray) -> None:
    """Score-CAM at the model's smallest signed layer and smallest layer with A >= 0."""
    forward = engine.forward(model, x, gc.list_layers(model))
    by_sign: dict[bool, tuple[int, str]] = {}
    for path, activations in forward.activations.items():
        signed = bool(np.any(activations < 0))
        candidate = (activations.shape[-1], path)
        by_sign[signed] = min(by_sign.get(signed, candidate), candidate)
    for _, path in by_sign.values():
        (result,) = ScoreCAM().from_forward(model, x, forward, path, [1])
        inputs = LayerInputs(path, forward.activations[path], (1,), (result.score,), "logit")
        _check_result(sweep, ScoreCAM, inputs, result)


def _sweep(model_name: str, weights: str | None, photo_ids: tuple[str, ...]) -> Sweep:
    keras.utils.set_random_seed(0)  # the same random weights on every run
    model = gc.load_model(model_name, weights=weights)
    sweep, reasons = Sweep(), {}
    for photo_id in photo_ids:
        x = gc.preprocess(model_name, samples.load_sample(photo_id).image)
        _sweep_photo(sweep, model, photo_id, x, reasons)
    _sweep_score_cam(sweep, model, x)
    for (_, path), reason in reasons.items():
        sweep.check(reason is None or bool(str(reason).strip()), f"no reason given at {path}")
    return sweep


SWEEPS = [
    ("efficientnet_lite0", "imagenet", tuple(samples.sample_ids())),
    ("resnet50", None, (samples.DEFAULT_SAMPLE,)),
    ("efficientnet_b0", None, (samples.DEFAULT_SAMPLE,)),
]


@pytest.mark.parametrize(("model_name", "weights", "photo_ids"), SWEEPS, ids=[s[0] for s in SWEEPS])
def test_every_method_at_every_layer(model_name, weights, photo_ids):
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):  # see the module's docstring
        sweep = _sweep(model_name, weights, photo_ids)
    print(
        f"\n{model_name}: {sum(sweep.maps.values())} maps in {time.perf_counter() - start:.0f} s, "
        f"{sweep.signed_layers} signed layer-photos, {sweep.unchanged} unchanged maps, "
        f"Eigen-CAM turned over at {sweep.turned_over}, empty: {dict(sweep.empty)}"
    )
    assert not sweep.problems, "\n".join(sweep.problems[:30])
    assert sweep.unchanged > 0 and sweep.signed_layers > 0
    assert sweep.maps[ScoreCAM.name] == 2


# ------------------------------------------------------------------ Eigen-CAM localization


def _eigen_shares(image: Image.Image, box, model) -> dict[str, tuple[float, bool]]:
    """{add layer: (Eigen-CAM's share of mass in the box, empty?)} for one photo."""
    x = gc.preprocess("efficientnet_lite0", image)
    forward = engine.forward(model, x, ADD_LAYERS)
    shares = {}
    for layer in ADD_LAYERS:
        result = EigenCAM().from_tensors(
            forward.activations[layer], None, layer=layer, class_index=0
        )
        full = upsample_to_image(result.normalized, *image.size)
        shares[layer] = (mass_share(full, box), result.is_empty)
    return shares


@pytest.fixture(scope="module")
def lite0():
    return gc.load_model("efficientnet_lite0")


def test_eigen_cam_at_the_add_layers_is_never_empty_and_finds_single_objects(lite0):
    every = {
        sample.id: _eigen_shares(samples.load_sample(sample.id).image, sample.objects[0].box, lite0)
        for sample in samples.list_samples()
    }
    assert all(not empty for shares in every.values() for _, empty in shares.values())
    assert all(layer in every["cat"] for layer in ADD_LAYERS)
    # The object's share of the photo: cat 0.89, motorcycle 0.60, coffee 0.29, rocket 0.03.
    large = [every[p][layer][0] for p in ("cat", "coffee", "motorcycle") for layer in ADD_LAYERS]
    assert np.mean(large) >= 0.70
    # The rocket is 27 px wide in a 640 px photo, less than a cell of the 14x14 layers (46 px):
    # no map at these resolutions holds most of its mass there. Still more than a flat map.
    rocket = samples.get_sample("rocket")
    x0, y0, x1, y1 = rocket.objects[0].box
    width, height = samples.load_sample("rocket").image.size
    flat_share = (x1 - x0) * (y1 - y0) / (width * height)
    assert np.mean([share for share, _ in every["rocket"].values()]) > 1.5 * flat_share


def _texture(name: str, size: tuple[int, int]) -> Image.Image:
    from skimage import data

    return Image.fromarray(getattr(data, name)()).convert("RGB").resize(size)


def _composites() -> list[tuple[str, Image.Image, tuple[int, int, int, int]]]:
    """The sample objects cut out by their boxes and pasted on textures: new photos, known boxes."""
    rng = np.random.default_rng(0)
    objects = []
    for sample_id in ("cat", "coffee", "motorcycle"):
        sample = samples.get_sample(sample_id)
        objects.append(
            (sample_id, samples.load_sample(sample_id).image.crop(sample.objects[0].box))
        )
    photos = []
    for texture in ("grass", "brick", "gravel"):
        back = _texture(texture, (480, 360))
        for label, cut in objects:
            for scale in (0.35, 0.6):
                width = int(480 * scale)
                height = min(340, int(width * cut.size[1] / cut.size[0]))
                piece = cut.resize((width, height))
                x0 = int(rng.integers(0, 480 - width + 1))
                y0 = int(rng.integers(0, 360 - height + 1))
                photo = back.copy()
                photo.paste(piece, (x0, y0))
                photos.append(
                    (f"{label} on {texture} at {scale}", photo, (x0, y0, x0 + width, y0 + height))
                )
    return photos


def test_eigen_cam_finds_objects_pasted_on_textures(lite0):
    shares, empties = [], 0
    for _, photo, box in _composites():
        for share, empty in _eigen_shares(photo, box, lite0).values():
            shares.append(share)
            empties += empty
    assert empties == 0
    assert np.mean(shares) >= 0.70
