"""The teacher's dashboard: how to join (code, link, QR), the room's controls, and the answers
arriving live.

The live part is a fragment that reruns every ``REFRESH_S`` seconds and reads everything from
the database, so a dashboard on any server process of the class counts every answer. Results
stay hidden until the teacher reveals them (the projector should not sway anyone still
answering); who has joined and how many answers they gave show from the start. Nicknames are
shown in a table, as text.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import segno
import streamlit as st

from gradcam_core.quiz import QuizStore, Room, StoreUnavailable, summarize
from gradcam_core.quiz.report import answers_csv

from .. import language
from ..i18n import _
from . import connection, results, teacher
from . import messages as m

REFRESH_S = 3
QR_SCALE = 10


@st.cache_data(max_entries=32, show_spinner=False)
def qr_png(link: str) -> bytes:
    """The join link as a QR code (segno; error correction M: readable from the back row)."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=QR_SCALE, border=2)
    return buffer.getvalue()


def join_link(code: str) -> str:
    """The address students open: the operator's public URL, else this page's own address."""
    base = connection.public_url()
    if base is not None:
        return f"{base}/{connection.PAGE_PATH}?room={code}"
    here = st.context.url or f"http://localhost:8501/{connection.PAGE_PATH}"
    return f"{here.rstrip('/')}?room={code}"


def _day(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d")


def _join_panel(room: Room) -> None:
    link = join_link(room.code)
    words, picture = st.columns([3, 2], vertical_alignment="center")
    with words:
        st.caption(_(m.DASHBOARD_CODE))
        st.markdown(f"# {room.code}")  # six characters of the join alphabet: nothing to escape
        st.markdown(_(m.JOIN_AT).format(link=link))
        host = link.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        if host in ("localhost", "127.0.0.1", "::1", "[::1]"):
            st.warning(_(m.LOCALHOST_LINK))
    picture.image(qr_png(link), alt=_(m.QR_ALT).format(link=link), width=260)


def _controls(store: QuizStore, room: Room) -> None:
    status = m.STATUS_OPEN if room.status == "open" else m.STATUS_CLOSED
    st.caption(_(status).format(expires=_day(room.expires_at)))
    reveal, close, download = st.columns(3)
    shown = m.HIDE if room.revealed else m.REVEAL
    if reveal.button(_(shown), width="stretch"):
        store.set_revealed(room.id, not room.revealed)
        st.rerun()
    closing = m.REOPEN if room.status == "closed" else m.CLOSE
    if close.button(_(closing), width="stretch"):
        store.set_status(room.id, "open" if room.status == "closed" else "closed")
        st.rerun()
    download.download_button(
        _(m.CSV),
        data=lambda: answers_csv(room.code, room.design, store.answers(room.id)),
        file_name=f"quiz-{room.code}.csv",
        mime="text/csv",
        width="stretch",
        on_click="ignore",
    )
    with st.expander(_(m.DELETE_TITLE)):
        sure = st.checkbox(_(m.DELETE_CONFIRM))
        if st.button(_(m.DELETE_BUTTON), disabled=not sure, type="primary"):
            store.delete_room(room.id)
            teacher.leave_room()
            st.session_state["quiz_deleted"] = True
            st.rerun()


def _participants(store: QuizStore, room_id: int) -> None:
    rows = store.students(room_id)
    if not rows:
        return
    st.markdown(f"**{_(m.PARTICIPANTS)}**")
    table = pd.DataFrame(
        {
            _(m.PARTICIPANT_NUMBER): [r.number for r in rows],
            _(m.PARTICIPANT_NAME): [r.nickname or "" for r in rows],
            _(m.PARTICIPANT_ANSWERS): [r.answers for r in rows],
        }
    )
    st.dataframe(table, hide_index=True, height=min(400, 38 + 35 * len(rows)))


@language.fragment(key="quiz_dashboard", run_every=REFRESH_S)
def live(room_id: int, presenter: bool) -> None:
    """Counts, participants and (once revealed) the results, read again every few seconds."""
    try:
        store = connection.store()
        room = store.room_by_id(room_id)
        if room is None:
            st.info(_(m.DELETED))
            return
        students, answers = store.counts(room_id)
        counts = st.columns(3)
        counts[0].metric(_(m.METRIC_STUDENTS), students)
        counts[1].metric(_(m.METRIC_ANSWERS), answers)
        counts[2].metric(_(m.METRIC_ITEMS), len(store.items(room_id)))
        if room.revealed:
            summary = summarize([a.scored() for a in store.answers(room_id)])
            results.show(summary, room.design, presenter)
            results.difficulty(summary, {i.number: i for i in store.items(room_id)})
        else:
            st.info(_(m.HIDDEN))
        _participants(store, room_id)
    except StoreUnavailable as error:
        st.warning(_(m.STORE_UNAVAILABLE).format(reason=error))
    st.caption(_(m.LIVE_NOTE).format(seconds=REFRESH_S))


def section(room_id: int, presenter: bool) -> None:
    """The whole dashboard of a room this session may open."""
    try:
        store = connection.store()
        room = store.room_by_id(room_id)
    except StoreUnavailable as error:
        st.error(_(m.STORE_UNAVAILABLE).format(reason=error))
        return
    if room is None:
        teacher.leave_room()
        st.info(_(m.DELETED))
        return
    teacher.new_key_notice(room_id)
    _join_panel(room)
    _controls(store, room)
    live(room_id, presenter)
