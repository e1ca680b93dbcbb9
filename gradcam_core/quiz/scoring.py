"""Scoring a class's answers: accuracy with Wilson intervals, trust means with t intervals.

Each answer counts as one rating, as in the paper (a student rates several items, so ratings are
not fully independent; the intervals say how precise the share is, not how people vary).

- Wilson score interval for a share p = k / n at z = 1.96 (95 %):
  centre = (p + z²/2n) / (1 + z²/n), half-width = z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
  It stays inside [0, 1] and is honest for small n and for p near 0 or 1, where the textbook
  p ± z sqrt(p(1-p)/n) is not.
- Mean of ratings on -2..+2 with Student's t interval: mean ± t(0.975, n-1) s / sqrt(n).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scipy import stats

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95 % interval (low <= estimate <= high), or all NaN without data."""

    estimate: float
    low: float
    high: float
    n: int

    @property
    def empty(self) -> bool:
        return self.n == 0


EMPTY = Interval(math.nan, math.nan, math.nan, 0)


def wilson_interval(successes: int, n: int, z: float = Z_95) -> Interval:
    """The share successes / n with its Wilson score interval (95 % at the default z)."""
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"Need 0 <= successes <= n, got {successes} of {n}.")
    if n == 0:
        return EMPTY
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), n)


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> Interval:
    """The mean with Student's t interval; a single value has an infinite-width interval."""
    n = len(values)
    if n == 0:
        return EMPTY
    mean = math.fsum(values) / n
    if n == 1:
        return Interval(mean, -math.inf, math.inf, 1)
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * math.sqrt(variance / n)
    return Interval(mean, mean - half, mean + half, n)


@dataclass(frozen=True)
class ScoredAnswer:
    """One stored answer as scoring needs it.

    Discrimination: ``correct`` is True or False, ``trust_score`` None. Trust: ``correct`` is
    None and ``trust_score`` is the rating turned towards the stronger model (+2: the stronger
    model clearly more reliable), whichever position it was shown in.
    """

    item: int
    study: str
    method: str
    correct: bool | None
    trust_score: int | None
    student: int = 0


def trust_score(rating: int, stronger_is_model_1: bool) -> int:
    """A rating of model 1 against model 2 (+2 .. -2) turned towards the stronger model."""
    return rating if stronger_is_model_1 else -rating


def accuracy_by_method(answers: Iterable[ScoredAnswer]) -> dict[str, Interval]:
    """Share of correct class-discrimination answers per method, with Wilson intervals."""
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for a in answers:
        if a.study == "discrimination" and a.correct is not None:
            total[a.method] += 1
            right[a.method] += bool(a.correct)
    return {m: wilson_interval(right[m], total[m]) for m in total}


def trust_by_method(answers: Iterable[ScoredAnswer]) -> dict[str, Interval]:
    """Mean trust score in favour of the stronger model per method, with t intervals."""
    scores: dict[str, list[int]] = defaultdict(list)
    for a in answers:
        if a.study == "trust" and a.trust_score is not None:
            scores[a.method].append(a.trust_score)
    return {m: mean_interval(values) for m, values in scores.items()}


@dataclass(frozen=True)
class ItemDifficulty:
    """How a class did on one class-discrimination item."""

    item: int
    method: str
    answers: int
    correct: int

    @property
    def share_correct(self) -> float:
        return self.correct / self.answers if self.answers else math.nan


def item_difficulty(answers: Iterable[ScoredAnswer]) -> list[ItemDifficulty]:
    """Per class-discrimination item: answers and correct ones, hardest (lowest share) first."""
    counts: dict[int, list] = {}
    for a in answers:
        if a.study != "discrimination" or a.correct is None:
            continue
        entry = counts.setdefault(a.item, [a.method, 0, 0])
        entry[1] += 1
        entry[2] += bool(a.correct)
    rows = [ItemDifficulty(item, m, n, k) for item, (m, n, k) in counts.items()]
    return sorted(rows, key=lambda r: (r.share_correct, -r.answers, r.item))


@dataclass(frozen=True)
class Summary:
    """Everything the dashboard and a solo score show, from one list of answers."""

    students: int
    answers: int
    discrimination_answers: int
    correct: int  # correct class-discrimination answers
    accuracy: dict[str, Interval]
    trust: dict[str, Interval]
    difficulty: list[ItemDifficulty]


def summarize(answers: Sequence[ScoredAnswer]) -> Summary:
    """Students, answers, accuracy and trust per method, and item difficulty."""
    scored = [a for a in answers if a.study == "discrimination" and a.correct is not None]
    return Summary(
        students=len({a.student for a in answers}),
        answers=len(answers),
        discrimination_answers=len(scored),
        correct=sum(bool(a.correct) for a in scored),
        accuracy=accuracy_by_method(answers),
        trust=trust_by_method(answers),
        difficulty=item_difficulty(answers),
    )
