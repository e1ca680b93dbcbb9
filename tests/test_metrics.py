"""Trust checks against answers worked out by hand: faithfulness, sanity and localization."""

from __future__ import annotations

import functools
import itertools
import json
import math
from pathlib import Path

import keras
import numpy as np
import pytest

import gradcam_core as gc
import gradcam_core.metrics as gm
from gradcam_core.metrics import faithfulness, sanity

SAMPLES = Path(__file__).resolve().parent.parent / "gradcam_core" / "samples_data"


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def trapezoid(values: list[float], dx: float) -> float:
    return dx * sum((a + b) / 2 for a, b in itertools.pairwise(values))


# -- a model whose evidence is known: class 0's logit is the mean brightness of one region -------

SIDE = 16
ROWS, COLS = slice(4, 8), slice(2, 10)  # 4 x 8 = 32 of the 256 pixels: one eighth
REGION_PIXELS = 32
GAIN = 4.0


def scale(batch: np.ndarray) -> np.ndarray:
    """The region model's preprocessing: 0..255 -> -1..1, so grey 127.5 -> 0."""
    return batch / 127.5 - 1.0


@pytest.fixture(scope="module")
def region_model() -> keras.Model:
    """logit_0 = GAIN * mean over the region of the scaled pixels, logit_1 = 0.

    p_0 = sigmoid(GAIN * m): 255 in the whole region gives sigmoid(4), grey gives 1/2. Pixels
    outside the region have zero weight, so the perfect map is the region's indicator.
    """
    inputs = keras.Input((SIDE, SIDE, 3))
    scores = keras.layers.Conv2D(2, SIDE, name="score")(inputs)  # valid: one output cell
    model = keras.Model(inputs, keras.layers.Flatten(name="flat")(scores), name="region")
    kernel = np.zeros((SIDE, SIDE, 3, 2))
    kernel[ROWS, COLS, :, 0] = GAIN / (REGION_PIXELS * 3)
    model.get_layer("score").set_weights([kernel, np.zeros(2)])
    return model


@pytest.fixture
def region_image() -> np.ndarray:
    """White (255) in the region, a black-and-white checkerboard elsewhere."""
    rows, cols = np.indices((SIDE, SIDE))
    image = np.repeat((((rows + cols) % 2) * 255.0)[..., None], 3, axis=2)
    image[ROWS, COLS] = 255.0
    return image


@pytest.fixture
def perfect_map() -> np.ndarray:
    saliency = np.zeros((SIDE, SIDE))
    saliency[ROWS, COLS] = 1.0
    return saliency


def test_region_model_scores_as_designed(region_model, region_image):
    p = gm.class_probabilities(region_model, region_image[None], scale, 0)
    assert p[0] == pytest.approx(sigmoid(GAIN), abs=1e-6)
    grey = np.full_like(region_image, 127.5)
    assert gm.class_probabilities(region_model, grey[None], scale, 0)[0] == pytest.approx(0.5)


def test_a_model_ending_in_softmax_is_not_softmaxed_twice(region_model, region_image):
    probabilities = keras.Sequential([region_model, keras.layers.Softmax()])
    p = gm.class_probabilities(probabilities, region_image[None], scale, 0)
    assert p[0] == pytest.approx(sigmoid(GAIN), abs=1e-6)


def test_the_models_own_probabilities_replace_softmax(region_model, region_image, perfect_map):
    # Logits (4, 0) on the region image. Softmax: p_1 = 1 - sigmoid(4); a sigmoid head scores
    # each class alone: p_1 = sigmoid(0) = 1/2 and p_0 = sigmoid(4).
    per_class = np.vectorize(sigmoid)
    batch = region_image[None]
    assert gm.class_probabilities(region_model, batch, scale, 1)[0] == pytest.approx(
        1 - sigmoid(GAIN), abs=1e-6
    )
    own = gm.class_probabilities(region_model, batch, scale, 1, per_class)
    assert own[0] == pytest.approx(0.5, abs=1e-6)
    # Hiding the whole region under grey: logit_0 = 0, so p_0 = 1/2 under either head.
    hidden = gm.hide_top(
        region_model, region_image, scale, perfect_map, 0, 1.0, "grey", probabilities=per_class
    )
    assert hidden == pytest.approx(0.5, abs=1e-6)
    change = gm.confidence_change(region_model, region_image, scale, perfect_map, 1, per_class)
    assert change.probability == pytest.approx(0.5, abs=1e-6)
    curve = gm.deletion_curve(
        region_model, region_image, scale, perfect_map, 0, steps=8, probabilities=per_class
    )
    assert curve.scores[0] == pytest.approx(sigmoid(GAIN), abs=1e-6)
    assert curve.scores[-1] < sigmoid(GAIN)


