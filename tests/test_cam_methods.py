"""Every CAM method against hand-computed or analytic answers on tiny models built in the test.

The tiny model of conftest.py has A = x (identity 1x1 conv), A^0 = [[1, 2], [3, 4]],
A^1 = [[0, -1], [2, 1]], and a Flatten -> Dense head, so dy^c/dA is the Dense weight laid out on
the grid: for class 0, G^0 = [[1, 0], [0, 1]] and G^1 = [[-2, -2], [0, 0]].
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from tiny_models import A0, A1

import gradcam_core as gc
from gradcam_core import engine
from gradcam_core.cams import (
    CAM,
    CAM_METHODS,
    BaseCAM,
    CounterfactualGradCAM,
    EigenCAM,
    GradCAM,
    GradCAMPlusPlus,
    GuidedGradCAM,
    HiResCAM,
    LayerCAM,
    ScoreCAM,
    XGradCAM,
    contrast_map,
    counterfactual_map,
    grad_cam_all_layers,
    guided_backprop,
    guided_grad_cam,
    normalized_difference,
    supports_cam,
    top_class_maps,
)
from gradcam_core.cams.eigen_cam import first_singular_vector
from gradcam_core.cams.grad_cam_plus_plus import plus_plus_alphas
from gradcam_core.drawing import gradient_image
from gradcam_core.resample import upsample

# Dense weights of the ReLU models below, one per cell of the 2 x 2 grid (Flatten order).
RELU_HEAD = np.array([1.0, -1.0, 2.0, 3.0])
RELU_INPUT = np.array([[1.0, 2.0], [-1.0, 0.5]])


def _image(rng_seed: int, shape=(8, 8, 3)) -> np.ndarray:
    return np.random.default_rng(rng_seed).normal(size=(1, *shape)).astype(np.float32)


@pytest.fixture
def gap_identity_model() -> keras.Model:
    """x (2, 2, 2) -> 'features' (A = x) -> GAP -> Dropout -> Dense(2), W = [[1, -1], [2, 0]]."""
    inputs = keras.Input((2, 2, 2))
    features = keras.layers.Conv2D(2, 1, use_bias=False, name="features")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D(name="gap")(features)
    dropped = keras.layers.Dropout(0.5, name="dropout")(pooled)
    logits = keras.layers.Dense(2, name="logits")(dropped)
    model = keras.Model(inputs, logits, name="gap_identity")
    model.get_layer("features").set_weights([np.eye(2).reshape(1, 1, 2, 2)])
    model.get_layer("logits").set_weights([np.array([[1.0, -1.0], [2.0, 0.0]]), np.zeros(2)])
    return model


def _relu_model(guide: str) -> keras.Model:
    """x (2, 2, 1) -> identity conv -> a ReLU-like layer 'relu' -> Flatten -> Dense(2).

    Class 0's Dense weights are RELU_HEAD, so dy^0/d relu_ij = [[1, -1], [2, 3]].
    """
    inputs = keras.Input((2, 2, 1))
    if guide == "conv_relu":
        h = keras.layers.Conv2D(1, 1, use_bias=False, activation="relu", name="relu")(inputs)
    else:
        h = keras.layers.Conv2D(1, 1, use_bias=False, name="conv")(inputs)
        layer = {
            "relu": keras.layers.ReLU(name="relu"),
            "relu6": keras.layers.ReLU(max_value=6.0, name="relu"),
            "activation_relu6": keras.layers.Activation("relu6", name="relu"),
        }[guide]
        h = layer(h)
    logits = keras.layers.Dense(2, name="logits")(keras.layers.Flatten()(h))
    model = keras.Model(inputs, logits, name=f"guided_{guide}")
    conv = model.get_layer("relu" if guide == "conv_relu" else "conv")
    conv.set_weights([np.ones((1, 1, 1, 1))])
    kernel = np.stack([RELU_HEAD, np.ones(4)], axis=1)
    model.get_layer("logits").set_weights([kernel, np.zeros(2)])
    return model


# ------------------------------------------------------------------ gradient-weighted methods


def test_grad_cam_plus_plus_by_hand(tiny_model, tiny_input):
    # Channel 0: sum A^0 = 10; where g = 1, alpha = 1 / (2 + 10) = 1/12; where g = 0, alpha = 0.
    # w_0 = 2 cells * 1/12 * ReLU(1) = 1/6. Channel 1: g = -2 or 0, so ReLU(g) = 0 and w_1 = 0.
    r = GradCAMPlusPlus()(tiny_model, tiny_input, "features", 0)
    np.testing.assert_allclose(r.weights, [1 / 6, 0.0], atol=1e-6)
    np.testing.assert_allclose(r.raw, A0 / 6, atol=1e-6)
    np.testing.assert_allclose(r.normalized, A0 / 4, atol=1e-6)
    assert r.method == "Grad-CAM++"


def test_grad_cam_plus_plus_guards_zero_denominators():
    # sum A = 2 and g = -1: 2 g^2 + 2 g^3 = 0. Where g = 0 the denominator is 0 as well.
    activations = np.stack([np.array([[1.0, 1.0], [0.0, 0.0]]), np.ones((2, 2))], axis=-1)
    gradients = np.stack([np.array([[-1.0, 0.0], [0.0, 0.0]]), np.full((2, 2), 0.5)], axis=-1)
    with np.errstate(all="raise"):
        r = GradCAMPlusPlus().from_tensors(activations, gradients, layer="L", class_index=0)
    # Channel 1: sum A = 4, alpha = 0.25 / (0.5 + 4 * 0.125) = 0.25 at 4 cells, w = 4 * .25 * .5
    np.testing.assert_allclose(r.weights, [0.0, 0.5])
    np.testing.assert_allclose(r.raw, 0.5 * np.ones((2, 2)))


def test_grad_cam_plus_plus_on_signed_activations_uses_the_channel_magnitude():
    # Channel 0: A = [[1, -3], [-2, 0]], sum A = -4 and sum |A| = 6. With g = 1 the paper's
    # alpha would be 1 / (2 + (-4)(1)) = -1/2; with sum |A| it is 1 / (2 + 6) = 1/8. Where
    # g = 0.5: 1 / (2 + 3) = 1/5. Where g = -1 or 0, alpha = 0 (ReLU(g) gives no weight there).
    a0 = np.array([[1.0, -3.0], [-2.0, 0.0]])
    g0 = np.array([[1.0, 0.5], [-1.0, 0.0]])
    activations, gradients = a0[:, :, None], g0[:, :, None]
    np.testing.assert_allclose(
        plus_plus_alphas(activations, gradients)[:, :, 0], [[1 / 8, 1 / 5], [0.0, 0.0]]
    )
    r = GradCAMPlusPlus().from_tensors(activations, gradients, layer="L", class_index=0)
    np.testing.assert_allclose(r.weights, [1 / 8 + 0.5 / 5])  # sum alpha ReLU(g) = 0.225
    np.testing.assert_allclose(r.raw, 0.225 * a0, rtol=1e-6)
    assert r.activations_below_zero == 0.5


def test_grad_cam_plus_plus_alphas_stay_in_zero_to_half_on_any_signs():
    rng = np.random.default_rng(25)
    activations = rng.normal(size=(6, 6, 40)) - 0.2
    gradients = rng.normal(scale=10.0, size=(6, 6, 40))
    with np.errstate(all="raise"):
        alphas = plus_plus_alphas(activations, gradients)
        weights = GradCAMPlusPlus().channel_weights(activations, gradients)
    assert np.all(np.isfinite(alphas)) and alphas.min() >= 0.0 and alphas.max() <= 0.5
    assert np.all(weights >= 0.0)
    # The paper's sum_ab A_ab would give negative alphas here.
    paper = 1.0 / (2.0 + activations.sum(axis=(0, 1)) * gradients)
    assert np.any(paper[gradients > 0] < 0)


def test_xgrad_cam_by_hand(tiny_model, tiny_input):
    # w_0 = sum(A^0 G^0) / sum A^0 = (1 + 4) / 10; w_1 = ((-1)(-2)) / 2 = 1.
    r = XGradCAM()(tiny_model, tiny_input, "features", 0)
    np.testing.assert_allclose(r.weights, [0.5, 1.0], atol=1e-6)
    np.testing.assert_allclose(r.raw, [[0.5, 0.0], [3.5, 3.0]], atol=1e-6)
    np.testing.assert_allclose(r.raw, 0.5 * A0 + A1, atol=1e-6)


def test_hires_cam_by_hand(tiny_model, tiny_input):
    # sum_k G^k * A^k = [[1, 0], [0, 4]] + [[0, 2], [0, 0]].
    r = HiResCAM()(tiny_model, tiny_input, "features", 0)
    assert r.weights is None
    np.testing.assert_allclose(r.raw, [[1.0, 2.0], [0.0, 4.0]], atol=1e-6)
    np.testing.assert_allclose(r.normalized, [[0.25, 0.5], [0.0, 1.0]], atol=1e-6)
    # Grad-CAM's normalized map here is [[0.25, 1], [0, 0.5]] (see test_grad_cam.py).
    grad = gc.grad_cam(tiny_model, tiny_input, layer="features", class_index=0)
    np.testing.assert_allclose(normalized_difference(r, grad), [[0.0, -0.5], [0.0, 0.5]], atol=1e-6)


def test_hires_cam_equals_grad_cam_when_gradient_is_spatially_constant(gap_model):
    x = _image(10)
    for c in range(4):
        hires = HiResCAM()(gap_model, x, "features", c)
        grad = GradCAM()(gap_model, x, "features", c)
        np.testing.assert_allclose(hires.raw, grad.raw, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(normalized_difference(hires, grad), 0.0, atol=1e-6)


def test_hires_difference_needs_the_same_layer_and_class(gap_model):
    x = _image(11)
    a = HiResCAM()(gap_model, x, "features", 0)
    with pytest.raises(ValueError, match="same class"):
        normalized_difference(a, GradCAM()(gap_model, x, "features", 1))
    with pytest.raises(ValueError, match="same layer"):
        normalized_difference(a, GradCAM()(gap_model, x, "conv", 0))


def test_layer_cam_by_hand(tiny_model, tiny_input):
    # ReLU(G^0) A^0 + ReLU(G^1) A^1 = [[1, 0], [0, 4]] + 0.
    r = LayerCAM()(tiny_model, tiny_input, "features", 0)
    assert r.weights is None
    np.testing.assert_allclose(r.raw, [[1.0, 0.0], [0.0, 4.0]], atol=1e-6)


# ------------------------------------------------------------------ CAM


def test_cam_weights_are_the_dense_column(gap_identity_model, tiny_input):
    r0 = CAM()(gap_identity_model, tiny_input, "features", 0)
    np.testing.assert_allclose(r0.weights, [1.0, 2.0])
    np.testing.assert_allclose(r0.raw, A0 + 2 * A1, atol=1e-6)  # [[1, 0], [7, 6]]
    np.testing.assert_allclose(r0.normalized, [[1 / 7, 0.0], [1.0, 6 / 7]], atol=1e-6)
    assert r0.score == pytest.approx((10 + 2 * 2) / 4, abs=1e-5)  # mean A^0 + 2 mean A^1
    r1 = CAM()(gap_identity_model, tiny_input, "features", 1)
    np.testing.assert_allclose(r1.raw, -A0, atol=1e-6)
    assert r1.is_empty


def test_grad_cam_equals_cam_over_cells(gap_model):
    x = _image(12)
    for c in range(4):
        cam = CAM()(gap_model, x, "features", c)
        grad = GradCAM()(gap_model, x, "features", c)
        np.testing.assert_allclose(grad.raw * 16, cam.raw, rtol=1e-5, atol=1e-5)  # 4 x 4 cells
        np.testing.assert_allclose(grad.normalized, cam.normalized, atol=1e-5)


def test_cam_finds_the_head_through_nesting_and_softmax(gap_model):
    x = _image(13)
    direct = CAM()(gap_model, x, "features", 2)
    base = keras.Model(gap_model.input, gap_model.get_layer("features").output, name="base")
    nested = keras.Sequential(
        [keras.Input((8, 8, 3)), base, keras.layers.GlobalAveragePooling2D(), gap_model.layers[-1]]
    )
    np.testing.assert_allclose(CAM()(nested, x, "features", 2).raw, direct.raw, atol=1e-5)
    probs = keras.Sequential([gap_model, keras.layers.Softmax()])
    via_probs = CAM()(probs, x, "gap_model/features", 2)
    np.testing.assert_allclose(via_probs.raw, direct.raw, atol=1e-5)


def test_cam_refuses_other_architectures(tiny_model, tiny_input, gap_model):
    with pytest.raises(ValueError, match="global average pooling"):
        CAM()(tiny_model, tiny_input, "features", 0)
    with pytest.raises(ValueError, match="fed by 'features'"):
        CAM()(gap_model, _image(14), "conv", 0)
    assert supports_cam(gap_model, "features")
    assert not supports_cam(gap_model, "conv")
    assert not supports_cam(tiny_model, "features")


# ------------------------------------------------------------------ Score-CAM


def test_score_cam_by_hand(tiny_model, tiny_input):
    # The layer has the input's resolution, so masks are the min-max scaled channels:
    masks = [np.array([[0, 1], [2, 3]]) / 3, np.array([[1, 0], [3, 2]]) / 3]
    # y^0(X * H) = sum_ij H_ij (A^0 G^0 + A^1 G^1)_ij + 0.5 with that sum = [[1, 2], [0, 4]]:
    scores = np.array([2 / 3 + 4 + 0.5, 1 / 3 + 8 / 3 + 0.5])  # 31/6 and 7/2
    cell_sums = np.array([[1.0, 2.0], [0.0, 4.0]])
    np.testing.assert_allclose([(m * cell_sums).sum() + 0.5 for m in masks], scores)
    weights = np.exp(scores) / np.exp(scores).sum()
    seen: list[float] = []
    r = ScoreCAM(batch_size=1, progress=seen.append)(tiny_model, tiny_input, "features", 0)
    np.testing.assert_allclose(r.weights, weights, rtol=1e-5)
    np.testing.assert_allclose(r.raw, weights[0] * A0 + weights[1] * A1, rtol=1e-5)
    assert seen == [0.5, 1.0]
    assert r.score == pytest.approx(7.5, abs=1e-5)


def test_score_cam_upsamples_masks_and_batches(gap_model):
    """Against masks made here with the app's upsampling and a plain Keras predict."""
    x = _image(15)
    activations = engine.forward(gap_model, x, ["features"]).activations["features"]
    logits = []
    for k in range(3):
        up = upsample(activations[:, :, k], 8, 8)
        mask = (up - up.min()) / (up.max() - up.min())
        logits.append(np.asarray(gap_model(x * mask[None, :, :, None]))[0])
    expected = np.exp(np.array(logits)[:, 1])
    expected /= expected.sum()
    for batch_size in (1, 2, 64):
        r = ScoreCAM(batch_size=batch_size)(gap_model, x, "features", 1)
        np.testing.assert_allclose(r.weights, expected, rtol=1e-4)


