"""The Class quiz beyond its first screen, in 简体中文 and in English, through AppTest.

A student joins from the link and answers every item (both studies) up to the end; a teacher
opens a room with answers, reveals the results (charts, tables, the items' difficulty), closes
and deletes it; a teacher creates a room on the real model; someone alone takes the quiz to its
results. In Chinese no English word may be left (names, formulas and units aside: the allow-list
of ``i18n_support``); in English no Chinese. The room code, the teacher key and the join link
are data a person types, so they are taken out of the texts before the check.

The rooms are made-up ones (``quiz_support.synthetic_content``) whose photo and objects carry
the words of a bundled photo ("cat", "coffee cup"), so the page shows them translated; only the
creation and the solo quiz run the real model, on one photo.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3

import pytest
from apptest_support import fragment_reruns, new_app
from i18n_support import english_words, names_of, visible_texts
from quiz_support import synthetic_content
from streamlit.testing.v1 import AppTest

from app_ui.i18n import _, use_language
from app_ui.quiz import building, connection, runner
from app_ui.quiz import messages as m
from gradcam_core.quiz import TRUST_METHODS, QuizStore, RoomDesign, Submission

pytest_plugins = ["quiz_page_fixtures"]

pytestmark = pytest.mark.slow

PAGE = "pages/quiz.py"
CJK = re.compile(r"[\u4e00-\u9fff]")
PICKER = {"Language · 语言", "简体中文"}  # the language picker speaks both languages
PHOTO_TITLE, LABELS = "Cat and coffee (two objects)", ("cat", "coffee cup")  # a bundled photo's
SHOWN_LABELS = {"en": set(LABELS), "zh": {"猫", "咖啡杯"}}
LANGUAGES = ("zh", "en")


@pytest.fixture
def room(store):
    """One photo, both studies: 8 class-discrimination items and 3 trust items, 8 per student."""
    design = RoomDesign(trust_methods=TRUST_METHODS, items_per_student=8)
    content = synthetic_content(photos=1, design=design)
    items = [
        dataclasses.replace(
            item,
            photo_title=PHOTO_TITLE,
            labels=LABELS if item.study == "discrimination" else (LABELS[0], ""),
        )
        for item in content.items
    ]
    return store.create_room(dataclasses.replace(content, items=items), expires_days=1)


@pytest.fixture(autouse=True)
def quick_answers(monkeypatch):
    """A test answers faster than a person may: the rate limit is not what is walked here."""
    monkeypatch.setattr(runner, "ANSWERS_PER_SECOND", 1000.0)


class Walk:
    """The screens of one language's walk: the English words left (Chinese) or the Chinese
    texts (English) on each, and an assertion over all of them at the end."""

    def __init__(self, lang: str, *data: str) -> None:
        self.lang = lang
        self.data = list(data)  # codes, keys and links: taken out of the texts
        self.found: dict[str, object] = {}

    def screen(self, name: str, session: AppTest) -> None:
        assert not session.exception, (name, session.exception)
        texts = visible_texts(session)
        for datum in self.data:
            texts = [text.replace(datum, " ") for text in texts]
        if self.lang == "zh":
            allowed = names_of(session)
            left = {t[:160]: english_words(t, allowed) for t in texts}
            left = {text: words for text, words in left.items() if words}
            assert any(CJK.search(t) for t in texts), (name, texts)
        else:
            left = [t for t in texts if CJK.search(t) and t not in PICKER]
        if left:
            self.found[name] = left

    def check(self) -> None:
        assert not self.found, self.found


def open_quiz(lang: str, role: str | None = None, **query_params: str) -> AppTest:
    session = new_app(lang=lang, **query_params)
    if role is not None:
        session.session_state["quiz_role"] = role
    session.switch_page(PAGE).run()
    assert not session.exception, session.exception
    return session


def click(session: AppTest, lang: str, message: str) -> AppTest:
    """Press the button whose label is ``message`` in ``lang``."""
    with use_language(lang):
        label = _(message)
    next(b for b in session.button if b.label == label).click().run()
    assert not session.exception, session.exception
    return session


def keyed_button(session: AppTest, suffix: str):
    return next(b for b in session.button if (b.key or "").endswith(suffix))


def answer_current(session: AppTest, prefix: str, lang: str) -> str:
    """Answer the item on screen (the first category, or a rating of +2); its study."""
    if session.radio:
        session.radio[0].set_value(2)
        keyed_button(session, "_send").click().run()
        return "trust"
    categories = [b for b in session.button if (b.key or "").startswith(prefix)]
    assert {b.label for b in categories} == SHOWN_LABELS[lang]
    categories[0].click().run()
    return "discrimination"


def answer_to_the_end(session: AppTest, walk: Walk, prefix: str, total: int) -> set[str]:
    """Every item of the quiz on screen: its question and its feedback; the studies seen."""
    studies = set()
    for number in range(1, total + 1):
        walk.screen(f"item {number}", session)
        study = answer_current(session, prefix, walk.lang)
        studies.add(study)
        walk.screen(f"item {number} answered ({study})", session)
        keyed_button(session, "_next").click().run()
    return studies


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_student_joins_answers_every_item_and_sees_the_end(room, store, lang):
    code = room.room.code
    walk = Walk(lang, code)
    session = open_quiz(lang, room=code)
    assert session.segmented_control(key="quiz_role").value == "student"
    walk.screen("join form", session)
    session.text_input[1].input("ana7")  # a nickname with a digit: a name, not a word
    session.button[0].click().run()
    assert session.text[0].value == "ana7"
    studies = answer_to_the_end(session, walk, "quiz_room", total=8)
    assert studies == {"discrimination", "trust"}
    assert session.success  # the end: thanks and the score
    walk.screen("finished", session)
    store.set_revealed(room.room.id, True)
    session.run()
    walk.screen("finished, results revealed", session)
    walk.check()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_wrong_code_a_locked_database_and_a_closed_room_are_said_in_the_language(
    room, store, database, monkeypatch, lang
):
    walk = Walk(lang, room.room.code, "ACDEFH")  # codes: what a person types
    session = open_quiz(lang, "student")
    session.text_input[0].input("nope")
    session.button[0].click().run()
    assert len(session.error) == 1
    walk.screen("a bad code", session)
    session.text_input[0].input("ACDEFH")
    session.button[0].click().run()
    assert len(session.error) == 1
    walk.screen("no such room", session)
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.05)
    monkeypatch.setattr(connection, "RETRY_DELAYS", (0.01,))
    connection._store.clear()
    student = open_quiz(lang, room=room.room.code)
    student.button[0].click().run()
    blocker = sqlite3.connect(database, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        answer_current(student, "quiz_room", lang)
        assert len(student.warning) == 1  # the answer is kept and sent again
        walk.screen("database locked", student)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        connection._store.clear()
    store.set_status(room.room.id, "closed")
    student.run()
    walk.screen("room closed", student)
    walk.check()


def _answers_from_a_class(store: QuizStore, room, students: int = 3) -> None:
    """Each student answers every item of their plan (first category, or a rating)."""
    for index in range(students):
        student = store.join(room.room.id, f"s{index}")
        items = {item.number: item for item in store.items(room.room.id)}
        for place in store.plan(room.room, student):
            value = index % 2 if items[place.number].study == "discrimination" else 2 - index
            request = f"{student.id}-{place.number}"
            store.submit(Submission(room.room.id, student.id, place.number, value, 2.0, request))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_teacher_opens_the_dashboard_reveals_closes_and_deletes(room, store, lang):
    _answers_from_a_class(store, room)
    code = room.room.code
    link = f"http://localhost:8501/{connection.PAGE_PATH}?room={code}"
    walk = Walk(lang, link, code, room.key)
    session = open_quiz(lang, "teacher")
    walk.screen("create form", session)
    session.segmented_control(key="quiz_teacher_action").set_value("open").run()
    walk.screen("open form", session)
    session.text_input[0].input(code)
    session.text_input[1].input(room.key)
    session.button[0].click().run()
    assert len(session.metric) == 3
    walk.screen("dashboard, results hidden", session)
    with fragment_reruns(session, "quiz_dashboard"):  # its timer reruns it alone
        session.run()
        assert len(session.metric) == 3
        walk.screen("dashboard's live part, refreshed alone", session)
    session.run()  # the whole page again (a fragment's run draws only the fragment)
    click(session, lang, m.REVEAL)
    assert len(session.get("vega_lite_chart")) == 2  # both studies, beside the paper
    walk.screen("dashboard, results revealed", session)
    click(session, lang, m.CLOSE)
    walk.screen("dashboard, room closed", session)
    session.checkbox[0].check().run()
    click(session, lang, m.DELETE_BUTTON)
    assert store.room_by_id(room.room.id) is None
    walk.screen("room deleted", session)
    walk.check()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_teacher_creates_a_room_on_the_real_model(database, store, lang):
    session = open_quiz(lang, "teacher")
    session.multiselect[0].set_value(["gradcam", "eigencam"])
    session.multiselect[1].set_value([])  # no trust study: one model to load
    session.multiselect[2].set_value(["cat_and_coffee"]).run()
    click(session, lang, m.CREATE_BUTTON)
    assert not session.error
    code = next(md.value[2:] for md in session.markdown if md.value.startswith("# "))
    key = next(w.value.split("**")[1] for w in session.warning if "**" in w.value)
    assert store.verify_teacher(code, key) is not None
    link = f"http://localhost:8501/{connection.PAGE_PATH}?room={code}"
    walk = Walk(lang, link, code, key)
    walk.screen("new room: its key, once", session)
    click(session, lang, m.KEY_NOTED)
    walk.screen("new room's dashboard", session)
    walk.check()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_alone_the_quiz_to_its_results(database, monkeypatch, lang):
    design = RoomDesign(
        discrimination_methods=("gradcam", "eigencam"), trust_methods=(), items_per_student=4
    )
    monkeypatch.setattr(building, "SOLO_DESIGN", design)
    monkeypatch.setattr(building, "SOLO_PHOTOS", ("cat_and_coffee",))
    walk = Walk(lang)
    session = open_quiz(lang)
    walk.screen("start", session)
    click(session, lang, m.SOLO_START)
    answer_to_the_end(session, walk, "quiz_solo", total=4)
    assert session.header and session.get("vega_lite_chart")
    walk.screen("results beside the paper", session)
    walk.check()
