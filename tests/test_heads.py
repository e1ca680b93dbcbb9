"""Binary (one-unit) and sigmoid heads, and softmax heads inside nested models, on tiny models with
known weights: the map and the score are checked against hand-computed values."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from tiny_models import A0, A1, W_CLASS0, dense_kernel

import gradcam_core as gc
from gradcam_core import engine
from gradcam_core.cams import EigenCAM, grad_cam_all_layers
from gradcam_core.cams.all_layers import all_layer_inputs
from gradcam_core.modifiers import probability_head

SIGMA_1_2 = 1.0 / (1.0 + np.exp(-1.2))  # sigmoid(1.2), the logit of 0.1 * tiny_input below


def _one_unit_model(activation: str | None) -> keras.Model:
    """x (2, 2, 2) -> identity 1x1 conv 'features' -> Flatten -> Dense(1): z = sum W0 * A + 0.5."""
    inputs = keras.Input((2, 2, 2))
    features = keras.layers.Conv2D(2, 1, use_bias=False, name="features")(inputs)
    flat = keras.layers.Flatten()(features)
    z = keras.layers.Dense(1, activation=activation, name="logit")(flat)
    model = keras.Model(inputs, z)
    model.get_layer("features").set_weights([np.eye(2).reshape(1, 1, 2, 2)])
    model.get_layer("logit").set_weights([dense_kernel()[:, :1], np.array([0.5])])
    return model


@pytest.mark.parametrize("activation", [None, "sigmoid"])
def test_one_unit_is_binary_class_1_scores_z_and_class_0_scores_minus_z(activation, tiny_input):
    model = _one_unit_model(activation)
    view = gc.logits_view(model)
    assert view.outputs[0].shape[-1] == 2 and probability_head(view) == "sigmoid"
    np.testing.assert_allclose(gc.forward(view, tiny_input).logits, [-7.5, 7.5], atol=1e-5)
    one = gc.grad_cam(model, tiny_input, layer="features", class_index=1)
    zero = gc.grad_cam(model, tiny_input, layer="features", class_index=0)
    # dz/dA^k_ij is the Dense weight of (i, j, k); alpha is its mean: [0.5, -1] (see conftest)
    np.testing.assert_allclose(one.weights, [0.5, -1.0], atol=1e-6)
    np.testing.assert_allclose(zero.weights, [-0.5, 1.0], atol=1e-6)
    np.testing.assert_allclose(one.raw, 0.5 * A0 - A1, atol=1e-6)
    np.testing.assert_allclose(zero.raw, -(0.5 * A0 - A1), atol=1e-6)
    assert (one.score, zero.score) == (pytest.approx(7.5, abs=1e-5), pytest.approx(-7.5, abs=1e-5))


def test_binary_probability_score_is_sigmoid_and_its_gradient(tiny_input):
    model = _one_unit_model("sigmoid")
    x = 0.1 * tiny_input  # z = 0.1 * 7 + 0.5 = 1.2: not saturated
    one = gc.grad_cam(model, x, layer="features", class_index=1, score="softmax")
    zero = gc.grad_cam(model, x, layer="features", class_index=0, score="softmax")
    slope = SIGMA_1_2 * (1 - SIGMA_1_2)  # d sigmoid(z) / dz
    assert one.score == pytest.approx(SIGMA_1_2, rel=1e-5)
    assert zero.score == pytest.approx(1 - SIGMA_1_2, rel=1e-5)
    np.testing.assert_allclose(one.weights, slope * np.array([0.5, -1.0]), rtol=1e-5)
    np.testing.assert_allclose(zero.weights, -slope * np.array([0.5, -1.0]), rtol=1e-5)


def test_multi_output_sigmoid_head_is_looked_through_and_scored_per_class(tiny_model, tiny_input):
    inputs = keras.Input((2, 2, 2))
    h = tiny_model.get_layer("features")(inputs)
    h = tiny_model.get_layer("flatten")(h)
    out = keras.layers.Dense(2, activation="sigmoid", name="probs")(h)
    model = keras.Model(inputs, out)
    model.get_layer("probs").set_weights(tiny_model.get_layer("logits").get_weights())
    x = 0.1 * tiny_input  # logits 1.2 and -1.25
    view = gc.logits_view(model)
    assert probability_head(view) == "sigmoid"
    np.testing.assert_allclose(gc.forward(view, x).logits, [1.2, -1.25], atol=1e-5)
    prob = gc.grad_cam(model, x, layer="features", class_index=0, score="softmax")
    logit = gc.grad_cam(tiny_model, x, layer="features", class_index=0)
    assert prob.score == pytest.approx(SIGMA_1_2, rel=1e-5)
    np.testing.assert_allclose(prob.weights, SIGMA_1_2 * (1 - SIGMA_1_2) * logit.weights, rtol=1e-5)


def test_softmax_inside_nested_sequentials_is_looked_through(gap_model):
    """As in Teachable Machine: Sequential[Sequential[base, pool], Sequential[Dense(softmax)]]."""
    x = np.random.default_rng(7).normal(size=(1, 8, 8, 3)).astype(np.float32)
    base = keras.Model(gap_model.input, gap_model.get_layer("features").output, name="base")
    dense = gap_model.get_layer("logits")
    head = keras.layers.Dense(4, activation="softmax", name="probs")
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.Sequential([base, keras.layers.GlobalAveragePooling2D()], name="body"),
            keras.Sequential([keras.Input((3,)), head], name="head"),
        ]
    )
    head.set_weights(dense.get_weights())
    view = gc.logits_view(model)
    np.testing.assert_allclose(
        gc.forward(view, x).logits, gc.forward(gap_model, x).logits, rtol=1e-5, atol=1e-6
    )
    nested = gc.grad_cam(model, x, class_index=2)
    assert nested.layer == "body/base/features"
    direct = gc.grad_cam(gap_model, x, layer="features", class_index=2)
    np.testing.assert_allclose(nested.raw, direct.raw, rtol=1e-5, atol=1e-6)


def test_only_the_final_sigmoid_is_made_linear(gap_model):
    """A squeeze-excite sigmoid inside the model stays; only the head's is looked through."""
    x = np.random.default_rng(8).normal(size=(1, 8, 8, 3)).astype(np.float32)
    inputs = keras.Input((8, 8, 3))
    h = keras.layers.Conv2D(3, 3, padding="same", activation="sigmoid", name="gate")(inputs)
    h = keras.layers.GlobalAveragePooling2D(name="pool")(h)
    out = keras.layers.Dense(2, activation="sigmoid", name="probs")(h)
    model = keras.Model(inputs, out)
    pooled = keras.Model(inputs, model.get_layer("pool").output)
    kernel, bias = model.get_layer("probs").get_weights()
    expected = gc.forward(pooled, x).logits @ kernel + bias
    np.testing.assert_allclose(gc.forward(gc.logits_view(model), x).logits, expected, rtol=1e-5)