def test_score_cam_constant_channel_masks_everything_and_bad_batch(tiny_model):
    x = np.stack([np.full((2, 2), 3.0), A1], axis=-1)[None].astype(np.float32)
    # Channel 0 is constant: its mask is 0, the input becomes 0 and y^0 = bias = 0.5.
    # Channel 1's mask is [[1, 0], [3, 2]] / 3 and the cell sums are now [[3, 2], [0, 3]]: 3 + .5.
    r = ScoreCAM()(tiny_model, x, "features", 0)
    scores = np.array([0.5, 3.5])
    np.testing.assert_allclose(r.weights, np.exp(scores) / np.exp(scores).sum(), rtol=1e-5)
    with pytest.raises(ValueError, match="batch size"):
        ScoreCAM(batch_size=0)(tiny_model, x, "features", 0)


def test_score_cam_with_softmax_scores(tiny_model, tiny_input):
    # Masked logits (class 0, class 1): class 1's cell sums are -A^0 and its bias -0.25.
    logits = np.array([[31 / 6, -20 / 3 - 0.25], [7 / 2, -6 - 0.25]])
    probs = np.exp(logits[:, 0]) / np.exp(logits).sum(axis=1)
    weights = np.exp(probs) / np.exp(probs).sum()
    r = ScoreCAM()(tiny_model, tiny_input, "features", 0, score="softmax")
    np.testing.assert_allclose(r.weights, weights, rtol=1e-5)
    assert r.score_kind == "softmax"


