"""gradcam_core.resample: bilinear and nearest upsampling, half-pixel centres, checked by hand."""

from __future__ import annotations

import numpy as np

import gradcam_core as gc


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
