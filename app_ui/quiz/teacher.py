"""The teacher's way in: create a room (its design, photos and uploads), or open an existing
room's dashboard with its code and teacher key.

The key is typed in a password field and never put in the address. A wrong key costs a pause
(``WRONG_KEY_DELAY_S``) and at most a few tries a minute per session. A new room's key is shown
once, in the session that created it, until the teacher says it is noted.
"""

from __future__ import annotations

import time

import streamlit as st

import gradcam_core as gc
from gradcam_core.quiz import (
    DEFAULT_TRUST_MODELS,
    DISCRIMINATION_METHODS,
    IMAGENET_TOP1,
    METHODS,
    TRUST_METHODS,
    RoomDesign,
    StoreUnavailable,
)
from gradcam_core.quiz.design import (
    DEFAULT_DISCRIMINATION_MODEL,
    DEFAULT_ITEMS_PER_STUDENT,
    DEFAULT_TRUST_METHODS,
    MAP_VIEWS,
    MAX_ITEMS_PER_STUDENT,
)
from gradcam_core.quiz.security import RateLimiter

from .. import deployment
from ..i18n import _
from . import building, connection, uploads
from . import messages as m
from .item_view import model_title, shown_title

ROOM = "quiz_teacher_room"  # the room id whose key this session has shown
NEW_KEY = "quiz_new_key"  # (room id, key): shown once
WRONG_KEY_DELAY_S = 1.5
_KEY_LIMIT = "quiz_key_limiter"
KEY_BURST, KEYS_PER_SECOND = 5, 1 / 30
MIN_ITEMS = 8


def pause(seconds: float) -> None:
    time.sleep(seconds)


def current_room() -> int | None:
    """The room this session opened (created, or unlocked with its key)."""
    return st.session_state.get(ROOM)


def leave_room() -> None:
    st.session_state.pop(ROOM, None)
    st.session_state.pop(NEW_KEY, None)


def _models() -> list[str]:
    """Models the quiz can compare: known accuracy, and loadable on this server."""
    return [
        spec.name
        for spec in gc.available_models()
        if spec.name in IMAGENET_TOP1 and deployment.fits(spec.size_mb)
    ]


def _model_label(name: str) -> str:
    return _(m.MODEL_OPTION).format(title=model_title(name), accuracy=IMAGENET_TOP1[name])


def _design() -> tuple[RoomDesign | None, list[str]]:
    """The room's design from the widgets, or None with why not."""
    models = _models()
    model_labels = {name: _model_label(name) for name in models}  # made in the run's language
    discrimination = st.multiselect(
        _(m.STUDY_DISCRIMINATION),
        DISCRIMINATION_METHODS,
        default=DISCRIMINATION_METHODS,
        format_func=lambda k: METHODS[k].title,
    )
    model = st.selectbox(
        _(m.DISCRIMINATION_MODEL),
        models,
        index=models.index(DEFAULT_DISCRIMINATION_MODEL),
        format_func=model_labels.get,
    )
    trust = st.multiselect(
        _(m.STUDY_TRUST),
        TRUST_METHODS,
        default=DEFAULT_TRUST_METHODS,
        format_func=lambda k: METHODS[k].title,
    )
    help_text = _(m.TRUST_MODELS_HELP).format(
        lite2=IMAGENET_TOP1["efficientnet_lite2"], lite0=IMAGENET_TOP1["efficientnet_lite0"]
    )
    first, second = st.columns(2)
    pair = (
        first.selectbox(
            _(m.TRUST_MODELS),
            models,
            index=models.index(DEFAULT_TRUST_MODELS[0]),
            format_func=model_labels.get,
            help=help_text,
        ),
        second.selectbox(
            _(m.TRUST_MODELS),
            models,
            index=models.index(DEFAULT_TRUST_MODELS[1]),
            format_func=model_labels.get,
            label_visibility="hidden",
        ),
    )
    photo_ids = [p.id for p in building.selected_photos(())]
    titles = {p.id: shown_title(p) for p in building.selected_photos(())}
    chosen = st.multiselect(
        _(m.PHOTOS), photo_ids, default=photo_ids, format_func=titles.get, help=_(m.PHOTOS_HELP)
    )
    per_student = st.slider(
        _(m.ITEMS_PER_STUDENT), MIN_ITEMS, MAX_ITEMS_PER_STUDENT, DEFAULT_ITEMS_PER_STUDENT
    )
    views = {view: _(label) for view, label in m.MAP_VIEWS.items()}
    map_view = st.radio(_(m.MAP_VIEW), MAP_VIEWS, format_func=views.get, horizontal=True)
    if not discrimination and not trust:
        return None, [_(m.NO_METHOD)]
    if trust and pair[0] == pair[1]:
        return None, [_(m.TRUST_SAME_MODEL)]
    if trust and IMAGENET_TOP1[pair[0]] == IMAGENET_TOP1[pair[1]]:
        titles = {"first": model_title(pair[0]), "second": model_title(pair[1])}
        return None, [_(m.TRUST_SAME_ACCURACY).format(**titles)]
    try:
        design = RoomDesign(
            discrimination_methods=tuple(discrimination),
            trust_methods=tuple(trust),
            discrimination_model=model,
            trust_models=pair,
            photos=tuple(chosen),
            items_per_student=per_student,
            map_view=map_view,
        )
    except ValueError:  # every case a teacher can reach is said above, in the page's words
        return None, [_(m.NOTHING_TO_ASK)]
    return design, []


