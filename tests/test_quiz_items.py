"""Planning items from analyses (made up here): which items exist and which are left out."""

from __future__ import annotations

import numpy as np

from gradcam_core.quiz import RoomDesign
from gradcam_core.quiz.checks import best_class, class_rank, lies_on, mass_shares
from gradcam_core.quiz.items import ObjectAnalysis, PhotoAnalysis, plan_items
from gradcam_core.quiz.photos import QuizObject, QuizPhoto

METHODS = ("guided_backprop", "guided_gradcam", "gradcam", "eigencam")


def photo(photo_id: str) -> QuizPhoto:
    objects = (
        QuizObject("cat", (281,), (0, 0, 10, 10)),
        QuizObject("cup", (968,), (10, 0, 20, 10)),
    )
    return QuizPhoto(photo_id, photo_id.title(), "composite", objects, b"")


def analysis(photo_id, model, ranks=(0, 3), shares=((0.8, 0.1), (0.7, 0.2))) -> PhotoAnalysis:
    objects = tuple(
        ObjectAnalysis(
            label=label,
            class_index=index,
            class_name=label,
            rank=rank,
            shares=share,
            pictures={m: f"{photo_id}-{model}-{label}-{m}" for m in METHODS},
        )
        for label, index, rank, share in zip(("cat", "cup"), (281, 968), ranks, shares, strict=True)
    )
    return PhotoAnalysis(photo_id, model, "top_relu", [], objects, f"{photo_id}-photo", "masked")


def test_each_photo_gives_an_item_per_method_and_object_and_agreeing_models_trust_items():
    design = RoomDesign()
    lite0, lite2 = "efficientnet_lite0", "efficientnet_lite2"
    analyses = {
        ("a", lite0): analysis("a", lite0),
        ("a", lite2): analysis("a", lite2),
        ("b", lite0): analysis("b", lite0, ranks=(2, 0)),  # Lite0 says cup first, Lite2 cat
        ("b", lite2): analysis("b", lite2),
    }
    items, left_out = plan_items(design, [photo("a"), photo("b")], analyses)
    assert left_out == []
    assert [i.number for i in items] == list(range(1, len(items) + 1))
    discrimination = [i for i in items if i.study == "discrimination"]
    assert len(discrimination) == 2 * 4 * 2
    first = discrimination[0]
    assert (first.labels, first.truth, first.method) == (("cat", "cup"), 0, "guided_backprop")
    assert first.picture == "a-efficientnet_lite0-cat-guided_backprop"
    trust = [i for i in items if i.study == "trust"]
    # only photo a: on b the two models' top classes belong to different objects
    assert [(i.photo, i.method) for i in trust] == [
        ("a", "guided_backprop"),
        ("a", "guided_gradcam"),
    ]
    assert trust[0].picture == "a-efficientnet_lite2-cat-guided_backprop"  # the stronger model
    assert trust[0].picture_2 == "a-efficientnet_lite0-cat-guided_backprop"
    assert trust[0].details["models"] == [lite2, lite0]


def test_an_object_whose_map_is_not_on_it_gives_no_item():
    design = RoomDesign(trust_methods=())
    lite0 = "efficientnet_lite0"
    analyses = {("a", lite0): analysis("a", lite0, shares=((0.8, 0.1), (0.2, 0.5)))}
    items, left_out = plan_items(design, [photo("a")], analyses)
    assert {i.truth for i in items} == {0}
    assert len(items) == 4
    assert [(x.label, x.reason) for x in left_out] == [("cup", "map_not_on_object")]


def test_uploads_without_boxes_are_not_checked():
    design = RoomDesign(trust_methods=(), discrimination_methods=("gradcam",))
    lite0 = "efficientnet_lite0"
    analyses = {("a", lite0): analysis("a", lite0, shares=(None, None))}
    items, left_out = plan_items(design, [photo("a")], analyses)
    assert len(items) == 2 and left_out == []


def test_mass_shares_and_the_fairness_rule_by_hand():
    upsampled = np.zeros((4, 8))
    upsampled[:, :4] = 1.0  # all the mass on the left half
    upsampled[0, 6] = 4.0  # and a little on the right: 16 + 4 = 20
    shares = mass_shares(upsampled, [(0, 0, 4, 4), (4, 0, 8, 4)])
    assert shares == (0.8, 0.2)
    assert lies_on(shares, 0) and not lies_on(shares, 1)
    assert not lies_on((0.5, 0.5), 0)
    assert not lies_on(shares, 0, margin=5.0)
    assert mass_shares(np.zeros((4, 8)), [(0, 0, 4, 4), (4, 0, 8, 4)]) == (0.0, 0.0)


def test_best_class_and_rank():
    logits = np.array([0.5, 3.0, 2.0, -1.0])
    assert best_class(logits, (0, 2, 3)) == 2
    assert class_rank(logits, 1) == 0 and class_rank(logits, 2) == 1 and class_rank(logits, 3) == 3
