"""Rewrite a Keras 2 / tf_keras / Teachable Machine model config into the form Keras 3 writes.

Keras 3 cannot load these configs as they are; nothing in Keras is patched, the config is
rewritten (after ``safety.check_config`` has accepted it) into what Keras 3 itself would have saved:

* classes: ``Model`` and tf_keras' ``Functional`` become Keras 3's Functional; every built-in
  object gets its Keras 3 module (no more ``tf_keras.src...``); ``Policy`` becomes ``DTypePolicy``;
* Functional models with one input or output list it as ``[name, node, tensor]`` (a nested list
  made Keras 3 feed a nested Teachable Machine backbone two tensors: "expects 1 input(s), but it
  received 2 input tensors"); an old Sequential whose config is a bare list gets a name;
* shapes: ``batch_input_shape`` becomes the InputLayer's ``batch_shape`` (an InputLayer is added
  in front of a Sequential that only had it on its first layer) and leaves every other layer;
* settings Keras 3 renamed or dropped: the stray ``groups: 1`` (and unused ``kernel_*``
  settings) of DepthwiseConv2D and SeparableConv2D, BatchNormalization's one-element ``axis``
  list and its unused renorm/fused flags, LeakyReLU's ``alpha`` (now ``negative_slope``),
  VarianceScaling's ``normal`` distribution (tf.keras read it as ``truncated_normal``),
  initializers' ``dtype``;
* ``compile_config`` is dropped: the model is only ever used for inference.

Keras 3's records of arithmetic on symbolic tensors (``x + 3.0`` in MobileNetV3) keep their
module. A Keras 3 config passes through unchanged but for ``compile_config``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import h5py
import keras
import numpy as np

from ..errors import ModelRefusedError
from ..i18n import Text
from .architecture import LAYER_CLASSES, OPS, OPS_MODULE

Config = dict[str, Any]

FUNCTIONAL_MODULE = "keras.src.models.functional"
INITIALIZERS = frozenset(
    {
        "Zeros",
        "Ones",
        "Constant",
        "RandomNormal",
        "RandomUniform",
        "TruncatedNormal",
        "VarianceScaling",
        "GlorotNormal",
        "GlorotUniform",
        "HeNormal",
        "HeUniform",
        "LecunNormal",
        "LecunUniform",
        "Orthogonal",
        "Identity",
    }
)
REGULARIZERS = frozenset({"L1", "L2", "L1L2", "OrthogonalRegularizer"})
CONSTRAINTS = frozenset({"MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm"})
DTYPE_POLICIES = frozenset({"DTypePolicy", "FloatDTypePolicy", "Policy"})
_MODULES = {
    **dict.fromkeys(LAYER_CLASSES, "keras.layers"),
    **dict.fromkeys(INITIALIZERS, "keras.initializers"),
    **dict.fromkeys(REGULARIZERS, "keras.regularizers"),
    **dict.fromkeys(CONSTRAINTS, "keras.constraints"),
}
_SHAPE_KEYS = ("batch_input_shape", "batch_shape", "input_shape")
_UNUSED_KERNEL_KEYS = ("kernel_initializer", "kernel_regularizer", "kernel_constraint")
# BatchNormalization settings tf.keras saved that Keras 3 no longer takes, with their defaults.
_BN_LEGACY_DEFAULTS = {
    "renorm": False,
    "renorm_clipping": None,
    "renorm_momentum": 0.99,
    "fused": None,
    "virtual_batch_size": None,
    "adjustment": None,
}


def to_keras3(config: Config) -> Config:
    """A copy of the model config in Keras 3's form (see the module docstring)."""
    rewritten = _rewrite(copy.deepcopy(config))
    rewritten.pop("compile_config", None)
    return rewritten


