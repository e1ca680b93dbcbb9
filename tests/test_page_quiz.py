"""The Class quiz page through AppTest: a student from a join link, the teacher's dashboard, a
locked database, the rate limit, room creation and the solo quiz on the real model."""

from __future__ import annotations

import sqlite3

import pytest
from apptest_support import count_calls, count_core_calls, new_app
from quiz_support import synthetic_content

import gradcam_core.models
from app_ui import cache
from app_ui.quiz import building, connection, runner, teacher
from app_ui.quiz import messages as m
from gradcam_core.quiz import DISCRIMINATION_METHODS, RoomDesign

pytest_plugins = ["quiz_page_fixtures"]

PAGE = "pages/quiz.py"


@pytest.fixture
def room(store):
    return store.create_room(synthetic_content(photos=4), expires_days=1)


def open_quiz(role: str | None = None, **query_params: str):
    session = new_app(**query_params)
    if role is not None:
        session.session_state["quiz_role"] = role
    session.switch_page(PAGE).run()
    assert not session.exception, session.exception
    return session


def button(session, label: str):
    return next(b for b in session.button if b.label == label)


def keyed_button(session, suffix: str):
    return next(b for b in session.button if (b.key or "").endswith(suffix))


def join(session, nickname: str = ""):
    if nickname:
        session.text_input[1].input(nickname)
    session.button[0].click().run()
    assert not session.exception, session.exception
    return session


def answer_current(session, choice: int = 0):
    """Answer the item on screen: the first (or second) category, or a rating of +2."""
    if session.radio:
        session.radio[0].set_value(2)
        keyed_button(session, "_send").click().run()
    else:
        category = [b for b in session.button if (b.key or "").startswith("quiz_room")]
        category[choice].click().run()
    assert not session.exception, session.exception
    return session


def test_a_student_from_a_join_link_answers_without_any_model(room, store, monkeypatch):
    loads = count_calls(monkeypatch, gradcam_core.models, "load_model")
    resident = count_calls(monkeypatch, cache, "load_model")
    core = count_core_calls(monkeypatch)
    session = open_quiz(room=room.room.code)
    assert session.segmented_control(key="quiz_role").value == "student"
    assert [t.label for t in session.text_input] == [m.JOIN_CODE, m.JOIN_NICKNAME]
    assert session.text_input[0].value == room.room.code
    assert not [s for s in session.selectbox if s.key == "model"]  # no shared sidebar here
    hostile = "<b>Ana</b> **x** [y](z)"  # the field takes 24 characters at most
    join(session, hostile)
    assert [t.value for t in session.text] == [hostile]  # shown as text: no Markdown, no HTML
    assert all("Ana" not in md.value for md in session.markdown)
    assert session.query_params["room"] == room.room.code
    assert session.query_params["me"]  # the resume token, never the teacher key
    for _ in range(3):
        answer_current(session)
        assert session.success or session.error or session.info  # right, wrong, or the models
        captions = [picture.caption for image in session.main.image for picture in image.proto.imgs]
        assert any(caption.startswith("The photo") for caption in captions)
        button(session, m.NEXT).click().run()
    rows = store.answers(room.room.id)
    assert len(rows) == 3 and [r.position for r in rows] == [0, 1, 2]
    assert all(r.seconds >= 0 for r in rows)
    assert store.students(room.room.id)[0].nickname == hostile
    assert loads == [] and resident == [] and sum(core.values()) == 0


def test_a_reload_comes_back_as_the_same_student_at_the_same_place(room, store):
    session = join(open_quiz(room=room.room.code), "Bo")
    answer_current(session)
    token = session.query_params["me"]
    again = open_quiz(room=room.room.code, me=token)
    assert any(m.WELCOME_NAMED.format(number=1, code=room.room.code) == md.value
               for md in again.markdown)  # fmt: skip
    assert store.counts(room.room.id) == (1, 1)  # not a second student
    progress = again.get("progress")[0].proto.text
    assert progress == m.PROGRESS.format(number=2, total=30)
    stranger = open_quiz(room=room.room.code, me="not-a-token")
    assert [t.label for t in stranger.text_input] == [m.JOIN_CODE, m.JOIN_NICKNAME]


@pytest.mark.parametrize(
    ("typed", "message"),
    [("nope", m.BAD_CODE), ("ACDEFH", m.NO_SUCH_ROOM.format(code="ACDEFH"))],
)
def test_a_wrong_code_gets_one_line(store, typed, message):
    session = open_quiz("student")
    session.text_input[0].input(typed)
    session.button[0].click().run()
    assert [e.value for e in session.error] == [message]
    assert not session.exception