# ------------------------------------------------------------------ Eigen-CAM


def test_eigen_cam_recovers_a_rank_one_pattern(tiny_model):
    spatial = np.array([[1.0, 2.0], [3.0, 0.5]])
    x = (spatial[:, :, None] * np.array([2.0, 1.0]))[None].astype(np.float32)
    r = EigenCAM()(tiny_model, x, "features", 1)
    np.testing.assert_allclose(r.normalized, spatial / 3.0, atol=1e-6)
    np.testing.assert_allclose(np.abs(r.weights), np.array([2.0, 1.0]) / np.sqrt(5), atol=1e-6)
    assert r.score == pytest.approx(-(2 * 6.5) - 0.25, abs=1e-5)  # y^1 = -sum A^0 + b_1


def test_eigen_cam_rank_one_with_mixed_channel_signs_is_measured_from_the_average_cell():
    spatial = np.array([[0.0, 1.0, 4.0], [2.0, 0.5, 3.0]])
    channels = np.array([1.0, -0.5, 2.0])  # A has negative values: the zero point is the mean cell
    activations = spatial[:, :, None] * channels
    # A - mean = (s - 1.75) c, so v_1 = ±c / |c| and the projection is ±(s - 1.75) |c|. The cells'
    # distances |s - 1.75| mean|c| weigh the positive side more (sum of d |d| = 1.5 > 0): +.
    r = EigenCAM().from_tensors(activations, None, layer="L", class_index=0)
    above = np.maximum(spatial - 1.75, 0.0)  # [[0, 0, 2.25], [0.25, 0, 1.25]]
    np.testing.assert_allclose(r.normalized, above / 2.25, atol=1e-6)
    np.testing.assert_allclose(r.weights, channels / np.linalg.norm(channels), atol=1e-6)
    assert r.activations_below_zero == pytest.approx(5 / 18)  # the -0.5 channel, s > 0 at 5 cells