def test_perfect_map_deletion_matches_hand_curve(region_model, region_image, perfect_map):
    # 16 steps of 16 pixels: the 32 region pixels go in steps 1 and 2, then nothing changes.
    curve = gm.deletion_curve(
        region_model, region_image, scale, perfect_map, 0, steps=16, substrate="grey"
    )
    expected = [sigmoid(GAIN * (1 - min(k / 2, 1))) for k in range(17)]
    np.testing.assert_allclose(curve.fractions, np.arange(17) / 16)
    np.testing.assert_allclose(curve.scores, expected, atol=1e-6)
    # (0.982 + 0.881) / 2 + (0.881 + 0.5) / 2 + 14 * 0.5, over 16: 0.5389
    assert curve.auc == pytest.approx(trapezoid(expected, 1 / 16), abs=1e-6)
    assert curve.auc == pytest.approx(0.5389, abs=1e-4)
    assert (curve.kind, curve.substrate) == ("deletion", "grey")


def test_perfect_map_insertion_matches_hand_curve(region_model, region_image, perfect_map):
    curve = gm.insertion_curve(
        region_model, region_image, scale, perfect_map, 0, steps=16, substrate="grey"
    )
    expected = [sigmoid(GAIN * min(k / 2, 1)) for k in range(17)]
    np.testing.assert_allclose(curve.scores, expected, atol=1e-6)
    assert curve.auc == pytest.approx(0.9606, abs=1e-4)


def test_perfect_map_beats_random_maps(region_model, region_image, perfect_map):
    """A random order removes the region at rate t: p(t) ~ sigmoid(GAIN (1 - t)), AUC ~ 0.83."""
    options = {"steps": 16, "substrate": "grey"}
    perfect_del = gm.deletion_curve(region_model, region_image, scale, perfect_map, 0, **options)
    perfect_ins = gm.insertion_curve(region_model, region_image, scale, perfect_map, 0, **options)
    randoms = [gm.random_saliency(SIDE, SIDE, seed) for seed in range(8)]
    random_del = [
        gm.deletion_curve(region_model, region_image, scale, r, 0, **options) for r in randoms
    ]
    random_ins = [
        gm.insertion_curve(region_model, region_image, scale, r, 0, **options) for r in randoms
    ]
    chance = (math.log1p(math.exp(GAIN)) - math.log(2)) / GAIN  # integral of sigmoid(GAIN t)
    for curve in random_del:
        assert curve.auc > perfect_del.auc + 0.15
    for curve in random_ins:
        assert curve.auc < perfect_ins.auc - 0.05
    assert gm.average_curves(random_del).auc == pytest.approx(chance, abs=0.03)
    assert gm.average_curves(random_ins).auc == pytest.approx(chance, abs=0.03)
    print(
        f"deletion AUC perfect {perfect_del.auc:.3f} random mean "
        f"{gm.average_curves(random_del).auc:.3f}; insertion AUC perfect {perfect_ins.auc:.3f} "
        f"random mean {gm.average_curves(random_ins).auc:.3f}; chance {chance:.3f}"
    )


def test_deletion_of_a_map_is_insertion_of_its_reverse(gap_model):
    """Deleting the top k/S of s leaves what inserting the top (S-k)/S of -s puts back."""
    pixels = np.random.default_rng(7).uniform(0, 255, (8, 8, 3))
    saliency = gm.random_saliency(8, 8, seed=3)  # no ties
    deletion = gm.deletion_curve(gap_model, pixels, scale, saliency, 2, steps=16)
    insertion = gm.insertion_curve(gap_model, pixels, scale, -saliency, 2, steps=16)
    np.testing.assert_allclose(deletion.scores, insertion.scores[::-1], rtol=1e-5)


