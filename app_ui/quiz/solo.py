"""Alone: a 20-item quiz from every bundled photo, then the score beside the paper's figures.

The answers stay in the session (nothing is stored); the pictures are the process's shared solo
quiz (``building.solo_content``), read from memory or, when another process made them, from the
database.
"""

from __future__ import annotations

import streamlit as st

import gradcam_core as gc
from gradcam_core.quiz import (
    Picture,
    QuizStore,
    ScoredAnswer,
    StoreUnavailable,
    new_seed,
    student_plan,
    summarize,
    trust_score,
)
from gradcam_core.quiz.randomization import ItemRef

from ..i18n import _
from . import building, connection, results, runner
from . import messages as m

_SEED = "quiz_solo_seed"
_ANSWERS = "quiz_solo_answers"
_STARTED = "quiz_solo_started"


def _store() -> QuizStore | None:
    try:
        return connection.store()
    except StoreUnavailable:
        return None  # alone, the quiz works without the database


def _start() -> None:
    st.session_state[_STARTED] = True


def _restart() -> None:
    st.session_state[_SEED] = new_seed()
    st.session_state[_ANSWERS] = {}


def section(presenter: bool = False) -> None:
    if not st.session_state.get(_STARTED):
        # a visit costs nothing until asked: the pictures may still have to be made
        st.button(_(m.SOLO_START), type="primary", on_click=_start)
        return
    store = _store()
    try:
        content = building.solo_content(store)
    except gc.GradCamError as error:
        st.error(building.model_error(error))
        return
    design = content.design
    items = {item.number: item for item in content.items}
    seed = st.session_state.setdefault(_SEED, new_seed())
    refs = [ItemRef(i.number, i.study, i.method, i.photo) for i in content.items]
    plan = student_plan(seed, refs, design.items_per_student)
    places = {p.number: p for p in plan}
    answers: dict[int, ScoredAnswer] = st.session_state.setdefault(_ANSWERS, {})

    def send(answer: runner.Answer) -> runner.Sent:
        item = items[answer.number]
        if answer.number in answers:
            return runner.Sent("duplicate")
        if item.study == "trust":
            score = trust_score(answer.value, places[answer.number].stronger_first)
            answers[answer.number] = ScoredAnswer(item.number, "trust", item.method, None, score)
        else:
            right = answer.value == item.truth
            answers[answer.number] = ScoredAnswer(item.number, item.study, item.method, right, None)
        return runner.Sent("stored")

    def pictures(digest: str) -> Picture | None:
        return content.pictures.get(digest) or (connection.picture(digest) if store else None)

    quiz = runner.Quiz(
        key=f"solo_{seed}",
        items=items,
        plan=plan,
        answered=frozenset(answers),
        send=send,
        pictures=pictures,
        trust_models=design.trust_models,
        map_view=design.map_view,
    )
    if not runner.ask_next(quiz):
        return
    summary = summarize(list(answers.values()))
    st.header(_(m.SOLO_DONE))
    score = _(m.SOLO_SCORE).format(correct=summary.correct, total=summary.discrimination_answers)
    st.markdown(score)
    results.show(summary, design, presenter)
    st.caption(_(m.SOLO_NOTE))
    st.button(_(m.SOLO_AGAIN), on_click=_restart, type="primary")
