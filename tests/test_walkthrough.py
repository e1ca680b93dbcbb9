"""gradcam_core.walkthrough: the numbers behind every Grad-CAM step, against answers by hand."""

from __future__ import annotations

import numpy as np
import pytest

from gradcam_core import walkthrough


def test_gradient_norm_is_the_frobenius_norm():
    assert walkthrough.gradient_norm(np.array([[[3.0]], [[4.0]]])) == pytest.approx(5.0)


def test_compare_scores_by_hand():
    # logits (0, ln 3): p_1 = 3 / (1 + 3) = 0.75, slope 0.75 * 0.25 = 0.1875
    logits = np.array([0.0, np.log(3.0)])
    comparison = walkthrough.compare_scores(
        logits, 1, np.full((1, 1, 2), 1.5), np.array([[[0.0, 0.5]]])
    )
    assert comparison.logit == pytest.approx(np.log(3.0))
    assert comparison.probability == pytest.approx(0.75)
    assert comparison.slope == pytest.approx(0.1875)
    assert comparison.logit_gradient_norm == pytest.approx(np.sqrt(2 * 1.5**2))
    assert comparison.softmax_gradient_norm == pytest.approx(0.5)
    assert comparison.norm_ratio == pytest.approx(0.5 / np.sqrt(4.5))


def test_norm_ratio_of_a_zero_logit_gradient_is_zero():
    comparison = walkthrough.ScoreComparison(1.0, 0.5, 0.0, 0.0)
    assert comparison.norm_ratio == 0.0


def test_softmax_curve_is_the_logistic_function_of_the_class_logit():
    # other logits (0, 0): m = ln 2, so p(z) = 1 / (1 + 2 e^-z); p(ln 2) = 1/2
    logits = np.array([0.0, 5.0, 0.0])
    values = np.array([np.log(2.0), 0.0, 50.0, -50.0])
    curve = walkthrough.softmax_curve(logits, 1, values)
    assert curve == pytest.approx([0.5, 1.0 / 3.0, 1.0, 0.0], abs=1e-12)
    # at the class's own logit the curve gives softmax(logits)[c]
    own = walkthrough.softmax_curve(logits, 1, np.array([5.0]))[0]
    assert own == pytest.approx(np.exp(5.0) / (np.exp(5.0) + 2.0))


def test_softmax_curve_of_a_single_class_is_one():
    assert walkthrough.softmax_curve(np.array([2.0]), 0, np.array([-3.0, 3.0])) == pytest.approx(
        1.0
    )


def test_top_channels_by_absolute_weight():
    weights = np.array([0.1, -0.5, 0.3, 0.5, 0.0])
    assert walkthrough.top_channels(weights, 3).tolist() == [1, 3, 2]  # tie |-0.5| = |0.5|: lower k
    assert walkthrough.top_channels(weights, 0).tolist() == []
    assert walkthrough.top_channels(weights, 99).tolist() == [1, 3, 2, 0, 4]


def test_sort_weights_descending_with_signs_counted():
    ordered = walkthrough.sort_weights(np.array([0.2, -0.1, 0.0, 0.4]))
    assert ordered.channels.tolist() == [3, 0, 2, 1]
    assert ordered.values.tolist() == [0.4, 0.2, 0.0, -0.1]
    assert (ordered.positive, ordered.negative) == (2, 1)


def test_top_share():
    weights = np.array([3.0, -1.0, 0.5, -0.5])  # sum |alpha| = 5
    assert walkthrough.top_share(weights, 1) == pytest.approx(0.6)
    assert walkthrough.top_share(weights, 2) == pytest.approx(0.8)
    assert walkthrough.top_share(np.zeros(3), 2) == 0.0


@pytest.mark.parametrize(
    ("channels", "counts"),
    [(1, [1]), (8, [1, 8]), (10, [1, 10]), (40, [1, 10, 40]), (1280, [1, 10, 100, 1280])],
)
def test_partial_counts(channels, counts):
    assert walkthrough.partial_counts(channels) == counts


def test_partial_sum_adds_the_largest_terms_first():
    activations = np.zeros((1, 2, 3))
    activations[0, 0] = [1.0, 2.0, 3.0]
    activations[0, 1] = [4.0, 5.0, 6.0]
    weights = np.array([1.0, -3.0, 2.0])  # order by |alpha|: k = 1, 2, 0
    assert walkthrough.partial_sum(activations, weights, 1).tolist() == [[-6.0, -15.0]]
    assert walkthrough.partial_sum(activations, weights, 2).tolist() == [[0.0, -3.0]]
    assert walkthrough.partial_sum(activations, weights, 3).tolist() == [[1.0, 1.0]]


