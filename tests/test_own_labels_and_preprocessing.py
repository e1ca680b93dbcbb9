"""Class names from labels files, and the preprocessing presets, against hand-computed answers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

import gradcam_core as gc
from gradcam_core.models import preprocessing


@pytest.mark.parametrize(
    "text",
    [
        "0 Cat\n1 Dog\n2 Hand on chin\n",  # Teachable Machine's labels.txt
        "Cat\nDog\nHand on chin",  # one name per line
        "\ufeffCat\r\nDog\r\nHand on chin\r\n\r\n",  # BOM, CRLF, trailing blank lines
        json.dumps(["Cat", "Dog", "Hand on chin"]),
        json.dumps({"2": "Hand on chin", "0": "Cat", "1": "Dog"}),
        json.dumps({"0": ["n1", "Cat"], "1": ["n2", "Dog"], "2": ["n3", "Hand on chin"]}),
    ],
)
def test_every_labels_format_gives_the_same_names(text):
    labels = gc.parse_labels(text.encode("utf-8"), 3)
    assert labels.names == ("Cat", "Dog", "Hand on chin")
    assert len(labels) == 3 and labels.name(2) == "Hand on chin"


def test_numbered_lines_out_of_order_are_names_not_indices():
    labels = gc.parse_labels("1 dollar\n5 dollars\n", 2)
    assert labels.names == ("1 dollar", "5 dollars")


def test_no_labels_gives_numbered_classes():
    assert gc.numbered_labels(3).names == ("class 0", "class 1", "class 2")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Cat\nDog\n", "names 2 classes but the model has 3"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2, 3]", "must be text"),
        (b'{"0": "a", "2": "b", "3": "c"}', "0..n-1"),
        (b'{"a": "x"}', "class index"),
        (b"[unclosed", "does not parse"),
        (b"x" * (1024 * 1024 + 1), "too large"),
    ],
)
def test_bad_labels_files_get_one_clear_line(data, message):
    with pytest.raises(gc.LabelsError, match=message) as caught:
        gc.parse_labels(data, 3)
    assert "\n" not in str(caught.value)


def test_find_accepts_an_index_a_name_or_a_unique_part():
    labels = gc.ClassLabels(("Cat", "Dog", "Hot dog"))
    assert labels.find(1) == 1 and labels.find("2") == 2
    assert labels.find("cat") == 0  # exact name, any case
    assert labels.find("dog") == 1  # exact wins over the partial match in "Hot dog"
    assert labels.find("hot") == 2
    with pytest.raises(gc.ClassLookupError, match=r"outside 0\.\.2"):
        labels.find("3")
    with pytest.raises(gc.ClassLookupError, match="several classes"):
        labels.find("o")
    with pytest.raises(gc.ClassLookupError, match="No class matches 'fish'"):
        labels.find("fish")


def test_imagenet_labels_behave_like_the_existing_functions():
    labels = gc.imagenet_labels()
    assert len(labels) == 1000
    assert labels.name(281) == gc.class_name(281) == "tabby"
    assert labels.find("tabby") == gc.find_class("tabby") == 281
    assert labels.find("tabby cat") == 281  # a WordNet synonym, as find_class allows


# ---------------------------------------------------------------- presets


PIXEL = np.array([[[[0.0, 127.5, 255.0]]]], dtype=np.float32)  # one RGB pixel


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("raw", [0.0, 127.5, 255.0]),
        ("unit", [0.0, 0.5, 1.0]),
        ("tf", [-1.0, 0.0, 1.0]),
        # BGR order: (255 - 103.939, 127.5 - 116.779, 0 - 123.68)
        ("caffe", [151.061, 10.721, -123.68]),
        # ((0 - .485) / .229, (.5 - .456) / .224, (1 - .406) / .225)
        ("torch", [-2.117904, 0.196429, 2.64]),
    ],
)
def test_each_preset_against_hand_computed_values(preset, expected):
    out = preprocessing.PRESETS[preset].function(PIXEL.copy())
    np.testing.assert_allclose(out.reshape(-1), expected, atol=1e-5)


def test_the_whole_photo_is_resized_to_a_non_square_input_without_crop():
    photo = Image.new("RGB", (300, 100), (255, 0, 0))
    photo.paste((0, 0, 255), (150, 0, 300, 100))  # right half blue
    x = preprocessing.for_model("unit", (40, 20), 3)(photo)
    assert x.shape == (1, 20, 40, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, :, :10, 0], 1.0)  # the left quarter is red: nothing cropped
    np.testing.assert_allclose(x[0, :, -10:, 2], 1.0)  # the right quarter is blue


def test_one_channel_models_get_grey():
    photo = Image.new("RGB", (8, 8), (255, 0, 0))
    x = preprocessing.for_model("raw", (4, 4), 1)(photo)
    assert x.shape == (1, 4, 4, 1)
    np.testing.assert_allclose(x, 0.299 * 255, rtol=1e-6)


def test_a_batch_of_model_sized_pixels_gets_the_same_grey_and_scaling():
    # What the Trust lab perturbs: RGB pixels already at the input size, a batch at a time.
    rgb = np.zeros((2, 4, 4, 3), dtype=np.float32)
    rgb[0, ..., 1] = 255.0  # green
    rgb[1] = 127.5
    x = preprocessing.for_model("tf", (4, 4), 1).batch(rgb)
    assert x.shape == (2, 4, 4, 1)
    np.testing.assert_allclose(x[0], 0.587 * 255 / 127.5 - 1, rtol=1e-6)
    np.testing.assert_allclose(x[1], 0.0, atol=1e-6)


def test_mean_subtracting_presets_need_colour():
    with pytest.raises(ValueError, match=r"grey.*raw, unit, tf"):
        preprocessing.for_model("caffe", (4, 4), 1)


def test_unknown_preset_names_them_all():
    with pytest.raises(ValueError, match=r"raw: .*; unit: .*; tf: .*; caffe: .*; torch: "):
        preprocessing.for_model("imagenet", (4, 4), 3)