def test_batches_and_progress_do_not_change_the_curve(gap_model):
    pixels = np.random.default_rng(8).uniform(0, 255, (8, 8, 3))
    saliency = gm.random_saliency(4, 4, seed=1)
    calls: list[tuple[int, int]] = []
    batched = gm.deletion_curve(
        gap_model, pixels, scale, saliency, 1, steps=16, batch_size=5,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    single = gm.deletion_curve(gap_model, pixels, scale, saliency, 1, steps=16, batch_size=1)
    np.testing.assert_allclose(batched.scores, single.scores, rtol=1e-6)
    assert calls == [(5, 17), (10, 17), (15, 17), (17, 17)]


def test_blurring_a_flat_image_changes_nothing(region_model):
    flat = np.full((SIDE, SIDE, 3), 200.0)
    np.testing.assert_allclose(gm.substrate_image(flat, "blur"), flat)
    saliency = gm.random_saliency(SIDE, SIDE, seed=0)
    curve = gm.deletion_curve(region_model, flat, scale, saliency, 0, steps=8, substrate="blur")
    np.testing.assert_allclose(curve.scores, sigmoid(GAIN * (200 / 127.5 - 1)), atol=1e-6)


def test_substrates():
    image = np.zeros((9, 9, 3))
    image[4, 4] = 255.0
    np.testing.assert_array_equal(gm.substrate_image(image, "grey"), np.full((9, 9, 3), 127.5))
    blurred = gm.substrate_image(image, "blur")
    assert blurred[4, 4, 0] < 255.0 / 10  # a σ = 5 blur spreads the dot over the whole image
    assert blurred[0, 0, 0] > 0.0
    with pytest.raises(ValueError, match="substrate"):
        gm.substrate_image(image, "black")


def test_hide_top_fraction(region_model, region_image, perfect_map):
    def hide(fraction: float) -> float:
        return gm.hide_top(region_model, region_image, scale, perfect_map, 0, fraction, "grey")

    assert hide(0.0) == pytest.approx(sigmoid(GAIN), abs=1e-6)
    assert hide(1 / 16) == pytest.approx(sigmoid(GAIN / 2), abs=1e-6)  # half the region
    assert hide(1 / 8) == pytest.approx(0.5, abs=1e-6)  # the whole region
    assert hide(1.0) == pytest.approx(0.5, abs=1e-6)
    with pytest.raises(ValueError, match="fraction"):
        hide(1.5)


def test_average_drop_and_increase(region_model, region_image, perfect_map):
    p = sigmoid(GAIN)
    kept = gm.confidence_change(region_model, region_image, scale, perfect_map, 0)
    # image * perfect map keeps the region (255) and blacks out what has no weight: p' = p
    assert kept.probability == pytest.approx(p, abs=1e-6)
    assert kept.masked_probability == pytest.approx(p, abs=1e-6)
    assert kept.drop == pytest.approx(0.0, abs=1e-6)
    assert not kept.increased
    half = np.full((SIDE, SIDE), 0.5)  # the region becomes 127.5: logit 0, p' = 1/2
    dimmed = gm.confidence_change(region_model, region_image, scale, half, 0)
    assert dimmed.masked_probability == pytest.approx(0.5, abs=1e-6)
    assert dimmed.drop == pytest.approx((p - 0.5) / p, abs=1e-6)
    # class 1 has p = 1 - sigmoid(4) = 0.018 and rises to 1/2 on the dimmed image
    rising = gm.confidence_change(region_model, region_image, scale, half, 1)
    assert rising.increased and rising.drop == 0.0
    drop, increase = gm.average_drop_and_increase([kept, dimmed, rising])
    assert drop == pytest.approx(100 * (p - 0.5) / p / 3, abs=1e-4)
    assert increase == pytest.approx(100 / 3)


def test_pixel_ranks_step_counts_and_auc():
    ranks = gm.pixel_ranks(np.array([[0.1, 0.9], [0.5, 0.3]]), 2, 2)
    np.testing.assert_array_equal(ranks, [[3, 0], [1, 2]])
    flat = np.zeros((3, 3))
    tied = gm.pixel_ranks(flat, 3, 3, seed=0)
    assert sorted(tied.ravel()) == list(range(9))
    np.testing.assert_array_equal(tied, gm.pixel_ranks(flat, 3, 3, seed=0))
    assert not np.array_equal(tied, gm.pixel_ranks(flat, 3, 3, seed=1))
    np.testing.assert_array_equal(faithfulness.step_counts(10, 4), [0, 2, 5, 8, 10])
    assert gm.area_under_curve(np.array([0, 0.5, 1]), np.array([1, 1, 0])) == 0.75


def test_faithfulness_rejects_bad_input(region_model, region_image, perfect_map):
    with pytest.raises(ValueError, match="outside"):
        gm.class_probabilities(region_model, region_image[None], scale, 2)
    with pytest.raises(ValueError, match="H, W, 3"):
        gm.deletion_curve(region_model, region_image[..., 0], scale, perfect_map, 0)
    with pytest.raises(ValueError, match="saliency"):
        gm.deletion_curve(region_model, region_image, scale, perfect_map * np.nan, 0)
    with pytest.raises(ValueError, match="step"):
        gm.deletion_curve(region_model, region_image, scale, perfect_map, 0, steps=0)


def test_random_saliency_is_seeded():
    a = gm.random_saliency(5, 7, seed=1)
    assert a.shape == (5, 7) and a.min() >= 0.0 and a.max() < 1.0
    np.testing.assert_array_equal(a, gm.random_saliency(5, 7, seed=1))
    assert not np.array_equal(a, gm.random_saliency(5, 7, seed=2))


def test_edge_saliency_of_a_step_edge():
    """Columns 0-7 black, 8-15 white: Sobel x is 4 * 255 on columns 7 and 8, 0 elsewhere."""
    image = np.zeros((6, 16, 3))
    image[:, 8:] = 255.0
    expected = np.zeros((6, 16))
    expected[:, 7:9] = 1.0
    np.testing.assert_allclose(gm.edge_saliency(image), expected, atol=1e-6)
    np.testing.assert_array_equal(gm.edge_saliency(np.full((4, 4, 3), 9.0)), np.zeros((4, 4)))
    np.testing.assert_allclose(gm.grey(np.full((1, 1, 3), [100.0, 0, 0])), [[29.9]])


# -- localization ------------------------------------------------------------------------------


def test_iou_of_known_boxes():
    assert gm.iou((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0
    assert gm.iou((0, 0, 10, 10), (10, 0, 20, 10)) == 0.0  # touching: x1 is exclusive
    assert gm.iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert gm.iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert gm.iou((0, 0, 10, 10), (0, 0, 5, 10)) == 0.5
    assert gm.box_area((2, 3, 7, 5)) == 10


def test_check_box_clips_and_rejects():
    assert gm.check_box([-5, 2.4, 120, 50], width=100, height=40) == (0, 2, 100, 40)
    with pytest.raises(ValueError, match="empty"):
        gm.check_box([5, 5, 5, 9])
    with pytest.raises(ValueError, match="empty"):
        gm.check_box([200, 0, 300, 10], width=100, height=40)
    with pytest.raises(ValueError, match="x0, y0, x1, y1"):
        gm.check_box([1, 2, 3])


def test_threshold_box_keeps_the_largest_region():
    full = np.zeros((20, 30))
    full[2:5, 3:6] = 1.0  # 9 px, holds the maximum
    full[10:16, 12:21] = 0.5  # 54 px: the larger region wins
    full[16, 12] = 0.1  # below 15 % of the max: not part of it
    full[9, 20] = 0.15  # exactly 15 %: kept, touching the region
    assert gm.threshold_box(full) == (12, 9, 21, 16)
    assert gm.threshold_box(full, threshold=0.6) == (3, 2, 6, 5)
    assert gm.threshold_box(np.zeros((4, 4))) is None


def test_threshold_box_uses_eight_connectivity():
    full = np.zeros((10, 10))
    for i in range(5):
        full[i, i] = 1.0  # a diagonal line of 5 pixels touching only by corners
    full[7:9, 7:9] = 1.0  # a 2 x 2 block of 4 pixels
    assert gm.threshold_box(full) == (0, 0, 5, 5)


def test_pointing_game_and_mass():
    full = np.zeros((10, 20))
    full[3, 7] = 1.0  # the peak, at x = 7, y = 3
    full[8, 15] = 0.5
    assert gm.peak_location(full) == (7, 3)
    assert gm.pointing_hit(full, (5, 2, 10, 5))
    assert not gm.pointing_hit(full, (8, 0, 20, 10))
    assert not gm.pointing_hit(full, (0, 0, 7, 4))  # x1 = 7 is exclusive
    assert gm.pointing_hit(full, (0, 0, 8, 4))
    assert gm.pointing_hit(full, (9, 3, 12, 5), tolerance=2)  # 2 px to the left of the box
    assert not gm.pointing_hit(full, (9, 3, 12, 5), tolerance=1.9)
    assert gm.mass_share(full, (0, 0, 10, 10)) == pytest.approx(1 / 1.5)
    assert not gm.pointing_hit(np.zeros((4, 4)), (0, 0, 4, 4))
    assert math.isnan(gm.mass_share(np.zeros((4, 4)), (0, 0, 4, 4)))


def test_localize_upsamples_a_coarse_map_to_the_photo():
    """A 2 x 2 map [[0, 0], [0, 1]] on a 20 x 20 photo: along each axis, pixel t is
    f(t) = clip((t + 0.5) / 10 - 0.5, 0, 1): 0 for t < 5, 0.05 .. 0.95 for t = 5..14, then 1,
    and the map is f(x) f(y)."""
    cam = np.array([[0.0, 0.0], [0.0, 1.0]])
    result = gm.localize(cam, (10, 10, 20, 20), (20, 20))
    assert result.peak == (15, 15)  # the first pixel of the 5 x 5 plateau of 1
    assert result.hit
    # f sums to 5 + 5 = 10 over 0..19 and to 3.75 + 5 = 8.75 over 10..19
    assert result.mass_share == pytest.approx((8.75 / 10) ** 2, abs=1e-5)
    # f(x) f(y) >= 0.15 needs f(x) >= 0.15 at f(y) = 1: t >= 6
    assert result.predicted_box == (6, 6, 20, 20)
    assert result.iou == pytest.approx(100 / 196)
    wide = gm.upsample_to_image(cam, 40, 20)
    assert wide.shape == (20, 40) and wide[19, 39] == 1.0 and wide[0, 0] == 0.0


def test_the_mass_in_a_box_without_the_full_map_is_the_hand_value():
    # The same 2 x 2 map and 20 x 20 photo as above: (8.75 / 10)^2 in the box (10, 10, 20, 20).
    cam = np.array([[0.0, 0.0], [0.0, 1.0]])
    assert gm.box_mass_share(cam, (10, 10, 20, 20), 20, 20) == pytest.approx(0.765625, abs=1e-12)
    assert math.isnan(gm.box_mass_share(np.zeros((2, 2)), (0, 0, 5, 5), 20, 20))


def test_a_large_photo_is_localized_on_a_scaled_grid_with_the_same_answers():
    # The hand case above on a photo 10x larger: pixel t of 200 has f = clip((t + 0.5)/100 - 0.5)
    # so the plateau starts at t = 150 and f >= 0.15 from t = 65 (the 15 % box (65, 65, 200, 200)).
    cam = np.array([[0.0, 0.0], [0.0, 1.0]])
    full = gm.localize(cam, (100, 100, 200, 200), (200, 200))
    scaled = gm.localize(cam, (100, 100, 200, 200), (200, 200), max_full_map_pixels=100 * 100)
    assert full.peak == (150, 150) and full.predicted_box == (65, 65, 200, 200)
    assert scaled.mass_share == pytest.approx(full.mass_share, abs=1e-6)
    assert scaled.hit and abs(scaled.peak[0] - 150) <= 2 and abs(scaled.peak[1] - 150) <= 2
    assert all(
        abs(a - b) <= 2 for a, b in zip(scaled.predicted_box, (65, 65, 200, 200), strict=True)
    )
    assert scaled.iou == pytest.approx(full.iou, abs=0.02)


def test_localize_an_empty_map():
    result = gm.localize(np.zeros((7, 7)), (0, 0, 5, 5), (10, 10))
    assert result.peak is None and not result.hit
    assert result.predicted_box is None and result.iou == 0.0
    assert math.isnan(result.mass_share)


# -- sanity: similarity measures ---------------------------------------------------------------


def test_spearman_by_hand():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    # ranks 1 3 2 4 against 1 2 3 4: sum d^2 = 2, rho = 1 - 6 * 2 / (4 * 15) = 0.8
    assert gm.spearman(a, np.array([[1.0, 3.0], [2.0, 4.0]])) == pytest.approx(0.8)
    assert gm.spearman(a, a**3) == pytest.approx(1.0)
    assert gm.spearman(a, -a) == pytest.approx(-1.0)
    assert math.isnan(gm.spearman(a, np.zeros((2, 2))))


def test_ssim_windows_and_data_range():
    rng = np.random.default_rng(0)
    for side in (7, 5, 3):
        a = rng.random((side, side))
        assert gm.ssim(a, a) == pytest.approx(1.0)
        assert gm.ssim(a, rng.random((side, side))) < 0.9
    assert math.isnan(gm.ssim(np.ones((2, 2)), np.ones((2, 2))))
    # flat maps: SSIM = (2 mu_a mu_b + C1) / (mu_a^2 + mu_b^2 + C1) with C1 = (0.01 * 1)^2
    flat = gm.ssim(np.full((7, 7), 0.5), np.zeros((7, 7)))
    assert flat == pytest.approx(1e-4 / (0.25 + 1e-4))
    with pytest.raises(ValueError, match="same shape"):
        gm.similarity(np.zeros((3, 3)), np.zeros((3, 4)))


# -- sanity: grouping and re-initialization ------------------------------------------------------


def test_block_names():
    assert sanity.block_name("block6a_dwconv") == "block6a"
    assert sanity.block_name("conv5_block3_out") == "conv5"
    assert sanity.block_name("block_16_project") == "block_16"
    assert sanity.block_name("top_conv") == "top"
    assert sanity.block_name("logits") == "logits"
    assert sanity.block_name("base/block2b_bn") == "base/block2b"


def _blocks_model() -> keras.Model:
    inputs = keras.Input((8, 8, 3))
    h = keras.layers.Conv2D(4, 3, padding="same", name="stem_conv")(inputs)
    h = keras.layers.BatchNormalization(name="stem_bn")(h)
    h = keras.layers.Conv2D(4, 3, padding="same", name="block1a_conv")(h)
    h = keras.layers.ReLU(name="block1a_relu")(h)
    h = keras.layers.Conv2D(4, 3, padding="same", name="block1b_conv")(h)
    h = keras.layers.Conv2D(6, 1, name="top_conv")(h)
    h = keras.layers.GlobalAveragePooling2D(name="avg_pool")(h)
    return keras.Model(inputs, keras.layers.Dense(3, name="logits")(h))


def test_layer_groups_top_down_and_merged():
    model = _blocks_model()
    groups = gm.layer_groups(model)
    assert [g.name for g in groups] == ["logits", "top", "block1b", "block1a", "stem"]
    assert groups[-1].layers == ("stem_bn", "stem_conv")
    merged = gm.layer_groups(model, max_steps=2)
    assert [g.name for g in merged] == ["logits … block1b", "block1a … stem"]
    assert merged[0].layers == ("logits", "top_conv", "block1b_conv")


def test_reinitialization_uses_the_layers_initializers():
    model = _blocks_model()
    bn = model.get_layer("stem_bn")
    bn.set_weights([np.full(4, 3.0), np.full(4, 2.0), np.full(4, 5.0), np.full(4, 7.0)])
    sanity.randomize_layer(bn, seed=0)
    for value, expected in zip(bn.get_weights(), (1.0, 0.0, 0.0, 1.0), strict=True):
        np.testing.assert_array_equal(value, np.full(4, expected))  # gamma, beta, mean, variance
    dense = model.get_layer("logits")
    before = dense.get_weights()
    sanity.randomize_layer(dense, seed=5)
    first = dense.get_weights()
    sanity.randomize_layer(dense, seed=5)
    np.testing.assert_array_equal(first[0], dense.get_weights()[0])  # seeded
    assert not np.allclose(first[0], before[0])
    np.testing.assert_array_equal(first[1], np.zeros(3))  # bias_initializer: zeros


def test_normal_reinitialization_keeps_variances_positive():
    model = _blocks_model()
    bn = model.get_layer("stem_bn")
    bn.set_weights([np.full(4, 3.0), np.linspace(0, 1, 4), np.full(4, 5.0), np.full(4, 7.0)])
    sanity.randomize_layer(bn, seed=1, method="normal")
    gamma, beta, mean, variance = bn.get_weights()
    assert not np.allclose(gamma, 3.0) and not np.allclose(beta, np.linspace(0, 1, 4))
    np.testing.assert_array_equal(variance, np.ones(4))
    np.testing.assert_array_equal(mean, np.zeros(4))


# -- sanity: the cascade -----------------------------------------------------------------------


def _cascade_model() -> keras.Model:
    rng = np.random.default_rng(11)
    inputs = keras.Input((16, 16, 3))
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="block1_conv")(inputs)
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="block2_conv")(h)
    h = keras.layers.GlobalAveragePooling2D(name="gap")(h)
    model = keras.Model(inputs, keras.layers.Dense(3, name="logits")(h), name="cascade")
    for layer in model.layers:
        if layer.weights:
            layer.set_weights([rng.normal(0, 0.5, w.shape) for w in layer.get_weights()])
    return model


def _blob_image() -> np.ndarray:
    rows, cols = np.indices((16, 16))
    blob = 255.0 * np.exp(-((rows - 5) ** 2 + (cols - 10) ** 2) / 8.0)
    return np.stack([blob, 255.0 - blob, np.full((16, 16), 60.0)], axis=-1)


def test_cascade_changes_grad_cam_but_not_the_edge_map():
    model = _cascade_model()
    before = [w.copy() for w in model.get_weights()]
    calls: list[tuple[int, int]] = []
    result = gm.cascading_randomization(
        model, _blob_image(), scale, "block2_conv", 0, seed=0,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert result.names == ["logits", "block2", "block1"]
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert result.original.shape == (16, 16) and result.edge.shape == (16, 16)
    np.testing.assert_allclose(result.edge_spearman, 1.0, atol=1e-12)
    np.testing.assert_allclose(result.edge_ssim, 1.0, atol=1e-12)
    rho = result.spearman
    print(f"cascade spearman {np.round(rho, 3)}, ssim {np.round(result.ssim, 3)}")
    assert np.all(np.isfinite(rho)) and not any(step.empty for step in result.steps)
    assert rho[0] < 0.9  # a new head alone reweights the same channels
    assert np.all(rho[1:] < 0.5)  # new features: the map no longer resembles the original
    for step in result.steps:
        assert np.abs(step.cam - result.original).max() > 0.2
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the original is never touched


def test_cascade_steps_match_fresh_randomized_copies():
    """Randomizing one copy in place gives the maps of freshly built copies: no stale graph."""
    model = _cascade_model()
    pixels = _blob_image()
    result = gm.cascading_randomization(model, pixels, scale, "block2_conv", 1, seed=4)
    groups = gm.layer_groups(model)
    x = scale(pixels[None])
    for k, step in enumerate(result.steps):
        copy = gm.randomized_copy(model, groups[: k + 1], seed=4)
        fresh = gc.grad_cam(copy, x, layer="block2_conv", class_index=1)
        np.testing.assert_allclose(step.cam, fresh.normalized, atol=1e-5)
        assert step.empty == fresh.is_empty
    intact = gc.grad_cam(model, x, "block2_conv", 1)
    np.testing.assert_allclose(result.original, intact.normalized, atol=1e-6)


def test_a_non_finite_map_counts_as_empty():
    class Broken(gc.GradCAM):
        def weighted_map(self, activations, gradients, weights):
            return np.full(activations.shape[:2], np.nan)

    result = gm.cascading_randomization(
        _cascade_model(), _blob_image(), scale, "block2_conv", 0, cam=Broken(), max_steps=1
    )
    (step,) = result.steps
    assert step.empty and not step.cam.any() and not result.original.any()
    assert math.isnan(step.cam_similarity.spearman)


def test_randomized_copy_shares_no_weights_with_a_nested_model(gap_model):
    base = keras.Model(gap_model.input, gap_model.get_layer("features").output, name="base")
    wrapped = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            base,
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(4, name="dense"),
        ]
    )
    groups = gm.layer_groups(wrapped)
    assert [g.layers for g in groups] == [("dense",), ("base/conv",)]
    before = wrapped.get_weights()
    copy = gm.randomized_copy(wrapped, groups)
    for a, b, c in zip(before, wrapped.get_weights(), copy.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c) or not a.any()