def test_correlation():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert walkthrough.correlation(a, 2 * a + 1) == pytest.approx(1.0)
    assert walkthrough.correlation(a, -a) == pytest.approx(-1.0)
    assert walkthrough.correlation(a, np.ones_like(a)) == 0.0


def test_spatially_constant_gradients():
    constant = np.broadcast_to(np.array([0.5, -2.0]), (3, 4, 2))
    assert walkthrough.is_spatially_constant(constant)
    varying = np.array(constant)
    varying[1, 2, 0] += 0.01
    assert not walkthrough.is_spatially_constant(varying)
    assert walkthrough.is_spatially_constant(np.zeros((2, 2, 3)))


def test_cell_terms_of_the_weighted_sum():
    activations = np.zeros((2, 2, 3))
    activations[1, 0] = [2.0, 1.0, -4.0]
    weights = np.array([0.5, 3.0, 0.25])  # terms: 1.0, 3.0, -1.0
    terms = walkthrough.cell_terms(activations, weights, (1, 0), 2)
    assert [(t.channel, t.weight, t.activation, t.product) for t in terms] == [
        (1, 3.0, 1.0, 3.0),
        (0, 0.5, 2.0, 1.0),  # tie |1.0| = |-1.0|: lower k first
    ]


def test_relu_effect_by_hand():
    raw = np.array([[-1.0, 2.0], [-3.0, 4.0]])  # 2 of 4 cells negative; |neg| 4 of |S| 10
    effect = walkthrough.relu_effect(raw)
    assert effect.negative_share == pytest.approx(0.5)
    assert effect.negative_mass_share == pytest.approx(0.4)
    assert (effect.min_before, effect.max_before) == (-3.0, 4.0)
    assert (effect.min_after, effect.max_after) == (0.0, 4.0)


def test_relu_effect_of_zeros():
    effect = walkthrough.relu_effect(np.zeros((2, 2)))
    assert effect.negative_share == 0.0 and effect.negative_mass_share == 0.0


def test_cell_grid_on_a_wide_photo():
    grid = walkthrough.cell_grid(7, 7, 640, 263)  # photo W x H = 640 x 263
    assert grid.xs.tolist() == pytest.approx([i * 640 / 7 for i in range(8)])
    assert grid.ys.tolist() == pytest.approx([i * 263 / 7 for i in range(8)])
    assert grid.block_width == pytest.approx(91.428571)
    assert grid.block_height == pytest.approx(37.571429)
    assert grid.block(0, 0) == pytest.approx((0.0, 0.0, 640 / 7, 263 / 7))
    assert grid.block(6, 6) == pytest.approx((6 * 640 / 7, 6 * 263 / 7, 640.0, 263.0))


def test_cell_grid_rows_and_columns_differ():
    grid = walkthrough.cell_grid(2, 4, 100, 50)  # 2 rows, 4 columns
    assert grid.xs.tolist() == [0.0, 25.0, 50.0, 75.0, 100.0]
    assert grid.ys.tolist() == [0.0, 25.0, 50.0]
    assert grid.block(1, 3) == (75.0, 25.0, 100.0, 50.0)


def test_cell_grid_rejects_empty_sizes():
    with pytest.raises(ValueError, match="positive"):
        walkthrough.cell_grid(0, 7, 640, 480)


def test_peak_cell():
    assert walkthrough.peak_cell(np.array([[0.0, 1.0, 3.0], [3.0, 2.0, 0.0]])) == (0, 2)


def test_walkthrough_builds_grad_cam_for_the_chosen_score():
    activations = np.zeros((1, 2, 2))
    activations[0, 0] = [1.0, 0.0]
    activations[0, 1] = [0.0, 2.0]
    logit_grads = np.array([[[1.0, -1.0], [3.0, -1.0]]])  # alpha = (2, -1)
    softmax_grads = logit_grads / 10
    walk = walkthrough.walkthrough(
        activations,
        np.array([0.0, 1.0]),
        {"logit": logit_grads, "softmax": softmax_grads},
        {"logit": 1.0, "softmax": 0.73},
        layer="conv",
        class_index=1,
        score="softmax",
    )
    assert walk.result.weights.tolist() == pytest.approx([0.2, -0.1])
    assert walk.result.raw.ravel().tolist() == pytest.approx([0.2, -0.2])
    assert walk.result.score == pytest.approx(0.73)
    assert walk.gradients is not None and np.allclose(walk.gradients, softmax_grads)
    assert walk.cells == 2
    assert walk.gradient_sum(0) == pytest.approx(0.4)  # (1 + 3) / 10 = alpha_0 * Z
    assert walk.scores.norm_ratio == pytest.approx(0.1)