def _rewrite(value: Any) -> Any:
    if isinstance(value, list):
        return [_rewrite(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _rewrite(v) for k, v in value.items()}
    kind = out.get("class_name")
    if kind in ("Model", "Functional"):
        return _functional(out)
    if kind == "Sequential":
        return _sequential(out)
    if kind in OPS and out.get("module") == OPS_MODULE:
        out["registered_name"] = kind
    elif kind in _MODULES and isinstance(out.get("config"), dict):
        out["module"] = _MODULES[kind]
        out["registered_name"] = None
        _settings(kind, out["config"])
    elif kind in DTYPE_POLICIES:
        out.update(module="keras", class_name="DTypePolicy", registered_name=None)
    return out


def _functional(entry: Config) -> Config:
    entry.update(class_name="Functional", module=FUNCTIONAL_MODULE, registered_name="Functional")
    config = entry.get("config")
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ModelRefusedError(Text("A Functional model in the file has no layers."))
    for key in ("input_layers", "output_layers"):
        value = config.get(key)
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
            config[key] = value[0]
    for layer in config["layers"]:
        if layer.get("class_name") != "InputLayer" and isinstance(layer.get("config"), dict):
            for key in _SHAPE_KEYS:
                layer["config"].pop(key, None)
    return entry


def _sequential(entry: Config) -> Config:
    entry.update(module="keras", registered_name=None)
    config = entry.get("config")
    if isinstance(config, list):  # Keras <= 2.2 saved a Sequential as its list of layers
        config = entry["config"] = {"name": "sequential", "layers": config}
    layers = config.get("layers") if isinstance(config, dict) else None
    if not isinstance(layers, list) or not layers:
        raise ModelRefusedError(Text("A Sequential model in the file has no layers."))
    first = layers[0]
    if first.get("class_name") != "InputLayer":
        shape = _first_shape(first)
        if shape is not None:
            layers.insert(0, _input_layer(shape, first))
    for layer in layers[1:]:
        if layer.get("class_name") != "InputLayer" and isinstance(layer.get("config"), dict):
            for key in (*_SHAPE_KEYS, "batch_size", "input_dim"):
                layer["config"].pop(key, None)
    return entry


def _first_shape(layer: Config) -> list | None:
    """The batch shape a Sequential's first layer carried (Keras 2's batch_input_shape)."""
    config = layer.get("config") if isinstance(layer.get("config"), dict) else {}
    if isinstance(config.get("batch_input_shape"), list):
        return config["batch_input_shape"]
    if isinstance(config.get("batch_shape"), list):
        return config["batch_shape"]
    if isinstance(config.get("input_shape"), list):
        return [None, *config["input_shape"]]
    return None


def _input_layer(shape: list, first: Config) -> Config:
    config = first.get("config", {})
    name = f"{config.get('name', 'input')}_input"
    settings = {"batch_shape": shape, "dtype": "float32", "sparse": False, "name": name}
    return {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": settings,
        "registered_name": None,
    }


def _settings(kind: str, config: Config) -> None:
    """Settings of one built-in object renamed or dropped by Keras 3 (in place)."""
    if kind == "InputLayer":
        if "batch_input_shape" in config:
            config["batch_shape"] = config.pop("batch_input_shape")
        return
    if kind in ("DepthwiseConv2D", "SeparableConv2D"):
        if config.get("groups", 1) != 1:
            raise ModelRefusedError(
                Text("A {kind} layer has groups={groups}.", kind=kind, groups=config["groups"])
            )
        for key in ("groups", *_UNUSED_KERNEL_KEYS):  # tf.keras inherited them from Conv
            config.pop(key, None)
    elif kind == "BatchNormalization":
        axis = config.get("axis")
        if isinstance(axis, list) and len(axis) == 1:
            config["axis"] = axis[0]
        for key, default in _BN_LEGACY_DEFAULTS.items():
            if key in config and config[key] not in (default, None, False):
                raise ModelRefusedError(
                    Text(
                        "A BatchNormalization layer uses {key}={value}.",
                        key=key,
                        value=repr(config[key]),
                    )
                )
            config.pop(key, None)
    elif kind == "LeakyReLU" and "alpha" in config:
        config["negative_slope"] = config.pop("alpha")
    elif kind == "VarianceScaling" and config.get("distribution") == "normal":
        config["distribution"] = "truncated_normal"
    if kind in INITIALIZERS:
        config.pop("dtype", None)


# ---------------------------------------------------------------- weights of a legacy .h5


def assign_h5_weights(model: keras.Model, path: Path, shown: str) -> None:
    """Read a Keras 2 .h5 file's weights into the model built from its rewritten config.

    Keras 2 stored one group per top-level layer, listing its arrays as 'leaf/kernel:0' (a nested
    model's leaves by their own names; Keras 3's .h5 lists paths, 'outer/leaf/kernel'). Each leaf
    layer takes the arrays named after it, in order; when a file's names do not match (renamed
    leaves), a top-level layer's arrays are taken in Keras 2's order instead: trainable weights
    first, then the others. Every shape must match.
    """
    with h5py.File(path, "r") as f:
        group = f["model_weights"]
        saved = {
            name: _weight_names(group[name]) for name in _text_list(group.attrs, "layer_names")
        }
        saved = {name: weights for name, weights in saved.items() if weights}
        layers = [layer for layer in model.layers if layer.weights]
        if sorted(saved) != sorted(layer.name for layer in layers):
            raise ModelRefusedError(
                Text(
                    "{shown}: it stores weights for {count} layers, its config has {configured} "
                    "layers with weights.",
                    shown=shown,
                    count=len(saved),
                    configured=len(layers),
                )
            )
        for layer in layers:
            pairs = _by_leaf(layer, saved[layer.name]) or _by_order(layer, saved[layer.name])
            _assign(group[layer.name], pairs, shown)


def _text_list(attrs: h5py.AttributeManager, key: str) -> list[str]:
    values = attrs.get(key, [])
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]


