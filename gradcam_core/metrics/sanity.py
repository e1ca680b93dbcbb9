"""Cascading model randomization (Adebayo et al. 2018): does the map depend on the weights?

On a copy of the model (the original is never touched), the weighted layers are re-initialized
cumulatively from the logits down, one group at a time (a group is a block, such as every layer
named ``block6a_*``). After each step the map is recomputed at the same layer and class and
compared with the original map by Spearman rank correlation and SSIM. A map that explains the
model changes as its weights are destroyed; the Sobel edge map, which ignores the model, stays
identical (similarity 1): it is the baseline that shows what "no dependence on the model" looks
like.

The copy is randomized in place step after step, so the engine compiles its passes once for the
copy (a few seconds for a real network); the compiled graph reads the variables, so later steps
see the new weights. The copy is freed at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import keras
import numpy as np
from scipy import stats
from skimage.metrics import structural_similarity

from .. import engine
from ..cams import BaseCAM, GradCAM
from ..engine import Score
from ..layers import PATH_SEPARATOR, default_layer, find_layer
from ..memory import release_memory
from ..modifiers import logits_view
from .baselines import check_pixels, edge_saliency
from .faithfulness import Preprocess

Reinit = Literal["initializer", "normal"]
REINITS: tuple[Reinit, ...] = ("initializer", "normal")
DEFAULT_MAX_STEPS = 20
SSIM_WINDOW = 7  # skimage's default window; smaller maps use the largest odd side that fits
Progress = Callable[[int, int], None]  # (steps done, total)
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class LayerGroup:
    """Weighted layers re-initialized together in one step, named after their block."""

    name: str
    layers: tuple[str, ...]  # layer paths ('sub/layer' inside nested models), top-down


@dataclass(frozen=True)
class Similarity:
    """Similarity of two maps of the same shape."""

    spearman: float  # rank correlation; nan when a map is constant (no ranking)
    ssim: float  # structural similarity, data_range 1; nan for maps smaller than 3 x 3


@dataclass(frozen=True)
class RandomizationStep:
    """The map after randomizing every group down to this one."""

    name: str  # the group randomized at this step
    layers: tuple[str, ...]
    cam: np.ndarray  # (h, w) normalized map of the randomized model
    empty: bool  # no positive evidence left: the map is all zeros, its Spearman is nan
    cam_similarity: Similarity  # against the original map
    edge_similarity: Similarity  # edge map now against the edge map before: always 1


@dataclass(frozen=True)
class CascadeResult:
    """Cascading randomization of one model, layer and class, top-down."""

    layer: str
    class_index: int
    original: np.ndarray  # (h, w) normalized map of the intact model
    edge: np.ndarray  # (H, W) Sobel edge map of the image
    steps: tuple[RandomizationStep, ...]

    @property
    def names(self) -> list[str]:
        """Group names, top-down (the x axis of the plot)."""
        return [s.name for s in self.steps]

    @property
    def spearman(self) -> np.ndarray:
        """Spearman rank correlation of each step's map with the original (nan: constant map)."""
        return np.array([s.cam_similarity.spearman for s in self.steps])

    @property
    def ssim(self) -> np.ndarray:
        """SSIM of each step's map with the original."""
        return np.array([s.cam_similarity.ssim for s in self.steps])

    @property
    def edge_spearman(self) -> np.ndarray:
        return np.array([s.edge_similarity.spearman for s in self.steps])

    @property
    def edge_ssim(self) -> np.ndarray:
        return np.array([s.edge_similarity.ssim for s in self.steps])


# -- similarity ------------------------------------------------------------------------------


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of the ranks (ties share their mean rank); nan if a map is constant."""
    a, b = _pair(a, b)
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(stats.spearmanr(a.ravel(), b.ravel()).statistic)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM with data_range 1 over a uniform window of min(7, the largest odd side that fits)."""
    a, b = _pair(a, b)
    side = min(SSIM_WINDOW, *a.shape)
    window = side if side % 2 else side - 1
    if window < 3:
        return float("nan")
    return float(structural_similarity(a, b, data_range=1.0, win_size=window))


def similarity(a: np.ndarray, b: np.ndarray) -> Similarity:
    """Spearman and SSIM of two maps of the same shape (normalized to [0, 1] for SSIM)."""
    return Similarity(spearman(a, b), ssim(a, b))


def _pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"Compare two (h, w) maps of the same shape, got {a.shape} and {b.shape}.")
    return a, b


