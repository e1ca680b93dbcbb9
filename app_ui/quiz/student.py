"""A student in a room: join with the code (from the link or typed), then answer item by item.

Nothing here runs a model or draws a figure: the room's items come from the database (kept in
memory per process, since they never change), pictures are stored JPEG bytes cached by digest,
and the student's plan is made again from the seed stored with them. A visit costs a few small
queries.

After joining, the page's address carries the room code and a resume token (``?room=...&me=...``),
so a reload (a phone that locked its screen) comes back to the same student and place.
"""

from __future__ import annotations

import time

import streamlit as st

from gradcam_core.quiz import QuizStore, Room, StoreUnavailable, Student, Submission
from gradcam_core.quiz.security import RateLimiter, normalize_join_code

from ..i18n import _
from . import connection, runner
from . import messages as m

ROOM_PARAM, TOKEN_PARAM = "room", "me"
_STUDENT = "quiz_student"  # (Student, the room's code)
_JOIN_LIMIT = "quiz_join_limiter"
JOIN_BURST, JOINS_PER_SECOND = 3, 1 / 20


def link_code() -> str | None:
    """The room code in the page's address, if any."""
    return st.query_params.get(ROOM_PARAM)


def _current(store: QuizStore) -> Student | None:
    """This session's student, or the one the address's resume token names."""
    code, token = st.query_params.get(ROOM_PARAM), st.query_params.get(TOKEN_PARAM)
    kept = st.session_state.get(_STUDENT)
    if kept is not None and (not code or normalize_join_code(code) == kept[1]):
        return kept[0]
    st.session_state.pop(_STUDENT, None)  # a link to another room: that room's join form
    if not code or not token:
        return None
    room = store.room(code)
    student = store.resume(room.id, token) if room is not None else None
    if student is not None:
        st.session_state[_STUDENT] = (student, room.code)
    return student


def _join_form(store: QuizStore) -> None:
    st.subheader(_(m.JOIN_TITLE))
    given = link_code()
    with st.form("quiz_join"):
        code = st.text_input(
            _(m.JOIN_CODE), value=given or "", max_chars=12, help=_(m.JOIN_CODE_HELP)
        )
        nickname = st.text_input(_(m.JOIN_NICKNAME), max_chars=24, help=_(m.JOIN_NICKNAME_HELP))
        pressed = st.form_submit_button(_(m.JOIN_BUTTON), type="primary")
    if not pressed:
        return
    normalized = normalize_join_code(code)
    if normalized is None:
        st.error(_(m.BAD_CODE))
        return
    limiter = st.session_state.setdefault(_JOIN_LIMIT, RateLimiter(JOIN_BURST, JOINS_PER_SECOND))
    if not limiter.allow():
        st.error(_(m.JOIN_TOO_FAST).format(seconds=limiter.wait_seconds()))
        return
    room = store.room(normalized)
    if room is None:
        st.error(_(m.NO_SUCH_ROOM).format(code=normalized))
        return
    student = store.join(room.id, nickname)
    if student is None:
        st.error(_(m.ROOM_CLOSED).format(code=normalized))
        return
    st.session_state[_STUDENT] = (student, room.code)
    st.query_params[ROOM_PARAM] = room.code
    st.query_params[TOKEN_PARAM] = student.resume_token or ""
    st.rerun()


def _welcome(room: Room, student: Student) -> None:
    if student.nickname:
        st.markdown(_(m.WELCOME_NAMED).format(number=student.number, code=room.code))
        st.text(student.nickname)  # as text: no Markdown, no HTML
    else:
        st.markdown(_(m.WELCOME).format(number=student.number, code=room.code))


def _finished(store: QuizStore, room: Room, student: Student, total: int) -> None:
    st.success(_(m.FINISHED).format(total=total))
    scored = [a for a in store.answers(room.id, student.id) if a.correct is not None]
    if scored:
        right = sum(bool(a.correct) for a in scored)
        st.markdown(_(m.YOUR_SCORE).format(correct=right, total=len(scored)))
    later = m.REVEALED if room.revealed else m.WAIT_FOR_RESULTS
    st.info(_(later))


def section() -> None:
    try:
        store = connection.store()
        student = _current(store)
        if student is None:
            _join_form(store)
            return
        room = store.room_by_id(student.room_id)
        if room is None:
            st.session_state.pop(_STUDENT, None)
            st.error(_(m.OUTCOMES["unknown_room"]))
            return
        answered = store.answered_items(student.id)
        items = {item.number: item for item in store.items(room.id)}
        plan = store.plan(room, student)
    except StoreUnavailable as error:
        st.error(_(m.STORE_UNAVAILABLE).format(reason=error))
        return
    _welcome(room, student)

    def send(answer: runner.Answer) -> runner.Sent:
        submission = Submission(
            room.id, student.id, answer.number, answer.value, answer.seconds, answer.request_id
        )
        return runner.Sent(store.submit(submission, time.time()).outcome)

    quiz = runner.Quiz(
        key=f"room{room.id}_student{student.id}",
        items=items,
        plan=plan,
        answered=frozenset(answered),
        send=send,
        pictures=connection.picture,
        trust_models=room.design.trust_models,
        map_view=room.design.map_view,
    )
    if not quiz.remaining and quiz.state("last") is None:
        _finished(store, room, student, len(plan))
        return
    if not room.accepts_answers(time.time()) and quiz.state("last") is None:
        st.warning(_(m.ROOM_CLOSED).format(code=room.code))
        return
    if runner.ask_next(quiz):
        _finished(store, room, student, len(plan))
        return
    st.caption(_(m.RESUME_NOTE))