def test_the_teacher_key_opens_the_dashboard_and_a_wrong_one_waits(room, store, monkeypatch):
    pauses = []
    monkeypatch.setattr(teacher, "pause", pauses.append)
    student = store.join(room.room.id, "<b>Cy</b>")
    session = open_quiz("teacher")
    session.segmented_control(key="quiz_teacher_action").set_value("open").run()
    assert session.text_input[1].proto.type == session.text_input[1].proto.PASSWORD
    session.text_input[0].input(room.room.code)
    session.text_input[1].input("WRONG-KEY")
    session.button[0].click().run()
    assert [e.value for e in session.error] == [m.WRONG_KEY]
    assert pauses == [teacher.WRONG_KEY_DELAY_S]
    assert not session.metric
    session.text_input[1].input(room.key)
    session.button[0].click().run()
    assert "me" not in session.query_params and room.key not in str(session.query_params)
    metrics = {x.label: x.value for x in session.metric}
    assert metrics == {m.METRIC_STUDENTS: "1", m.METRIC_ANSWERS: "0", m.METRIC_ITEMS: "44"}
    assert any(md.value == f"# {room.room.code}" for md in session.markdown)
    participants = session.dataframe[-1].value
    assert list(participants[m.PARTICIPANT_NAME]) == ["<b>Cy</b>"]
    # an answer arrives from elsewhere (another server process): the next refresh counts it
    place = store.plan(room.room, student)[0]
    store.submit(_submission(room, student, place.number))
    session.run()
    assert {x.label: x.value for x in session.metric}[m.METRIC_ANSWERS] == "1"
    assert not session.get("vega_lite_chart")  # hidden until revealed
    button(session, m.REVEAL).click().run()
    assert store.room_by_id(room.room.id).revealed
    assert session.get("vega_lite_chart")
    button(session, m.CLOSE).click().run()
    assert store.room_by_id(room.room.id).status == "closed"
    assert store.join(room.room.id, "late") is None


def _submission(room, student, number, answer=0):
    from gradcam_core.quiz import Submission

    return Submission(room.room.id, student.id, number, answer, 1.0, f"t{number}")


def test_a_closed_room_tells_its_students(room, store):
    session = join(open_quiz(room=room.room.code))
    store.set_status(room.room.id, "closed")  # while the first item is on the student's screen
    answer_current(session)
    assert [w.value for w in session.warning] == [m.ROOM_CLOSED.format(code=room.room.code)]
    assert store.counts(room.room.id) == (1, 0)
    assert not [b for b in session.button if (b.key or "").startswith("quiz_room")]


def test_deleting_the_room_from_the_dashboard(room, store, monkeypatch):
    session = new_app()
    session.session_state["quiz_role"] = "teacher"
    session.session_state[teacher.ROOM] = room.room.id  # as after the key was accepted
    session.switch_page(PAGE).run()
    session.checkbox[0].check().run()
    button(session, m.DELETE_BUTTON).click().run()
    assert store.room_by_id(room.room.id) is None
    assert [s.value for s in session.success] == [m.DELETED]


