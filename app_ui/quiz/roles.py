"""Who is on the Class quiz page: alone, the teacher, or a student (a join link says student)."""

from __future__ import annotations

import streamlit as st

from ..i18n import _
from . import messages as m
from . import student, teacher

ROLE = "quiz_role"
TEACHER_ACTION = "quiz_teacher_action"


def choose() -> str:
    """The role picked on the page ("solo", "teacher" or "student"), after the introduction.

    A join link (``?room=CODE``) opens the page as a student, so a phone needs no extra tap, and
    a student's page skips the introduction so the first item is on the first screen.
    """
    if ROLE not in st.session_state:
        st.session_state[ROLE] = "student" if student.link_code() else "solo"
    if st.session_state[ROLE] != "student":
        st.markdown(_(m.INTRO))  # a student on a phone goes straight to the room
    role = st.segmented_control(
        _(m.ROLE_LABEL),
        list(m.ROLES),
        format_func={role: _(label) for role, label in m.ROLES.items()}.get,
        required=True,
        key=ROLE,
        help=_(m.ROLE_HELP),
    )
    return role or "solo"


def teacher_entry() -> None:
    """Create a room, or open one's dashboard with its key."""
    if st.session_state.pop("quiz_deleted", False):
        st.success(_(m.DELETED))
    st.session_state.setdefault(TEACHER_ACTION, "create")
    action = st.segmented_control(
        _(m.TEACHER_ACTION),
        list(m.TEACHER_ACTIONS),
        format_func={action: _(label) for action, label in m.TEACHER_ACTIONS.items()}.get,
        required=True,
        key=TEACHER_ACTION,
    )
    if action == "open":
        teacher.open_section()
    else:
        teacher.create_section()


def other_room_button() -> None:
    """Back to creating or opening a room (this session forgets the current one)."""
    st.button(_(m.OTHER_ROOM), on_click=teacher.leave_room)