# -- the bundled model on the shipped samples (slow) ------------------------------------------


def _bundled_or_skip():
    try:
        return gc.load_model("efficientnet_lite0")
    except gc.ModelUnavailableError as exc:
        pytest.skip(str(exc))


def _sample_objects(model):
    """(file, object, class, top-1, photo, x) for every sample object with ImageNet classes,
    explained for the one of its classes the model scores highest (not only top-1 objects)."""
    from PIL import Image

    samples = json.loads((SAMPLES / "samples.json").read_text())["samples"]
    for sample in samples:
        photo = Image.open(SAMPLES / sample["file"]).convert("RGB")
        x = gc.preprocess("efficientnet_lite0", photo)
        logits = np.asarray(gc.forward(model, x).logits).reshape(-1)
        top = int(np.argmax(logits))
        for obj in sample["objects"]:
            if obj["classes"]:
                c = max(obj["classes"], key=lambda i: logits[i])
                yield sample["file"], obj, c, top, photo, x


def _centre_bump(shape: tuple[int, int]) -> np.ndarray:
    """A map that ignores the photo: a Gaussian bump in the middle (the centre-bias baseline)."""
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]]
    squared = (rows - (shape[0] - 1) / 2) ** 2 + (cols - (shape[1] - 1) / 2) ** 2
    return np.exp(-squared / 2.0)