# -- which layers, in which steps ------------------------------------------------------------


def weighted_layers(model: keras.Model, prefix: str = "") -> Iterator[tuple[str, keras.Layer]]:
    """(path, layer) of every leaf layer that has weights, input to output, into sub-models."""
    for layer in model.layers:
        path = f"{prefix}{layer.name}"
        if isinstance(layer, keras.Model):
            yield from weighted_layers(layer, path + PATH_SEPARATOR)
        elif layer.weights:
            yield path, layer


def block_name(path: str) -> str:
    """The block of a layer: its name up to the first '_'-part with a digit ('block6a_dwconv' ->
    'block6a', 'conv5_block3_out' -> 'conv5', 'block_16_project' -> 'block_16'), else the first
    part ('top_conv' -> 'top'); a sub-model's path is kept ('base/block6a')."""
    head, _, name = path.rpartition(PATH_SEPARATOR)
    parts = name.split("_")
    end = next((i for i, part in enumerate(parts) if _DIGIT.search(part)), 0)
    block = "_".join(parts[: end + 1])
    return f"{head}{PATH_SEPARATOR}{block}" if head else block


def layer_groups(model: keras.Model, max_steps: int = DEFAULT_MAX_STEPS) -> list[LayerGroup]:
    """Weighted layers top-down, grouped by block; runs of blocks merged into <= max_steps."""
    if max_steps < 1:
        raise ValueError(f"Use at least one step, got {max_steps}.")
    blocks: list[tuple[str, list[str]]] = []
    for path, _ in reversed(list(weighted_layers(model))):
        name = block_name(path)
        if blocks and blocks[-1][0] == name:
            blocks[-1][1].append(path)
        else:
            blocks.append((name, [path]))
    chunks = np.array_split(np.arange(len(blocks)), min(max_steps, len(blocks)))
    groups = []
    for chunk in chunks:
        first, last = blocks[chunk[0]][0], blocks[chunk[-1]][0]
        name = first if first == last else f"{first} … {last}"
        groups.append(LayerGroup(name, tuple(p for i in chunk for p in blocks[i][1])))
    return groups


# -- re-initialization -----------------------------------------------------------------------


def _seed(seed: int, *keys: int) -> int:
    return int(np.random.SeedSequence([seed, *keys]).generate_state(1)[0] & 0x7FFFFFFF)


def _initializer(layer: keras.Layer, variable_name: str) -> keras.initializers.Initializer | None:
    """The layer's own initializer of a variable: kernel -> kernel_initializer (or
    depthwise_initializer for a depthwise kernel), gamma -> gamma_initializer, ..."""
    stem = variable_name.removesuffix("_kernel")
    for attribute in (f"{variable_name}_initializer", f"{stem}_initializer"):
        initializer = getattr(layer, attribute, None)
        if initializer is not None:
            return keras.initializers.get(initializer)
    if variable_name == "kernel":
        initializer = getattr(layer, "depthwise_initializer", None)
        return None if initializer is None else keras.initializers.get(initializer)
    return None


def _seeded(initializer: keras.initializers.Initializer, seed: int):
    config = initializer.get_config()
    if "seed" not in config:
        return initializer  # deterministic: zeros, ones, constants
    return type(initializer).from_config({**config, "seed": seed})


def fresh_value(
    layer: keras.Layer, variable: keras.Variable, seed: int, method: Reinit
) -> np.ndarray:
    """A new value for one variable: its layer's initializer (seeded), or, for "normal", a
    trainable variable ~ N(0, std of its current values) and a non-trainable one (BatchNorm's
    moving mean and variance) from its initializer, so variances stay positive."""
    shape, dtype = tuple(variable.shape), variable.dtype
    current = np.asarray(variable.numpy(), dtype=np.float64)
    initializer = _initializer(layer, variable.name)
    if (method == "normal" and variable.trainable) or initializer is None:
        scale = float(current.std()) or 0.01
        return np.random.default_rng(seed).normal(0.0, scale, shape).astype(current.dtype)
    return np.asarray(keras.ops.convert_to_numpy(_seeded(initializer, seed)(shape, dtype)))


def randomize_layer(layer: keras.Layer, seed: int, method: Reinit = "initializer") -> None:
    """Re-initialize every weight of one layer in place (seeded per variable)."""
    if method not in REINITS:
        raise ValueError(f"Unknown re-initialization {method!r}; use one of {REINITS}.")
    layer.set_weights(
        [fresh_value(layer, v, _seed(seed, i), method) for i, v in enumerate(layer.weights)]
    )


