"""Small named model modifiers, in the spirit of tf-keras-vis: model views fit for Grad-CAM."""

from __future__ import annotations

import threading
import weakref

import keras

_SOFTMAX_NAMES = ("softmax",)
_LOGIT_VIEWS: weakref.WeakKeyDictionary[keras.Model, keras.Model] = weakref.WeakKeyDictionary()
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


def logits_view(model: keras.Model) -> keras.Model:
    """The model itself when it returns logits, else a cached copy whose final softmax is linear."""
    if not ends_in_softmax(model):
        return model
    with _LOCK:
        if model not in _LOGIT_VIEWS:
            _LOGIT_VIEWS[model] = ReplaceSoftmaxWithLinear()(model)
        return _LOGIT_VIEWS[model]
