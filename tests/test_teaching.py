"""The teaching helpers and their figures against hand-computed answers."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from gradcam_core import figures_teaching as ft
from gradcam_core import teaching
from gradcam_core.layers import LayerInfo


def _png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


# --- scores ------------------------------------------------------------------------------------


def test_gradient_norm_is_the_frobenius_norm():
    assert teaching.gradient_norm(np.array([[[3.0]], [[4.0]]])) == pytest.approx(5.0)


def test_compare_scores_by_hand():
    # logits (0, ln 3): p_1 = 3 / (1 + 3) = 0.75, slope 0.75 * 0.25 = 0.1875
    logits = np.array([0.0, np.log(3.0)])
    comparison = teaching.compare_scores(
        logits, 1, np.full((1, 1, 2), 1.5), np.array([[[0.0, 0.5]]])
    )
    assert comparison.logit == pytest.approx(np.log(3.0))
    assert comparison.probability == pytest.approx(0.75)
    assert comparison.slope == pytest.approx(0.1875)
    assert comparison.logit_gradient_norm == pytest.approx(np.sqrt(2 * 1.5**2))
    assert comparison.softmax_gradient_norm == pytest.approx(0.5)
    assert comparison.norm_ratio == pytest.approx(0.5 / np.sqrt(4.5))


def test_norm_ratio_of_a_zero_logit_gradient_is_zero():
    comparison = teaching.ScoreComparison(1.0, 0.5, 0.0, 0.0)
    assert comparison.norm_ratio == 0.0


def test_softmax_curve_is_the_logistic_function_of_the_class_logit():
    # other logits (0, 0): m = ln 2, so p(z) = 1 / (1 + 2 e^-z); p(ln 2) = 1/2
    logits = np.array([0.0, 5.0, 0.0])
    values = np.array([np.log(2.0), 0.0, 50.0, -50.0])
    curve = teaching.softmax_curve(logits, 1, values)
    assert curve == pytest.approx([0.5, 1.0 / 3.0, 1.0, 0.0], abs=1e-12)
    # at the class's own logit the curve gives softmax(logits)[c]
    own = teaching.softmax_curve(logits, 1, np.array([5.0]))[0]
    assert own == pytest.approx(np.exp(5.0) / (np.exp(5.0) + 2.0))


def test_softmax_curve_of_a_single_class_is_one():
    assert teaching.softmax_curve(np.array([2.0]), 0, np.array([-3.0, 3.0])) == pytest.approx(1.0)


# --- channel weights ---------------------------------------------------------------------------


def test_top_channels_by_absolute_weight():
    weights = np.array([0.1, -0.5, 0.3, 0.5, 0.0])
    assert teaching.top_channels(weights, 3).tolist() == [1, 3, 2]  # tie |-0.5| = |0.5|: lower k
    assert teaching.top_channels(weights, 0).tolist() == []
    assert teaching.top_channels(weights, 99).tolist() == [1, 3, 2, 0, 4]


def test_sort_weights_descending_with_signs_counted():
    ordered = teaching.sort_weights(np.array([0.2, -0.1, 0.0, 0.4]))
    assert ordered.channels.tolist() == [3, 0, 2, 1]
    assert ordered.values.tolist() == [0.4, 0.2, 0.0, -0.1]
    assert (ordered.positive, ordered.negative) == (2, 1)


def test_top_share():
    weights = np.array([3.0, -1.0, 0.5, -0.5])  # sum |alpha| = 5
    assert teaching.top_share(weights, 1) == pytest.approx(0.6)
    assert teaching.top_share(weights, 2) == pytest.approx(0.8)
    assert teaching.top_share(np.zeros(3), 2) == 0.0


@pytest.mark.parametrize(
    ("channels", "counts"),
    [(1, [1]), (8, [1, 8]), (10, [1, 10]), (40, [1, 10, 40]), (1280, [1, 10, 100, 1280])],
)
def test_partial_counts(channels, counts):
    assert teaching.partial_counts(channels) == counts


def test_partial_sum_adds_the_largest_terms_first():
    activations = np.zeros((1, 2, 3))
    activations[0, 0] = [1.0, 2.0, 3.0]
    activations[0, 1] = [4.0, 5.0, 6.0]
    weights = np.array([1.0, -3.0, 2.0])  # order by |alpha|: k = 1, 2, 0
    assert teaching.partial_sum(activations, weights, 1).tolist() == [[-6.0, -15.0]]
    assert teaching.partial_sum(activations, weights, 2).tolist() == [[0.0, -3.0]]
    assert teaching.partial_sum(activations, weights, 3).tolist() == [[1.0, 1.0]]


def test_correlation():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert teaching.correlation(a, 2 * a + 1) == pytest.approx(1.0)
    assert teaching.correlation(a, -a) == pytest.approx(-1.0)
    assert teaching.correlation(a, np.ones_like(a)) == 0.0


def test_spatially_constant_gradients():
    constant = np.broadcast_to(np.array([0.5, -2.0]), (3, 4, 2))
    assert teaching.is_spatially_constant(constant)
    varying = np.array(constant)
    varying[1, 2, 0] += 0.01
    assert not teaching.is_spatially_constant(varying)
    assert teaching.is_spatially_constant(np.zeros((2, 2, 3)))


def test_cell_terms_of_the_weighted_sum():
    activations = np.zeros((2, 2, 3))
    activations[1, 0] = [2.0, 1.0, -4.0]
    weights = np.array([0.5, 3.0, 0.25])  # terms: 1.0, 3.0, -1.0
    terms = teaching.cell_terms(activations, weights, (1, 0), 2)
    assert [(t.channel, t.weight, t.activation, t.product) for t in terms] == [
        (1, 3.0, 1.0, 3.0),
        (0, 0.5, 2.0, 1.0),  # tie |1.0| = |-1.0|: lower k first
    ]


# --- ReLU --------------------------------------------------------------------------------------


def test_relu_effect_by_hand():
    raw = np.array([[-1.0, 2.0], [-3.0, 4.0]])  # 2 of 4 cells negative; |neg| 4 of |S| 10
    effect = teaching.relu_effect(raw)
    assert effect.negative_share == pytest.approx(0.5)
    assert effect.negative_mass_share == pytest.approx(0.4)
    assert (effect.min_before, effect.max_before) == (-3.0, 4.0)
    assert (effect.min_after, effect.max_after) == (0.0, 4.0)


def test_relu_effect_of_zeros():
    effect = teaching.relu_effect(np.zeros((2, 2)))
    assert effect.negative_share == 0.0 and effect.negative_mass_share == 0.0


# --- the cell grid -----------------------------------------------------------------------------


def test_cell_grid_on_a_wide_photo():
    grid = teaching.cell_grid(7, 7, 640, 263)  # photo W x H = 640 x 263
    assert grid.xs.tolist() == pytest.approx([i * 640 / 7 for i in range(8)])
    assert grid.ys.tolist() == pytest.approx([i * 263 / 7 for i in range(8)])
    assert grid.block_width == pytest.approx(91.428571)
    assert grid.block_height == pytest.approx(37.571429)
    assert grid.block(0, 0) == pytest.approx((0.0, 0.0, 640 / 7, 263 / 7))
    assert grid.block(6, 6) == pytest.approx((6 * 640 / 7, 6 * 263 / 7, 640.0, 263.0))


def test_cell_grid_rows_and_columns_differ():
    grid = teaching.cell_grid(2, 4, 100, 50)  # 2 rows, 4 columns
    assert grid.xs.tolist() == [0.0, 25.0, 50.0, 75.0, 100.0]
    assert grid.ys.tolist() == [0.0, 25.0, 50.0]
    assert grid.block(1, 3) == (75.0, 25.0, 100.0, 50.0)


def test_cell_grid_rejects_empty_sizes():
    with pytest.raises(ValueError, match="positive"):
        teaching.cell_grid(0, 7, 640, 480)


def test_peak_cell():
    assert teaching.peak_cell(np.array([[0.0, 1.0, 3.0], [3.0, 2.0, 0.0]])) == (0, 2)


# --- the walkthrough ---------------------------------------------------------------------------


def test_walkthrough_builds_grad_cam_for_the_chosen_score():
    activations = np.zeros((1, 2, 2))
    activations[0, 0] = [1.0, 0.0]
    activations[0, 1] = [0.0, 2.0]
    logit_grads = np.array([[[1.0, -1.0], [3.0, -1.0]]])  # alpha = (2, -1)
    softmax_grads = logit_grads / 10
    walk = teaching.walkthrough(
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


# --- choosing layers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("block2a_expand_conv", "block2a"),
        ("block2a_project_bn", "block2a"),
        ("block_13_expand_relu", "block_13"),
        ("conv2_block1_out", "conv2_block1"),
        ("block5_conv3", "block5"),
        ("stem_conv", "stem"),
        ("top_relu", "top"),
        ("Conv1", "Conv1"),
        ("backbone/block3b_add", "block3b"),
    ],
)
def test_block_key(name, key):
    assert teaching.block_key(name) == key


def test_block_outputs_keep_the_last_layer_of_each_block():
    names = [
        "stem_conv",
        "stem_relu",
        "block1a_dwconv",
        "block1a_project_bn",
        "block2a_expand_conv",
        "block2a_project_bn",
        "block2b_add",
        "top_conv",
        "top_relu",
    ]
    assert teaching.block_outputs(names) == [
        "stem_relu",
        "block1a_project_bn",
        "block2a_project_bn",
        "block2b_add",
        "top_relu",
    ]


def test_resolution_outputs_keep_the_last_layer_at_each_size():
    layers = [
        LayerInfo("a", "Conv2D", 8, 8, 4),
        LayerInfo("b", "ReLU", 8, 8, 4),
        LayerInfo("c", "Conv2D", 4, 4, 8),
        LayerInfo("d", "Conv2D", 2, 2, 8),
        LayerInfo("e", "ReLU", 2, 2, 8),
    ]
    assert teaching.resolution_outputs(layers) == ["b", "c", "e"]


def test_every_nth_keeps_the_last_layer():
    names = [f"l{i}" for i in range(7)]
    assert teaching.every_nth(names, 3) == ["l0", "l3", "l6"]
    assert teaching.every_nth(names, 4) == ["l0", "l4", "l6"]
    assert teaching.every_nth(names, 1) == names
    with pytest.raises(ValueError, match="at least 1"):
        teaching.every_nth(names, 0)


def test_nearest_layer():
    names = ["a", "b", "c", "d", "e"]
    assert teaching.nearest_layer(names, ["b", "e"], "e") == "e"  # shown: kept
    assert teaching.nearest_layer(names, ["b", "e"], "c") == "b"  # 1 away vs 2 away
    assert teaching.nearest_layer(names, ["b", "d"], "c") == "b"  # tie: the earlier one
    assert teaching.nearest_layer(names, ["b", "d"], "zzz") == "d"  # unknown: the last
    assert teaching.nearest_layer(names, ["b", "d"], None) == "d"
    with pytest.raises(ValueError, match="No layers"):
        teaching.nearest_layer(names, [], "a")


# --- figures -----------------------------------------------------------------------------------


@pytest.fixture
def tensors():
    rng = np.random.default_rng(0)
    activations = np.maximum(rng.normal(size=(4, 6, 10)), 0)
    gradients = rng.normal(size=(4, 6, 10))
    return activations, gradients, gradients.mean(axis=(0, 1))


def test_channels_png_grows_with_the_rows(tensors):
    activations, gradients, weights = tensors
    channels = ft.channel_list(weights, 8)
    assert channels == teaching.top_channels(weights, 8).tolist()
    one_row = _png_size(ft.channels_png(activations, gradients, weights, channels, 8, 0.5))
    two_rows = _png_size(ft.channels_png(activations, gradients, weights, channels, 4, 0.5))
    assert one_row[0] > two_rows[0] and two_rows[1] > one_row[1]


def test_presenter_scale_enlarges_the_figures(tensors):
    activations, _, weights = tensors
    raw = np.tensordot(activations, weights, axes=([2], [0]))
    for draw in (
        lambda s: ft.relu_png(raw, "inferno", 0.7, s),
        lambda s: ft.partial_sums_png(activations, weights, [1, 10], 0.7, s),
        lambda s: ft.softmax_curve_png(np.array([1.0, 2.0, 3.0]), 2, s),
    ):
        small, large = _png_size(draw(1.0)), _png_size(draw(1.4))
        assert large[0] > small[0] and large[1] > small[1]


def test_figures_survive_flat_and_empty_maps():
    zeros = np.zeros((3, 3, 2))
    assert ft.channels_png(zeros, zeros, np.zeros(2), [0, 1], 2).startswith(b"\x89PNG")
    assert ft.relu_png(np.zeros((3, 3)), "viridis").startswith(b"\x89PNG")
    assert ft.relu_png(-np.ones((3, 3)), "viridis").startswith(b"\x89PNG")
    assert ft.softmax_curve_png(np.array([0.0, 40.0]), 1).startswith(b"\x89PNG")  # p = 1


def test_draw_grid_draws_edges_and_boxes_the_peak():
    picture = np.zeros((20, 40, 3), dtype=np.uint8)
    grid = teaching.cell_grid(2, 4, 40, 20)  # 10 x 10 px blocks
    drawn = ft.draw_grid(picture, grid, highlight=(1, 2), color=(255, 255, 255))
    assert drawn.shape == picture.shape
    assert drawn[5, 10].max() > 0 and drawn[5, 5].max() == 0  # an edge at x = 10; inside: not
    assert drawn[10, 25, 1] == 255 and drawn[10, 25, 2] == 255  # the box's top edge (cyan)
    assert drawn[15, 20].tolist() == [0, 255, 255]  # the box's left edge


def test_draw_grid_skips_edges_finer_than_the_minimum():
    picture = np.zeros((20, 40, 3), dtype=np.uint8)
    drawn = ft.draw_grid(picture, teaching.cell_grid(10, 20, 40, 20))  # 2 px blocks
    assert drawn.max() == 0


def test_upsampling_panels_nearest_has_one_colour_per_block():
    normalized = np.array([[0.0, 1.0], [0.5, 0.25]])
    photo = Image.new("RGB", (40, 20), "white")
    grid = teaching.cell_grid(2, 2, 40, 20)
    with_grid, nearest, bilinear = ft.upsampling_panels(photo, normalized, grid, "gray")
    assert with_grid.shape == nearest.shape == bilinear.shape == (20, 40, 3)
    plain = ft.upsampled(normalized, (40, 20), "nearest", "gray")
    assert plain[12:20, 0:20].tolist() == [[[128, 128, 128]] * 20] * 8  # cell (1, 0) = 0.5
    assert plain[2, 38].tolist() == [255, 255, 255]  # cell (0, 1) = 1
    smooth = ft.upsampled(normalized, (40, 20), "bilinear", "gray")
    assert 0 < smooth[5, 20, 0] < 255  # between the cells' centres


def test_layer_thumbnail_is_a_jpeg_of_the_photo_size():
    small = ft.thumbnail(Image.new("RGB", (640, 263), "white"), 240)
    assert small.size == (240, 99)
    data = ft.layer_thumbnail(small, np.eye(3), "inferno", 0.5)
    assert data[:2] == b"\xff\xd8"
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (240, 99)


def test_jpeg_bytes_of_an_array_and_of_an_image():
    pixels = np.zeros((10, 20, 3), dtype=np.uint8)
    for given in (pixels, Image.fromarray(pixels).convert("RGBA")):
        with Image.open(io.BytesIO(ft.jpeg_bytes(given))) as image:
            assert (image.format, image.size) == ("JPEG", (20, 10))
