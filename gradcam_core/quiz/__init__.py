"""The class quiz: Grad-CAM's two human studies (Selvaraju et al., IJCV 2020, section 5), run live.

from gradcam_core import quiz
design = quiz.RoomDesign()                         # the four methods, Lite2 against Lite0
content = quiz.build_room(design, quiz.quiz_photos(), gc.load_classifier)  # the TensorFlow part
store = quiz.QuizStore("sqlite:///quiz.sqlite3")   # or postgresql+psycopg://...
created = store.create_room(content, expires_days=7)   # created.room.code, created.key (once)
student = store.join(created.room.id, "Ana")
plan = store.plan(created.room, student)           # the student's items, seeded and recorded
store.submit(quiz.Submission(created.room.id, student.id, plan[0].number, 1, 4.2, "req-1"))
summary = quiz.summarize([a.scored() for a in store.answers(created.room.id)])
summary.accuracy["gradcam"]                        # Interval(estimate, low, high, n): Wilson 95 %

Modules: ``design`` (studies, methods, models, a room's design), ``reference`` (the paper's
figures), ``scoring`` (Wilson and t intervals, per-method and per-item results), ``photos`` and
``composites`` (the two-object photos), ``checks`` (is an item fair), ``items`` (analyses and
the item plan), ``build`` (the pictures, with TensorFlow), ``randomization`` (a student's seeded
plan), ``security`` (join codes, teacher keys, nicknames, rate limits), ``schema`` and ``storage``
(SQLite or PostgreSQL through SQLAlchemy). Only ``build`` imports TensorFlow, on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .design import (
    DEFAULT_TRUST_MODELS,
    DISCRIMINATION_METHODS,
    IMAGENET_TOP1,
    METHODS,
    STUDIES,
    TRUST_METHODS,
    TRUST_RATINGS,
    QuizMethod,
    RoomDesign,
    stronger_first,
)
from .items import Item, PhotoAnalysis, Picture, RoomContent
from .randomization import PlannedItem, new_seed, student_plan
from .reference import PAPER, expected_accuracy
from .scoring import (
    Interval,
    ScoredAnswer,
    Summary,
    accuracy_by_method,
    item_difficulty,
    mean_interval,
    summarize,
    trust_by_method,
    trust_score,
    wilson_interval,
)
from .security import clean_nickname, hash_key, normalize_join_code, verify_key
from .storage import (
    AnswerRow,
    CreatedRoom,
    QuizStore,
    Room,
    SchemaTooNew,
    StoreUnavailable,
    Student,
    Submission,
    SubmitResult,
)

_LAZY = {
    "build_room": "build",
    "analyse_photo": "build",
    "quiz_photos": "photos",
    "get_photo": "photos",
    "uploaded_photo": "photos",
    "QuizPhoto": "photos",
}


def __getattr__(name: str) -> Any:
    """``build_room`` and the photo catalogue load on first use (they need TensorFlow or the
    image loader, which the student's path never does)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .build import analyse_photo, build_room
    from .photos import QuizPhoto, get_photo, quiz_photos, uploaded_photo

__all__ = [
    "DEFAULT_TRUST_MODELS",
    "DISCRIMINATION_METHODS",
    "IMAGENET_TOP1",
    "METHODS",
    "PAPER",
    "STUDIES",
    "TRUST_METHODS",
    "TRUST_RATINGS",
    "AnswerRow",
    "CreatedRoom",
    "Interval",
    "Item",
    "PhotoAnalysis",
    "Picture",
    "PlannedItem",
    "QuizMethod",
    "QuizPhoto",
    "QuizStore",
    "Room",
    "RoomContent",
    "RoomDesign",
    "SchemaTooNew",
    "ScoredAnswer",
    "StoreUnavailable",
    "Student",
    "Submission",
    "SubmitResult",
    "Summary",
    "accuracy_by_method",
    "analyse_photo",
    "build_room",
    "clean_nickname",
    "expected_accuracy",
    "get_photo",
    "hash_key",
    "item_difficulty",
    "mean_interval",
    "new_seed",
    "normalize_join_code",
    "quiz_photos",
    "stronger_first",
    "student_plan",
    "summarize",
    "trust_by_method",
    "trust_score",
    "uploaded_photo",
    "verify_key",
    "wilson_interval",
]
