"""Scoring on hand-made answer sets: accuracies, Wilson intervals, trust means and t intervals."""

from __future__ import annotations

import math

import pytest

from gradcam_core.quiz import reference
from gradcam_core.quiz.scoring import (
    ScoredAnswer,
    accuracy_by_method,
    item_difficulty,
    mean_interval,
    summarize,
    trust_by_method,
    trust_score,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Wilson 95 % intervals worked out by hand from the formula (z = 1.95996), e.g. 8/10:
        # centre (0.8 + 0.19207) / 1.38415 = 0.71674, half-width 0.22658; Newcombe (1998)
        # tabulates 0.4902 to 0.9433 for it.
        (8, 10, 0.49016, 0.94332),
        (5, 10, 0.23659, 0.76341),
        (0, 10, 0.0, 0.27753),  # the textbook p ± z·se would say [0, 0]
        (10, 10, 0.72247, 1.0),
        (1, 1, 0.20655, 1.0),
        (360, 810, 0.41057, 0.47885),  # the paper's Guided Backprop, 44.44 % of 90 x 9 ratings
    ],
)
def test_wilson_interval_matches_hand_computed_values(successes, n, low, high):
    interval = wilson_interval(successes, n)
    assert interval.estimate == pytest.approx(successes / n)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)
    assert interval.n == n


def test_wilson_interval_without_data_is_empty_and_bad_counts_are_refused():
    assert wilson_interval(0, 0).empty and math.isnan(wilson_interval(0, 0).estimate)
    for successes, n in ((3, 2), (-1, 4), (1, -1)):
        with pytest.raises(ValueError, match="successes"):
            wilson_interval(successes, n)


def test_mean_interval_is_students_t():
    # mean 1.2, sample sd sqrt(0.7) = 0.83666, t(0.975, 4) = 2.77645: half-width 1.03884
    interval = mean_interval([2, 1, 0, 1, 2])
    assert interval.estimate == pytest.approx(1.2)
    assert interval.low == pytest.approx(0.16116, abs=5e-5)
    assert interval.high == pytest.approx(2.23884, abs=5e-5)
    # all alike: no spread, a zero-width interval
    same = mean_interval([1, 1, 1])
    assert (same.low, same.high) == (1.0, 1.0)
    one = mean_interval([2])
    assert one.estimate == 2 and one.low == -math.inf and one.high == math.inf
    assert mean_interval([]).empty


def _discrimination(method: str, right: int, wrong: int, start: int = 0) -> list[ScoredAnswer]:
    answers = [ScoredAnswer(start + k, "discrimination", method, True, None) for k in range(right)]
    return answers + [
        ScoredAnswer(start + right + k, "discrimination", method, False, None)
        for k in range(wrong)
    ]


def test_accuracy_per_method_on_a_hand_made_class():
    answers = (
        _discrimination("gradcam", 9, 3)
        + _discrimination("eigencam", 6, 6, start=100)
        + [ScoredAnswer(500, "trust", "gradcam", None, 2)]  # trust answers are not counted here
    )
    result = accuracy_by_method(answers)
    assert set(result) == {"gradcam", "eigencam"}
    assert result["gradcam"].estimate == pytest.approx(0.75) and result["gradcam"].n == 12
    assert result["eigencam"].estimate == pytest.approx(0.5) and result["eigencam"].n == 12
    # 9/12: centre (0.75 + 0.16006) / 1.32012 = 0.68938, half-width 0.22168
    assert result["gradcam"].low == pytest.approx(0.46769, abs=5e-5)
    assert result["gradcam"].high == pytest.approx(0.91106, abs=5e-5)


def test_trust_score_turns_the_rating_towards_the_stronger_model():
    assert trust_score(2, stronger_is_model_1=True) == 2
    assert trust_score(2, stronger_is_model_1=False) == -2
    assert trust_score(-1, stronger_is_model_1=False) == 1
    assert trust_score(0, stronger_is_model_1=False) == 0


def test_trust_mean_per_method():
    ratings = [(2, True), (1, True), (-1, False), (0, False), (-2, True)]  # (rating, first)
    answers = [
        ScoredAnswer(k, "trust", "guided_gradcam", None, trust_score(r, f))
        for k, (r, f) in enumerate(ratings)
    ]
    result = trust_by_method(answers)
    # scores in favour of the stronger model: 2, 1, 1, 0, -2 -> mean 0.4
    assert result["guided_gradcam"].estimate == pytest.approx(0.4)
    assert result["guided_gradcam"].n == 5


def test_item_difficulty_lists_the_hardest_item_first():
    answers = (
        [ScoredAnswer(7, "discrimination", "gradcam", c, None) for c in (True, True, True)]
        + [ScoredAnswer(3, "discrimination", "guided_backprop", c, None) for c in (True, False)]
        + [ScoredAnswer(5, "discrimination", "eigencam", False, None)]
    )
    rows = item_difficulty(answers)
    assert [(r.item, r.answers, r.correct) for r in rows] == [(5, 1, 0), (3, 2, 1), (7, 3, 3)]
    assert rows[1].share_correct == pytest.approx(0.5)


def test_summary_counts_students_answers_and_correct_ones():
    answers = [
        ScoredAnswer(1, "discrimination", "gradcam", True, None, student=1),
        ScoredAnswer(2, "discrimination", "gradcam", False, None, student=1),
        ScoredAnswer(1, "discrimination", "gradcam", True, None, student=2),
        ScoredAnswer(9, "trust", "guided_backprop", None, 1, student=3),
    ]
    summary = summarize(answers)
    assert (summary.students, summary.answers) == (3, 4)
    assert (summary.correct, summary.discrimination_answers) == (2, 3)
    assert summary.trust["guided_backprop"].estimate == 1


def test_the_papers_figures():
    assert reference.DISCRIMINATION["guided_backprop"].accuracy == pytest.approx(0.4444)
    assert reference.DISCRIMINATION["guided_gradcam"].accuracy == pytest.approx(0.6123)
    assert reference.DISCRIMINATION["guided_gradcam"].counts == (496, 810)
    assert reference.TRUST["guided_backprop"].mean_score == pytest.approx(1.00)
    assert reference.TRUST["guided_gradcam"].mean_score == pytest.approx(1.27)
    assert reference.expected_accuracy("eigencam") == 0.5  # chance: the same picture for both
    assert reference.expected_accuracy("gradcam") is None  # the paper did not test it alone