@pytest.mark.slow
def test_pointing_game_on_the_sample_boxes_beats_a_centre_bias_baseline():
    model = _bundled_or_skip()
    cam_hits, centre_hits, cam_iou, centre_iou, recognized = {}, {}, [], [], []
    for file, obj, c, top, photo, x in _sample_objects(model):
        normalized = gc.grad_cam(model, x, class_index=c).normalized
        cam = gm.localize(normalized, obj["box"], photo.size)
        centre = gm.localize(_centre_bump(normalized.shape), obj["box"], photo.size)
        print(f"{file} {obj['label']} ({c}): {cam}; centre baseline {centre}")
        if c == top:  # an object the model recognizes (its class is the top-1) is found
            assert cam.hit, f"{file}: peak {cam.peak} outside {obj['label']} {obj['box']}"
            box_share = gm.box_area(cam.box) / (photo.size[0] * photo.size[1])
            assert cam.mass_share > box_share  # more of the map in the box than a flat map puts
            recognized.append((file, obj["label"]))
        cam_hits[file, obj["label"]], centre_hits[file, obj["label"]] = cam.hit, centre.hit
        cam_iou.append(cam.iou)
        centre_iou.append(centre.iou)
    assert ("cat.jpg", "cat") in recognized and ("coffee.jpg", "coffee cup") in recognized
    assert len(cam_hits) >= 9
    assert sum(cam_hits.values()) > sum(centre_hits.values())
    assert np.mean(cam_iou) > np.mean(centre_iou) + 0.1
    off_centre = [key for key, hit in centre_hits.items() if not hit]
    assert off_centre and all(cam_hits[key] for key in off_centre if key[0] == "astronaut.jpg")


