"""gradcam_core.labels: ImageNet class names, finding a class, top-k and softmax."""

from __future__ import annotations

import numpy as np
import pytest

import gradcam_core as gc
from gradcam_core import labels


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
