"""Tiny Keras models with known weights, built in the test (tf-keras-vis style).

The hand-computed tests read the weights (A0, A1, W_CLASS0, W_CLASS1, BIASES) from here;
conftest.py offers the models as fixtures.
"""

from __future__ import annotations

import keras
import numpy as np

from gradcam_core.cams import BaseCAM

# A^0 and A^1 of the tiny model below, as (h, w) = (2, 2) maps.
A0 = np.array([[1.0, 2.0], [3.0, 4.0]])
A1 = np.array([[0.0, -1.0], [2.0, 1.0]])
# Dense weights per (channel, i, j) for each class; Flatten orders features as (i, j, k).
W_CLASS0 = {0: np.array([[1.0, 0.0], [0.0, 1.0]]), 1: np.array([[-2.0, -2.0], [0.0, 0.0]])}
W_CLASS1 = {0: np.array([[-1.0, -1.0], [-1.0, -1.0]]), 1: np.array([[0.0, 0.0], [0.0, 0.0]])}
BIASES = np.array([0.5, -0.25])


def dense_kernel() -> np.ndarray:
    kernel = np.zeros((8, 2))
    for c, weights in enumerate((W_CLASS0, W_CLASS1)):
        for i in range(2):
            for j in range(2):
                for k in range(2):
                    kernel[(i * 2 + j) * 2 + k, c] = weights[k][i, j]
    return kernel


def tiny_model() -> keras.Model:
    """x (2, 2, 2) -> 'features' (identity 1x1 conv, so A = x) -> Flatten -> Dense(2) logits."""
    inputs = keras.Input((2, 2, 2))
    features = keras.layers.Conv2D(2, 1, use_bias=False, name="features")(inputs)
    flat = keras.layers.Flatten(name="flatten")(features)
    logits = keras.layers.Dense(2, name="logits")(flat)
    model = keras.Model(inputs, logits, name="tiny")
    model.get_layer("features").set_weights([np.eye(2).reshape(1, 1, 2, 2)])
    model.get_layer("logits").set_weights([dense_kernel(), BIASES])
    return model


def tiny_input() -> np.ndarray:
    """The image whose channels are A^0 and A^1."""
    return np.stack([A0, A1], axis=-1)[None].astype(np.float32)


def gap_model() -> keras.Model:
    """conv -> ReLU 'features' (4x4x3) -> global average pooling -> Dense(4): CAM's architecture."""
    rng = np.random.default_rng(0)
    inputs = keras.Input((8, 8, 3))
    h = keras.layers.Conv2D(3, 3, strides=2, padding="same", name="conv")(inputs)
    h = keras.layers.ReLU(name="features")(h)
    h = keras.layers.GlobalAveragePooling2D(name="gap")(h)
    logits = keras.layers.Dense(4, name="logits")(h)
    model = keras.Model(inputs, logits, name="gap_model")
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            layer.set_weights([rng.normal(size=w.shape) for w in weights])
    return model


class FlatCAM(BaseCAM):
    """map = sum_k A^k: every channel weighted 1 (a method made up for the registry tests)."""

    name = "Flat test CAM"
    formula = r"L=\mathrm{ReLU}\Big(\sum_k A^k\Big)"
    note = "Made up by the test: every channel counts the same."
    uses_gradients = False

    def channel_weights(self, activations, gradients):
        return np.ones(activations.shape[-1])
