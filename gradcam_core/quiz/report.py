"""A room's anonymous answers as CSV: one row per answer, no nicknames, no times of day.

Columns: room (join code), student (number in the room), item, study, method, photo, shown_class
(the category the picture was made for; in the trust study, the category both models named),
answer (the category chosen; in the trust study the rating of model 1 against model 2, +2 to -2),
correct (1 or 0; empty in the trust study), trust_score (the rating turned towards the stronger
model), model_1 (the model shown as model 1 in the trust study), position (0-based place in the
student's quiz), seconds (time from the item shown to the answer sent).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .design import RoomDesign
from .storage import AnswerRow

COLUMNS = (
    "room",
    "student",
    "item",
    "study",
    "method",
    "photo",
    "shown_class",
    "answer",
    "correct",
    "trust_score",
    "model_1",
    "position",
    "seconds",
)


def _cell(value: object) -> object:
    """A value safe to open in a spreadsheet: text that starts like a formula gets a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def answers_csv(code: str, design: RoomDesign, rows: Iterable[AnswerRow]) -> str:
    """The CSV text of a room's answers (header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    stronger, weaker = design.trust_models
    for row in rows:
        trust = row.study == "trust"
        writer.writerow(
            [
                code,
                row.student,
                row.item,
                row.study,
                row.method,
                _cell(row.photo),
                _cell(row.shown),
                row.answer if trust else _cell(row.answer_label),
                "" if row.correct is None else int(row.correct),
                "" if row.trust_score is None else row.trust_score,
                (stronger if row.stronger_first else weaker) if trust else "",
                row.position,
                f"{row.seconds:.2f}",
            ]
        )
    return buffer.getvalue()
