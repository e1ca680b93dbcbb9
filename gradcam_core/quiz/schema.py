"""The quiz's tables, by schema version, and the steps that upgrade a database from one to the next.

``tables(version)`` describes the schema as that version of the app made it, so an upgrade can be
tested on a database made exactly as the previous version made it. ``MIGRATIONS[v]`` takes a
database from version v to v + 1 inside the caller's transaction. The version lives in
``quiz_meta`` under ``schema_version``.

- Version 1: rooms, items, pictures, cached analyses, students, answers.
- Version 2: a student can come back after a reload: ``quiz_students.resume_hash`` holds the
  SHA-256 of a random token that only the student's page knows (unique; NULL for students who
  joined under version 1, who cannot resume).

Times are seconds since the epoch (a double), the same in SQLite and PostgreSQL. Pictures are
shared by rooms and named by the SHA-256 of their bytes; ``quiz_kept_pictures`` lists those that
cached analyses of the bundled photos refer to, which outlive rooms.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

CURRENT_VERSION = 2
VERSION_KEY = "schema_version"
DIGEST = 64  # hex SHA-256
CODE = 8
NICKNAME = 100  # characters; nicknames are cut to 24 before they get here
RESUME_INDEX = "quiz_students_resume"


def tables(version: int = CURRENT_VERSION) -> MetaData:
    """The schema of ``version`` as SQLAlchemy metadata (tables named quiz_*)."""
    if not 1 <= version <= CURRENT_VERSION:
        raise ValueError(f"No quiz schema version {version}.")
    metadata = MetaData()
    Table(
        "quiz_meta",
        metadata,
        Column("key", String(64), primary_key=True),
        Column("value", Text, nullable=False),
    )
    Table(
        "quiz_pictures",
        metadata,
        Column("digest", String(DIGEST), primary_key=True),
        Column("media_type", String(32), nullable=False),
        Column("width", Integer, nullable=False),
        Column("height", Integer, nullable=False),
        Column("data", LargeBinary, nullable=False),
    )
    Table(
        "quiz_analyses",
        metadata,
        Column("key", String(DIGEST), primary_key=True),
        Column("body", Text, nullable=False),
        Column("created_at", Double, nullable=False),
    )
    Table(
        "quiz_kept_pictures",
        metadata,
        Column("digest", String(DIGEST), primary_key=True),
    )
    Table(
        "quiz_rooms",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("code", String(CODE), nullable=False, unique=True),
        Column("key_hash", String(200), nullable=False),
        Column("design", Text, nullable=False),
        Column("status", String(8), nullable=False),  # "open" or "closed"
        Column("revealed", Boolean, nullable=False),
        Column("created_at", Double, nullable=False),
        Column("expires_at", Double, nullable=False, index=True),
    )
    Table(
        "quiz_items",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("room_id", Integer, ForeignKey("quiz_rooms.id", ondelete="CASCADE"), nullable=False),
        Column("number", Integer, nullable=False),
        Column("study", String(16), nullable=False),
        Column("method", String(32), nullable=False),
        Column("photo", String(100), nullable=False),
        Column("photo_title", String(200), nullable=False),
        Column("label_a", String(100), nullable=False),
        Column("label_b", String(100), nullable=False),
        Column("truth", Integer),
        Column("picture", String(DIGEST), nullable=False),
        Column("picture_2", String(DIGEST)),
        Column("photo_picture", String(DIGEST), nullable=False),
        Column("details", Text, nullable=False),
        UniqueConstraint("room_id", "number", name="quiz_items_room_number"),
    )
    students = Table(
        "quiz_students",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("room_id", Integer, ForeignKey("quiz_rooms.id", ondelete="CASCADE"), nullable=False),
        Column("number", Integer, nullable=False),
        Column("nickname", String(NICKNAME)),
        Column("seed", BigInteger, nullable=False),
        Column("joined_at", Double, nullable=False),
        UniqueConstraint("room_id", "number", name="quiz_students_room_number"),
    )
    if version >= 2:
        students.append_column(Column("resume_hash", String(DIGEST)))
        Index(RESUME_INDEX, students.c.resume_hash, unique=True)
    Table(
        "quiz_answers",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("room_id", Integer, ForeignKey("quiz_rooms.id", ondelete="CASCADE"), nullable=False),
        Column(
            "student_id",
            Integer,
            ForeignKey("quiz_students.id", ondelete="CASCADE"),
            nullable=False,
        ),
        Column("item_number", Integer, nullable=False),
        Column("position", Integer, nullable=False),
        Column("answer", Integer, nullable=False),
        Column("correct", Boolean),  # class discrimination
        Column("trust_score", Integer),  # trust: the rating turned towards the stronger model
        Column("swapped", Boolean, nullable=False),
        Column("stronger_first", Boolean, nullable=False),
        Column("seconds", Double, nullable=False),
        Column("created_at", Double, nullable=False),
        Column("request_id", String(32), nullable=False),
        # One answer per student per item, enforced by the database, not by a check in Python.
        UniqueConstraint("student_id", "item_number", name="quiz_answers_one_per_item"),
        Index("quiz_answers_room", "room_id"),
    )
    return metadata


def _add_resume_hash(connection: Connection) -> None:
    """Version 1 -> 2: students get a resume token's hash (unique; NULL for earlier students)."""
    connection.execute(text(f"ALTER TABLE quiz_students ADD COLUMN resume_hash VARCHAR({DIGEST})"))
    connection.execute(text(f"CREATE UNIQUE INDEX {RESUME_INDEX} ON quiz_students (resume_hash)"))


MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _add_resume_hash}
