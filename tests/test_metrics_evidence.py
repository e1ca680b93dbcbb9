"""gradcam_core.metrics.evidence: what a signed map says for and against a class; differences."""

from __future__ import annotations

import numpy as np
import pytest

import gradcam_core.metrics as gm

# Grad-CAM's signed map of class 0 on the tiny model (see test_cams_registry.py): 0.5 A^0 − A^1.
GRADCAM_RAW = np.array([[0.5, 2.0], [-0.5, 1.0]])


def test_evidence_balance_of_grad_cam_raw_map():
    balance = gm.evidence_balance(GRADCAM_RAW)
    assert balance.for_share == 0.75 and balance.against_share == 0.25
    assert balance.for_peak == 2.0 and balance.against_peak == 0.5
    assert balance.against_to_for == 0.25
    assert gm.evidence_balance(-np.ones((2, 2))).against_to_for == float("inf")
    assert gm.evidence_balance(np.zeros((2, 2))).against_to_for == 0.0


def test_max_abs_difference():
    assert gm.max_abs_difference(np.array([1.0, 2.0]), np.array([1.5, 1.0])) == 1.0
    with pytest.raises(ValueError, match="same shape"):
        gm.max_abs_difference(np.zeros(2), np.zeros(3))
