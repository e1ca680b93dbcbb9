"""Which items a student answers, in which order, with which model shown first: all from a seed.

A student's seed is drawn once (``new_seed``) and stored with the student, so the plan can be
made again at any time, on any server process, and checked against what was answered.

From a room's items, ``student_plan`` picks ``per_student`` of them: a fifth from the trust study
when the room has both studies, the rest from class discrimination; each study's share spread as
evenly as it goes over its methods, and within a method no photo twice while another photo is
left. The picked items are shuffled. Each class-discrimination item also gets the order of its
two answers, each trust item which model is shown as "model 1".
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

TRUST_SHARE = 0.2


@dataclass(frozen=True)
class ItemRef:
    """What planning needs to know about an item."""

    number: int
    study: str
    method: str
    photo: str


@dataclass(frozen=True)
class PlannedItem:
    """One item of a student's quiz, at ``position`` (0-based)."""

    number: int
    position: int
    swapped: bool  # class discrimination: the second category is offered first
    stronger_first: bool  # trust: the stronger model is shown as model 1


def new_seed() -> int:
    """A fresh random seed (62 bits, fits a signed 64-bit column)."""
    return secrets.randbits(62)


def _spread(total: int, buckets: Sequence[str], rng: random.Random) -> dict[str, int]:
    """``total`` split over buckets as evenly as possible; the remainder to random buckets."""
    if not buckets:
        return {}
    share, extra = divmod(total, len(buckets))
    lucky = set(rng.sample(list(buckets), extra))
    return {b: share + (b in lucky) for b in buckets}


def _pick(items: Sequence[ItemRef], count: int, rng: random.Random) -> list[ItemRef]:
    """``count`` items of one method, a new photo each time while one is left."""
    by_photo: dict[str, list[ItemRef]] = defaultdict(list)
    for item in items:
        by_photo[item.photo].append(item)
    for group in by_photo.values():
        rng.shuffle(group)
    photos = sorted(by_photo)
    rng.shuffle(photos)
    picked: list[ItemRef] = []
    while len(picked) < count and any(by_photo.values()):
        for photo in photos:
            if by_photo[photo] and len(picked) < count:
                picked.append(by_photo[photo].pop())
    return picked


def _study_items(items: Sequence[ItemRef], count: int, rng: random.Random) -> list[ItemRef]:
    by_method: dict[str, list[ItemRef]] = defaultdict(list)
    for item in items:
        by_method[item.method].append(item)
    methods = sorted(by_method)
    quotas = _spread(count, methods, rng)
    picked: list[ItemRef] = []
    for method in methods:
        picked += _pick(by_method[method], quotas[method], rng)
    shortfall = count - len(picked)
    if shortfall > 0:  # a method ran out of items: fill from what is left, any method
        taken = set(picked)
        rest = [i for i in items if i not in taken]
        rng.shuffle(rest)
        picked += rest[:shortfall]
    return picked


def student_plan(seed: int, items: Sequence[ItemRef], per_student: int) -> list[PlannedItem]:
    """The student's items in order, with answer order and model order; same seed, same plan."""
    rng = random.Random(seed)
    ordered = sorted(items, key=lambda i: i.number)
    trust = [i for i in ordered if i.study == "trust"]
    discrimination = [i for i in ordered if i.study == "discrimination"]
    count = min(per_student, len(ordered))
    n_trust = round(count * TRUST_SHARE) if trust and discrimination else len(trust)
    n_trust = min(n_trust, len(trust), count)
    n_discrimination = min(count - n_trust, len(discrimination))
    n_trust = min(len(trust), count - n_discrimination)
    picked = _study_items(discrimination, n_discrimination, rng) + _study_items(trust, n_trust, rng)
    rng.shuffle(picked)
    return [
        PlannedItem(item.number, position, rng.random() < 0.5, rng.random() < 0.5)
        for position, item in enumerate(picked)
    ]
