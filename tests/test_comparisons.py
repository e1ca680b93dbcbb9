"""gradcam_core.comparisons against hand-computed answers on the tiny models of conftest.py.

On the tiny model (A = x, Flatten -> Dense), class 0 has G^0 = [[1, 0], [0, 1]] and
G^1 = [[-2, -2], [0, 0]], so Grad-CAM's alpha = (0.5, −1) and its signed map is
0.5 A^0 − A^1 = [[0.5, 2], [−0.5, 1]]; HiResCAM's is G^0 A^0 + G^1 A^1 = [[1, 2], [0, 4]].
"""

from __future__ import annotations

import numpy as np
import pytest

from gradcam_core import comparisons, engine
from gradcam_core.cams import CAM_METHODS, guided_grad_cam, hires_minus_gradcam
from gradcam_core.render import colormap_table

GRADCAM_RAW = np.array([[0.5, 2.0], [-0.5, 1.0]])
HIRES_RAW = np.array([[1.0, 2.0], [0.0, 4.0]])


def _forward(model, x, layer):
    return engine.forward(model, x, [layer])


def test_method_map_gives_each_method_its_hand_computed_map(tiny_model, tiny_input):
    forward = _forward(tiny_model, tiny_input, "features")
    gradcam = comparisons.method_map("gradcam", tiny_model, tiny_input, forward, "features", 0)
    hires = comparisons.method_map("hirescam", tiny_model, tiny_input, forward, "features", 0)
    np.testing.assert_allclose(gradcam.weights, [0.5, -1.0])
    np.testing.assert_allclose(gradcam.raw, GRADCAM_RAW)
    np.testing.assert_allclose(hires.raw, HIRES_RAW)
    assert gradcam.method == "Grad-CAM" and hires.method == "HiResCAM"


def test_method_map_runs_every_registered_method(gap_model):
    x = np.random.default_rng(1).normal(size=(1, 8, 8, 3)).astype(np.float32)
    forward = _forward(gap_model, x, "features")
    for method_id, kind in CAM_METHODS.items():
        result = comparisons.method_map(method_id, gap_model, x, forward, "features", 2)
        expected = kind()(gap_model, x, "features", 2)
        np.testing.assert_allclose(result.raw, expected.raw, rtol=1e-5, atol=1e-6)
        assert result.class_index == 2 and result.raw.shape == (4, 4)


def test_method_map_reports_score_cam_progress_and_refuses_unknown_ids(tiny_model, tiny_input):
    forward = _forward(tiny_model, tiny_input, "features")
    seen: list[float] = []
    comparisons.method_map(
        "scorecam", tiny_model, tiny_input, forward, "features", 1, progress=seen.append
    )
    assert seen == [1.0]  # two channels, one batch
    with pytest.raises(ValueError, match="Unknown method"):
        comparisons.method_map("saliency", tiny_model, tiny_input, forward, "features", 0)


def test_cam_equals_grad_cam_on_a_gap_head(gap_model):
    x = np.random.default_rng(2).normal(size=(1, 8, 8, 3)).astype(np.float32)
    forward = _forward(gap_model, x, "features")
    cam = comparisons.method_map("cam", gap_model, x, forward, "features", 1)
    gradcam = comparisons.method_map("gradcam", gap_model, x, forward, "features", 1)
    assert comparisons.max_abs_difference(cam.normalized, gradcam.normalized) < 1e-5


def test_cam_unsupported_reason(tiny_model, gap_model):
    assert comparisons.cam_unsupported_reason(gap_model, "features") is None
    reason = comparisons.cam_unsupported_reason(gap_model, "conv")
    assert reason is not None and "fed by 'features', not by 'conv'" in reason
    assert "Flatten" in comparisons.cam_unsupported_reason(tiny_model, "features")


def test_pixel_level_marks_guided_grad_cam_only():
    assert [m for m in CAM_METHODS if comparisons.pixel_level(m)] == ["guided_gradcam"]


