"""gradcam_core.drawing.maps: overlays, the signed overlay, gradient images and colormaps."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import gradcam_core as gc
from gradcam_core import drawing
from gradcam_core.drawing import colormap_table


def test_pixel_image_has_the_photo_size():
    constant = np.full((4, 4, 3), 7.0)
    image = drawing.pixel_image(constant, (6, 3))
    assert image.shape == (3, 6, 3) and image.dtype == np.uint8
    assert np.all(image == 128)  # (g − mean) = 0 -> 0.5 -> 127.5 rounds to 128


def test_a_grey_models_gradient_is_shown_in_grey():
    gradient = np.zeros((2, 2, 1))
    gradient[0, 0, 0] = 1.0  # mean 0.25, std sqrt(3)/4: z = +sqrt(3) there, -1/sqrt(3) elsewhere
    image = drawing.pixel_image(gradient, (2, 2))
    assert image.shape == (2, 2, 3)
    assert np.all(image[..., 0] == image[..., 2])
    assert image[0, 0, 0] == round((0.5 + 0.1 * 3**0.5) * 255)


def test_signed_overlay_by_hand():
    photo = np.full((1, 2, 3), 100, dtype=np.uint8)
    # s = [-4, 1] / 4 = [-1, 0.25]; gray levels 0 and 159; alpha = 0.5 √|s| = [0.5, 0.25]
    out = drawing.signed_overlay(photo, np.array([[-4.0, 1.0]]), 0.5, cmap="gray")
    assert colormap_table("gray")[159][0] == 159
    np.testing.assert_array_equal(out[0, 0], [50, 50, 50])  # 0.5 * 100 + 0.5 * 0
    np.testing.assert_array_equal(out[0, 1], [115, 115, 115])  # 0.75 * 100 + 0.25 * 159
    unchanged = drawing.signed_overlay(photo, np.zeros((1, 2)), 0.8)
    np.testing.assert_array_equal(unchanged, photo)
    with pytest.raises(ValueError, match="Opacity"):
        drawing.signed_overlay(photo, np.zeros((1, 2)), 1.5)


def test_signed_limit():
    assert drawing.symmetric_limit(np.array([[-3.0, 2.0]])) == 3.0
    assert drawing.symmetric_limit(np.zeros((2, 2))) == 1.0


def test_overlay_blends_at_full_resolution():
    photo = np.full((300, 451, 3), 100, np.uint8)
    out = gc.overlay(photo, np.ones((7, 7)), cmap="gray", opacity=0.25)
    assert out.shape == (300, 451, 3) and out.dtype == np.uint8
    # (1 - 0.25) * 100 + 0.25 * 255 = 138.75
    assert np.all(np.abs(out.astype(int) - 138.75) <= 1)
    zero = gc.overlay(Image.fromarray(photo), np.zeros((7, 7)), cmap="gray", opacity=1.0)
    assert np.all(zero == 0)


def test_overlay_rejects_bad_options():
    photo = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(ValueError, match="Unknown colormap"):
        gc.overlay(photo, np.ones((2, 2)), cmap="not-a-map")
    with pytest.raises(ValueError, match="Opacity"):
        gc.overlay(photo, np.ones((2, 2)), opacity=1.5)


def test_colorize_uses_the_colormap_ends():
    colors = gc.colorize(np.array([0.0, 1.0, 2.0, np.nan]), "gray")
    np.testing.assert_array_equal(colors, [[0, 0, 0], [255, 255, 255], [255, 255, 255], [0, 0, 0]])
