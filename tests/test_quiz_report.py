"""The CSV of a room's answers: one row per answer, anonymous, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from quiz_support import chosen_answer, synthetic_content

from gradcam_core.quiz import QuizStore, Submission
from gradcam_core.quiz.items import Item, RoomContent
from gradcam_core.quiz.report import COLUMNS, answers_csv


def _room_with_answers(tmp_path, content: RoomContent | None = None):
    store = QuizStore(f"sqlite:///{tmp_path / 'quiz.sqlite3'}")
    created = store.create_room(content or synthetic_content(photos=3), expires_days=1)
    items = {i.number: i for i in store.items(created.room.id)}
    for nickname in ("Ana", '=HYPERLINK("http://x")'):
        student = store.join(created.room.id, nickname)
        for place in store.plan(created.room, student)[:5]:
            answer = chosen_answer(student.number, items[place.number])
            store.submit(
                Submission(
                    created.room.id,
                    student.id,
                    place.number,
                    answer,
                    1.25,
                    f"r{student.id}-{place.number}",
                )
            )
    return store, created, items


def test_one_row_per_answer_with_the_issues_columns(tmp_path):
    store, created, items = _room_with_answers(tmp_path)
    text = answers_csv(created.room.code, created.room.design, store.answers(created.room.id))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 10
    for row in rows:
        item = items[int(row["item"])]
        assert row["room"] == created.room.code
        assert row["student"] in ("1", "2")
        assert row["method"] == item.method and row["study"] == item.study
        assert row["seconds"] == "1.25"
        if item.study == "discrimination":
            assert row["shown_class"] == item.labels[item.truth]
            assert row["correct"] == str(int(row["answer"] == row["shown_class"]))
            assert row["model_1"] == "" and row["trust_score"] == ""
        else:
            assert row["correct"] == ""
            assert row["model_1"] in created.room.design.trust_models
            rating, score = int(row["answer"]), int(row["trust_score"])
            stronger_first = row["model_1"] == created.room.design.trust_models[0]
            assert score == (rating if stronger_first else -rating)
    assert "Ana" not in text and "HYPERLINK" not in text  # nicknames are not in the file
    store.close()


def test_text_that_a_spreadsheet_would_run_is_quoted(tmp_path):
    content = synthetic_content(photos=1)
    hostile = ("=cmd|' /C calc'!A0", "@SUM(1+1)")
    items = [
        Item(**{**item.__dict__, "labels": hostile if item.study == "discrimination" else
                (hostile[0], "")})
        for item in content.items
    ]  # fmt: skip
    store, created, _ = _room_with_answers(
        tmp_path, RoomContent(content.design, items, [], {}, content.pictures)
    )
    text = answers_csv(created.room.code, created.room.design, store.answers(created.room.id))
    for row in csv.DictReader(io.StringIO(text)):
        for column in ("shown_class", "answer"):
            assert not row[column].startswith(("=", "@")), row
    assert "'=cmd" in text
    store.close()
