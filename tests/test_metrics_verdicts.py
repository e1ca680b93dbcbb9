"""gradcam_core.metrics.verdicts and the Trust lab's other pure helpers (steps shown, the object
for a class, a box's flat share, hidden pixels), against answers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradcam_core.metrics as gm
from gradcam_core import samples
from gradcam_core.samples import SampleObject


def test_deletion_wants_the_lower_auc_and_insertion_the_higher():
    beats = gm.compare_auc("deletion", 0.20, 0.30)
    assert beats.outcome == "beats" and beats.advantage == pytest.approx(0.10)
    loses = gm.compare_auc("deletion", 0.047, 0.032)  # the cat photo, grey substrate
    assert loses.outcome == "loses" and loses.advantage == pytest.approx(-0.015)
    assert gm.compare_auc("insertion", 0.144, 0.034).outcome == "beats"
    assert gm.compare_auc("insertion", 0.30, 0.40).outcome == "loses"
    # 0.004 apart is within the 0.005 tie margin, 0.006 is not
    assert gm.compare_auc("insertion", 0.304, 0.300).outcome == "ties"
    assert gm.compare_auc("insertion", 0.306, 0.300).outcome == "beats"
    with pytest.raises(ValueError, match="deletion"):
        gm.compare_auc("other", 0.1, 0.2)  # type: ignore[arg-type]


def test_cascade_summary_skips_empty_steps():
    summary = gm.summarize_cascade([0.19, math.nan, 0.09, -0.6, 0.33], [0, 1, 0, 0, 0])
    assert summary.first == pytest.approx(0.19)
    assert summary.largest == pytest.approx(0.6)  # |-0.6|
    assert summary.empty_steps == 1
    assert summary.survives  # 0.6 >= 0.5
    low = gm.summarize_cascade([0.2, 0.1], [False, False])
    assert not low.survives and low.largest == pytest.approx(0.2)
    empty = gm.summarize_cascade([math.nan, math.nan], [True, True])
    assert math.isnan(empty.first) and math.isnan(empty.largest) and not empty.survives
    with pytest.raises(ValueError, match="no steps"):
        gm.summarize_cascade([], [])


def test_steps_to_show_spreads_evenly():
    # linspace(0, 18, 5) = 0, 4.5, 9, 13.5, 18; rint rounds halves to even: 4 and 14
    assert gm.steps_to_show(19, 5) == [0, 4, 9, 14, 18]
    assert gm.steps_to_show(3, 5) == [0, 1, 2]
    assert gm.steps_to_show(1, 4) == [0]
    assert gm.steps_to_show(0, 4) == []


def test_pick_object_follows_the_target():
    cat = SampleObject("cat", (281, 282, 285), (0, 0, 351, 263))
    cup = SampleObject("coffee cup", (967, 968, 504), (424, 12, 581, 203))
    assert samples.pick_object([cat, cup], 504) == 1
    assert samples.pick_object([cat, cup], 282) == 0
    assert samples.pick_object([cat, cup], 143) == 0  # no object has it: the first
    assert samples.pick_object([], 1) == 0


def test_flat_share():
    assert gm.flat_share((0, 0, 351, 263), (640, 263)) == pytest.approx(351 / 640)
    assert gm.flat_share((10, 10, 20, 30), (100, 100)) == pytest.approx(200 / 10000)


def test_hidden_pixels_replace_the_top_of_the_map():
    """Map [[0.1, 0.9], [0.5, 0.3]]: ranks [[3, 0], [1, 2]]; hiding half greys (0, 1), (1, 0)."""
    pixels = np.full((2, 2, 3), 10.0)
    saliency = np.array([[0.1, 0.9], [0.5, 0.3]])
    hidden = gm.hidden_pixels(pixels, saliency, 0.5, substrate="grey")
    assert hidden.dtype == np.uint8
    np.testing.assert_array_equal(hidden[..., 0], [[10, 128], [128, 10]])  # rint(127.5) = 128
    np.testing.assert_array_equal(gm.hidden_pixels(pixels, saliency, 0.0, "grey"), pixels)
    assert (gm.hidden_pixels(pixels, saliency, 1.0, "grey") == 128).all()
    with pytest.raises(ValueError, match="fraction"):
        gm.hidden_pixels(pixels, saliency, 1.2)
