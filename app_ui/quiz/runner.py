"""Going through a quiz item by item, for a student in a room and for someone alone.

A ``Quiz`` says what to ask (items, the person's seeded plan, what is answered already) and how
an answer is sent (``send``: to the database for a student, into the session when alone). The
page shows the next unanswered item; after an answer, its truth and photo until "Next item".
The time an item was first shown is kept, so each answer carries the seconds it took.

An answer that could not be sent (the database locked or unreachable) stays in the session and
is sent again every few seconds by a fragment, so it is never lost and, because it keeps its
request id, never counted twice.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from gradcam_core.quiz import Item, PlannedItem, StoreUnavailable
from gradcam_core.quiz.security import RateLimiter

from .. import language
from ..i18n import _
from . import item_view
from . import messages as m

RETRY_EVERY_S = 3
# A person reads the feedback and presses "Next" between answers: more than one answer a second
# for long is a script. A burst of 6 keeps a quick guesser well clear of it.
ANSWER_BURST, ANSWERS_PER_SECOND = 6, 1.0


@dataclass(frozen=True)
class Answer:
    """An answer on its way: its item, value, time taken and request id (kept for retries)."""

    number: int
    value: int
    seconds: float
    request_id: str


@dataclass(frozen=True)
class Sent:
    """What became of an answer: an outcome of ``QuizStore.submit``."""

    outcome: str


@dataclass(frozen=True)
class Quiz:
    """Everything the loop needs for one person's quiz."""

    key: str  # session-state namespace: one per room and student, or "solo"
    items: dict[int, Item]
    plan: list[PlannedItem]
    answered: frozenset[int]  # item numbers answered before this run
    send: Callable[[Answer], Sent]  # may raise StoreUnavailable
    pictures: item_view.PictureSource
    trust_models: tuple[str, str]
    map_view: str

    def state(self, name: str, default=None):
        return st.session_state.setdefault(f"quiz_{self.key}_{name}", default)

    def set_state(self, name: str, value) -> None:
        st.session_state[f"quiz_{self.key}_{name}"] = value

    @property
    def remaining(self) -> list[PlannedItem]:
        return [p for p in self.plan if p.number not in self.answered]


def _limiter(quiz: Quiz) -> RateLimiter:
    limiter = quiz.state("limiter")
    if limiter is None:
        limiter = RateLimiter(ANSWER_BURST, ANSWERS_PER_SECOND)
        quiz.set_state("limiter", limiter)
    return limiter


def _shown_at(quiz: Quiz, number: int) -> float:
    shown: dict[int, float] = quiz.state("shown_at", {})
    return shown.setdefault(number, time.monotonic())


def _deliver(quiz: Quiz, answer: Answer) -> bool:
    """Send; on a database failure keep the answer pending and return False."""
    try:
        sent = quiz.send(answer)
    except StoreUnavailable:
        quiz.set_state("pending", answer)
        return False
    quiz.set_state("pending", None)
    quiz.set_state("last", (answer.number, answer.value, sent.outcome))
    return True


def _pending(quiz: Quiz) -> bool:
    """Send the kept answer again every few seconds (or when asked); True while one is kept."""
    if quiz.state("pending") is None:
        return False

    @language.fragment(key=f"quiz_{quiz.key}_retry", run_every=RETRY_EVERY_S)
    def retry() -> None:
        answer: Answer | None = quiz.state("pending")
        if answer is not None and _deliver(quiz, answer):
            st.rerun(scope="app")
        st.warning(_(m.PENDING))
        st.button(_(m.SEND_AGAIN), key=f"quiz_{quiz.key}_again")  # reruns this fragment: a retry

    retry()
    return True


def _progress(quiz: Quiz, place: PlannedItem, done: bool) -> None:
    total = len(quiz.plan)
    text = _(m.PROGRESS).format(number=place.position + 1, total=total)
    st.progress((place.position + done) / total, text)


def _feedback(quiz: Quiz, number: int, value: int, outcome: str) -> None:
    """The item just answered: its truth and photo (or why it was not stored), then "Next"."""
    place = next(p for p in quiz.plan if p.number == number)
    _progress(quiz, place, done=True)
    if outcome in ("stored", "already_stored"):
        item = quiz.items[number]
        item_view.reveal(item, place, value, quiz.trust_models, quiz.pictures, quiz.map_view)
    else:
        st.warning(_(m.OUTCOMES[outcome]) if outcome in m.OUTCOMES else outcome)
    if st.button(_(m.NEXT), key=f"quiz_{quiz.key}_next", type="primary"):
        quiz.set_state("last", None)
        st.rerun()


def ask_next(quiz: Quiz) -> bool:
    """Show the item just answered (with its truth) or the next one; True when all are done."""
    if _pending(quiz):
        return False
    last = quiz.state("last")
    if last is not None:
        _feedback(quiz, *last)
        return False
    remaining = quiz.remaining
    if not remaining:
        return True
    place = remaining[0]
    _progress(quiz, place, done=False)
    shown_at = _shown_at(quiz, place.number)
    item = quiz.items[place.number]
    value = item_view.ask(item, place, quiz.pictures, f"quiz_{quiz.key}_{place.number}")
    if value is None:
        return False
    limiter = _limiter(quiz)
    if not limiter.allow():
        st.warning(_(m.TOO_FAST).format(seconds=max(1.0, limiter.wait_seconds())))
        return False
    _deliver(quiz, Answer(place.number, value, time.monotonic() - shown_at, uuid.uuid4().hex))
    st.rerun()  # drawn again as answered, or with the answer kept
    return False