def _leaves(model: keras.Model) -> dict[str, keras.Layer]:
    return dict(weighted_layers(model))


def copy_model(model: keras.Model) -> keras.Model:
    """An independent copy: clone_model + set_weights, checked to share no variable."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    originals = {id(v.value) for v in model.weights}
    if any(id(v.value) in originals for v in copy.weights):
        raise RuntimeError(
            "The model copy shares weights with the original; refusing to randomize."
        )
    return copy


def randomize_groups(
    copy: keras.Model,
    groups: list[LayerGroup],
    seed: int = 0,
    method: Reinit = "initializer",
    start: int = 0,
) -> None:
    """Re-initialize groups[start:] of the copy in place; layer seeds depend on (seed, group,
    layer), so cumulative steps and a one-shot copy get the same weights."""
    leaves = _leaves(copy)
    for g, group in enumerate(groups[start:], start=start):
        for i, path in enumerate(group.layers):
            randomize_layer(leaves[path], _seed(seed, g, i), method)


def randomized_copy(
    model: keras.Model,
    groups: list[LayerGroup],
    seed: int = 0,
    method: Reinit = "initializer",
) -> keras.Model:
    """A copy of the logits view of the model with the given groups re-initialized."""
    copy = copy_model(logits_view(model))
    randomize_groups(copy, groups, seed, method)
    return copy


# -- the cascade -----------------------------------------------------------------------------


def _normalized_map(
    cam: BaseCAM, model: keras.Model, x: np.ndarray, layer: str, class_index: int, score: Score
) -> tuple[np.ndarray, bool]:
    """The normalized map and its empty flag; an all-zero map when the model turned non-finite."""
    try:
        result = cam(model, x, layer, class_index, score)
    except ValueError as exc:  # relu_and_normalize refuses NaN / inf maps
        if "NaN" not in str(exc):
            raise
        _, height, width, _ = find_layer(model, layer)[1].output.shape
        return np.zeros((height, width), dtype=np.float32), True
    return result.normalized, result.is_empty


def cascading_randomization(
    model: keras.Model,
    pixels: np.ndarray,
    preprocess: Preprocess,
    layer: str | None = None,
    class_index: int | None = None,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    seed: int = 0,
    method: Reinit = "initializer",
    score: Score = "logit",
    cam: BaseCAM | None = None,
    progress: Progress | None = None,
) -> CascadeResult:
    """Randomize the model top-down in <= max_steps groups; compare each new map with the original.

    pixels: the model-sized RGB image (H, W, 3) in 0..255; layer defaults to the default layer,
    class_index to the top-1 class, cam to Grad-CAM.
    """
    cam = cam or GradCAM()
    image = check_pixels(pixels)
    x = np.asarray(preprocess(image[None].astype(np.float32)), dtype=np.float32)
    base = logits_view(model)
    layer = find_layer(base, layer or default_layer(base))[0]
    if class_index is None:
        class_index = int(np.argmax(engine.forward(base, x).logits))
    original, _ = _normalized_map(cam, base, x, layer, class_index, score)
    edge = edge_saliency(image)
    groups = layer_groups(base, max_steps)
    copy = copy_model(base)
    steps = []
    try:
        for g, group in enumerate(groups):
            randomize_groups(copy, groups[: g + 1], seed, method, start=g)
            new_map, empty = _normalized_map(cam, copy, x, layer, class_index, score)
            steps.append(
                RandomizationStep(
                    name=group.name,
                    layers=group.layers,
                    cam=new_map,
                    empty=empty,
                    cam_similarity=similarity(original, new_map),
                    edge_similarity=similarity(edge, edge_saliency(image)),
                )
            )
            if progress is not None:
                progress(g + 1, len(groups))
    finally:
        del copy
        release_memory()  # the copy and its compiled passes, back to the system
    return CascadeResult(layer, int(class_index), original, edge, tuple(steps))


def steps_to_show(count: int, wanted: int) -> list[int]:
    """Up to ``wanted`` step indices spread evenly over 0..count-1, first and last included."""
    if count < 1 or wanted < 1:
        return []
    return sorted({int(i) for i in np.rint(np.linspace(0, count - 1, min(wanted, count)))})
