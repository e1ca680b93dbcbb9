"""Schema versions: a database made by the previous version is upgraded in place, data kept."""

from __future__ import annotations

import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, inspect, text
from sqlalchemy.exc import IntegrityError

from gradcam_core.quiz import QuizStore, Submission, schema

pytest_plugins = ["quiz_fixtures"]  # the store_url fixture: SQLite and PostgreSQL

# Made by commit a6db465 (schema version 1, before students could resume): one room, three
# students ("Ana", none, "<b>Bo</b>"), four answers each. Its room and teacher key:
V1_FILE = Path(__file__).parent / "fixtures" / "quiz" / "schema_v1.sqlite3"
V1_CODE, V1_KEY = "H4RX7T", "DW9A-ERJ4-MXEE-7PCC"


def test_a_new_database_starts_at_the_current_version(store_url):
    store = QuizStore(store_url)
    assert store.schema_version() == schema.CURRENT_VERSION == 2
    assert store.ensure_schema() == schema.CURRENT_VERSION  # nothing left to do
    store.close()


def test_the_sqlite_file_of_version_1_is_upgraded_with_its_data(tmp_path):
    path = tmp_path / "quiz.sqlite3"
    shutil.copy(V1_FILE, path)
    store = QuizStore(f"sqlite:///{path}", create=False)
    assert store.schema_version() == 1
    assert store.ensure_schema() == 1
    assert store.schema_version() == 2
    room = store.verify_teacher(V1_CODE, V1_KEY)
    assert room is not None and room.status == "open"
    students = store.students(room.id)
    assert [(s.number, s.nickname, s.answers) for s in students] == [
        (1, "Ana", 4),
        (2, None, 4),
        (3, "<b>Bo</b>", 4),
    ]
    rows = store.answers(room.id)
    assert len(rows) == 12 and {r.seconds for r in rows} == {2.0}
    # a student of version 1 answers on: the next item of their plan, and not one twice
    old = store.student(1)
    plan = store.plan(room, old)
    fifth = Submission(room.id, old.id, plan[4].number, 0, 1.0, "after-upgrade")
    assert store.submit(fifth).outcome == "stored"
    again = Submission(room.id, old.id, plan[0].number, 0, 1.0, "after-upgrade-2")
    assert store.submit(again).outcome == "duplicate"
    # students of version 1 have no token; new ones can come back
    assert store.resume(room.id, "anything") is None
    new = store.join(room.id, "Cy")
    assert new.number == 4 and new.resume_token
    assert store.resume(room.id, new.resume_token) == replace(new, resume_token=None)
    assert store.resume(room.id + 1, new.resume_token) is None  # another room: no
    store.close()


def _make_version_1(url: str) -> None:
    """Tables exactly as version 1 created them, with a room and a student in them."""
    engine = create_engine(url)
    metadata = schema.tables(1)
    with engine.begin() as connection:
        metadata.create_all(connection)
        t = metadata.tables
        connection.execute(insert(t["quiz_meta"]).values(key="schema_version", value="1"))
        connection.execute(
            insert(t["quiz_rooms"]).values(
                id=1,
                code="ACDEFH",
                key_hash="scrypt$16384$8$1$AAAA$AAAA",
                design='{"items_per_student": 20}',
                status="open",
                revealed=False,
                created_at=1.0,
                expires_at=4e9,
            )
        )
        connection.execute(
            insert(t["quiz_students"]).values(
                id=1, room_id=1, number=1, nickname="v1", seed=7, joined_at=2.0
            )
        )
    engine.dispose()


def test_version_1_tables_are_upgraded_in_sqlite_and_postgresql(store_url):
    _make_version_1(store_url)
    store = QuizStore(store_url)
    assert store.schema_version() == 2
    columns = {c["name"] for c in inspect(store.engine).get_columns("quiz_students")}
    assert "resume_hash" in columns
    assert store.student(1).nickname == "v1"
    joined = store.join(1, "v2")
    assert store.resume(1, joined.resume_token).number == 2
    # the token's hash is unique
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO quiz_students (room_id, number, seed, joined_at, resume_hash) "
                "SELECT room_id, 3, 1, 1, resume_hash FROM quiz_students WHERE number = 2"
            )
        )
    store.close()


def test_two_processes_starting_together_upgrade_once(store_url):
    _make_version_1(store_url)
    before: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def open_store() -> None:
        try:
            start.wait()
            store = QuizStore(store_url, create=False)
            before.append(store.ensure_schema())
            store.close()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(before) == [1, 2]  # one upgraded from 1, the other found 2
    assert QuizStore(store_url).schema_version() == 2
