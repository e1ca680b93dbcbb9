"""Feature-map layers of a Keras model (nested models included), and readable subsets of them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import keras

from .errors import LayerError
from .i18n import Text

PATH_SEPARATOR = "/"

# Layers that only downsample or pass a feature map through: the map they emit shows the same
# features at the same or a lower resolution, so the default layer is the map before them.
_PASS_THROUGH = (
    keras.layers.MaxPooling2D,
    keras.layers.AveragePooling2D,
    keras.layers.Dropout,
    keras.layers.SpatialDropout2D,
    keras.layers.ZeroPadding2D,
)


@dataclass(frozen=True)
class LayerInfo:
    """A 4-D feature-map layer: its path name, kind and output size (h, w, channels)."""

    name: str
    kind: str
    height: int | None
    width: int | None
    channels: int | None

    @property
    def size_label(self) -> str:
        """'14×14×512' (unknown sizes shown as '?')."""
        return "×".join("?" if d is None else str(d) for d in self.shape)

    @property
    def shape(self) -> tuple[int | None, int | None, int | None]:
        return (self.height, self.width, self.channels)


def _walk(model: keras.Model, prefix: str = "") -> Iterator[tuple[str, keras.layers.Layer]]:
    """Yield (path, layer) for every leaf layer, input to output, recursing into sub-models."""
    for layer in model.layers:
        path = f"{prefix}{layer.name}"
        if isinstance(layer, keras.Model):
            yield from _walk(layer, prefix=path + PATH_SEPARATOR)
        else:
            yield path, layer


def _output_shape(layer: keras.layers.Layer) -> tuple[int | None, ...] | None:
    """The shape of the layer's first output, or None if the layer was never called."""
    try:
        output = layer.output
    except (AttributeError, ValueError, RuntimeError):
        return None
    if isinstance(output, (list, tuple)):
        if len(output) != 1:
            return None
        output = output[0]
    return tuple(output.shape)


def _is_feature_map(layer: keras.layers.Layer) -> bool:
    shape = _output_shape(layer)
    return shape is not None and len(shape) == 4 and not isinstance(layer, keras.layers.InputLayer)


def describe_layers(model: keras.Model) -> list[LayerInfo]:
    """Every layer whose output is a 4-D (N, h, w, c) feature map, input to output."""
    infos = []
    for path, layer in _walk(model):
        if _is_feature_map(layer):
            _, height, width, channels = _output_shape(layer)  # type: ignore[misc]
            infos.append(LayerInfo(path, type(layer).__name__, height, width, channels))
    return infos


def list_layers(model: keras.Model) -> list[str]:
    """Names of the 4-D feature-map layers, input to output (nested ones as 'sub/layer')."""
    return [info.name for info in describe_layers(model)]


def find_layer(model: keras.Model, name: str) -> tuple[str, keras.layers.Layer]:
    """Resolve a layer by its path ('sub/layer') or by a plain name that is unique in the model."""
    leaves = list(_walk(model))
    for path, layer in leaves:
        if path == name:
            return path, _require_feature_map(path, layer)
    matches = [(p, layer) for p, layer in leaves if p.rsplit(PATH_SEPARATOR, 1)[-1] == name]
    if len(matches) == 1:
        path, layer = matches[0]
        return path, _require_feature_map(path, layer)
    if len(matches) > 1:
        options = ", ".join(p for p, _ in matches)
        raise LayerError(
            Text(
                "Layer name '{name}' is ambiguous in this model; use one of: {options}.",
                name=name,
                options=options,
            )
        )
    raise LayerError(
        Text(
            "Layer '{name}' is not in model '{model}'; pick one of the listed feature-map layers.",
            name=name,
            model=model.name,
        )
    )


def _require_feature_map(path: str, layer: keras.layers.Layer) -> keras.layers.Layer:
    if not _is_feature_map(layer):
        raise LayerError(
            Text(
                "Layer '{path}' does not output a 4-D feature map; Grad-CAM needs a convolutional "
                "layer.",
                path=path,
            )
        )
    return layer


def _is_logits_conv(layer: keras.layers.Layer, num_classes: int | None) -> bool:
    """A 1x1 convolution with one filter per class: class scores laid out on a grid."""
    return (
        isinstance(layer, keras.layers.Conv2D)
        and tuple(layer.kernel_size) == (1, 1)
        and num_classes is not None
        and layer.filters == num_classes
    )


def default_layer(model: keras.Model) -> str:
    """The last 4-D feature map before global pooling or flatten.

    Walks back from the last 4-D layer in topological order (the one the head pools), skipping
    pooling, dropout and padding layers (they only downsample or pass the same map through), maps
    of a single cell, and a 1x1 logits convolution with the activations that follow it.
    """
    num_classes = model.outputs[0].shape[-1] if model.outputs else None
    candidates = [(path, layer) for path, layer in _walk(model) if _is_feature_map(layer)]
    while candidates:
        path, layer = candidates[-1]
        shape = _output_shape(layer)
        single_cell = shape is not None and shape[1] == 1 and shape[2] == 1
        head_activation = isinstance(layer, (keras.layers.Activation, keras.layers.Softmax)) and (
            len(candidates) > 1 and _is_logits_conv(candidates[-2][1], num_classes)
        )
        if (
            isinstance(layer, _PASS_THROUGH)
            or single_cell
            or head_activation
            or _is_logits_conv(layer, num_classes)
        ):
            candidates.pop()
            continue
        return path
    raise LayerError(
        Text("Model '{model}' has no 4-D feature-map layer for Grad-CAM.", model=model.name)
    )


# --- the layers a page shows: a readable subset of a model's many layers ---------------------

_BLOCK = re.compile(r"^(.*?block_?\d+[a-z]?)(?:_|$)", re.IGNORECASE)


def block_key(name: str) -> str:
    """The block a layer belongs to: 'block2a' for 'block2a_expand_conv', 'conv2_block1' for
    'conv2_block1_out'; otherwise the name up to its first '_' ('stem', 'top')."""
    leaf = name.rsplit(PATH_SEPARATOR, 1)[-1]
    match = _BLOCK.match(leaf)
    return match.group(1) if match else leaf.split("_", 1)[0]


def block_outputs(names: Sequence[str]) -> list[str]:
    """The last layer of each run of layers that share a block, input to output."""
    return [
        name
        for i, name in enumerate(names)
        if i + 1 == len(names) or block_key(names[i + 1]) != block_key(name)
    ]


def resolution_outputs(layers: Sequence[LayerInfo]) -> list[str]:
    """The last layer at each spatial resolution (h, w), input to output."""
    return [
        info.name
        for i, info in enumerate(layers)
        if i + 1 == len(layers) or layers[i + 1].shape[:2] != info.shape[:2]
    ]


def every_nth(names: Sequence[str], n: int) -> list[str]:
    """names[0], names[n], names[2n], ... and always the last layer."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}.")
    chosen = list(names[::n])
    if names and chosen[-1] != names[-1]:
        chosen.append(names[-1])
    return chosen


def nearest_layer(names: Sequence[str], shown: Sequence[str], current: str | None) -> str:
    """The shown layer closest in depth to ``current`` (the last shown one if unknown)."""
    if not shown:
        raise ValueError("No layers to choose from.")
    if current in shown:
        return current  # type: ignore[return-value]
    if current not in names:
        return shown[-1]
    order = {name: i for i, name in enumerate(names)}
    depth = order[current]
    return min(shown, key=lambda name: (abs(order[name] - depth), order[name]))