def _weight_names(layer_group: h5py.Group) -> list[str]:
    return _text_list(layer_group.attrs, "weight_names")


def _leaves(layer: keras.layers.Layer) -> list[keras.layers.Layer]:
    if isinstance(layer, keras.Model):
        return [leaf for inner in layer.layers for leaf in _leaves(inner)]
    return [layer]


def _by_leaf(layer: keras.layers.Layer, names: list[str]) -> list[tuple[keras.Variable, str]]:
    """Each leaf's variables paired with the arrays named after that leaf; [] if names differ."""
    grouped: dict[str, list[str]] = {}
    for name in names:  # 'Conv1/kernel:0' (Keras 2) or 'outer/body/c1/kernel' (Keras 3)
        leaf = name.rsplit("/", 2)[-2] if "/" in name else layer.name
        grouped.setdefault(leaf, []).append(name)
    pairs = []
    for leaf in _leaves(layer):
        if not leaf.weights:
            continue
        arrays = grouped.pop(leaf.name, [])
        if len(arrays) != len(leaf.weights):
            return []
        pairs.extend(zip(leaf.weights, arrays, strict=True))
    return [] if grouped else pairs


def _by_order(layer: keras.layers.Layer, names: list[str]) -> list[tuple[keras.Variable, str]]:
    """Keras 2's order for a layer's arrays: trainable weights, then non-trainable ones."""
    variables = [*layer.trainable_weights, *layer.non_trainable_weights]
    if len(variables) != len(names):
        return []
    return list(zip(variables, names, strict=True))


def _assign(group: h5py.Group, pairs: list[tuple[keras.Variable, str]], shown: str) -> None:
    if not pairs:
        raise ModelRefusedError(
            Text(
                "{shown}: its stored weights for '{name}' do not fit the layer.",
                shown=shown,
                name=group.name,
            )
        )
    for variable, name in pairs:
        dataset = group[name]
        if tuple(dataset.shape) != tuple(variable.shape):
            raise ModelRefusedError(
                Text(
                    "{shown}: the stored array {name} is {stored}, the layer expects {expected}.",
                    shown=shown,
                    name=name,
                    stored=tuple(dataset.shape),
                    expected=tuple(variable.shape),
                )
            )
    for variable, name in pairs:
        variable.assign(np.asarray(group[name][()], dtype=variable.dtype))
