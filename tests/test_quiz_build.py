"""Building a room on the real bundled models: fair items, pictures, cached analyses, uploads."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import gradcam_core as gc
from gradcam_core.quiz import RoomDesign, build, photos
from gradcam_core.quiz.items import analysis_key

pytestmark = pytest.mark.slow
LITE0 = "efficientnet_lite0"
LITE2 = "efficientnet_lite2"


@pytest.fixture(scope="module")
def classifiers():
    loaded = {}

    def get(name: str) -> gc.Classifier:
        if name not in loaded:
            loaded[name] = gc.load_classifier(name)
        return loaded[name]

    return get


@pytest.fixture(scope="module")
def discrimination_room(classifiers):
    """Every bundled photo, the four methods on EfficientNet-Lite0 (no trust study)."""
    design = RoomDesign(trust_methods=())
    return build.build_room(design, photos.quiz_photos(), classifiers)


def _mass(upsampled: np.ndarray, box) -> float:
    x0, y0, x1, y1 = box
    return float(upsampled[y0:y1, x0:x1].sum() / upsampled.sum())


def test_every_discrimination_item_shows_a_map_that_lies_on_its_object(discrimination_room):
    """For each item, Grad-CAM for the shown class (computed here, apart from the build) puts
    more of its mass on that object's box than on the other's."""
    model = gc.load_model(LITE0)
    layer = gc.default_layer(model)
    by_photo = {p.id: p for p in photos.quiz_photos()}
    checked = set()
    assert not discrimination_room.left_out  # the bundled photos were chosen to be fair
    for item in discrimination_room.items:
        photo = by_photo[item.photo]
        shown, other = photo.objects[item.truth], photo.objects[1 - item.truth]
        class_index = item.details["class"]
        assert class_index in shown.classes
        if (item.photo, class_index) in checked:
            continue
        image = gc.load_image(photo.data).image
        x = gc.preprocess(LITE0, image)
        logits = np.asarray(gc.forward(model, x, [layer]).logits).reshape(-1)
        assert class_index == max(shown.classes, key=lambda c: logits[c])  # its best class
        result = gc.grad_cam(model, x, layer=layer, class_index=class_index)
        upsampled = gc.upsample(result.normalized, image.height, image.width)
        own, elsewhere = _mass(upsampled, shown.box), _mass(upsampled, other.box)
        assert own > elsewhere, (item.photo, shown.label, own, elsewhere)
        checked.add((item.photo, class_index))
    assert len(checked) == 2 * len(by_photo)  # both objects of every photo


def test_items_per_photo_method_and_object(discrimination_room):
    items = discrimination_room.items
    assert len(items) == len(photos.quiz_photos()) * 4 * 2
    assert {i.study for i in items} == {"discrimination"}


def test_class_agnostic_pictures_are_the_same_for_both_objects(discrimination_room):
    by_key = {(i.photo, i.method, i.truth): i for i in discrimination_room.items}
    for photo in photos.quiz_photos():
        eigen = [by_key[(photo.id, "eigencam", t)].picture for t in (0, 1)]
        assert eigen[0] == eigen[1]  # one map whatever the class: answers can only guess
        for method in ("gradcam", "guided_gradcam"):
            pictures = [by_key[(photo.id, method, t)].picture for t in (0, 1)]
            assert pictures[0] != pictures[1]


def test_pictures_are_small_jpegs_shaped_like_the_photo(discrimination_room):
    pictures = discrimination_room.pictures
    for item in discrimination_room.items[:16]:
        picture, photo_picture = pictures[item.picture], pictures[item.photo_picture]
        assert picture.media_type == "image/jpeg"
        decoded = Image.open(io.BytesIO(picture.data))
        assert decoded.format == "JPEG" and decoded.size == (picture.width, picture.height)
        assert max(decoded.size) <= build.DISPLAY_SIDE
        assert max(photo_picture.width, photo_picture.height) <= build.PHOTO_SIDE
        assert (
            abs(picture.width / picture.height - photo_picture.width / photo_picture.height) < 0.02
        )


def test_a_room_from_cached_analyses_loads_no_model(discrimination_room):
    design = discrimination_room.design
    cached = {a.photo: a for a in discrimination_room.analyses.values()}
    assert len(discrimination_room.analyses) == len(photos.quiz_photos())

    def no_model(name):
        raise AssertionError(f"{name} was loaded although every analysis was cached")

    keyed = {
        analysis_key(p, LITE0, build.methods_for(design, LITE0), design.map_view): cached[p.id]
        for p in photos.quiz_photos()
    }
    again = build.build_room(design, photos.quiz_photos(), no_model, keyed.get)
    assert again.items == discrimination_room.items
    assert again.analyses == {} and again.pictures == {}


def test_trust_items_only_where_both_models_are_right(classifiers):
    chosen = photos.quiz_photos()[2:6]  # two that qualify, two that do not
    design = RoomDesign(discrimination_methods=(), trust_methods=("guided_backprop", "gradcam"))
    content = build.build_room(design, chosen, classifiers)
    expected = []
    for photo in chosen:
        image = gc.load_image(photo.data).image
        tops = []
        for name in (LITE2, LITE0):
            classifier = classifiers(name)
            top = classifier.top_k(
                gc.forward(classifier.model, classifier.preprocess(image)).logits, 1
            )
            tops.append(
                next((k for k, o in enumerate(photo.objects) if top[0].index in o.classes), None)
            )
        if tops[0] is not None and tops[0] == tops[1]:
            expected.append((photo.id, photo.objects[tops[0]].label))
    found = sorted({(i.photo, i.labels[0]) for i in content.items})
    assert found == sorted(expected)
    assert 0 < len(found) < len(chosen)  # some photos qualify and some do not
    for item in content.items:
        assert item.picture != item.picture_2  # two models, two pictures
        assert item.details["models"] == [LITE2, LITE0]


def test_a_teachers_upload_gives_items_without_boxes(classifiers):
    data = photos.get_photo("cat_and_coffee").data
    upload = photos.uploaded_photo("upload:1", "Our photo", data, ("cat", "cup"), (281, 968))
    design = RoomDesign(trust_methods=(), discrimination_methods=("gradcam", "guided_gradcam"))
    content = build.build_room(design, [upload], classifiers)
    assert len(content.items) == 4 and not content.left_out
    assert {i.details["class"] for i in content.items} == {281, 968}
    assert all(i.details["shares"] is None for i in content.items)


def test_a_broken_upload_is_refused_by_the_image_loader(classifiers):
    upload = photos.uploaded_photo(
        "upload:2", "Broken", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, ("cat", "cup"), (281, 968)
    )
    with pytest.raises(gc.ImageLoadError):
        build.build_room(RoomDesign(trust_methods=()), [upload], classifiers)
