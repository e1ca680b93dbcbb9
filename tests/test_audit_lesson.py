"""The lesson: the audit finds the bias of the model trained on marked Cat photos, unaided.

Nothing here knows where the mark is: the audit's own corner mass ranks the correct predictions,
and its rows give the accuracy on the held-out photos with and without the mark.
"""

from __future__ import annotations

import statistics

import pytest

import gradcam_core as gc
from gradcam_core.dataset_audit import lesson

pytestmark = pytest.mark.slow
CLASS = lesson.MARKED_CLASS


@pytest.fixture(scope="module", params=lesson.LESSON_MODELS)
def audited(request) -> tuple[str, list[dict]]:
    result = gc.audit(lesson.lesson_photos_path(), lesson.lesson_model_path(request.param))
    assert result.summary["errors"] == 0 and result.summary["labelled"] == 120
    return request.param, result.rows


def accuracy(rows: list[dict], marked: bool) -> float:
    group = [r for r in rows if r["true_name"] == CLASS and lesson.is_marked(r["key"]) == marked]
    return sum(bool(r["correct"]) for r in group) / len(group)


def ranked_by_corner_mass(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """The correct predictions, most mass in a corner first; and the correct Cats among them."""
    correct = [r for r in rows if r["correct"]]
    correct.sort(key=lambda r: r["corner_mass"], reverse=True)
    return correct, [r for r in correct if r["true_name"] == CLASS]


def test_the_audit_surfaces_the_bias_and_only_in_the_biased_model(audited):
    which, rows = audited
    correct, cats = ranked_by_corner_mass(rows)
    first = correct[: len(cats)]
    share_first = sum(r["true_name"] == CLASS for r in first) / len(first)
    share_all = len(cats) / len(correct)
    cat_median = statistics.median(r["corner_mass"] for r in cats)
    other_median = statistics.median(r["corner_mass"] for r in correct if r not in cats)
    drop = accuracy(rows, marked=True) - accuracy(rows, marked=False)
    if which == "biased":
        # Its correct Cats rank first by mass in a corner, far above the other classes ...
        assert share_first >= 0.6 > share_all
        assert cat_median > 3 * other_median
        # ... and Cat's accuracy falls on the same photos without the mark.
        assert accuracy(rows, marked=True) >= 0.9
        assert drop >= 0.4
    else:
        assert share_first <= share_all
        assert cat_median < other_median * 1.5
        assert abs(drop) <= 0.2
