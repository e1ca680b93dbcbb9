"""Small named model modifiers, in the spirit of tf-keras-vis: model views fit for Grad-CAM.

A view returns logits. Its probabilities come from its head: softmax over the classes, or a
sigmoid per output for a model that ended in sigmoid. A model with one output unit is binary:
its view returns [-z, z] (class 0 scores -z, class 1 scores z), so sigmoid applied to each gives
[1 - sigmoid(z), sigmoid(z)] and every class-indexed pass works unchanged.
"""

from __future__ import annotations

import threading
import weakref
from typing import Literal

import keras
import numpy as np

Head = Literal["softmax", "sigmoid"]
_SOFTMAX_NAMES = ("softmax",)
_LOGIT_VIEWS: weakref.WeakKeyDictionary[keras.Model, keras.Model] = weakref.WeakKeyDictionary()
_HEADS: weakref.WeakKeyDictionary[keras.Model, Head] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _is_softmax_activation(activation: object) -> bool:
    return getattr(activation, "__name__", None) in _SOFTMAX_NAMES


def _output_layer(model: keras.Model) -> keras.layers.Layer:
    layer = model.layers[-1]
    while isinstance(layer, keras.Model):
        layer = layer.layers[-1]
    return layer


def ends_in_softmax(model: keras.Model) -> bool:
    """True when the model's last layer turns logits into probabilities."""
    layer = _output_layer(model)
    if isinstance(layer, keras.layers.Softmax):
        return True
    return _is_softmax_activation(getattr(layer, "activation", None))


class ReplaceSoftmaxWithLinear:
    """Clone the model with its final softmax made linear, so it returns logits (pre-softmax)."""

    def __call__(self, model: keras.Model) -> keras.Model:
        clone = keras.models.clone_model(model, clone_function=self._clone_layer)
        clone.set_weights(model.get_weights())
        return clone

    @staticmethod
    def _clone_layer(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        if isinstance(layer, keras.layers.Softmax):
            return keras.layers.Activation("linear", name=layer.name)
        if _is_softmax_activation(getattr(layer, "activation", None)):
            config["activation"] = "linear"
        return layer.__class__.from_config(config)


def final_activation(model: keras.Model) -> str | None:
    """'softmax' or 'sigmoid' when the model's last layer applies one, else None."""
    layer = _output_layer(model)
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    name = getattr(getattr(layer, "activation", None), "__name__", None)
    return name if name in ("softmax", "sigmoid") else None


def probability_head(model: keras.Model) -> Head:
    """How this logits model's scores become probabilities: 'softmax' unless marked 'sigmoid'."""
    return _HEADS.get(model, "softmax")


def mark_head(model: keras.Model, head: Head) -> None:
    """Record that ``model``'s logits become probabilities through ``head``."""
    if head not in ("softmax", "sigmoid"):
        raise ValueError(f"head must be 'softmax' or 'sigmoid', got {head!r}")
    _HEADS[model] = head


def output_units(model: keras.Model) -> int | None:
    """The size of the model's (first) output."""
    return model.outputs[0].shape[-1] if model.outputs else None


def signed_logit_view(model: keras.Model) -> keras.Model:
    """(N, 1) logit z -> (N, 2) scores [-z, z], through a fixed Dense(2) kernel [[-1, 1]].

    The new model shares the original's layers (same layer paths); multiplying by -1 and 1 is
    exact in floating point.
    """
    taken = {layer.name for layer in model.layers}
    name = "signed_logit"
    while name in taken:
        name += "_"
    signed = keras.layers.Dense(2, use_bias=False, trainable=False, name=name)
    view = keras.Model(model.inputs, signed(model.outputs[0]), name=model.name)
    signed.set_weights([np.array([[-1.0, 1.0]], dtype=np.float32)])
    mark_head(view, "sigmoid")
    return view


def _linear_head_clone(model: keras.Model, target: keras.layers.Layer) -> keras.Model:
    """Clone the model with only ``target`` (its output layer, maybe nested) made linear."""

    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        if layer is target:
            if isinstance(layer, keras.layers.Softmax):
                return keras.layers.Activation("linear", name=layer.name)
            config = layer.get_config()
            config["activation"] = "linear"
            return layer.__class__.from_config(config)
        if isinstance(layer, keras.Model) and any(target is leaf for leaf in _leaves(layer)):
            return keras.models.clone_model(layer, clone_function=clone)
        return layer.__class__.from_config(layer.get_config())

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy


def _leaves(model: keras.Model) -> list[keras.layers.Layer]:
    out = []
    for layer in model.layers:
        out.extend(_leaves(layer) if isinstance(layer, keras.Model) else [layer])
    return out


def _build_view(model: keras.Model) -> keras.Model:
    activation = final_activation(model)
    output = _output_layer(model)
    if activation == "softmax" and output in model.layers:
        view = ReplaceSoftmaxWithLinear()(model)
    elif activation is not None:
        view = _linear_head_clone(model, output)
    else:
        view = model
    if output_units(view) == 1:
        if activation == "softmax":
            raise ValueError("The model has one output unit followed by softmax: it is always 1.")
        return signed_logit_view(view)
    if activation == "sigmoid":
        mark_head(view, "sigmoid")
    return view


def logits_view(model: keras.Model) -> keras.Model:
    """The model itself when it returns logits for two or more classes, else a cached view.

    A final softmax or sigmoid is made linear (in a copy), and a single output unit z becomes the
    two scores [-z, z]; ``probability_head`` tells the view's probabilities (softmax or sigmoid).
    """
    if model in _HEADS or (final_activation(model) is None and output_units(model) != 1):
        return model
    with _LOCK:
        if model not in _LOGIT_VIEWS:
            _LOGIT_VIEWS[model] = _build_view(model)
        return _LOGIT_VIEWS[model]