@pytest.mark.slow
def test_grad_cam_on_the_two_object_photo_points_at_the_class_asked_for():
    from PIL import Image

    model = _bundled_or_skip()
    photo = Image.open(SAMPLES / "cat_and_coffee.jpg").convert("RGB")
    x = gc.preprocess("efficientnet_lite0", photo)
    objects = json.loads((SAMPLES / "samples.json").read_text())["samples"]
    cat, cup = next(s["objects"] for s in objects if s["file"] == "cat_and_coffee.jpg")
    for own, other in ((cat, cup), (cup, cat)):
        for c in own["classes"]:
            normalized = gc.grad_cam(model, x, class_index=c).normalized
            inside = gm.localize(normalized, own["box"], photo.size).mass_share
            outside = gm.localize(normalized, other["box"], photo.size).mass_share
            assert inside > outside, f"class {c}: {inside:.2f} inside, {outside:.2f} in the other"


@pytest.mark.slow
def test_grad_cam_beats_random_orders_on_the_coffee_photo():
    from PIL import Image

    model = _bundled_or_skip()
    photo = Image.open(SAMPLES / "coffee.jpg").convert("RGB")
    pixels = gc.resize_for_model(photo, (224, 224)).astype(np.float64)
    preprocess = functools.partial(gc.preprocess_pixels, "efficientnet_lite0")
    cam = gc.grad_cam(model, preprocess(pixels))
    c = cam.class_index
    options = {"steps": 20, "substrate": "grey"}
    randoms = [gm.random_saliency(7, 7, seed) for seed in range(3)]  # at the map's granularity
    curves = {}
    for fn in (gm.deletion_curve, gm.insertion_curve):
        mean = gm.average_curves([fn(model, pixels, preprocess, r, c, **options) for r in randoms])
        curves[fn.__name__] = (fn(model, pixels, preprocess, cam.normalized, c, **options), mean)
    (grad_del, rand_del), (grad_ins, rand_ins) = curves.values()
    print(f"deletion {grad_del.auc:.3f} vs random {rand_del.auc:.3f}; insertion "
          f"{grad_ins.auc:.3f} vs {rand_ins.auc:.3f}")  # fmt: skip
    assert grad_del.auc < rand_del.auc - 0.1
    assert grad_ins.auc > rand_ins.auc + 0.1


@pytest.mark.slow
def test_cascade_on_the_bundled_model():
    from PIL import Image

    model = _bundled_or_skip()
    photo = Image.open(SAMPLES / "cat.jpg").convert("RGB")
    pixels = gc.resize_for_model(photo, (224, 224)).astype(np.float64)
    preprocess = functools.partial(gc.preprocess_pixels, "efficientnet_lite0")
    logits_before = gc.forward(model, preprocess(pixels)).logits
    result = gm.cascading_randomization(model, pixels, preprocess, max_steps=6)
    assert len(result.steps) == 6 and result.names[0].startswith("logits")
    assert result.original.shape == (7, 7)
    assert np.nanmax(result.spearman[1:]) < 0.8
    np.testing.assert_allclose(result.edge_spearman, 1.0, atol=1e-12)
    np.testing.assert_allclose(gc.forward(model, preprocess(pixels)).logits, logits_before)
