"""A room's design: defaults, checks, the stronger model first, and its stored form."""

from __future__ import annotations

import pytest

import gradcam_core as gc
from gradcam_core.quiz import design
from gradcam_core.quiz.design import IMAGENET_TOP1, RoomDesign, stronger_first


def test_the_default_design_is_the_papers_two_studies_on_bundled_models():
    d = RoomDesign()
    assert d.discrimination_methods == ("guided_backprop", "guided_gradcam", "gradcam", "eigencam")
    assert d.trust_methods == ("guided_backprop", "guided_gradcam")
    assert d.trust_models == ("efficientnet_lite2", "efficientnet_lite0")
    assert d.models == ("efficientnet_lite0", "efficientnet_lite2")
    assert d.items_per_student == 20
    for name in d.models:
        assert gc.get_spec(name).source == "bundled"
    assert IMAGENET_TOP1["efficientnet_lite2"] > IMAGENET_TOP1["efficientnet_lite0"]


def test_every_offered_model_has_its_accuracy():
    assert set(IMAGENET_TOP1) == set(gc.MODELS)


def test_trust_models_are_put_stronger_first():
    assert stronger_first(("efficientnet_lite0", "efficientnet_lite2")) == (
        "efficientnet_lite2",
        "efficientnet_lite0",
    )
    d = RoomDesign(trust_models=("resnet50", "convnext_tiny"))
    assert d.trust_models == ("convnext_tiny", "resnet50")
    with pytest.raises(ValueError, match="different"):
        stronger_first(("vgg16", "vgg16"))
    with pytest.raises(ValueError, match="same published accuracy"):
        stronger_first(("vgg16", "vgg19"))
    with pytest.raises(ValueError, match="No published"):
        stronger_first(("own:abc", "vgg16"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"discrimination_methods": ("scorecam",)}, "Unknown quiz methods"),
        ({"trust_methods": ("eigencam",)}, "Unknown quiz methods"),
        ({"discrimination_methods": (), "trust_methods": ()}, "at least one method"),
        ({"items_per_student": 2}, "between"),
        ({"items_per_student": 1000}, "between"),
        ({"map_view": "overlay"}, "map view"),
    ],
)
def test_bad_designs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RoomDesign(**kwargs)


def test_a_design_survives_its_json_and_its_digest_follows_its_content():
    d = RoomDesign(
        discrimination_methods=("gradcam", "eigencam"),
        trust_methods=(),
        photos=("cat_and_coffee",),
        items_per_student=8,
        map_view="heatmap",
    )
    again = RoomDesign.from_json(d.to_json())
    assert again == d
    assert again.digest == d.digest
    assert RoomDesign().digest != d.digest
    assert d.models == ("efficientnet_lite0",)


def test_methods_say_whether_they_depend_on_the_class():
    assert not design.METHODS["eigencam"].class_discriminative
    assert not design.METHODS["guided_backprop"].class_discriminative
    assert design.METHODS["gradcam"].class_discriminative
    assert design.METHODS["guided_gradcam"].class_discriminative
