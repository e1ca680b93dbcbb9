"""The Trust lab's pure helpers against answers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from gradcam_core import trustlab
from gradcam_core.metrics import Localization
from gradcam_core.samples import SampleObject


def test_deletion_wants_the_lower_auc_and_insertion_the_higher():
    beats = trustlab.compare_auc("deletion", 0.20, 0.30)
    assert beats.outcome == "beats" and beats.advantage == pytest.approx(0.10)
    loses = trustlab.compare_auc("deletion", 0.047, 0.032)  # the cat photo, grey substrate
    assert loses.outcome == "loses" and loses.advantage == pytest.approx(-0.015)
    assert trustlab.compare_auc("insertion", 0.144, 0.034).outcome == "beats"
    assert trustlab.compare_auc("insertion", 0.30, 0.40).outcome == "loses"
    # 0.004 apart is within the 0.005 tie margin, 0.006 is not
    assert trustlab.compare_auc("insertion", 0.304, 0.300).outcome == "ties"
    assert trustlab.compare_auc("insertion", 0.306, 0.300).outcome == "beats"
    with pytest.raises(ValueError, match="deletion"):
        trustlab.compare_auc("other", 0.1, 0.2)  # type: ignore[arg-type]


def test_cascade_summary_skips_empty_steps():
    summary = trustlab.summarize_cascade([0.19, math.nan, 0.09, -0.6, 0.33], [0, 1, 0, 0, 0])
    assert summary.first == pytest.approx(0.19)
    assert summary.largest == pytest.approx(0.6)  # |-0.6|
    assert summary.empty_steps == 1
    assert summary.survives  # 0.6 >= 0.5
    low = trustlab.summarize_cascade([0.2, 0.1], [False, False])
    assert not low.survives and low.largest == pytest.approx(0.2)
    empty = trustlab.summarize_cascade([math.nan, math.nan], [True, True])
    assert math.isnan(empty.first) and math.isnan(empty.largest) and not empty.survives
    with pytest.raises(ValueError, match="no steps"):
        trustlab.summarize_cascade([], [])


def test_steps_to_show_spreads_evenly():
    # linspace(0, 18, 5) = 0, 4.5, 9, 13.5, 18; rint rounds halves to even: 4 and 14
    assert trustlab.steps_to_show(19, 5) == [0, 4, 9, 14, 18]
    assert trustlab.steps_to_show(3, 5) == [0, 1, 2]
    assert trustlab.steps_to_show(1, 4) == [0]
    assert trustlab.steps_to_show(0, 4) == []


def test_pick_object_follows_the_target():
    cat = SampleObject("cat", (281, 282, 285), (0, 0, 351, 263))
    cup = SampleObject("coffee cup", (967, 968, 504), (424, 12, 581, 203))
    assert trustlab.pick_object([cat, cup], 504) == 1
    assert trustlab.pick_object([cat, cup], 282) == 0
    assert trustlab.pick_object([cat, cup], 143) == 0  # no object has it: the first
    assert trustlab.pick_object([], 1) == 0


def test_flat_share():
    assert trustlab.flat_share((0, 0, 351, 263), (640, 263)) == pytest.approx(351 / 640)
    assert trustlab.flat_share((10, 10, 20, 30), (100, 100)) == pytest.approx(200 / 10000)


def test_hidden_pixels_replace_the_top_of_the_map():
    """Map [[0.1, 0.9], [0.5, 0.3]]: ranks [[3, 0], [1, 2]]; hiding half greys (0, 1), (1, 0)."""
    pixels = np.full((2, 2, 3), 10.0)
    saliency = np.array([[0.1, 0.9], [0.5, 0.3]])
    hidden = trustlab.hidden_pixels(pixels, saliency, 0.5, substrate="grey")
    assert hidden.dtype == np.uint8
    np.testing.assert_array_equal(hidden[..., 0], [[10, 128], [128, 10]])  # rint(127.5) = 128
    np.testing.assert_array_equal(trustlab.hidden_pixels(pixels, saliency, 0.0, "grey"), pixels)
    assert (trustlab.hidden_pixels(pixels, saliency, 1.0, "grey") == 128).all()
    with pytest.raises(ValueError, match="fraction"):
        trustlab.hidden_pixels(pixels, saliency, 1.2)


def test_to_display_restores_the_photo_aspect():
    pixels = np.full((4, 4, 3), 300.0)  # out of range: clipped to 255
    pixels[0, 0] = 12.4
    shown = trustlab.to_display(pixels, (640, 263), 320)
    assert shown.size == (320, 132)  # 320 * 263 / 640 = 131.5, rounded to even
    assert np.asarray(shown).max() == 255
    assert trustlab.to_display(pixels, (2, 2), 4).getpixel((0, 0))[0] == 12


def _result(box, predicted, peak) -> Localization:
    return Localization(box, peak, True, 0.5, predicted, 0.0)


def test_draw_localization_marks_exclusive_boxes():
    black = Image.new("RGB", (20, 20))
    drawn = np.asarray(
        trustlab.draw_localization(black, _result((2, 2, 10, 10), (12, 3, 18, 8), None), line=1)
    )
    green, cyan = trustlab.USER_COLOR, trustlab.PREDICTED_COLOR
    # the box (2, 2, 10, 10) covers pixels 2..9: its outline is on 2 and 9, not on 10
    assert tuple(drawn[2, 2]) == green and tuple(drawn[9, 9]) == green
    assert tuple(drawn[2, 9]) == green and tuple(drawn[9, 2]) == green
    assert tuple(drawn[10, 10]) == (0, 0, 0) and tuple(drawn[5, 5]) == (0, 0, 0)
    assert tuple(drawn[3, 12]) == cyan and tuple(drawn[7, 17]) == cyan
    assert tuple(drawn[7, 18]) == (0, 0, 0)
    assert np.asarray(black).max() == 0  # the input is not drawn on


def test_draw_localization_scales_to_a_preview_and_marks_the_peak():
    black = Image.new("RGB", (40, 40))
    result = _result((0, 0, 20, 20), None, (60, 60))
    drawn = np.asarray(trustlab.draw_localization(black, result, scale=0.5, line=1))
    green = trustlab.USER_COLOR
    # (0, 0, 20, 20) at half size covers pixels 0..9
    assert tuple(drawn[0, 0]) == green and tuple(drawn[9, 9]) == green
    assert tuple(drawn[10, 10]) == (0, 0, 0) and tuple(drawn[4, 4]) == (0, 0, 0)
    # the peak (60, 60) lands at (30.25, 30.25): a ring of radius 5 + 3 = 8 around a cross of
    # arm 4, so along row 30 white at 22 and 38 (ring), 26..34 (cross), black in between
    white = {c for c in range(40) if tuple(drawn[30, c]) == trustlab.PEAK_COLOR}
    assert white == {22, 38, *range(26, 35)}