def create_section() -> None:
    """The form for a new room; on "Create", the pictures are made and the room is stored."""
    st.subheader(_(m.CREATE_TITLE))
    design, problems = _design()
    uploaded, upload_problems = uploads.section()
    days = st.number_input(_(m.ROOM_DAYS), 1, 365, max(1, round(connection.room_days())))
    for line in problems + upload_problems:
        st.warning(line)
    if not st.button(_(m.CREATE_BUTTON), type="primary", disabled=design is None) or not design:
        return
    chosen = set(design.photos)
    photos = [p for p in building.selected_photos(()) if p.id in chosen] + uploaded
    if not photos:
        st.error(_(m.NOTHING_TO_ASK))
        return
    try:
        store = connection.store()
        content = building.build(design, photos, store)
        if not content.items:
            st.error(_(m.NOTHING_TO_ASK))
            return
        created = store.create_room(content, expires_days=float(days))
    except StoreUnavailable as error:
        st.error(_(m.STORE_UNAVAILABLE).format(reason=error))
        return
    except gc.GradCamError as error:  # a model that cannot load, a photo the loader refuses
        st.error(building.model_error(error))
        return
    st.session_state[ROOM] = created.room.id
    st.session_state[NEW_KEY] = (created.room.id, created.key, content.left_out)
    st.rerun()


def new_key_notice(room_id: int) -> None:
    """The new room's key, once, and the objects left out of it."""
    kept = st.session_state.get(NEW_KEY)
    if kept is None or kept[0] != room_id:
        return
    _room, key, left_out = kept
    for gone in left_out:
        model = model_title(gone.model)
        # a left-out object has a box: it is a bundled photo's, whose words are in the catalogue
        label, photo = _(gone.label), _(gone.photo_title)
        st.caption(_(m.LEFT_OUT).format(label=label, photo=photo, model=model))
    st.warning(_(m.KEY_ONCE).format(key=key))
    if st.button(_(m.KEY_NOTED)):
        st.session_state.pop(NEW_KEY, None)
        st.rerun()


def open_section() -> None:
    """Code and key (a password field); the dashboard opens for this session when they match."""
    st.subheader(_(m.OPEN_TITLE))
    with st.form("quiz_open"):
        code = st.text_input(_(m.OPEN_CODE), max_chars=12)
        key = st.text_input(_(m.OPEN_KEY), type="password", max_chars=40)
        pressed = st.form_submit_button(_(m.OPEN_BUTTON), type="primary")
    if not pressed:
        return
    limiter = st.session_state.setdefault(_KEY_LIMIT, RateLimiter(KEY_BURST, KEYS_PER_SECOND))
    if not limiter.allow():
        st.error(_(m.KEY_TOO_FAST).format(seconds=limiter.wait_seconds()))
        return
    try:
        room = connection.store().verify_teacher(code, key)
    except StoreUnavailable as error:
        st.error(_(m.STORE_UNAVAILABLE).format(reason=error))
        return
    if room is None:
        pause(WRONG_KEY_DELAY_S)  # a guess costs time: this session waits, others do not
        st.error(_(m.WRONG_KEY))
        return
    st.session_state[ROOM] = room.id
    st.rerun()