def test_a_locked_database_keeps_the_answer_then_sends_it_once(room, store, database, monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.05)
    monkeypatch.setattr(connection, "RETRY_DELAYS", (0.01,))
    connection._store.clear()
    session = join(open_quiz(room=room.room.code))
    blocker = sqlite3.connect(database, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        answer_current(session)
        assert [w.value for w in session.warning] == [m.PENDING]
        assert store.counts(room.room.id) == (1, 0)
        session.run()  # the retry fragment tries again: still locked, still kept
        assert [w.value for w in session.warning] == [m.PENDING]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    session.run()  # unlocked: the kept answer goes through
    assert not session.warning
    assert session.success or session.error or session.info
    session.run()
    assert store.counts(room.room.id) == (1, 1)
    connection._store.clear()


def test_answers_faster_than_a_person_are_refused(room, store, monkeypatch):
    monkeypatch.setattr(runner, "ANSWER_BURST", 1)
    monkeypatch.setattr(runner, "ANSWERS_PER_SECOND", 0.001)
    session = join(open_quiz(room=room.room.code))
    answer_current(session)
    button(session, m.NEXT).click().run()
    answer_current(session)
    assert any(w.value.startswith("Not so fast") for w in session.warning)
    assert store.counts(room.room.id) == (1, 1)


@pytest.mark.slow
def test_a_teacher_creates_a_room_from_the_page(database, store):
    session = open_quiz("teacher")
    methods = session.multiselect[0]
    assert methods.value == list(DISCRIMINATION_METHODS)
    methods.set_value(["gradcam", "eigencam"])
    session.multiselect[1].set_value([])  # no trust study: one model to load
    session.multiselect[2].set_value(["cat_and_coffee"]).run()
    button(session, m.CREATE_BUTTON).click().run()
    assert not session.exception and not session.error
    notice = next(w.value for w in session.warning if "shown only now" in w.value)
    key = notice.split("**")[1]
    code = next(md.value[2:] for md in session.markdown if md.value.startswith("# "))
    created = store.verify_teacher(code, key)
    assert created is not None and created.design.discrimination_methods == ("gradcam", "eigencam")
    assert len(store.items(created.id)) == 4  # 2 methods x 2 objects
    assert any(w.value == m.LOCALHOST_LINK for w in session.warning)
    button(session, m.KEY_NOTED).click().run()
    assert not any("shown only now" in w.value for w in session.warning)


@pytest.mark.slow
def test_alone_the_quiz_ends_with_the_score_beside_the_paper(database, monkeypatch):
    design = RoomDesign(
        discrimination_methods=("gradcam", "eigencam"), trust_methods=(), items_per_student=4
    )
    monkeypatch.setattr(building, "SOLO_DESIGN", design)
    monkeypatch.setattr(building, "SOLO_PHOTOS", ("cat_and_coffee",))
    session = open_quiz()
    assert session.segmented_control(key="quiz_role").value == "solo"
    assert not session.get("progress")  # nothing is made before the visitor starts
    button(session, m.SOLO_START).click().run()
    for _ in range(4):
        answer_current_solo(session)
        button(session, m.NEXT).click().run()
    assert session.header[0].value == m.SOLO_DONE
    score = next(md.value for md in session.markdown if "right in class discrimination" in md.value)
    assert score.endswith("of 4 right in class discrimination.")
    table = session.table[0].value
    assert list(table[m.TABLE_METHOD]) == ["Grad-CAM", "Eigen-CAM"]
    assert list(table[m.TABLE_PAPER]) == [m.PAPER_NONE, m.PAPER_CHANCE]
    assert list(table[m.TABLE_ANSWERS]) == [2, 2]
    assert session.get("vega_lite_chart")
    button(session, m.SOLO_AGAIN).click().run()
    assert session.get("progress")[0].proto.text == m.PROGRESS.format(number=1, total=4)


def answer_current_solo(session):
    category = [b for b in session.button if (b.key or "").startswith("quiz_solo")]
    category[0].click().run()
    assert not session.exception, session.exception


def test_a_database_from_a_newer_app_gets_one_line(room, store):
    with store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE quiz_meta SET value = '99' WHERE key = 'schema_version'")
    session = open_quiz(room=room.room.code)
    assert len(session.error) == 1 and "schema version 99" in session.error[0].value
    assert not session.exception


@pytest.mark.slow
def test_a_teachers_own_photos_go_through_the_image_loader(database, store):
    from image_files import png_chunk

    from gradcam_core.quiz import photos

    good = photos.get_photo("cat_and_coffee").data
    claiming = b"\x89PNG\r\n\x1a\n" + png_chunk(
        b"IHDR", (20000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    )
    session = open_quiz("teacher")
    session.multiselect[0].set_value(["gradcam"])
    session.multiselect[1].set_value([])
    session.multiselect[2].set_value([]).run()  # no bundled photo: only the teacher's own
    session.file_uploader(key="quiz_uploads").set_value(
        [("ours.jpg", good, "image/jpeg"), ("huge.png", claiming, "image/png")]
    ).run()
    warnings = [w.value for w in session.warning]
    assert any(w.startswith("Could not use 'huge.png'") for w in warnings), warnings
    assert m.UPLOAD_INCOMPLETE.format(file="ours.jpg") in warnings  # classes not picked yet
    classes = [s for s in session.selectbox if (s.key or "").startswith("quiz_upload_")]
    assert len(classes) == 2  # two objects of the one usable photo
    classes[0].set_value(281)
    classes[1].set_value(968).run()
    labels = [t for t in session.text_input if (t.key or "").startswith("quiz_upload_")]
    labels[1].input("cup").run()
    button(session, m.CREATE_BUTTON).click().run()
    assert not session.exception and not session.error
    code = next(md.value[2:] for md in session.markdown if md.value.startswith("# "))
    items = store.items(store.room(code).id)
    assert [(i.labels, i.truth) for i in items] == [(("tabby", "cup"), 0), (("tabby", "cup"), 1)]
    assert items[0].photo_title == "ours.jpg" and items[0].details["shares"] is None


def test_a_link_to_another_room_opens_that_rooms_join_form(room, store):
    other = store.create_room(synthetic_content(photos=1), expires_days=1)
    session = join(open_quiz(room=room.room.code), "Ana")
    session.query_params["room"] = other.room.code
    session.query_params.pop("me", None)
    session.run()
    assert [t.label for t in session.text_input] == [m.JOIN_CODE, m.JOIN_NICKNAME]
    assert session.text_input[0].value == other.room.code
    join(session)
    assert store.counts(other.room.id) == (1, 0) and store.counts(room.room.id) == (1, 0)


def test_a_design_the_studies_cannot_use_gets_the_pages_own_sentence(database):
    session = open_quiz("teacher")
    trust_models = [s for s in session.selectbox if s.label == m.TRUST_MODELS]
    trust_models[1].set_value("efficientnet_lite2").run()  # the same model twice
    assert [w.value for w in session.warning] == [m.TRUST_SAME_MODEL]
    assert button(session, m.CREATE_BUTTON).disabled
    session.multiselect[0].set_value([])
    session.multiselect[1].set_value([]).run()
    assert [w.value for w in session.warning] == [m.NO_METHOD]
