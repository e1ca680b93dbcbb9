"""The quiz's storage on SQLite and on a real PostgreSQL server: rooms, students, answers, refusals,
retries, deletion and expiry, and a class answering at once (threads, and two processes)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from quiz_support import chosen_answer, database, submit_each, synthetic_content
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from gradcam_core.quiz import QuizStore, StoreUnavailable, Submission, summarize
from gradcam_core.quiz.storage import describe_url

TESTS = Path(__file__).resolve().parent
pytest_plugins = ["quiz_fixtures"]  # the store_url and store fixtures


def new_room(store, **kwargs):
    return store.create_room(synthetic_content(**kwargs), expires_days=7)


def submission(created, student, number, answer, request="r", seconds=3.0):
    return Submission(created.room.id, student.id, number, answer, seconds, f"{request}{number}")


def test_a_room_keeps_its_design_items_and_pictures(store):
    content = synthetic_content(photos=3)
    created = store.create_room(content, expires_days=7)
    room = store.room(created.room.code)
    assert room == created.room and room.status == "open" and not room.revealed
    assert room.design == content.design
    items = store.items(room.id)
    assert items == tuple(content.items)
    for item in items[:5]:
        assert store.picture(item.picture).data == content.pictures[item.picture].data
    assert store.picture("0" * 64) is None
    assert store.room("ZZZZZZ") is None and store.room("not a code") is None


def test_the_teacher_key_is_given_once_and_stored_only_as_a_hash(store, store_url):
    created = new_room(store, photos=1)
    assert store.verify_teacher(created.room.code, created.key) == created.room
    assert store.verify_teacher(created.room.code.lower(), created.key.lower()) == created.room
    assert store.verify_teacher(created.room.code, "WRONG-KEY") is None
    assert store.verify_teacher("ACDEFH", created.key) is None  # another room's code
    engine = create_engine(store.url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT key_hash FROM quiz_rooms")).scalar_one()
        everything = str(connection.execute(text("SELECT * FROM quiz_rooms")).all())
    engine.dispose()
    assert stored.startswith("scrypt$") and created.key not in everything
    assert created.key.replace("-", "") not in everything


def test_students_get_numbers_and_their_nicknames_are_stored_as_text(store):
    created = new_room(store, photos=1)
    hostile = [
        "<img src=x onerror=alert(1)>",
        "**bold** [x](javascript:alert(1))",
        "Robert'); DROP TABLE quiz_answers;--",
        "a\x00b\u202ec",
        "x" * 10_000,
        None,
    ]
    joined = [store.join(created.room.id, n) for n in hostile]
    assert [s.number for s in joined] == [1, 2, 3, 4, 5, 6]
    rows = store.students(created.room.id)
    assert [r.nickname for r in rows] == [
        "<img src=x onerror=alert",
        "**bold** [x](javascript:",
        "Robert'); DROP TABLE qui",
        "abc",
        "x" * 24,
        None,
    ]
    assert store.counts(created.room.id) == (6, 0)  # the tables are all still there


def test_answers_are_scored_by_the_server_and_counted_once(store):
    created = new_room(store, photos=4)
    student = store.join(created.room.id, "Ana")
    plan = store.plan(created.room, student)
    items = {i.number: i for i in store.items(created.room.id)}
    first = items[plan[0].number]
    answer = first.truth if first.study == "discrimination" else 2
    result = store.submit(submission(created, student, first.number, answer))
    assert result.outcome == "stored"
    # the same request again (a retry after a lost reply): counted once
    assert store.submit(submission(created, student, first.number, answer)).outcome == (
        "already_stored"
    )
    # another answer to the same item: refused, the first one counts
    changed = submission(
        created, student, first.number, 1 - answer if answer in (0, 1) else -2, request="again"
    )
    assert store.submit(changed).outcome == "duplicate"
    rows = store.answers(created.room.id)
    assert len(rows) == 1 and rows[0].answer == answer and rows[0].position == 0
    assert store.answered_items(student.id) == {first.number}


def test_refusals_change_nothing(store):
    created = new_room(store, photos=4)
    other = new_room(store, photos=1)
    student = store.join(created.room.id, None)
    stranger = store.join(other.room.id, None)
    plan = store.plan(created.room, student)
    planned = {p.number for p in plan}
    items = store.items(created.room.id)
    not_mine = next(i.number for i in items if i.number not in planned)
    discrimination = next(p.number for p in plan if items[p.number - 1].study == "discrimination")
    trust = next(p.number for p in plan if items[p.number - 1].study == "trust")
    cases = {
        "unknown_item": [
            Submission(created.room.id, student.id, 10_000, 0, 1.0, "forged"),
            Submission(created.room.id, student.id, -1, 0, 1.0, "forged"),
            Submission(created.room.id, student.id, not_mine, 0, 1.0, "not-in-plan"),
        ],
        "unknown_student": [
            Submission(created.room.id, stranger.id, discrimination, 0, 1.0, "x"),
            Submission(created.room.id, 99_999, discrimination, 0, 1.0, "x"),
        ],
        "unknown_room": [Submission(99_999, student.id, discrimination, 0, 1.0, "x")],
        "invalid_answer": [
            Submission(created.room.id, student.id, discrimination, 2, 1.0, "x"),
            Submission(created.room.id, student.id, discrimination, -1, 1.0, "x"),
            Submission(created.room.id, student.id, discrimination, True, 1.0, "x"),
            Submission(created.room.id, student.id, discrimination, "1", 1.0, "x"),
            Submission(created.room.id, student.id, trust, 3, 1.0, "x"),
        ],
    }
    for outcome, submissions in cases.items():
        assert submit_each(store, submissions) == [outcome] * len(submissions)
    assert store.counts(created.room.id) == (1, 0)
    assert store.counts(other.room.id) == (1, 0)


def test_a_closed_room_refuses_answers_and_students_until_reopened(store):
    created = new_room(store, photos=2)
    student = store.join(created.room.id, None)
    number = store.plan(created.room, student)[0].number
    store.set_status(created.room.id, "closed")
    assert store.room_by_id(created.room.id).status == "closed"
    assert store.submit(submission(created, student, number, 0)).outcome == "closed"
    assert store.join(created.room.id, "late") is None
    assert store.counts(created.room.id) == (1, 0)
    store.set_status(created.room.id, "open")
    assert store.submit(submission(created, student, number, 0)).outcome == "stored"
    store.set_revealed(created.room.id, True)
    assert store.room_by_id(created.room.id).revealed
    with pytest.raises(ValueError, match="status"):
        store.set_status(created.room.id, "ajar")


def test_an_expired_room_refuses_answers_and_is_purged(store):
    old = store.create_room(
        synthetic_content(photos=1), expires_days=1, now=time.time() - 2 * 86400
    )
    fresh = new_room(store, photos=1)
    assert store.join(old.room.id, None) is None
    assert not store.room_by_id(old.room.id).accepts_answers(time.time())
    student = store.join(fresh.room.id, None)
    assert store.purge_expired() == 1
    assert store.room_by_id(old.room.id) is None
    assert store.room_by_id(fresh.room.id) is not None
    assert store.student(student.id) is not None


def test_deleting_a_room_deletes_its_rows_and_only_its_pictures(store):
    kept = new_room(store, photos=2)
    gone = store.create_room(synthetic_content(photos=3), expires_days=7)
    student = store.join(gone.room.id, "x")
    number = store.plan(gone.room, student)[0].number
    store.submit(submission(gone, student, number, 0))
    gone_only = {i.picture for i in store.items(gone.room.id)} - {
        i.picture for i in store.items(kept.room.id)
    }
    store.delete_room(gone.room.id)
    assert store.room_by_id(gone.room.id) is None
    assert store.counts(gone.room.id) == (0, 0) and store.items(gone.room.id) == ()
    assert all(store.picture(d) is None for d in gone_only)
    assert all(store.picture(i.picture) is not None for i in store.items(kept.room.id))


def test_one_answer_per_item_is_a_constraint_of_the_database(store):
    created = new_room(store, photos=2)
    student = store.join(created.room.id, None)
    number = store.plan(created.room, student)[0].number
    assert store.submit(submission(created, student, number, 0)).outcome == "stored"
    row = {
        "room_id": created.room.id,
        "student_id": student.id,
        "item_number": number,
        "position": 0,
        "answer": 1,
        "correct": None,
        "trust_score": None,
        "swapped": False,
        "stronger_first": False,
        "seconds": 1.0,
        "created_at": time.time(),
        "request_id": "written-around-the-app",
    }
    answers = store.tables.tables["quiz_answers"]
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(insert(answers).values(**row))


def test_answer_rows_hold_what_the_csv_needs(store):
    created = new_room(store, photos=3)
    student = store.join(created.room.id, "Bo")
    items = {i.number: i for i in store.items(created.room.id)}
    plan = store.plan(created.room, student)
    for place in plan[:6]:
        item = items[place.number]
        store.submit(submission(created, student, item.number, chosen_answer(1, item), seconds=2.5))
    rows = store.answers(created.room.id)
    assert len(rows) == 6
    for row in rows:
        item = items[row.item]
        assert row.student == 1 and row.seconds == 2.5 and row.method == item.method
        if item.study == "discrimination":
            assert row.shown == item.labels[item.truth]
            assert row.answer_label == item.labels[row.answer]
            assert row.correct == (row.answer == item.truth)
        else:
            assert row.correct is None
            expected = row.answer if row.stronger_first else -row.answer
            assert row.trust_score == expected


def test_transient_failures_are_retried_and_counted_once(store, monkeypatch):
    created = new_room(store, photos=2)
    student = store.join(created.room.id, None)
    number = store.plan(created.room, student)[0].number
    original = store.engine.connect
    failures = {"left": 2}

    def flaky():
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return original()

    monkeypatch.setattr(store.engine, "connect", flaky)
    store._sleep = lambda s: None
    assert store.submit(submission(created, student, number, 0)).outcome == "stored"
    assert failures["left"] == 0
    assert store.counts(created.room.id) == (1, 1)


def test_a_locked_sqlite_file_keeps_the_answer_waiting_then_stores_it_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'quiz.sqlite3'}"
    quiz_store = QuizStore(url, retry_delays=(0.01, 0.02), busy_timeout_s=0.05)
    created = new_room(quiz_store, photos=2)
    student = quiz_store.join(created.room.id, None)
    number = quiz_store.plan(created.room, student)[0].number
    blocker = sqlite3.connect(tmp_path / "quiz.sqlite3", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        with pytest.raises(StoreUnavailable, match="locked"):
            quiz_store.submit(submission(created, student, number, 1))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert quiz_store.counts(created.room.id) == (1, 0)  # nothing half-stored
    assert quiz_store.submit(submission(created, student, number, 1)).outcome == "stored"
    assert quiz_store.submit(submission(created, student, number, 1)).outcome == "already_stored"
    assert quiz_store.counts(created.room.id) == (1, 1)
    quiz_store.close()


def test_an_unreachable_server_says_so():
    url = "postgresql+psycopg://quiz:secret@127.0.0.1:9/quiz"  # the discard port: nothing there
    with pytest.raises(StoreUnavailable):
        QuizStore(url, retry_delays=(0.01,), connect_timeout_s=1)
    assert "secret" not in describe_url(url) and "***" in describe_url(url)


def test_a_newer_schema_is_not_touched(store):
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE quiz_meta SET value = '99' WHERE key = 'schema_version'"))
    from gradcam_core.quiz import SchemaTooNew

    with pytest.raises(SchemaTooNew, match="99"):
        QuizStore(store.url)


def test_two_stores_on_one_database_share_a_room(store_url):
    """Two server processes on one database: rooms, items, pictures and answers are shared."""
    first, second = QuizStore(store_url), QuizStore(store_url)
    created = new_room(first, photos=2)
    room = second.room(created.room.code)
    assert room == created.room
    assert second.items(room.id) == first.items(room.id)
    item = second.items(room.id)[0]
    assert second.picture(item.picture) == first.picture(item.picture)
    a, b = first.join(room.id, "on A"), second.join(room.id, "on B")
    assert {a.number, b.number} == {1, 2}
    second.submit(submission(created, a, first.plan(room, a)[0].number, 0))
    first.submit(submission(created, b, second.plan(room, b)[0].number, 0))
    assert first.counts(room.id) == second.counts(room.id) == (2, 2)
    first.close()
    second.close()


def _class_submissions(quiz_store, created, students=40, per_student=30):
    items = {i.number: i for i in quiz_store.items(created.room.id)}
    joined = [quiz_store.join(created.room.id, f"s{k}") for k in range(students)]
    work = []
    for student in joined:
        plan = quiz_store.plan(created.room, student)
        assert len(plan) == per_student
        work.append(
            [
                submission(
                    created, student, p.number, chosen_answer(student.number, items[p.number])
                )
                for p in plan
            ]
        )
    return joined, work, items


def _expected_correct(work, items) -> tuple[int, int]:
    correct = total = 0
    for student_work in work:
        for s in student_work:
            item = items[s.item_number]
            if item.study == "discrimination":
                total += 1
                correct += s.answer == item.truth
    return correct, total


def test_a_class_of_40_answering_30_items_at_once_from_threads(store):
    created = store.create_room(synthetic_content(photos=10), expires_days=1)
    _, work, items = _class_submissions(store, created)
    start = threading.Barrier(len(work))

    def answer(student_work):
        start.wait()
        outcomes = submit_each(store, student_work)
        # then every fifth again (a retry) and every seventh with another request: refused
        outcomes += submit_each(store, student_work[::5])
        outcomes += submit_each(
            store, [Submission(**{**s.__dict__, "request_id": "dup"}) for s in student_work[::7]]
        )
        return outcomes

    with ThreadPoolExecutor(len(work)) as pool:
        outcomes = Counter(o for done in pool.map(answer, work) for o in done)
    assert outcomes == {"stored": 1200, "already_stored": 40 * 6, "duplicate": 40 * 5}
    assert store.counts(created.room.id) == (40, 1200)
    summary = summarize([a.scored() for a in store.answers(created.room.id)])
    correct, total = _expected_correct(work, items)
    assert (summary.students, summary.answers) == (40, 1200)
    assert (summary.correct, summary.discrimination_answers) == (correct, total)
    assert all(row.answers == 30 for row in store.students(created.room.id))


@pytest.mark.slow
def test_a_class_of_40_answering_from_two_processes_on_postgresql(tmp_path):
    with database("postgresql", tmp_path) as url:
        quiz_store = QuizStore(url)
        created = quiz_store.create_room(synthetic_content(photos=10), expires_days=1)
        _, work, items = _class_submissions(quiz_store, created)
        flat = [s for student_work in work for s in student_work]
        halves = [flat[0::2] + flat[1::10], flat[1::2] + flat[0::10]]  # each also retries some
        processes = []
        for half in halves:
            job = {
                "url": url,
                "threads": 20,
                "submissions": [s.__dict__ for s in half],
            }
            process = subprocess.Popen(
                [sys.executable, "-c", "import quiz_support; quiz_support.worker_main()"],
                cwd=TESTS,
                env={**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(TESTS.parent)])},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            process.stdin.write(json.dumps(job))
            process.stdin.close()
            processes.append(process)
        outcomes = Counter()
        for process in processes:
            assert process.wait(timeout=300) == 0
            outcomes.update(json.loads(process.stdout.read()))
        # every answer stored exactly once; the retried tenth was stored already (by either)
        assert outcomes == {"stored": 1200, "already_stored": 240}
        assert quiz_store.counts(created.room.id) == (40, 1200)
        summary = summarize([a.scored() for a in quiz_store.answers(created.room.id)])
        assert (summary.correct, summary.discrimination_answers) == _expected_correct(work, items)
        engine = create_engine(url)
        with engine.connect() as connection:
            answers = quiz_store.tables.tables["quiz_answers"]
            pairs = connection.execute(select(answers.c.student_id, answers.c.item_number)).all()
        engine.dispose()
        assert len(pairs) == len(set(pairs)) == 1200
        quiz_store.close()