def test_logit_models_are_their_own_view(gap_model):
    assert gc.logits_view(gap_model) is gap_model
    assert probability_head(gap_model) == "softmax"


def test_one_softmax_unit_is_refused():
    with pytest.raises(ValueError, match="always 1"):
        gc.logits_view(_one_unit_model("softmax"))


def test_every_path_scores_a_sigmoid_head_with_sigmoid(tiny_input):
    # The all-layers pass (Layers page), the per-layer inputs, a gradient-free method's score and
    # the input gradient (guided backprop) all give y^c = sigmoid(z) and its gradient, as
    # gc.grad_cam does (checked by hand above).
    model = _one_unit_model("sigmoid")
    x = 0.1 * tiny_input  # z = 1.2
    slope = SIGMA_1_2 * (1 - SIGMA_1_2)
    every = grad_cam_all_layers(model, x, 1, ["features"], "softmax")["features"]
    assert every.score == pytest.approx(SIGMA_1_2, rel=1e-5)
    np.testing.assert_allclose(every.weights, slope * np.array([0.5, -1.0]), rtol=1e-5)
    (inputs,) = all_layer_inputs(model, x, 0, ["features"], "softmax").values()
    assert inputs.scores == (pytest.approx(1 - SIGMA_1_2, rel=1e-5),)
    eigen = EigenCAM()(model, x, "features", 1, "softmax")
    assert eigen.score == pytest.approx(SIGMA_1_2, rel=1e-5)
    gradient = engine.input_gradient(gc.logits_view(model), x, 1, "softmax")
    # dz/dx_ijk is the Dense weight of (i, j, k) (the 1x1 conv is the identity): W_CLASS0.
    expected = slope * np.stack([W_CLASS0[0], W_CLASS0[1]], axis=-1)
    np.testing.assert_allclose(gradient, expected, rtol=1e-5)
