"""Shapes and parameter counts of a Keras model config, worked out without building the model.

A model file's config says how large every layer is; Keras allocates those weights before it reads
the file's stored ones, so a config claiming a Dense layer of 250 million units costs gigabytes
before anything fails. ``summarize`` follows the config in plain Python instead: each accepted
layer class has a rule giving its output shape and its number of weights from its input shape
and its settings, as Keras' own ``compute_output_shape`` and ``build`` do (channels last only).
For every accepted architecture the count equals ``model.count_params()`` of the built model
(tests check the keras.applications models). The rules' keys are the accepted layer classes.

Shapes here leave out the batch axis: an image input is (H, W, C).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import ModelRefusedError
from ..i18n import Text

Shape = tuple[int | None, ...]
Config = dict[str, Any]

MODEL_CLASSES = frozenset({"Sequential", "Functional"})
MAX_LAYERS = 5000  # keras.applications' largest (NASNetLarge) has about 1000
MAX_ACTIVATION_ELEMENTS = 2**25  # 33.5 M values (134 MB in float32) for one image at one layer


@dataclass(frozen=True)
class LayerFacts:
    """One layer: its name, class, number of weights and output shape."""

    name: str
    kind: str
    parameters: int
    output: Shape


@dataclass
class _Tally:
    layers: list[LayerFacts] = field(default_factory=list)

    def add(self, facts: LayerFacts) -> None:
        if len(self.layers) >= MAX_LAYERS:
            raise ModelRefusedError(
                Text("The model has more than {max_layers} layers.", max_layers=MAX_LAYERS)
            )
        self.layers.append(facts)


@dataclass(frozen=True)
class Architecture:
    """What a config implies: input and output shapes, weights, activation sizes."""

    inputs: tuple[Shape, ...]
    outputs: tuple[Shape, ...]
    layers: tuple[LayerFacts, ...]  # every leaf layer, in the config's order

    @property
    def parameters(self) -> int:
        """Number of weights the built model allocates (model.count_params())."""
        return sum(f.parameters for f in self.layers)

    @property
    def largest_activation(self) -> int:
        """Values in the largest layer output, for one image."""
        return max((_size(f.output) for f in self.layers), default=0)

    @property
    def feature_maps(self) -> int:
        """Layers whose output is an (h, w, c) feature map."""
        return sum(1 for f in self.layers if len(f.output) == 3)

    @property
    def heaviest(self) -> LayerFacts | None:
        """The layer with the most weights."""
        return max(self.layers, key=lambda f: f.parameters, default=None)

    @property
    def widest(self) -> LayerFacts | None:
        """The layer with the largest output."""
        return max(self.layers, key=lambda f: _size(f.output), default=None)


def check_activations(architecture: Architecture) -> None:
    """Refuse a layer whose output for one image exceeds MAX_ACTIVATION_ELEMENTS values."""
    widest = architecture.widest
    if widest is not None and _size(widest.output) > MAX_ACTIVATION_ELEMENTS:
        raise ModelRefusedError(
            Text(
                "its layer '{name}' ({kind}) would output {shape} values per image, over the "
                "{limit} MB limit.",
                name=widest.name,
                kind=widest.kind,
                shape=_shape_text(widest.output),
                limit=MAX_ACTIVATION_ELEMENTS * 4 // 2**20,
            )
        )


def _size(shape: Shape) -> int:
    return math.prod(d for d in shape if d is not None) if shape else 1


def summarize(config: Config) -> Architecture:
    """Shapes and weights of a Keras 3 model config (a Sequential or Functional at the top)."""
    if config.get("class_name") not in MODEL_CLASSES:
        raise ModelRefusedError(
            Text("The config does not describe a Sequential or Functional model.")
        )
    tally = _Tally()
    inputs = _model_inputs(config)
    outputs = _call_model(config, inputs, tally, count=True)
    return Architecture(tuple(inputs), tuple(outputs), tuple(tally.layers))


# ---------------------------------------------------------------- models


def _name(entry: Config) -> str:
    name = entry.get("name") or _cfg(entry).get("name")
    if not isinstance(name, str):
        raise ModelRefusedError(Text("A layer in the config has no name."))
    return name


def _cfg(entry: Config) -> Config:
    config = entry.get("config")
    if not isinstance(config, dict):
        kind = entry.get("class_name")
        raise ModelRefusedError(Text("A '{kind}' entry in the config has no settings.", kind=kind))
    return config


def _layers(entry: Config) -> list[Config]:
    layers = _cfg(entry).get("layers")
    if not isinstance(layers, list) or not all(isinstance(x, dict) for x in layers):
        raise ModelRefusedError(
            Text("Model '{model}' in the config lists no layers.", model=_name(entry))
        )
    return layers


def _input_shape(config: Config) -> Shape:
    """(H, W, C) of an InputLayer's config (or a first layer's batch_shape)."""
    batch_shape = config.get("batch_shape") or config.get("batch_input_shape")
    if isinstance(batch_shape, list) and batch_shape:
        return _as_shape(batch_shape[1:])
    shape = config.get("shape") or config.get("input_shape")
    if isinstance(shape, list):
        return _as_shape(shape)
    raise ModelRefusedError(Text("The model's input has no shape in the config."))


def _as_shape(values: list) -> Shape:
    if not all(v is None or (type(v) is int and v > 0) for v in values):
        raise ModelRefusedError(Text("The config has an invalid shape {values}.", values=values))
    return tuple(values)


def _model_inputs(entry: Config) -> list[Shape]:
    """The shapes a top-level model is called with, from its InputLayer entries."""
    layers = _layers(entry)
    if entry["class_name"] == "Sequential":
        first = layers[0] if layers else {}
        built = _cfg(entry).get("build_input_shape")
        if first.get("class_name") == "InputLayer":
            return [_input_shape(_cfg(first))]
        if isinstance(built, list) and built:
            return [_as_shape(built[1:])]
        if first.get("class_name") in MODEL_CLASSES:
            return _model_inputs(first)
        return [_input_shape(_cfg(first) if first else {})]
    inputs = {
        _name(x): _input_shape(_cfg(x)) for x in layers if x.get("class_name") == "InputLayer"
    }
    return [inputs[name] for name, _, _ in _endpoints(_cfg(entry).get("input_layers"), inputs)]


def _endpoints(value: Any, known: dict) -> list[tuple[str, int, int]]:
    """[[name, node, tensor], ...] or [name, node, tensor] -> list of (name, node, tensor)."""
    items = value if isinstance(value, list) and value and isinstance(value[0], list) else [value]
    endpoints = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str)):
            raise ModelRefusedError(Text("The config's model inputs or outputs are malformed."))
        if item[0] not in known:
            raise ModelRefusedError(
                Text("The config names an unknown layer '{name}'.", name=item[0])
            )
        endpoints.append((item[0], int(item[1]), int(item[2])))
    return endpoints


def _call_model(entry: Config, inputs: list[Shape], tally: _Tally, count: bool) -> list[Shape]:
    if entry["class_name"] == "Sequential":
        return _call_sequential(entry, inputs, tally, count)
    return _call_functional(entry, inputs, tally, count)


def _call_sequential(entry: Config, inputs: list[Shape], tally: _Tally, count: bool) -> list[Shape]:
    if len(inputs) != 1:
        raise ModelRefusedError(
            Text(
                "Sequential model '{model}' is given {count} inputs.",
                model=_name(entry),
                count=len(inputs),
            )
        )
    shapes = inputs
    for layer in _layers(entry):
        if layer.get("class_name") != "InputLayer":
            shapes = _call_layer(layer, shapes, tally, count)
    return shapes


def _call_functional(entry: Config, inputs: list[Shape], tally: _Tally, count: bool) -> list[Shape]:
    layers = _layers(entry)
    config = _cfg(entry)
    by_name = {_name(x): x for x in layers}
    input_names = [n for n, _, _ in _endpoints(config.get("input_layers"), by_name)]
    if len(input_names) != len(inputs):
        raise ModelRefusedError(
            Text(
                "Model '{model}' takes {count} inputs, given {given}.",
                model=_name(entry),
                count=len(input_names),
                given=len(inputs),
            )
        )
    tensors: dict[tuple[str, int, int], Shape] = {}
    for layer in layers:
        name = _name(layer)
        if layer.get("class_name") == "InputLayer":
            if name in input_names:
                tensors[(name, 0, 0)] = inputs[input_names.index(name)]
            else:
                tensors[(name, 0, 0)] = _input_shape(_cfg(layer))
            continue
        nodes = layer.get("inbound_nodes")
        if not isinstance(nodes, list):
            raise ModelRefusedError(
                Text("Layer '{name}' has no inbound nodes in the config.", name=name)
            )
        for index, node in enumerate(nodes):
            arguments = []
            for key in _node_inputs(node):
                if key not in tensors:
                    raise ModelRefusedError(
                        Text("Layer '{name}' takes an input the config never made.", name=name)
                    )
                arguments.append(tensors[key])
            for t, shape in enumerate(_call_layer(layer, arguments, tally, count and index == 0)):
                tensors[(name, index, t)] = shape
    outputs = _endpoints(config.get("output_layers"), by_name)
    if any(o not in tensors for o in outputs):
        raise ModelRefusedError(
            Text("Model '{model}' names an output the config never made.", model=_name(entry))
        )
    return [tensors[o] for o in outputs]


def _node_inputs(node: Any) -> list[tuple[str, int, int]]:
    """The (layer, node, tensor) inputs of one call: Keras 3's {'args': ...} or Keras 2's list."""
    if isinstance(node, dict):
        return list(_keras_tensors(node.get("args", [])))
    if isinstance(node, list):
        keys = []
        for item in node:
            if not (isinstance(item, list) and len(item) in (3, 4) and isinstance(item[0], str)):
                raise ModelRefusedError(Text("A layer's inbound node in the config is malformed."))
            keys.append((item[0], int(item[1]), int(item[2])))
        return keys
    raise ModelRefusedError(Text("A layer's inbound node in the config is malformed."))


def _keras_tensors(value: Any) -> Iterator[tuple[str, int, int]]:
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            history = value.get("config", {}).get("keras_history")
            if not (isinstance(history, list) and len(history) == 3):
                raise ModelRefusedError(Text("A tensor in the config has no history."))
            yield (str(history[0]), int(history[1]), int(history[2]))
        else:
            for v in value.values():
                yield from _keras_tensors(v)
    elif isinstance(value, list):
        for v in value:
            yield from _keras_tensors(v)


def _call_layer(entry: Config, inputs: list[Shape], tally: _Tally, count: bool) -> list[Shape]:
    kind = entry.get("class_name")
    if kind in MODEL_CLASSES:
        return _call_model(entry, inputs, tally, count)
    if entry.get("module") == OPS_MODULE:
        rule: Rule | None = elementwise_op if kind in OPS else None
    else:
        rule = RULES.get(kind)  # type: ignore[arg-type]
    if rule is None:
        raise ModelRefusedError(
            Text("The model uses the layer '{kind}', which is not accepted.", kind=kind)
        )
    config = _cfg(entry)
    _channels_last(config, kind)
    output, parameters = rule(config, inputs)
    if any(d is not None and d <= 0 for d in output):
        raise ModelRefusedError(
            Text(
                "Layer '{layer}' ({kind}) would output the empty shape {shape}.",
                layer=_name(entry),
                kind=kind,
                shape=_shape_text(output),
            )
        )
    if count:
        tally.add(LayerFacts(_name(entry), kind, parameters, output))  # type: ignore[arg-type]
    return [output]


def _shape_text(shape: Shape) -> str:
    return "x".join("?" if d is None else str(d) for d in shape)


def _channels_last(config: Config, kind: str) -> None:
    if config.get("data_format") not in (None, "channels_last"):
        raise ModelRefusedError(
            Text(
                "Layer {kind} uses data_format='{data_format}'; only channels_last models (height, "
                "width, channels) are accepted.",
                kind=kind,
                data_format=config.get("data_format"),
            )
        )


# ---------------------------------------------------------------- layer rules

Rule = Callable[[Config, list[Shape]], tuple[Shape, int]]


def _one(inputs: list[Shape]) -> Shape:
    if len(inputs) != 1:
        raise ModelRefusedError(
            Text("A single-input layer is given {count} inputs.", count=len(inputs))
        )
    return inputs[0]


def _image(inputs: list[Shape], kind: str) -> tuple[int | None, int | None, int]:
    shape = _one(inputs)
    if len(shape) != 3 or shape[2] is None:
        got = _shape_text(shape)
        raise ModelRefusedError(
            Text("{kind} needs an (h, w, channels) input, got {got}.", kind=kind, got=got)
        )
    return shape[0], shape[1], shape[2]


def _pair(value: Any, default: Any = None) -> tuple[int, int]:
    value = default if value is None else value
    if type(value) is int:
        return value, value
    if isinstance(value, list | tuple) and len(value) == 2 and all(type(v) is int for v in value):
        return value[0], value[1]
    raise ModelRefusedError(
        Text("Expected one or two integers in the config, got {value}.", value=repr(value))
    )


def _positive(*values: int) -> None:
    if any(v <= 0 for v in values):
        raise ModelRefusedError(
            Text("The config has a size or stride that is not positive: {values}.", values=values)
        )


def _conv_length(n: int | None, k: int, s: int, padding: str, d: int) -> int | None:
    """Output length of a convolution or pooling window along one axis."""
    if n is None:
        return None
    span = (k - 1) * d + 1
    if padding == "same":
        return -(-n // s)
    if padding == "valid":
        return (n - span) // s + 1 if n >= span else 0
    raise ModelRefusedError(Text("Unknown padding '{padding}' in the config.", padding=padding))


def _bias(config: Config, count: int) -> int:
    return count if config.get("use_bias", True) else 0


def _int(config: Config, key: str, default: int | None = None) -> int:
    value = config.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ModelRefusedError(
            Text(
                "The config's {key} must be a positive integer, got {value}.",
                key=key,
                value=repr(value),
            )
        )
    return value


def _conv_window(
    config: Config, h: int | None, w: int | None
) -> tuple[int | None, int | None, int, int]:
    kh, kw = _pair(config.get("kernel_size"))
    sh, sw = _pair(config.get("strides"), 1)
    dh, dw = _pair(config.get("dilation_rate"), 1)
    _positive(kh, kw, sh, sw, dh, dw)
    padding = config.get("padding", "valid")
    return _conv_length(h, kh, sh, padding, dh), _conv_length(w, kw, sw, padding, dw), kh, kw


def conv2d(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """filters f, kernel kh x kw, groups g: kh kw (c / g) f weights + f biases."""
    h, w, c = _image(inputs, "Conv2D")
    filters, groups = _int(config, "filters"), _int(config, "groups", 1)
    if c % groups or filters % groups:
        raise ModelRefusedError(
            Text(
                "Conv2D groups={groups} does not divide {channels} input channels.",
                groups=groups,
                channels=c,
            )
        )
    oh, ow, kh, kw = _conv_window(config, h, w)
    return (oh, ow, filters), kh * kw * (c // groups) * filters + _bias(config, filters)


def depthwise_conv2d(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """depth multiplier m: kh kw c m weights + c m biases."""
    h, w, c = _image(inputs, "DepthwiseConv2D")
    multiplier = _int(config, "depth_multiplier", 1)
    oh, ow, kh, kw = _conv_window(config, h, w)
    return (oh, ow, c * multiplier), kh * kw * c * multiplier + _bias(config, c * multiplier)


def separable_conv2d(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """kh kw c m depthwise + c m f pointwise weights + f biases."""
    h, w, c = _image(inputs, "SeparableConv2D")
    filters, multiplier = _int(config, "filters"), _int(config, "depth_multiplier", 1)
    oh, ow, kh, kw = _conv_window(config, h, w)
    weights = kh * kw * c * multiplier + c * multiplier * filters
    return (oh, ow, filters), weights + _bias(config, filters)


def _transposed_length(
    n: int | None, k: int, s: int, padding: str, d: int, extra: int | None
) -> int | None:
    if n is None:
        return None
    span = k + (k - 1) * (d - 1)
    if extra is None:
        if padding == "same":
            return n * s
        if padding == "valid":
            return n * s + max(span - s, 0)
        raise ModelRefusedError(Text("Unknown padding '{padding}' in the config.", padding=padding))
    pad = {"same": span // 2, "valid": 0}.get(padding)
    if pad is None:
        raise ModelRefusedError(Text("Unknown padding '{padding}' in the config.", padding=padding))
    return (n - 1) * s + span - 2 * pad + extra


def conv2d_transpose(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """kh kw f c weights + f biases; each side grows about stride times."""
    h, w, c = _image(inputs, "Conv2DTranspose")
    filters = _int(config, "filters")
    kh, kw = _pair(config.get("kernel_size"))
    sh, sw = _pair(config.get("strides"), 1)
    dh, dw = _pair(config.get("dilation_rate"), 1)
    _positive(kh, kw, sh, sw, dh, dw)
    extra = config.get("output_padding")
    eh, ew = (None, None) if extra is None else _pair(extra)
    padding = config.get("padding", "valid")
    oh = _transposed_length(h, kh, sh, padding, dh, eh)
    ow = _transposed_length(w, kw, sw, padding, dw, ew)
    return (oh, ow, filters), kh * kw * filters * c + _bias(config, filters)


def dense(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """units u on the last axis d: d u weights + u biases."""
    shape = _one(inputs)
    if not shape or shape[-1] is None:
        raise ModelRefusedError(Text("Dense needs an input whose last size is known."))
    units = _int(config, "units")
    return (*shape[:-1], units), shape[-1] * units + _bias(config, units)


def _axes(config: Config, shape: Shape, default: Any = -1) -> list[int]:
    """Axes as Keras counts them (0 is the batch) -> indices into the batch-less shape."""
    axis = config.get("axis", default)
    values = axis if isinstance(axis, list | tuple) else [axis]
    rank = len(shape) + 1
    indices = []
    for a in values:
        if not isinstance(a, int) or not -rank <= a < rank or a % rank == 0:
            raise ModelRefusedError(
                Text(
                    "The config's axis {value} does not fit a rank-{rank} input.",
                    value=repr(axis),
                    rank=rank,
                )
            )
        indices.append(a % rank - 1)
    return indices


def _known_product(shape: Shape, indices: list[int], kind: str) -> int:
    sizes = [shape[i] for i in indices]
    if any(s is None for s in sizes):
        raise ModelRefusedError(
            Text("{kind} normalizes an axis whose size is not known.", kind=kind)
        )
    return math.prod(sizes)  # type: ignore[arg-type]


def batch_normalization(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """C values each: moving mean and variance, plus gamma (scale) and beta (center)."""
    shape = _one(inputs)
    channels = _known_product(shape, _axes(config, shape), "BatchNormalization")
    per_channel = 2 + bool(config.get("scale", True)) + bool(config.get("center", True))
    return shape, channels * per_channel


def layer_normalization(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """gamma if scale or rms_scaling, beta if center and not rms_scaling, over the axes."""
    shape = _one(inputs)
    size = _known_product(shape, _axes(config, shape), "LayerNormalization")
    rms = bool(config.get("rms_scaling", False))
    gamma = bool(config.get("scale", True)) or rms
    beta = bool(config.get("center", True)) and not rms
    return shape, size * (gamma + beta)


def group_normalization(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """gamma and beta per channel."""
    shape = _one(inputs)
    channels = _known_product(shape, _axes(config, shape), "GroupNormalization")
    return shape, channels * (bool(config.get("scale", True)) + bool(config.get("center", True)))


def normalization(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """Learned mean and variance over the kept axes, plus a count; none when given in the config."""
    shape = _one(inputs)
    if config.get("mean") is not None:
        return shape, 0
    axis = config.get("axis", -1)
    kept = [] if axis is None else _axes(config, shape)
    size = _known_product(shape, kept, "Normalization") if kept else 1
    return shape, 2 * size + 1


def prelu(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """One alpha per input value, shared along shared_axes."""
    shape = _one(inputs)
    shared = config.get("shared_axes") or []
    shared = [shared] if isinstance(shared, int) else shared
    sizes = [1 if i + 1 in shared else d for i, d in enumerate(shape)]
    if any(s is None for s in sizes):
        raise ModelRefusedError(Text("PReLU needs known sizes on the axes it does not share."))
    return shape, math.prod(sizes)  # type: ignore[arg-type]


def same_shape(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """Elementwise layers: activations, dropout, noise, rescaling, augmentation."""
    return _one(inputs), 0


def resized(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """Resizing, CenterCrop, RandomCrop: (height, width, c)."""
    _, _, c = _image(inputs, "Resizing")
    return (_int(config, "height"), _int(config, "width"), c), 0


def flatten(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """All values in one axis."""
    shape = _one(inputs)
    if any(d is None for d in shape):
        raise ModelRefusedError(Text("Flatten needs an input whose size is known."))
    return (math.prod(shape),), 0  # type: ignore[arg-type]


def reshape(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """target_shape, one -1 filled in from the input's size."""
    shape = _one(inputs)
    target = config.get("target_shape")
    if not isinstance(target, list | tuple) or not all(isinstance(d, int) for d in target):
        raise ModelRefusedError(Text("Reshape needs a target_shape of integers."))
    if any(d is None for d in shape) or sum(d == -1 for d in target) > 1:
        raise ModelRefusedError(Text("Reshape needs a known input size and at most one -1."))
    total = math.prod(shape)  # type: ignore[arg-type]
    known = math.prod(d for d in target if d != -1)
    if known <= 0 or (-1 not in target and known != total) or total % known:
        raise ModelRefusedError(
            Text("Reshape to {shape} does not fit {total} values.", shape=list(target), total=total)
        )
    return tuple(total // known if d == -1 else d for d in target), 0


def permute(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """Axes reordered; dims count from 1."""
    shape = _one(inputs)
    dims = config.get("dims")
    if not isinstance(dims, list | tuple) or sorted(dims) != list(range(1, len(shape) + 1)):
        raise ModelRefusedError(Text("Permute's dims do not fit its input."))
    return tuple(shape[d - 1] for d in dims), 0


def global_pooling2d(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """(c,), or (1, 1, c) with keepdims."""
    _, _, c = _image(inputs, "GlobalPooling2D")
    return ((1, 1, c) if config.get("keepdims") else (c,)), 0


def pooling2d(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """pool_size, strides (default: the pool size), padding."""
    h, w, c = _image(inputs, "Pooling2D")
    ph, pw = _pair(config.get("pool_size"), 2)
    sh, sw = _pair(config.get("strides"), [ph, pw])
    _positive(ph, pw, sh, sw)
    padding = config.get("padding", "valid")
    return (_conv_length(h, ph, sh, padding, 1), _conv_length(w, pw, sw, padding, 1), c), 0


def _sides(value: Any, default: int) -> tuple[tuple[int, int], tuple[int, int]]:
    value = default if value is None else value
    if isinstance(value, int):
        return (value, value), (value, value)
    if isinstance(value, list | tuple) and len(value) == 2:
        if all(isinstance(v, int) for v in value):
            return (value[0], value[0]), (value[1], value[1])
        if all(isinstance(v, list | tuple) and len(v) == 2 for v in value):
            return (value[0][0], value[0][1]), (value[1][0], value[1][1])
    raise ModelRefusedError(
        Text("Unexpected padding or cropping {value} in the config.", value=repr(value))
    )


def zero_padding2d(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """h + top + bottom, w + left + right."""
    h, w, c = _image(inputs, "ZeroPadding2D")
    (t, b), (left, r) = _sides(config.get("padding"), 1)
    if min(t, b, left, r) < 0:
        raise ModelRefusedError(Text("ZeroPadding2D has a negative padding."))
    return (None if h is None else h + t + b, None if w is None else w + left + r, c), 0


def cropping2d(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """h - top - bottom, w - left - right."""
    h, w, c = _image(inputs, "Cropping2D")
    (t, b), (left, r) = _sides(config.get("cropping"), 0)
    return (None if h is None else h - t - b, None if w is None else w - left - r, c), 0


def up_sampling2d(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """Each side times its factor."""
    h, w, c = _image(inputs, "UpSampling2D")
    fh, fw = _pair(config.get("size"), 2)
    _positive(fh, fw)
    return (None if h is None else h * fh, None if w is None else w * fw, c), 0


def _broadcast(inputs: list[Shape]) -> Shape:
    if len({len(s) for s in inputs}) != 1:
        raise ModelRefusedError(Text("An elementwise layer's inputs differ in rank."))
    out = []
    for sizes in zip(*inputs, strict=True):
        known = {d for d in sizes if d is not None and d != 1}
        if len(known) > 1:
            raise ModelRefusedError(
                Text(
                    "An elementwise layer's inputs {shapes} do not broadcast.", shapes=list(inputs)
                )
            )
        out.append(known.pop() if known else (1 if all(d == 1 for d in sizes) else None))
    return tuple(out)


def merge(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """Add, Multiply, ...: two or more inputs, broadcast against each other."""
    if len(inputs) < 2:
        raise ModelRefusedError(Text("A merge layer needs two or more inputs."))
    return _broadcast(inputs), 0


def elementwise_op(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """Keras 3's x + 3, x * (1 / 6) ...: tensors broadcast; numbers leave the shape as it is."""
    if not inputs:
        raise ModelRefusedError(Text("An operation in the config takes no tensor."))
    return _broadcast(inputs), 0


def concatenate(config: Config, inputs: list[Shape]) -> tuple[Shape, int]:
    """The inputs joined along one axis."""
    if len(inputs) < 2 or len({len(s) for s in inputs}) != 1:
        raise ModelRefusedError(Text("Concatenate needs two or more inputs of one rank."))
    axes = _axes(config, inputs[0])
    if len(axes) != 1:
        raise ModelRefusedError(Text("Concatenate joins along one axis."))
    axis = axes[0]
    out = list(inputs[0])
    for shape in inputs[1:]:
        if any(a != b for i, (a, b) in enumerate(zip(out, shape, strict=True)) if i != axis):
            raise ModelRefusedError(Text("Concatenate's inputs differ off the joined axis."))
        out[axis] = None if out[axis] is None or shape[axis] is None else out[axis] + shape[axis]
    return tuple(out), 0


_SAME_SHAPE = (
    "Activation",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Softmax",
    "Dropout",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
    "Identity",
    "Rescaling",
    "UnitNormalization",
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomContrast",
    "RandomTranslation",
    "RandomBrightness",
)

RULES: dict[str, Rule] = {
    **dict.fromkeys(_SAME_SHAPE, same_shape),
    **dict.fromkeys(("Resizing", "CenterCrop", "RandomCrop"), resized),
    **dict.fromkeys(("GlobalAveragePooling2D", "GlobalMaxPooling2D"), global_pooling2d),
    **dict.fromkeys(("MaxPooling2D", "AveragePooling2D"), pooling2d),
    **dict.fromkeys(("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"), merge),
    "Conv2D": conv2d,
    "DepthwiseConv2D": depthwise_conv2d,
    "SeparableConv2D": separable_conv2d,
    "Conv2DTranspose": conv2d_transpose,
    "Dense": dense,
    "BatchNormalization": batch_normalization,
    "LayerNormalization": layer_normalization,
    "GroupNormalization": group_normalization,
    "Normalization": normalization,
    "PReLU": prelu,
    "Flatten": flatten,
    "Reshape": reshape,
    "Permute": permute,
    "ZeroPadding2D": zero_padding2d,
    "Cropping2D": cropping2d,
    "UpSampling2D": up_sampling2d,
    "Concatenate": concatenate,
}

# Every layer class a model file may use: the rules above, the input, and nested models.
LAYER_CLASSES = frozenset({*RULES, "InputLayer"})
# Operations Keras 3 records for arithmetic on symbolic tensors (``x + 3.0``), with their module.
OPS_MODULE = "keras.src.ops.numpy"
OPS = frozenset({"Add", "Subtract", "Multiply", "Divide", "TrueDivide"})
