"""The method registry (gradcam_core.cams.registry) against hand-computed answers on the tiny models
of conftest.py.

On the tiny model (A = x, Flatten -> Dense), class 0 has G^0 = [[1, 0], [0, 1]] and
G^1 = [[-2, -2], [0, 0]], so Grad-CAM's alpha = (0.5, −1) and its signed map is
0.5 A^0 − A^1 = [[0.5, 2], [−0.5, 1]]; HiResCAM's is G^0 A^0 + G^1 A^1 = [[1, 2], [0, 4]].
"""

from __future__ import annotations

import numpy as np
import pytest

import gradcam_core.metrics as gm
from gradcam_core import cams, engine
from gradcam_core.cams import CAM_METHODS, guided_grad_cam, normalized_difference

GRADCAM_RAW = np.array([[0.5, 2.0], [-0.5, 1.0]])


HIRES_RAW = np.array([[1.0, 2.0], [0.0, 4.0]])


def _forward(model, x, layer):
    return engine.forward(model, x, [layer])


def test_run_method_gives_each_method_its_hand_computed_map(tiny_model, tiny_input):
    forward = _forward(tiny_model, tiny_input, "features")
    gradcam = cams.run_method("gradcam", tiny_model, tiny_input, forward, "features", 0)
    hires = cams.run_method("hirescam", tiny_model, tiny_input, forward, "features", 0)
    np.testing.assert_allclose(gradcam.weights, [0.5, -1.0])
    np.testing.assert_allclose(gradcam.raw, GRADCAM_RAW)
    np.testing.assert_allclose(hires.raw, HIRES_RAW)
    assert gradcam.method == "Grad-CAM" and hires.method == "HiResCAM"


def test_run_method_runs_every_registered_method(gap_model):
    x = np.random.default_rng(1).normal(size=(1, 8, 8, 3)).astype(np.float32)
    forward = _forward(gap_model, x, "features")
    for method_id, kind in CAM_METHODS.items():
        result = cams.run_method(method_id, gap_model, x, forward, "features", 2)
        expected = kind()(gap_model, x, "features", 2)
        np.testing.assert_allclose(result.raw, expected.raw, rtol=1e-5, atol=1e-6)
        assert result.class_index == 2 and result.raw.shape == (4, 4)


def test_run_method_reports_score_cam_progress_and_refuses_unknown_ids(tiny_model, tiny_input):
    forward = _forward(tiny_model, tiny_input, "features")
    seen: list[float] = []
    cams.run_method(
        "scorecam", tiny_model, tiny_input, forward, "features", 1, progress=seen.append
    )
    assert seen == [1.0]  # two channels, one batch
    with pytest.raises(ValueError, match="Unknown method"):
        cams.run_method("saliency", tiny_model, tiny_input, forward, "features", 0)


def test_cam_equals_grad_cam_on_a_gap_head(gap_model):
    x = np.random.default_rng(2).normal(size=(1, 8, 8, 3)).astype(np.float32)
    forward = _forward(gap_model, x, "features")
    cam = cams.run_method("cam", gap_model, x, forward, "features", 1)
    gradcam = cams.run_method("gradcam", gap_model, x, forward, "features", 1)
    assert gm.max_abs_difference(cam.normalized, gradcam.normalized) < 1e-5


def test_cam_unsupported_reason(tiny_model, gap_model):
    cam = cams.method_class("cam")
    assert cam.unsupported_reason(gap_model, "features") is None
    reason = cam.unsupported_reason(gap_model, "conv")
    assert reason is not None and "fed by 'features', not by 'conv'" in reason
    assert "Flatten" in cam.unsupported_reason(tiny_model, "features")


def test_pixel_level_marks_guided_grad_cam_only():
    assert [m for m in CAM_METHODS if cams.method_class(m).pixel_level] == ["guided_gradcam"]


def test_guided_from_gradcam_matches_guided_grad_cam(gap_model):
    x = np.random.default_rng(3).normal(size=(1, 8, 8, 3)).astype(np.float32)
    forward = _forward(gap_model, x, "features")
    gradcam = cams.run_method("gradcam", gap_model, x, forward, "features", 0)
    reused = cams.method_class("guided_gradcam")().from_gradcam(gap_model, x, gradcam)
    direct = guided_grad_cam(gap_model, x, "features", 0)
    np.testing.assert_allclose(reused.guided, direct.guided, atol=1e-6)
    np.testing.assert_allclose(reused.guided_gradcam, direct.guided_gradcam, atol=1e-6)
    assert reused.gradcam is gradcam


def test_hirescam_minus_gradcam_summary_by_hand(tiny_model, tiny_input):
    forward = _forward(tiny_model, tiny_input, "features")
    gradcam = cams.run_method("gradcam", tiny_model, tiny_input, forward, "features", 0)
    hires = cams.run_method("hirescam", tiny_model, tiny_input, forward, "features", 0)
    # normalized: HiResCAM [[.25, .5], [0, 1]], Grad-CAM [[.25, 1], [0, .5]]
    difference = normalized_difference(hires, gradcam)
    np.testing.assert_allclose(difference, [[0.0, -0.5], [0.0, 0.5]], atol=1e-7)
    summary = gm.summarize_difference(difference, threshold=0.1)
    assert summary.lowest == pytest.approx(-0.5) and summary.highest == pytest.approx(0.5)
    assert summary.a_above_share == 0.25 and summary.b_above_share == 0.25
