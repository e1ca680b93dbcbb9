"""The quiz's two-object photos: which samples qualify; the composites as the script made them."""

from __future__ import annotations

import numpy as np
import pytest

import gradcam_core as gc
from gradcam_core import samples
from gradcam_core.quiz import photos
from gradcam_core.quiz.composites import CELL, Cutout, compose


def test_samples_with_two_separate_classified_objects_are_quiz_photos():
    bundled = {p.id: p for p in photos.quiz_photos() if p.origin == "sample"}
    # grace_hopper's tie lies inside the uniform's box, and the single-object samples have one
    assert set(bundled) == {"cat_and_coffee", "astronaut"}
    assert bundled["cat_and_coffee"].labels == ("cat", "coffee cup")
    assert bundled["astronaut"].labels == ("space helmet", "space shuttle model")


def test_every_quiz_photo_decodes_and_its_boxes_are_inside_and_apart():
    for photo in photos.quiz_photos():
        image = gc.load_image(photo.data).image
        a, b = (o.box for o in photo.objects)
        assert not photos.boxes_overlap(a, b), photo.id
        for x0, y0, x1, y1 in (a, b):
            assert 0 <= x0 < x1 <= image.width and 0 <= y0 < y1 <= image.height, photo.id
        for obj in photo.objects:
            assert obj.classes and all(0 <= c < 1000 for c in obj.classes)
        assert photo.credit and photo.license


def test_composites_record_their_checks_on_both_models():
    index = photos.composites_index()
    assert index["checked_with"] == ["efficientnet_lite0", "efficientnet_lite2"]
    assert len(index["photos"]) == 9
    pairs = set()
    for entry in index["photos"]:
        labels = [o["label"] for o in entry["objects"]]
        pairs.add(frozenset(labels))
        for model in index["checked_with"]:
            report = entry["checks"][model]
            assert len(report["top5"]) == 5
            for obj, check in zip(entry["objects"], report["objects"], strict=True):
                assert check["label"] == obj["label"]
                assert check["class"] in obj["classes"]
                assert check["rank"] < 10
                assert check["mass_own"] >= 1.25 * check["mass_other"]
    # five category pairs, each in both orders at least once
    assert len(pairs) == 5


def test_composites_are_reproducible_from_the_samples():
    """Composing again from the bundled samples gives the committed pixels (up to JPEG)."""
    for entry in photos.composites_index()["photos"]:
        cutouts = tuple(
            Cutout(o["label"], tuple(o["classes"]), m["sample"], tuple(m["box"]), m["margin"])
            for o, m in zip(entry["objects"], entry["made_from"], strict=True)
        )
        sources = tuple(samples.load_sample(c.sample).image for c in cutouts)
        image, placed = compose(sources, cutouts, entry["layout"])
        assert list(image.size) == entry["size"]
        assert [list(p.box) for p in placed] == [o["box"] for o in entry["objects"]]
        committed = photos.get_photo(entry["file"].removesuffix(".jpg"))
        saved = np.asarray(gc.load_image(committed.data).image, dtype=np.float64)
        error = np.mean((saved - np.asarray(image, dtype=np.float64)) ** 2)
        psnr = 10 * np.log10(255**2 / error)
        # JPEG at quality 90 keeps 36-41 dB here (same Pillow: the very same bytes); a pixel
        # moved or a different crop falls far below 30
        assert psnr > 33, (entry["file"], psnr)


def test_compose_places_each_object_in_its_cell_with_its_box():
    from PIL import Image

    tall = Image.new("RGB", (100, 200), (255, 0, 0))
    wide = Image.new("RGB", (300, 100), (0, 0, 255))
    cutouts = (
        Cutout("red", (1,), "x", (0, 0, 100, 200), 0.0),
        Cutout("blue", (2,), "y", (100, 25, 200, 75), 0.0),  # the middle of the wide one
    )
    image, placed = compose((tall, wide), cutouts, "side by side")
    assert image.size == (2 * CELL, CELL)
    # the tall one is scaled to 320 high (160 wide), centred in the left cell
    assert placed[0].box == (80, 0, 240, 320)
    assert image.getpixel((160, 160)) == (255, 0, 0)
    assert image.getpixel((10, 160)) == (128, 128, 128)
    # the blue crop (100 x 50) is scaled x3.2 to 320 x 160, centred in the right cell
    assert placed[1].box == (320, 80, 640, 240)
    assert image.getpixel((480, 160)) == (0, 0, 255)


def test_an_upload_names_two_classes_and_has_no_boxes():
    photo = photos.uploaded_photo("upload:1", "My photo", b"bytes", ("dog", "ball"), (207, 852))
    assert photo.origin == "upload"
    assert [o.box for o in photo.objects] == [None, None]
    assert [o.classes for o in photo.objects] == [(207,), (852,)]


def test_unknown_photo_ids_are_named():
    with pytest.raises(KeyError, match="cat_and_coffee"):
        photos.get_photo("nope")
