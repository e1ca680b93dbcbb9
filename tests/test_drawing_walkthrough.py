"""gradcam_core.drawing.walkthrough: the How-it-works and Layers figures, and JPEG encoding."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from gradcam_core import drawing, walkthrough
from gradcam_core.drawing import walkthrough as ft


def _png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@pytest.fixture
def tensors():
    rng = np.random.default_rng(0)
    activations = np.maximum(rng.normal(size=(4, 6, 10)), 0)
    gradients = rng.normal(size=(4, 6, 10))
    return activations, gradients, gradients.mean(axis=(0, 1))


def test_channels_png_grows_with_the_rows(tensors):
    activations, gradients, weights = tensors
    channels = ft.channel_list(weights, 8)
    assert channels == walkthrough.top_channels(weights, 8).tolist()
    one_row = _png_size(ft.channels_png(activations, gradients, weights, channels, 8, 0.5))
    two_rows = _png_size(ft.channels_png(activations, gradients, weights, channels, 4, 0.5))
    assert one_row[0] > two_rows[0] and two_rows[1] > one_row[1]


def test_presenter_scale_enlarges_the_figures(tensors):
    activations, _, weights = tensors
    raw = np.tensordot(activations, weights, axes=([2], [0]))
    for draw in (
        lambda s: ft.relu_png(raw, "inferno", 0.7, s),
        lambda s: ft.partial_sums_png(activations, weights, [1, 10], 0.7, s),
        lambda s: ft.softmax_curve_png(np.array([1.0, 2.0, 3.0]), 2, s),
    ):
        small, large = _png_size(draw(1.0)), _png_size(draw(1.4))
        assert large[0] > small[0] and large[1] > small[1]


def test_figures_survive_flat_and_empty_maps():
    zeros = np.zeros((3, 3, 2))
    assert ft.channels_png(zeros, zeros, np.zeros(2), [0, 1], 2).startswith(b"\x89PNG")
    assert ft.relu_png(np.zeros((3, 3)), "viridis").startswith(b"\x89PNG")
    assert ft.relu_png(-np.ones((3, 3)), "viridis").startswith(b"\x89PNG")
    assert ft.softmax_curve_png(np.array([0.0, 40.0]), 1).startswith(b"\x89PNG")  # p = 1


def test_draw_grid_draws_edges_and_boxes_the_peak():
    picture = np.zeros((20, 40, 3), dtype=np.uint8)
    grid = walkthrough.cell_grid(2, 4, 40, 20)  # 10 x 10 px blocks
    drawn = ft.draw_grid(picture, grid, highlight=(1, 2), color=(255, 255, 255))
    assert drawn.shape == picture.shape
    assert drawn[5, 10].max() > 0 and drawn[5, 5].max() == 0  # an edge at x = 10; inside: not
    assert drawn[10, 25, 1] == 255 and drawn[10, 25, 2] == 255  # the box's top edge (cyan)
    assert drawn[15, 20].tolist() == [0, 255, 255]  # the box's left edge


def test_draw_grid_skips_edges_finer_than_the_minimum():
    picture = np.zeros((20, 40, 3), dtype=np.uint8)
    drawn = ft.draw_grid(picture, walkthrough.cell_grid(10, 20, 40, 20))  # 2 px blocks
    assert drawn.max() == 0


def test_upsampling_panels_nearest_has_one_colour_per_block():
    normalized = np.array([[0.0, 1.0], [0.5, 0.25]])
    photo = Image.new("RGB", (40, 20), "white")
    grid = walkthrough.cell_grid(2, 2, 40, 20)
    with_grid, nearest, bilinear = ft.upsampling_panels(photo, normalized, grid, "gray")
    assert with_grid.shape == nearest.shape == bilinear.shape == (20, 40, 3)
    plain = ft.upsampled(normalized, (40, 20), "nearest", "gray")
    assert plain[12:20, 0:20].tolist() == [[[128, 128, 128]] * 20] * 8  # cell (1, 0) = 0.5
    assert plain[2, 38].tolist() == [255, 255, 255]  # cell (0, 1) = 1
    smooth = ft.upsampled(normalized, (40, 20), "bilinear", "gray")
    assert 0 < smooth[5, 20, 0] < 255  # between the cells' centres


def test_layer_thumbnail_is_a_jpeg_of_the_photo_size():
    small = drawing.thumbnail(Image.new("RGB", (640, 263), "white"), 240)
    assert small.size == (240, 99)
    data = ft.layer_thumbnail(small, np.eye(3), "inferno", 0.5)
    assert data[:2] == b"\xff\xd8"
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (240, 99)


def test_jpeg_bytes_of_an_array_and_of_an_image():
    pixels = np.zeros((10, 20, 3), dtype=np.uint8)
    for given in (pixels, Image.fromarray(pixels).convert("RGBA")):
        with Image.open(io.BytesIO(drawing.jpeg_bytes(given))) as image:
            assert (image.format, image.size) == ("JPEG", (20, 10))
