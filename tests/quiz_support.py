"""Rooms for the quiz tests without TensorFlow (items with small made-up pictures), and stores.

The ``store_url`` and ``store`` fixtures are in quiz_fixtures.py (``pytest_plugins``).

``synthetic_content`` gives a room of ``photos`` made-up photos, each with every method of both
studies (discrimination: both objects; trust: one item per method), and a JPEG per picture that
says which item it is (a solid colour from its number), so tests can tell pictures apart.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import postgres_support
from PIL import Image

from gradcam_core.quiz import (
    DISCRIMINATION_METHODS,
    TRUST_METHODS,
    QuizStore,
    RoomDesign,
    Submission,
)
from gradcam_core.quiz.items import Item, Picture, RoomContent


def _picture(seed: int) -> Picture:
    colour = ((seed * 67) % 256, (seed * 131) % 256, (seed * 29) % 256)
    return Picture.from_image(Image.new("RGB", (24, 16), colour), quality=90)


def synthetic_content(
    photos: int = 10,
    design: RoomDesign | None = None,
) -> RoomContent:
    """A room with ``photos`` two-object photos x (4 methods x 2 objects + trust methods)."""
    design = design or RoomDesign(trust_methods=TRUST_METHODS, items_per_student=30)
    items: list[Item] = []
    pictures: dict[str, Picture] = {}

    def keep(seed: int) -> str:
        picture = _picture(seed)
        pictures[picture.digest] = picture
        return picture.digest

    for p in range(photos):
        labels = (f"thing {p}a", f"thing {p}b")
        photo_picture = keep(10_000 + p)
        for method in design.discrimination_methods or ():
            assert method in DISCRIMINATION_METHODS
            for truth in (0, 1):
                number = len(items) + 1
                items.append(
                    Item(
                        number,
                        "discrimination",
                        method,
                        f"photo{p}",
                        f"Photo {p}",
                        labels,
                        truth,
                        keep(number),
                        None,
                        photo_picture,
                        {"model": "synthetic"},
                    )
                )
        for method in design.trust_methods or ():
            number = len(items) + 1
            items.append(
                Item(
                    number,
                    "trust",
                    method,
                    f"photo{p}",
                    f"Photo {p}",
                    (labels[0], ""),
                    None,
                    keep(number),
                    keep(50_000 + number),
                    photo_picture,
                    {"models": ["a", "b"]},
                )
            )
    return RoomContent(design, items, [], {}, pictures)


BACKENDS = ("sqlite", "postgresql")


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file in ``folder``, or a fresh PostgreSQL database
    on the test process's server."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'quiz.sqlite3'}"
        return
    with postgres_support.fresh_database(postgres_support.shared_server()) as url:
        yield url


def chosen_answer(student_number: int, item: Item) -> int:
    """A made-up student's answer to an item, fixed by their numbers (so a test can count)."""
    if item.study == "discrimination":
        return (student_number + item.number) % 2
    return (student_number + item.number) % 5 - 2


def submit_each(store: QuizStore, submissions: list[Submission]) -> list[str]:
    """Submit one after the other; the outcome of each."""
    return [store.submit(s).outcome for s in submissions]


def worker_main() -> None:
    """For a second process: read {url, submissions, threads} as JSON on stdin, submit them from
    that many threads started together, print the count of each outcome as JSON."""
    job = json.load(sys.stdin)
    store = QuizStore(job["url"], create=False)
    submissions = [Submission(**s) for s in job["submissions"]]
    chunks = [submissions[k :: job["threads"]] for k in range(job["threads"])]
    start = threading.Barrier(len(chunks))

    def run(chunk: list[Submission]) -> list[str]:
        start.wait()
        return submit_each(store, chunk)

    with ThreadPoolExecutor(len(chunks)) as pool:
        outcomes = [o for done in pool.map(run, chunks) for o in done]
    store.close()
    json.dump(dict(Counter(outcomes)), sys.stdout)