def test_guided_from_gradcam_matches_guided_grad_cam(gap_model):
    x = np.random.default_rng(3).normal(size=(1, 8, 8, 3)).astype(np.float32)
    forward = _forward(gap_model, x, "features")
    gradcam = comparisons.method_map("gradcam", gap_model, x, forward, "features", 0)
    reused = comparisons.guided_from_gradcam(gap_model, x, gradcam)
    direct = guided_grad_cam(gap_model, x, "features", 0)
    np.testing.assert_allclose(reused.guided, direct.guided, atol=1e-6)
    np.testing.assert_allclose(reused.guided_gradcam, direct.guided_gradcam, atol=1e-6)
    assert reused.gradcam is gradcam


def test_pixel_image_has_the_photo_size():
    constant = np.full((4, 4, 3), 7.0)
    image = comparisons.pixel_image(constant, (6, 3))
    assert image.shape == (3, 6, 3) and image.dtype == np.uint8
    assert np.all(image == 128)  # (g − mean) = 0 -> 0.5 -> 127.5 rounds to 128


def test_a_grey_models_gradient_is_shown_in_grey():
    gradient = np.zeros((2, 2, 1))
    gradient[0, 0, 0] = 1.0  # mean 0.25, std sqrt(3)/4: z = +sqrt(3) there, -1/sqrt(3) elsewhere
    image = comparisons.pixel_image(gradient, (2, 2))
    assert image.shape == (2, 2, 3)
    assert np.all(image[..., 0] == image[..., 2])
    assert image[0, 0, 0] == round((0.5 + 0.1 * 3**0.5) * 255)


def test_signed_overlay_by_hand():
    photo = np.full((1, 2, 3), 100, dtype=np.uint8)
    # s = [-4, 1] / 4 = [-1, 0.25]; gray levels 0 and 159; alpha = 0.5 √|s| = [0.5, 0.25]
    out = comparisons.signed_overlay(photo, np.array([[-4.0, 1.0]]), 0.5, cmap="gray")
    assert colormap_table("gray")[159][0] == 159
    np.testing.assert_array_equal(out[0, 0], [50, 50, 50])  # 0.5 * 100 + 0.5 * 0
    np.testing.assert_array_equal(out[0, 1], [115, 115, 115])  # 0.75 * 100 + 0.25 * 159
    unchanged = comparisons.signed_overlay(photo, np.zeros((1, 2)), 0.8)
    np.testing.assert_array_equal(unchanged, photo)
    with pytest.raises(ValueError, match="Opacity"):
        comparisons.signed_overlay(photo, np.zeros((1, 2)), 1.5)


def test_signed_limit():
    assert comparisons.signed_limit(np.array([[-3.0, 2.0]])) == 3.0
    assert comparisons.signed_limit(np.zeros((2, 2))) == 1.0


def test_evidence_balance_of_grad_cam_raw_map():
    balance = comparisons.evidence_balance(GRADCAM_RAW)
    assert balance.for_share == 0.75 and balance.against_share == 0.25
    assert balance.for_peak == 2.0 and balance.against_peak == 0.5
    assert balance.against_to_for == 0.25
    assert comparisons.evidence_balance(-np.ones((2, 2))).against_to_for == float("inf")
    assert comparisons.evidence_balance(np.zeros((2, 2))).against_to_for == 0.0


def test_hires_minus_gradcam_summary_by_hand(tiny_model, tiny_input):
    forward = _forward(tiny_model, tiny_input, "features")
    gradcam = comparisons.method_map("gradcam", tiny_model, tiny_input, forward, "features", 0)
    hires = comparisons.method_map("hirescam", tiny_model, tiny_input, forward, "features", 0)
    # normalized: HiResCAM [[.25, .5], [0, 1]], Grad-CAM [[.25, 1], [0, .5]]
    difference = hires_minus_gradcam(hires, gradcam)
    np.testing.assert_allclose(difference, [[0.0, -0.5], [0.0, 0.5]], atol=1e-7)
    summary = comparisons.summarize_difference(difference, threshold=0.1)
    assert summary.lowest == pytest.approx(-0.5) and summary.highest == pytest.approx(0.5)
    assert summary.a_above_share == 0.25 and summary.b_above_share == 0.25


def test_max_abs_difference():
    assert comparisons.max_abs_difference(np.array([1.0, 2.0]), np.array([1.5, 1.0])) == 1.0
    with pytest.raises(ValueError, match="same shape"):
        comparisons.max_abs_difference(np.zeros(2), np.zeros(3))
