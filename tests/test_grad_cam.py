"""Grad-CAM against hand-computed answers on a tiny model with known weights."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from tiny_models import A0, A1, BIASES, W_CLASS0, W_CLASS1

import gradcam_core as gc
from gradcam_core import engine


def test_weights_and_maps_match_hand_computation(tiny_model, tiny_input):
    r = gc.grad_cam(tiny_model, tiny_input, layer="features", class_index=0)
    # dy0/dA^k_ij is the Dense weight of (i, j, k); alpha_k is its mean over the 2 x 2 grid.
    np.testing.assert_allclose(r.weights, [0.5, -1.0], atol=1e-6)
    expected_raw = 0.5 * A0 - 1.0 * A1  # [[0.5, 2], [-0.5, 1]]
    np.testing.assert_allclose(r.raw, [[0.5, 2.0], [-0.5, 1.0]], atol=1e-6)
    np.testing.assert_allclose(r.raw, expected_raw, atol=1e-6)
    np.testing.assert_allclose(r.relu, [[0.5, 2.0], [0.0, 1.0]], atol=1e-6)
    np.testing.assert_allclose(r.normalized, [[0.25, 1.0], [0.0, 0.5]], atol=1e-6)
    # y^0 = sum W * A + b = (1 + 4) + (2) + 0.5
    assert r.score == pytest.approx(7.5, abs=1e-5)
    assert not r.is_empty
    assert (r.method, r.layer, r.class_index, r.score_kind) == ("Grad-CAM", "features", 0, "logit")


def test_raw_is_the_channel_sum_not_the_mean(tiny_model, tiny_input):
    r = gc.grad_cam(tiny_model, tiny_input, layer="features", class_index=0)
    channel_mean = (0.5 * A0 - 1.0 * A1) / 2
    assert not np.allclose(r.raw, channel_mean)


def test_all_negative_map_is_flagged_and_never_nan(tiny_model, tiny_input):
    with np.errstate(all="raise"):
        r = gc.grad_cam(tiny_model, tiny_input, layer="features", class_index=1)
    np.testing.assert_allclose(r.weights, [-1.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(r.raw, -A0, atol=1e-6)
    assert r.is_empty
    assert r.peak == 0.0
    np.testing.assert_array_equal(r.relu, np.zeros((2, 2)))
    np.testing.assert_array_equal(r.normalized, np.zeros((2, 2)))
    assert r.score == pytest.approx(-(1 + 2 + 3 + 4) + BIASES[1], abs=1e-5)


def test_softmax_score_uses_the_softmax_gradient(tiny_model, tiny_input):
    x = 0.1 * tiny_input  # keep the logits close so softmax is not saturated
    logits = np.array([0.1 * 7.0 + BIASES[0], -0.1 * 10.0 + BIASES[1]])  # 1.2 and -1.25
    p = np.exp(logits) / np.exp(logits).sum()
    alpha_logit = np.array([[W[k].mean() for k in (0, 1)] for W in (W_CLASS0, W_CLASS1)])
    # d p_0 / d z_j = p_0 (delta_0j - p_j), chained through dz_j/dA = W_j.
    expected_alpha = p[0] * (alpha_logit[0] - p @ alpha_logit)
    r = gc.grad_cam(tiny_model, x, layer="features", class_index=0, score="softmax")
    np.testing.assert_allclose(r.weights, expected_alpha, rtol=1e-5)
    assert r.score == pytest.approx(p[0], rel=1e-5)
    assert r.score_kind == "softmax"


def test_saturated_softmax_shrinks_the_gradient(tiny_model, tiny_input):
    """At logits 7.5 vs -9.75, p_0 is 1 - 3e-8: the softmax gradient all but vanishes."""
    logit = gc.grad_cam(tiny_model, tiny_input, layer="features", class_index=0)
    prob = gc.grad_cam(tiny_model, tiny_input, layer="features", class_index=0, score="softmax")
    assert np.abs(prob.weights).max() < 1e-6 * np.abs(logit.weights).max()


def test_default_class_is_the_top_prediction(tiny_model, tiny_input):
    assert gc.grad_cam(tiny_model, tiny_input, layer="features").class_index == 0


def test_several_classes_share_one_forward_pass_and_match_single_calls(gap_model):
    x = np.random.default_rng(1).normal(size=(1, 8, 8, 3)).astype(np.float32)
    together = gc.GradCAM().for_classes(gap_model, x, "features", [0, 1, 2, 3])
    for c, result in enumerate(together):
        alone = gc.grad_cam(gap_model, x, layer="features", class_index=c)
        np.testing.assert_allclose(result.raw, alone.raw, rtol=1e-5, atol=1e-6)
        assert result.class_index == c


def test_gap_dense_weights_are_dense_column_over_cells(gap_model):
    """With global average pooling, dy^c/dA^k_ij = W[k, c] / (h w) everywhere."""
    x = np.random.default_rng(2).normal(size=(1, 8, 8, 3)).astype(np.float32)
    kernel = gap_model.get_layer("logits").get_weights()[0]
    r = gc.grad_cam(gap_model, x, layer="features", class_index=2)
    np.testing.assert_allclose(r.weights, kernel[:, 2] / 16.0, rtol=1e-5)


def test_no_retracing_per_class_or_call(gap_model):
    x = np.random.default_rng(3).normal(size=(1, 8, 8, 3)).astype(np.float32)
    gc.grad_cam(gap_model, x, layer="features", class_index=0)
    traces = engine.trace_count()
    for c in (1, 2, 3, 0):
        gc.grad_cam(gap_model, x + c, layer="features", class_index=c)
    gc.GradCAM().for_classes(gap_model, x, "features", [0, 1, 2])
    assert engine.trace_count() == traces


def test_model_ending_in_softmax_is_differentiated_through_its_logits(gap_model):
    x = np.random.default_rng(4).normal(size=(1, 8, 8, 3)).astype(np.float32)
    probs_model = keras.Sequential([gap_model, keras.layers.Softmax()])
    via_probs = gc.grad_cam(probs_model, x, layer="gap_model/features", class_index=1)
    direct = gc.grad_cam(gap_model, x, layer="features", class_index=1)
    np.testing.assert_allclose(via_probs.raw, direct.raw, rtol=1e-5, atol=1e-6)


def test_nested_base_model_inside_sequential_works(gap_model):
    x = np.random.default_rng(5).normal(size=(1, 8, 8, 3)).astype(np.float32)
    base = keras.Model(gap_model.input, gap_model.get_layer("features").output, name="base")
    head = gap_model.get_layer("logits")
    wrapped = keras.Sequential(
        [keras.Input((8, 8, 3)), base, keras.layers.GlobalAveragePooling2D(), head]
    )
    assert gc.list_layers(wrapped) == ["base/conv", "base/features"]
    assert gc.default_layer(wrapped) == "base/features"
    nested = gc.grad_cam(wrapped, x, layer="features", class_index=3)
    flat = gc.grad_cam(gap_model, x, layer="features", class_index=3)
    np.testing.assert_allclose(nested.raw, flat.raw, rtol=1e-5, atol=1e-6)
    assert nested.layer == "base/features"


def test_nested_inside_functional_wrapper(gap_model):
    x = np.random.default_rng(6).normal(size=(1, 8, 8, 3)).astype(np.float32)
    base = keras.Model(gap_model.input, gap_model.get_layer("features").output, name="base")
    inputs = keras.Input((8, 8, 3))
    pooled = keras.layers.GlobalAveragePooling2D()(base(inputs))
    wrapped = keras.Model(inputs, gap_model.get_layer("logits")(pooled))
    nested = gc.grad_cam(wrapped, x, layer="base/conv", class_index=0)
    flat = gc.grad_cam(gap_model, x, layer="conv", class_index=0)
    np.testing.assert_allclose(nested.raw, flat.raw, rtol=1e-5, atol=1e-6)


def test_bad_arguments_give_clear_errors(tiny_model, tiny_input):
    with pytest.raises(gc.LayerError, match="not in model"):
        gc.grad_cam(tiny_model, tiny_input, layer="nope", class_index=0)
    with pytest.raises(gc.LayerError, match="4-D"):
        gc.grad_cam(tiny_model, tiny_input, layer="flatten", class_index=0)
    with pytest.raises(ValueError, match="outside"):
        gc.grad_cam(tiny_model, tiny_input, layer="features", class_index=2)
    with pytest.raises(ValueError, match="NaN"):
        gc.grad_cam(tiny_model, tiny_input * np.nan, layer="features", class_index=0)
    with pytest.raises(ValueError, match="Score"):
        gc.grad_cam(tiny_model, tiny_input, layer="features", class_index=0, score="prob")


def test_from_tensors_is_the_pure_math():
    activations = np.stack([A0, A1], axis=-1)
    gradients = np.stack([np.full((2, 2), 3.0), np.array([[1.0, -1.0], [0.0, 0.0]])], axis=-1)
    r = gc.GradCAM().from_tensors(activations, gradients, layer="L", class_index=7)
    np.testing.assert_allclose(r.weights, [3.0, 0.0])
    np.testing.assert_allclose(r.raw, 3.0 * A0)
    np.testing.assert_allclose(r.normalized, A0 / 4.0)


def _resident_mb() -> float:
    from proc_status import status_kb

    return status_kb("VmRSS") / 1024


def _build_wide_model() -> keras.Model:
    """A tiny model holding one 100 MB kernel (one allocation, handed back when freed)."""
    inputs = keras.Input((4, 4, 3))
    features = keras.layers.Conv2D(8, 3, padding="same", name="features")(inputs)
    flat = keras.layers.Flatten()(features)
    hidden = keras.layers.Dense(5000, name="wide")(keras.layers.Dense(5000)(flat))
    return keras.Model(inputs, keras.layers.Dense(3)(hidden))


def test_a_model_and_its_passes_are_freed_by_one_garbage_collection():
    """Compiled passes live on the model, so an evicted model's memory returns at once.

    The model holds a 100 MB kernel (one allocation, returned to the system when freed). With the
    passes kept in a module-level dictionary keyed weakly by the model, one collection freed the
    model but not the passes holding its variables, and the memory stayed until a later one.
    """
    import gc as garbage

    def build_and_use() -> None:
        model = _build_wide_model()
        x = np.ones((1, 4, 4, 3), np.float32)
        forward = engine.forward(model, x, ["features"])
        engine.class_gradients(model, x, "features", forward.activations["features"], [0])
        engine.layer_grad_cams(model, x, ["features"], 1)

    # The first model this large in a process costs about 300 MB once (TensorFlow's random
    # initializers and allocator warm up, measured alone on this test): pay it before measuring.
    _build_wide_model()
    garbage.collect()
    before = _resident_mb()
    build_and_use()
    garbage.collect()
    assert _resident_mb() - before < 40  # the 100 MB kernel (and its copies) went back


def test_a_frozen_model_let_go_is_freed_by_release_memory():
    """The app freezes its heap (memory.settle_heap) once a model is loaded, so that Streamlit's
    collections after every run skip TensorFlow's objects. A frozen model let go is no longer
    seen by a plain collection (it and its compiled passes form a cycle); ``release_memory``,
    which the model registry calls before the next model loads, must unfreeze to free it.
    """
    import gc as garbage
    import weakref

    from gradcam_core import memory

    def build_and_use() -> weakref.ref:
        model = _build_wide_model()
        x = np.ones((1, 4, 4, 3), np.float32)
        forward = engine.forward(model, x, ["features"])
        engine.class_gradients(model, x, "features", forward.activations["features"], [0])
        return weakref.ref(model)

    _build_wide_model()  # TensorFlow's one-time warm-up for a model this large, before measuring
    garbage.collect()
    before = _resident_mb()
    try:
        model = build_and_use()
        garbage.freeze()  # as the app's settle_heap does after a model loads
        assert model() is not None
        garbage.collect()
        assert model() is not None  # frozen: a plain collection cannot free the cycle
        memory.release_memory()
        assert model() is None
        assert _resident_mb() - before < 40  # the 100 MB kernel (and its copies) went back
    finally:
        garbage.unfreeze()
