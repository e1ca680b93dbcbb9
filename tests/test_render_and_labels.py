"""Upsampling, overlays and ImageNet labels against hand-computed answers."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import gradcam_core as gc
from gradcam_core import labels


def test_bilinear_upsample_uses_half_pixel_centres():
    cam = np.array([[0.0, 1.0], [1.0, 0.0]])
    # Output sample t sits at source coordinate (t + 0.5) / 2 - 0.5: -0.25, 0.25, 0.75, 1.25.
    expected_row0 = [0.0, 0.25, 0.75, 1.0]
    up = gc.upsample(cam, 4, 4)
    np.testing.assert_allclose(up[0], expected_row0)
    np.testing.assert_allclose(up[1], [0.25, 0.375, 0.625, 0.75])
    np.testing.assert_allclose(up, up.T)


def test_each_cell_lines_up_with_the_block_it_covers():
    cam = np.zeros((7, 7))
    cam[3, 5] = 1.0
    up = gc.upsample(cam, 224, 224)
    row, col = np.unravel_index(np.argmax(up), up.shape)
    # cell (3, 5) covers rows 96..127 and columns 160..191; its centre is (111.5, 175.5)
    assert 96 <= row < 128 and 160 <= col < 192
    near = gc.upsample(cam, 224, 224, "nearest")
    assert near[96:128, 160:192].min() == 1.0 and near.sum() == 32 * 32


def test_upsampling_keeps_constants_and_non_square_sizes():
    up = gc.upsample(np.full((3, 5), 0.7), 31, 17)
    assert up.shape == (31, 17)
    np.testing.assert_allclose(up, 0.7, rtol=1e-6)


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


def test_class_names_are_unique_and_known():
    table = labels.imagenet_classes_table()
    assert len(table) == 1000 and len({c.name for c in table}) == 1000
    assert gc.class_name(281) == "tabby"
    assert gc.class_name(967) == "espresso"
    assert "crane" in gc.class_name(134) and gc.class_name(134) != gc.class_name(517)
    assert gc.imagenet_class(281).description


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("281", 281),
        (281, 281),
        ("tabby", 281),
        ("Tabby Cat", 281),
        ("espresso", 967),
        ("missile", 657),
        ("projectile", 744),
        ("space shut", 812),
    ],
)
def test_find_class_by_index_or_name(query, index):
    assert gc.find_class(query) == index


@pytest.mark.parametrize(
    ("query", "match"), [("crane", "several"), ("zzzz", "No ImageNet"), ("1000", "outside")]
)
def test_find_class_errors(query, match):
    with pytest.raises(gc.ClassLookupError, match=match):
        gc.find_class(query)


def test_top_k_is_softmax_of_logits():
    logits = np.zeros(1000)
    logits[[3, 7]] = [2.0, 1.0]
    top = gc.top_k(logits, 3)
    assert [p.index for p in top] == [3, 7, 0]
    denominator = np.exp(2.0) + np.exp(1.0) + 998
    assert top[0].probability == pytest.approx(np.exp(2.0) / denominator)
    assert top[2].probability == pytest.approx(1 / denominator)
    assert top[0].name == gc.class_name(3) and top[0].logit == 2.0


def test_softmax_is_stable_for_large_logits():
    p = gc.softmax(np.array([1000.0, 1000.0]))
    np.testing.assert_allclose(p, [0.5, 0.5])
