"""A student's plan: seeded, balanced over studies and methods, photos not repeated in a method."""

from __future__ import annotations

from collections import Counter

import pytest

from gradcam_core.quiz.randomization import ItemRef, new_seed, student_plan

METHODS = ("guided_backprop", "guided_gradcam", "gradcam", "eigencam")


def room_items(photos: int = 11, trust_methods=("guided_backprop", "guided_gradcam")):
    items = []
    for p in range(photos):
        for method in METHODS:
            for _ in range(2):  # both objects
                items.append(ItemRef(len(items) + 1, "discrimination", method, f"p{p}"))
        if p % 2 == 0:  # about half the photos give trust items
            for method in trust_methods:
                items.append(ItemRef(len(items) + 1, "trust", method, f"p{p}"))
    return items


def test_the_same_seed_gives_the_same_plan_and_others_differ():
    items = room_items()
    assert student_plan(42, items, 20) == student_plan(42, items, 20)
    plans = {tuple(p.number for p in student_plan(seed, items, 20)) for seed in range(50)}
    assert len(plans) == 50


def test_plans_are_balanced_over_studies_and_methods():
    items = room_items()
    by_number = {i.number: i for i in items}
    for seed in range(40):
        plan = student_plan(seed, items, 20)
        assert len(plan) == 20 and len({p.number for p in plan}) == 20
        assert [p.position for p in plan] == list(range(20))
        picked = [by_number[p.number] for p in plan]
        studies = Counter(i.study for i in picked)
        assert studies == {"discrimination": 16, "trust": 4}
        methods = Counter(i.method for i in picked if i.study == "discrimination")
        assert methods == dict.fromkeys(METHODS, 4)
        trust = Counter(i.method for i in picked if i.study == "trust")
        assert trust == {"guided_backprop": 2, "guided_gradcam": 2}
        for method in METHODS:  # 11 photos for 4 items: no photo twice within a method
            photos = [i.photo for i in picked if i.method == method and i.study != "trust"]
            assert len(photos) == len(set(photos))


def test_an_uneven_split_goes_to_random_methods():
    items = room_items(trust_methods=())
    seen = Counter()
    for seed in range(200):
        plan = student_plan(seed, items, 6)  # 6 over 4 methods: two get a second item
        by_number = {i.number: i for i in items}
        counts = Counter(by_number[p.number].method for p in plan)
        assert sorted(counts.values()) == [1, 1, 2, 2]
        seen.update(m for m, c in counts.items() if c == 2)
    assert set(seen) == set(METHODS)


def test_a_small_room_gives_every_item():
    items = room_items(photos=1)  # 8 discrimination + 2 trust items
    plan = student_plan(7, items, 20)
    assert sorted(p.number for p in plan) == [i.number for i in items]


def test_answer_order_and_model_order_are_balanced_over_students():
    items = room_items()
    plans = [p for seed in range(300) for p in student_plan(seed, items, 20)]
    swapped = sum(p.swapped for p in plans) / len(plans)
    first = sum(p.stronger_first for p in plans) / len(plans)
    assert swapped == pytest.approx(0.5, abs=0.03)  # 6000 draws: a 4.6 sd margin
    assert first == pytest.approx(0.5, abs=0.03)


def test_new_seeds_fit_a_signed_64_bit_column():
    seeds = {new_seed() for _ in range(100)}
    assert len(seeds) == 100
    assert all(0 <= s < 2**62 for s in seeds)