def test_eigen_cam_on_signed_layers_ignores_a_constant_offset_per_channel():
    activations = np.random.default_rng(24).normal(size=(4, 5, 6))
    offset = np.array([3.0, -2.0, 0.5, 0.0, 1.0, -4.0])
    a = EigenCAM().from_tensors(activations, None, layer="L", class_index=0)
    b = EigenCAM().from_tensors(activations + offset, None, layer="L", class_index=0)
    np.testing.assert_allclose(a.raw, b.raw, atol=1e-9)
    assert not a.is_empty


def test_eigen_cam_takes_the_svd_of_the_activations_as_they_are():
    # Columns with disjoint support are orthogonal, so A^T A = diag(18, 5) and v_1 = e_0:
    # L = A^0 = [3, 3, 0, 0]. Centring first (pytorch-grad-cam) would mix both channels.
    flat = np.array([[3.0, 0.0], [3.0, 0.0], [0.0, 1.0], [0.0, 2.0]])
    activations = flat.reshape(2, 2, 2)
    r = EigenCAM().from_tensors(activations, np.zeros_like(activations), layer="L", class_index=0)
    np.testing.assert_allclose(r.weights, [1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(r.raw, [[3.0, 3.0], [0.0, 0.0]], atol=1e-12)


def test_eigen_cam_sign_follows_the_mean_activation_where_activations_are_non_negative():
    activations = np.abs(np.random.default_rng(16).normal(size=(5, 6, 7)))
    raw = activations.reshape(-1, 7) @ first_singular_vector(activations)
    mean = activations.reshape(-1, 7).mean(axis=1)
    assert np.corrcoef(raw, mean)[0, 1] > 0
    np.testing.assert_allclose(np.linalg.norm(first_singular_vector(activations)), 1.0)


def test_eigen_cam_sign_follows_the_distance_from_the_average_cell_where_signed():
    activations = np.random.default_rng(16).normal(size=(5, 6, 7)) + 0.3
    rows = activations.reshape(-1, 7) - activations.reshape(-1, 7).mean(axis=0)
    raw = rows @ first_singular_vector(activations)
    assert np.corrcoef(raw, np.abs(rows).mean(axis=1))[0, 1] > 0
    assert np.corrcoef(-raw, np.abs(rows).mean(axis=1))[0, 1] < 0


def test_eigen_cam_is_empty_only_when_every_cell_is_alike():
    same = np.broadcast_to(np.array([1.0, -2.0, 0.5]), (3, 3, 3))
    assert EigenCAM().from_tensors(same, None, layer="L", class_index=0).is_empty
    assert EigenCAM().from_tensors(np.zeros((2, 2, 3)), None, layer="L", class_index=0).is_empty


# ------------------------------------------------------------------ guided backprop


@pytest.mark.parametrize("guide", ["relu", "conv_relu"])
def test_guided_backprop_keeps_positive_input_and_positive_gradient(guide):
    model = _relu_model(guide)
    x = RELU_INPUT[None, :, :, None].astype(np.float32)
    # Plain gradient: RELU_HEAD where x > 0 -> [[1, -1], [0, 3]].
    # Guided: also zero where the incoming gradient (-1) is negative -> [[1, 0], [0, 3]].
    guided = guided_backprop(model, x, 0)
    assert guided.shape == (2, 2, 1)
    np.testing.assert_allclose(guided[:, :, 0], [[1.0, 0.0], [0.0, 3.0]], atol=1e-6)


@pytest.mark.parametrize("guide", ["relu6", "activation_relu6"])
def test_guided_backprop_through_relu6(guide):
    model = _relu_model(guide)
    x = np.array([[1.0, 2.0], [-1.0, 7.0]])[None, :, :, None].astype(np.float32)
    # x = 7 saturates ReLU6 (no gradient), x = 2 meets a negative gradient, x = -1 is cut.
    guided = guided_backprop(model, x, 0)
    np.testing.assert_allclose(guided[:, :, 0], [[1.0, 0.0], [0.0, 0.0]], atol=1e-6)


def test_guided_backprop_negative_relu_inputs_block_positive_gradients():
    model = _relu_model("relu")
    x = -np.abs(RELU_INPUT)[None, :, :, None].astype(np.float32)
    # Class 1's weights are all +1, but every ReLU input is negative.
    np.testing.assert_array_equal(guided_backprop(model, x, 1), np.zeros((2, 2, 1)))
    np.testing.assert_allclose(guided_backprop(model, -x, 1)[:, :, 0], np.ones((2, 2)))


def test_guided_grad_cam_by_hand():
    model = _relu_model("relu")
    x = RELU_INPUT[None, :, :, None].astype(np.float32)
    result = guided_grad_cam(model, x, "relu", 0)
    # Grad-CAM on 'relu': alpha = mean [1, -1, 2, 3] = 1.25, A = ReLU(x) = [[1, 2], [0, .5]].
    np.testing.assert_allclose(result.gradcam.normalized, [[0.5, 1.0], [0.0, 0.25]], atol=1e-6)
    np.testing.assert_allclose(result.guided[:, :, 0], [[1.0, 0.0], [0.0, 3.0]], atol=1e-6)
    np.testing.assert_allclose(result.guided_gradcam[:, :, 0], [[0.5, 0.0], [0.0, 0.75]], atol=1e-6)
    via_class = GuidedGradCAM().guided(model, x, "relu", 0)
    np.testing.assert_allclose(via_class.guided_gradcam, result.guided_gradcam)


def test_guided_backprop_does_not_retrace_per_class(gap_model):
    x = _image(17)
    guided_backprop(gap_model, x, 0)
    traces = engine.trace_count()
    for c in (1, 2, 3):
        assert guided_backprop(gap_model, x, c).shape == (8, 8, 3)
    assert engine.trace_count() == traces


def test_gradient_image():
    # mean 0, std 1: 0.5 -/+ 0.1 -> 102 and 153 of 255.
    np.testing.assert_array_equal(gradient_image(np.array([-1.0, 1.0])), [102, 153])
    np.testing.assert_array_equal(gradient_image(np.zeros((2, 2, 3))), np.full((2, 2, 3), 128))
    assert gradient_image(np.array([-1e9, 0, 1e9])).dtype == np.uint8


# ------------------------------------------------------------------ classes


def test_counterfactual_is_grad_cam_with_negated_weights(tiny_model, tiny_input):
    r = counterfactual_map(tiny_model, tiny_input, "features", 0)
    np.testing.assert_allclose(r.weights, [-0.5, 1.0], atol=1e-6)
    np.testing.assert_allclose(r.raw, [[-0.5, -2.0], [0.5, -1.0]], atol=1e-6)
    np.testing.assert_allclose(r.normalized, [[0.0, 0.0], [1.0, 0.0]], atol=1e-6)
    grad = gc.grad_cam(tiny_model, tiny_input, layer="features", class_index=0)
    np.testing.assert_allclose(r.weights, -grad.weights, atol=1e-6)
    assert isinstance(CounterfactualGradCAM(), BaseCAM)


def test_contrast_is_the_difference_of_raw_maps(tiny_model, tiny_input):
    r = contrast_map(tiny_model, tiny_input, "features", 0, 1)
    # alpha = [0.5, -1] - [-1, 0] = [1.5, -1]: raw = 1.5 A^0 - A^1.
    np.testing.assert_allclose(r.weights, [1.5, -1.0], atol=1e-6)
    np.testing.assert_allclose(r.raw, [[1.5, 4.0], [2.5, 5.0]], atol=1e-6)
    a = gc.grad_cam(tiny_model, tiny_input, layer="features", class_index=0)
    b = gc.grad_cam(tiny_model, tiny_input, layer="features", class_index=1)
    np.testing.assert_allclose(r.raw, a.raw - b.raw, atol=1e-6)
    assert r.score == pytest.approx(7.5 - (-10.25), abs=1e-5)
    assert r.class_index == 0
    with pytest.raises(ValueError, match="same"):
        contrast_map(tiny_model, tiny_input, "features", 1, 1)


def test_contrast_on_a_real_head(gap_model):
    x = _image(18)
    forward_pass = engine.forward(gap_model, x, ["features"])
    r = contrast_map(gap_model, x, "features", 3, 0, forward_pass=forward_pass)
    a = gc.grad_cam(gap_model, x, layer="features", class_index=3)
    b = gc.grad_cam(gap_model, x, layer="features", class_index=0)
    np.testing.assert_allclose(r.raw, a.raw - b.raw, rtol=1e-5, atol=1e-5)


def test_top_class_maps_follow_the_logits(gap_model):
    x = _image(19)
    logits = np.asarray(gap_model(x))[0]
    maps = top_class_maps(gap_model, x, "features", k=3)
    assert [m.class_index for m in maps] == list(np.argsort(-logits)[:3])
    for m in maps:
        alone = gc.grad_cam(gap_model, x, layer="features", class_index=m.class_index)
        np.testing.assert_allclose(m.raw, alone.raw, rtol=1e-5, atol=1e-6)
        assert m.score == pytest.approx(logits[m.class_index], rel=1e-5)


# ------------------------------------------------------------------ all layers at once


@pytest.fixture
def small_convnet() -> keras.Model:
    rng = np.random.default_rng(20)
    inputs = keras.Input((12, 12, 3))
    h = keras.layers.Conv2D(4, 3, padding="same", name="conv1")(inputs)
    h = keras.layers.ReLU(name="relu1")(h)
    h = keras.layers.MaxPooling2D(name="pool")(h)
    h = keras.layers.Conv2D(6, 3, strides=2, padding="same", name="conv2")(h)
    h = keras.layers.BatchNormalization(name="bn")(h)
    h = keras.layers.ReLU(max_value=6.0, name="relu2")(h)
    h = keras.layers.GlobalAveragePooling2D(name="gap")(h)
    logits = keras.layers.Dense(5, name="logits")(h)
    model = keras.Model(inputs, logits, name="small_convnet")
    for layer in model.layers:
        if layer.get_weights():
            layer.set_weights([rng.normal(size=w.shape) + 0.5 for w in layer.get_weights()])
    gamma, beta, mean, variance = model.get_layer("bn").get_weights()
    model.get_layer("bn").set_weights([gamma, beta, mean, np.abs(variance) + 0.1])
    return model


@pytest.mark.parametrize("score", ["logit", "softmax"])
def test_all_layers_pass_matches_per_layer_grad_cam(small_convnet, score):
    x = _image(21, (12, 12, 3))
    maps = grad_cam_all_layers(small_convnet, x, 2, score=score)
    assert list(maps) == gc.list_layers(small_convnet)
    for path, result in maps.items():
        single = gc.grad_cam(small_convnet, x, layer=path, class_index=2, score=score)
        np.testing.assert_allclose(result.raw, single.raw, atol=1e-5, rtol=1e-5)
        np.testing.assert_allclose(result.normalized, single.normalized, atol=1e-5)
        assert result.score == pytest.approx(single.score, rel=1e-5)


def test_all_layers_through_nesting_and_a_subset(gap_model):
    x = _image(22)
    base = keras.Model(gap_model.input, gap_model.get_layer("features").output, name="base")
    wrapped = keras.Sequential(
        [keras.Input((8, 8, 3)), base, keras.layers.GlobalAveragePooling2D(), gap_model.layers[-1]]
    )
    maps = grad_cam_all_layers(wrapped, x, 1, layers=["features"])
    assert list(maps) == ["base/features"]
    single = gc.grad_cam(gap_model, x, layer="features", class_index=1)
    np.testing.assert_allclose(maps["base/features"].raw, single.raw, atol=1e-5)


# ------------------------------------------------------------------ registry


def test_registry_methods_declare_what_the_pages_need_and_each_runs(gap_model):
    x = _image(23)
    assert len({kind.name for kind in CAM_METHODS.values()}) == len(CAM_METHODS)
    for method_id, kind in CAM_METHODS.items():
        assert issubclass(kind, BaseCAM), method_id
        assert kind.formula and kind.__doc__ and kind.note, method_id
        assert kind.empty_note, method_id
        result = kind()(gap_model, x, "features", 1)
        assert result.raw.shape == (4, 4)
        assert np.all(np.isfinite(result.raw))
        assert result.method == kind.name


def test_gradient_free_methods_run_no_backward_pass(gap_model, monkeypatch):
    def no_backward(*args, **kwargs):
        raise AssertionError("a gradient-free method asked for gradients")

    x = _image(26)
    forward_pass = engine.forward(gap_model, x, ["features"])
    monkeypatch.setattr(engine, "class_gradients", no_backward)
    free = [kind for kind in CAM_METHODS.values() if not kind.uses_gradients]
    assert {kind.name for kind in free} == {"Score-CAM", "Eigen-CAM", "CAM"}
    for kind in free:
        (result,) = kind().from_forward(gap_model, x, forward_pass, "features", [2])
        assert result.score == pytest.approx(float(forward_pass.logits[2]), rel=1e-6)
    with pytest.raises(AssertionError, match="asked for gradients"):
        GradCAM().from_forward(gap_model, x, forward_pass, "features", [2])


def test_constructor_options_are_declared():
    assert [o.name for o in ScoreCAM.options()] == ["batch_size", "progress"]
    assert ScoreCAM.cost == "one forward pass per channel"
    assert [kind for kind in CAM_METHODS.values() if kind.cost] == [ScoreCAM]
    assert [kind for kind in CAM_METHODS.values() if kind.options()] == [ScoreCAM]
    assert GuidedGradCAM.pixel_level and not GradCAM.pixel_level


def test_gradient_free_methods_need_the_model_only_where_the_weights_do(tiny_model, tiny_input):
    activations = np.stack([A0, A1], axis=-1)
    with pytest.raises(ValueError, match="needs the model"):
        CAM().from_tensors(activations, None, layer="features", class_index=0)
    with pytest.raises(ValueError, match="needs the model"):
        ScoreCAM().from_tensors(activations, None, layer="features", class_index=0)
    eigen = EigenCAM().from_tensors(activations, None, layer="features", class_index=0)
    assert eigen.raw.shape == (2, 2)


def test_calling_a_method_on_a_softmax_model_equals_grad_cam(gap_model):
    x = _image(27)
    probs_model = keras.Sequential([gap_model, keras.layers.Softmax()])
    layer = "gap_model/features"
    expected = gc.grad_cam(probs_model, x, layer=layer, class_index=1)
    called = GradCAM()(probs_model, x, layer, 1)
    np.testing.assert_array_equal(called.raw, expected.raw)
    assert called.score == expected.score
    direct = GradCAM()(gap_model, x, "features", 1)
    np.testing.assert_allclose(called.raw, direct.raw, rtol=1e-5, atol=1e-6)
    logit = float(np.asarray(gap_model(x))[0, 1])
    for kind in (EigenCAM, CAM):  # the score reported is the logit, not the probability
        assert kind()(probs_model, x, layer, 1).score == pytest.approx(logit, rel=1e-5)


@pytest.mark.parametrize("kind", [GradCAM, EigenCAM, ScoreCAM])
def test_every_entry_point_checks_the_score(tiny_model, tiny_input, kind):
    forward_pass = engine.forward(tiny_model, tiny_input, ["features"])
    with pytest.raises(ValueError, match="Score must be one of"):
        kind()(tiny_model, tiny_input, "features", 0, score="probability")
    with pytest.raises(ValueError, match="Score must be one of"):
        kind().from_forward(tiny_model, tiny_input, forward_pass, "features", [0], "odds")


def test_input_gradient_is_the_plain_gradient_without_wrappers(tiny_model, tiny_input):
    # y^0 = sum_ij (W^0 A^0 + W^1 A^1)_ij + b with A = x: dy^0/dx is class 0's Dense weights.
    gradient = engine.input_gradient(tiny_model, tiny_input, 0)
    np.testing.assert_allclose(gradient[:, :, 0], [[1.0, 0.0], [0.0, 1.0]], atol=1e-6)
    np.testing.assert_allclose(gradient[:, :, 1], [[-2.0, -2.0], [0.0, 0.0]], atol=1e-6)
    with pytest.raises(ValueError, match="Score must be one of"):
        engine.input_gradient(tiny_model, tiny_input, 0, score="odds")
