"""gradcam_core.drawing.boxes and photos: localization drawn on a photo, model pixels shown back."""

from __future__ import annotations

import numpy as np
from PIL import Image

from gradcam_core import drawing
from gradcam_core.drawing import boxes
from gradcam_core.metrics import Localization


def test_to_display_restores_the_photo_aspect():
    pixels = np.full((4, 4, 3), 300.0)  # out of range: clipped to 255
    pixels[0, 0] = 12.4
    shown = drawing.to_display(pixels, (640, 263), 320)
    assert shown.size == (320, 132)  # 320 * 263 / 640 = 131.5, rounded to even
    assert np.asarray(shown).max() == 255
    assert drawing.to_display(pixels, (2, 2), 4).getpixel((0, 0))[0] == 12


def _result(box, predicted, peak) -> Localization:
    return Localization(box, peak, True, 0.5, predicted, 0.0)


def test_draw_localization_marks_exclusive_boxes():
    black = Image.new("RGB", (20, 20))
    drawn = np.asarray(
        boxes.draw_localization(black, _result((2, 2, 10, 10), (12, 3, 18, 8), None), line=1)
    )
    green, cyan = boxes.USER_COLOR, boxes.PREDICTED_COLOR
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
    drawn = np.asarray(boxes.draw_localization(black, result, scale=0.5, line=1))
    green = boxes.USER_COLOR
    # (0, 0, 20, 20) at half size covers pixels 0..9
    assert tuple(drawn[0, 0]) == green and tuple(drawn[9, 9]) == green
    assert tuple(drawn[10, 10]) == (0, 0, 0) and tuple(drawn[4, 4]) == (0, 0, 0)
    # the peak (60, 60) lands at (30.25, 30.25): a ring of radius 5 + 3 = 8 around a cross of
    # arm 4, so along row 30 white at 22 and 38 (ring), 26..34 (cross), black in between
    white = {c for c in range(40) if tuple(drawn[30, c]) == boxes.PEAK_COLOR}
    assert white == {22, 38, *range(26, 35)}
