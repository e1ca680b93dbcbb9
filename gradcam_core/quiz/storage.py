"""The quiz's storage: rooms, items, pictures, students and answers in SQLite or PostgreSQL.

``QuizStore(url)`` talks to the database through a SQLAlchemy 2 engine and Core statements only
(every value a bound parameter). It is the only shared state of the quiz: any number of server
processes pointed at one PostgreSQL serve the same rooms.

- **SQLite** (the default, a file): WAL mode (readers never wait for the writer), foreign keys
  on, and every write transaction opened with ``BEGIN IMMEDIATE`` so that two writers queue on
  the busy timeout instead of failing when one upgrades a read lock.
- **PostgreSQL** through psycopg 3 (``postgresql+psycopg://``; a plain ``postgresql://`` URL is
  read as that). Connections are checked before use (``pool_pre_ping``).
- The schema is created on first use and upgraded in place (``schema``), under a lock (an
  advisory lock in PostgreSQL, the write lock in SQLite), so two processes starting together
  migrate once.
- A locked or unreachable database is retried a few times with growing pauses; then
  ``StoreUnavailable`` is raised and the caller keeps what it was storing. An answer carries a
  request id: if a retried answer had in fact been stored, the retry says so instead of counting
  it twice (the one-answer-per-item constraint makes that certain).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    union,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from ..i18n import Text
from . import schema, security
from .design import TRUST_RATINGS, RoomDesign
from .items import Item, PhotoAnalysis, Picture, RoomContent
from .randomization import ItemRef, PlannedItem, new_seed, student_plan
from .scoring import ScoredAnswer, trust_score

T = TypeVar("T")
DEFAULT_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8)
SQLITE_BUSY_TIMEOUT_S = 5.0
_ADVISORY_LOCK = 72_061_417  # any constant: the schema migration's PostgreSQL advisory lock
_CODE_ATTEMPTS = 20
RESUME_TOKEN_BYTES = 16


class StoreUnavailable(Exception):
    """The database could not be reached or stayed locked through every retry."""


class SchemaTooNew(Exception):
    """The database was upgraded by a newer version of the app than this one."""


def database_url(url: str) -> str:
    """The URL as SQLAlchemy should get it: PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path)}"


def describe_url(url: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    return make_url(database_url(url)).render_as_string(hide_password=True)


@dataclass(frozen=True)
class Room:
    """A room as stored (without its teacher key's hash)."""

    id: int
    code: str
    design: RoomDesign
    status: Literal["open", "closed"]
    revealed: bool
    created_at: float
    expires_at: float

    def accepts_answers(self, now: float) -> bool:
        return self.status == "open" and now < self.expires_at


@dataclass(frozen=True)
class CreatedRoom:
    """A new room: its id, join code and the teacher key (shown once, stored only hashed)."""

    room: Room
    key: str
    items: int


@dataclass(frozen=True)
class Student:
    """A student of a room: number in the room, optional nickname, the seed of their plan.

    ``resume_token`` is given only when the student joins: the page keeps it (in its URL) to
    come back as the same student after a reload; the database holds only its SHA-256.
    """

    id: int
    room_id: int
    number: int
    nickname: str | None
    seed: int
    resume_token: str | None = None


@dataclass(frozen=True)
class Submission:
    """An answer as a student's page sends it."""

    room_id: int
    student_id: int
    item_number: int
    answer: int  # discrimination: index of the chosen category; trust: rating of model 1
    seconds: float
    request_id: str


Outcome = Literal[
    "stored",  # counted now
    "already_stored",  # this very submission was stored before (a retry): counted once
    "duplicate",  # the student answered this item before: the first answer counts
    "closed",  # the room is closed or expired
    "unknown_room",
    "unknown_student",
    "unknown_item",  # not an item of this room, or not one of this student's items
    "invalid_answer",
]


@dataclass(frozen=True)
class SubmitResult:
    outcome: Outcome
    correct: bool | None = None

    @property
    def counted(self) -> bool:
        return self.outcome in ("stored", "already_stored")


@dataclass(frozen=True)
class AnswerRow:
    """One stored answer with what the CSV and the dashboard need."""

    student: int  # the student's number in the room
    item: int
    study: str
    method: str
    photo: str
    shown: str  # the category the picture was made for (trust: the category)
    answer: int
    answer_label: str
    correct: bool | None
    trust_score: int | None
    stronger_first: bool
    position: int
    seconds: float
    created_at: float

    def scored(self) -> ScoredAnswer:
        return ScoredAnswer(
            self.item, self.study, self.method, self.correct, self.trust_score, self.student
        )


@dataclass(frozen=True)
class StudentRow:
    number: int
    nickname: str | None
    answers: int


class QuizStore:
    """Rooms, items, pictures, students and answers in one database (see the module's notes)."""

    def __init__(
        self,
        url: str,
        *,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_S,
        connect_timeout_s: float = 3.0,
        create: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = database_url(url)
        self.retry_delays = tuple(retry_delays)
        self._sleep = sleep
        self.engine = _make_engine(self.url, busy_timeout_s, connect_timeout_s)
        self.tables = schema.tables()
        t = self.tables.tables
        self._meta, self._pictures, self._analyses = (
            t["quiz_meta"],
            t["quiz_pictures"],
            t["quiz_analyses"],
        )
        self._kept, self._rooms, self._items = (
            t["quiz_kept_pictures"],
            t["quiz_rooms"],
            t["quiz_items"],
        )
        self._students, self._answers = t["quiz_students"], t["quiz_answers"]
        self._room_items: dict[int, tuple[Item, ...]] = {}  # items never change: kept per room
        if create:
            self.ensure_schema()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    # --- transactions and retries ---------------------------------------------------------

    def _retrying(self, work: Callable[[], T]) -> T:
        """``work()``, again after a pause while the database is locked or unreachable."""
        for delay in (*self.retry_delays, None):
            try:
                return work()
            except (OperationalError, InterfaceError) as error:
                last = error
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                last = error
            if delay is None:
                break
            self._sleep(delay)
        raise StoreUnavailable(str(last.orig if hasattr(last, "orig") else last)) from last

    def _write(self, work: Callable[[Connection], T]) -> T:
        """``work(connection)`` in one write transaction, retried as a whole."""

        def run() -> T:
            with self.engine.connect() as connection:
                connection.execution_options(quiz_write=True)
                with connection.begin():
                    return work(connection)

        return self._retrying(run)

    def _read(self, work: Callable[[Connection], T]) -> T:
        def run() -> T:
            with self.engine.connect() as connection, connection.begin():
                return work(connection)

        return self._retrying(run)

    # --- schema ------------------------------------------------------------------------

    def schema_version(self) -> int | None:
        """The database's schema version, or None before the tables exist."""

        def read(connection: Connection) -> int | None:
            if not inspect(connection).has_table("quiz_meta"):
                return None
            value = connection.execute(
                select(self._meta.c.value).where(self._meta.c.key == schema.VERSION_KEY)
            ).scalar_one_or_none()
            return None if value is None else int(value)

        return self._read(read)

    def ensure_schema(self) -> int:
        """Create the tables, or upgrade them to this version; returns the version before."""

        def migrate(connection: Connection) -> int:
            if self.dialect == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(_ADVISORY_LOCK)))
            exists = inspect(connection).has_table("quiz_meta")
            found = None
            if exists:
                found = connection.execute(
                    select(self._meta.c.value).where(self._meta.c.key == schema.VERSION_KEY)
                ).scalar_one_or_none()
            if found is None:
                self.tables.create_all(connection)
                connection.execute(
                    insert(self._meta).values(
                        key=schema.VERSION_KEY, value=str(schema.CURRENT_VERSION)
                    )
                )
                return 0
            version = int(found)
            if version > schema.CURRENT_VERSION:
                raise SchemaTooNew(
                    Text(
                        "The quiz database is at schema version {version}; this app knows up "
                        "to {known}.",
                        version=version,
                        known=schema.CURRENT_VERSION,
                    )
                )
            for step in range(version, schema.CURRENT_VERSION):
                schema.MIGRATIONS[step](connection)
            connection.execute(
                update(self._meta)
                .where(self._meta.c.key == schema.VERSION_KEY)
                .values(value=str(schema.CURRENT_VERSION))
            )
            return version

        return self._write(migrate)

    # --- pictures and cached analyses --------------------------------------------------------

    def cached_analysis(self, key: str) -> PhotoAnalysis | None:
        """A stored analysis of a bundled photo (see ``build.build_room``), or None."""
        body = self._read(
            lambda c: c.execute(
                select(self._analyses.c.body).where(self._analyses.c.key == key)
            ).scalar_one_or_none()
        )
        return None if body is None else PhotoAnalysis.from_json(body)

    def picture(self, digest: str) -> Picture | None:
        """A stored picture by its SHA-256, or None."""
        p = self._pictures.c
        row = self._read(
            lambda c: c.execute(
                select(p.media_type, p.width, p.height, p.data).where(p.digest == digest)
            ).first()
        )
        if row is None:
            return None
        return Picture(digest, row.media_type, bytes(row.data), row.width, row.height)

    def _put_pictures(self, connection: Connection, pictures: Iterable[Picture]) -> None:
        wanted = {p.digest: p for p in pictures}
        if not wanted:
            return
        have = set(
            connection.execute(
                select(self._pictures.c.digest).where(self._pictures.c.digest.in_(list(wanted)))
            ).scalars()
        )
        rows = [
            {
                "digest": p.digest,
                "media_type": p.media_type,
                "width": p.width,
                "height": p.height,
                "data": p.data,
            }
            for d, p in wanted.items()
            if d not in have
        ]
        if rows:
            connection.execute(insert(self._pictures), rows)

    # --- rooms -------------------------------------------------------------------------

    def create_room(
        self, content: RoomContent, expires_days: float, now: float | None = None
    ) -> CreatedRoom:
        """Store a built room with a new join code and teacher key (returned once)."""
        if not content.items:
            raise ValueError("A room needs at least one item.")
        now = time.time() if now is None else now
        key = security.new_teacher_key()
        key_hash = security.hash_key(key)
        design_json = content.design.to_json()

        def create(connection: Connection) -> Room:
            self._put_pictures(connection, content.pictures.values())
            self._keep_analyses(connection, content)
            code = self._insert_room(connection, key_hash, design_json, now, expires_days)
            room_id = connection.execute(
                select(self._rooms.c.id).where(self._rooms.c.code == code)
            ).scalar_one()
            connection.execute(insert(self._items), [_item_row(room_id, i) for i in content.items])
            expires_at = now + expires_days * 86400.0
            return Room(room_id, code, content.design, "open", False, now, expires_at)

        room = self._write(create)
        return CreatedRoom(room, key, len(content.items))

    def keep_content(self, content: RoomContent) -> None:
        """Store a build's pictures and analyses without a room (the solo quiz's items)."""

        def keep(connection: Connection) -> None:
            self._put_pictures(connection, content.pictures.values())
            self._keep_analyses(connection, content)

        self._write(keep)

    def _keep_analyses(self, connection: Connection, content: RoomContent) -> None:
        if not content.analyses:
            return
        known = set(
            connection.execute(
                select(self._analyses.c.key).where(self._analyses.c.key.in_(list(content.analyses)))
            ).scalars()
        )
        fresh = {k: a for k, a in content.analyses.items() if k not in known}
        if not fresh:
            return
        connection.execute(
            insert(self._analyses),
            [{"key": k, "body": a.to_json(), "created_at": time.time()} for k, a in fresh.items()],
        )
        digests = {d for a in fresh.values() for d in _analysis_pictures(a)}
        kept = set(
            connection.execute(
                select(self._kept.c.digest).where(self._kept.c.digest.in_(list(digests)))
            ).scalars()
        )
        rows = [{"digest": d} for d in digests - kept]
        if rows:
            connection.execute(insert(self._kept), rows)

    def _insert_room(
        self, connection: Connection, key_hash: str, design: str, now: float, days: float
    ) -> str:
        for _ in range(_CODE_ATTEMPTS):
            code = security.new_join_code()
            taken = connection.execute(
                select(self._rooms.c.id).where(self._rooms.c.code == code)
            ).first()
            if taken is not None:
                continue
            connection.execute(
                insert(self._rooms).values(
                    code=code,
                    key_hash=key_hash,
                    design=design,
                    status="open",
                    revealed=False,
                    created_at=now,
                    expires_at=now + days * 86400.0,
                )
            )
            return code
        raise RuntimeError(Text("No free join code after many tries."))

    def room(self, code: str) -> Room | None:
        """The room with this join code (None if there is none)."""
        normalized = security.normalize_join_code(code)
        if normalized is None:
            return None
        return self._room_where(self._rooms.c.code == normalized)

    def room_by_id(self, room_id: int) -> Room | None:
        return self._room_where(self._rooms.c.id == int(room_id))

    def _room_where(self, condition) -> Room | None:
        row = self._read(lambda c: c.execute(self._room_columns().where(condition)).first())
        return None if row is None else _room(row)

    def _room_columns(self, *extra):
        r = self._rooms.c
        return select(
            r.id, r.code, r.design, r.status, r.revealed, r.created_at, r.expires_at, *extra
        )

    def verify_teacher(self, code: str, key: str) -> Room | None:
        """The room if ``key`` is its teacher key, else None (the same for an unknown code)."""
        normalized = security.normalize_join_code(code)
        row = None
        if normalized is not None:
            r = self._rooms.c
            query = self._room_columns(r.key_hash).where(r.code == normalized)
            row = self._read(lambda c: c.execute(query).first())
        # An unknown code costs the same scrypt as a wrong key: timing does not tell them apart.
        stored = row.key_hash if row is not None else _dummy_hash()
        matches = security.verify_key(key, stored)
        return _room(row) if row is not None and matches else None

    def set_status(self, room_id: int, status: Literal["open", "closed"]) -> None:
        if status not in ("open", "closed"):
            raise ValueError(f"Unknown room status {status!r}.")
        self._write(
            lambda c: c.execute(
                update(self._rooms).where(self._rooms.c.id == room_id).values(status=status)
            )
        )

    def set_revealed(self, room_id: int, revealed: bool) -> None:
        self._write(
            lambda c: c.execute(
                update(self._rooms)
                .where(self._rooms.c.id == room_id)
                .values(revealed=bool(revealed))
            )
        )

    def delete_room(self, room_id: int) -> None:
        """Delete a room with its items, students and answers, and pictures no one else uses."""

        def remove(connection: Connection) -> None:
            self._delete_rooms(connection, [room_id])

        self._write(remove)
        self._room_items.pop(room_id, None)

    def purge_expired(self, now: float | None = None) -> int:
        """Delete every room past its expiry, with its rows; returns how many."""
        now = time.time() if now is None else now

        def purge(connection: Connection) -> list[int]:
            ids = list(
                connection.execute(
                    select(self._rooms.c.id).where(self._rooms.c.expires_at <= now)
                ).scalars()
            )
            if ids:
                self._delete_rooms(connection, ids)
            return ids

        ids = self._write(purge)
        for room_id in ids:
            self._room_items.pop(room_id, None)
        return len(ids)

    def _delete_rooms(self, connection: Connection, ids: list[int]) -> None:
        for table in (self._answers, self._students, self._items):
            connection.execute(delete(table).where(table.c.room_id.in_(ids)))
        connection.execute(delete(self._rooms).where(self._rooms.c.id.in_(ids)))
        i = self._items.c
        used = union(
            select(i.picture.label("digest")),
            select(i.picture_2).where(i.picture_2.is_not(None)),
            select(i.photo_picture),
            select(self._kept.c.digest),
        ).subquery()
        connection.execute(
            delete(self._pictures).where(self._pictures.c.digest.not_in(select(used.c.digest)))
        )

    # --- items -------------------------------------------------------------------------

    def items(self, room_id: int) -> tuple[Item, ...]:
        """The room's items by number (kept in memory: a room's items never change)."""
        kept = self._room_items.get(room_id)
        if kept is not None:
            return kept
        i = self._items.c
        rows = self._read(
            lambda c: c.execute(
                select(self._items).where(i.room_id == room_id).order_by(i.number)
            ).all()
        )
        found = tuple(_item(row) for row in rows)
        if found:
            self._room_items[room_id] = found
        return found

    def plan(self, room: Room, student: Student) -> list[PlannedItem]:
        """The student's items in order (made again from the seed stored with the student)."""
        refs = [ItemRef(i.number, i.study, i.method, i.photo) for i in self.items(room.id)]
        return student_plan(student.seed, refs, room.design.items_per_student)

    # --- students ----------------------------------------------------------------------

    def join(self, room_id: int, nickname: str | None, now: float | None = None) -> Student | None:
        """A new student of an open room (None if the room is closed, expired or gone)."""
        now = time.time() if now is None else now
        cleaned = security.clean_nickname(nickname)
        seed = new_seed()
        token = secrets.token_urlsafe(RESUME_TOKEN_BYTES)

        def add(connection: Connection) -> Student | None:
            room = connection.execute(
                select(self._rooms.c.status, self._rooms.c.expires_at).where(
                    self._rooms.c.id == room_id
                )
            ).first()
            if room is None or room.status != "open" or room.expires_at <= now:
                return None
            s = self._students.c
            number = (
                1
                + connection.execute(
                    select(func.coalesce(func.max(s.number), 0)).where(s.room_id == room_id)
                ).scalar_one()
            )
            connection.execute(
                insert(self._students).values(
                    room_id=room_id,
                    number=number,
                    nickname=cleaned,
                    seed=seed,
                    joined_at=now,
                    resume_hash=_token_hash(token),
                )
            )
            student_id = connection.execute(
                select(s.id).where(s.room_id == room_id, s.number == number)
            ).scalar_one()
            return Student(student_id, room_id, number, cleaned, seed, token)

        for _ in range(_CODE_ATTEMPTS):
            try:
                return self._write(add)
            except IntegrityError:
                continue  # another student took this number at the same moment: take the next
        raise StoreUnavailable(Text("Could not give the student a number."))

    def student(self, student_id: int) -> Student | None:
        s = self._students.c
        row = self._read(
            lambda c: c.execute(
                select(s.id, s.room_id, s.number, s.nickname, s.seed).where(s.id == student_id)
            ).first()
        )
        return None if row is None else Student(*row)

    def resume(self, room_id: int, token: str) -> Student | None:
        """The room's student whose page holds this resume token, or None."""
        if not token or len(token) > 64:
            return None
        s = self._students.c
        row = self._read(
            lambda c: c.execute(
                select(s.id, s.room_id, s.number, s.nickname, s.seed).where(
                    s.room_id == room_id, s.resume_hash == _token_hash(token)
                )
            ).first()
        )
        return None if row is None else Student(*row)

    def students(self, room_id: int) -> list[StudentRow]:
        """Each student of the room: number, nickname, answers given."""
        s, a = self._students.c, self._answers.c
        answered = select(a.student_id, func.count().label("n")).group_by(a.student_id).subquery()
        rows = self._read(
            lambda c: c.execute(
                select(s.number, s.nickname, func.coalesce(answered.c.n, 0))
                .select_from(self._students.outerjoin(answered, answered.c.student_id == s.id))
                .where(s.room_id == room_id)
                .order_by(s.number)
            ).all()
        )
        return [StudentRow(int(n), nick, int(k)) for n, nick, k in rows]

    def answered_items(self, student_id: int) -> set[int]:
        """The item numbers this student has answered."""
        a = self._answers.c
        return set(
            self._read(
                lambda c: c.execute(
                    select(a.item_number).where(a.student_id == student_id)
                ).scalars()
            )
        )

    # --- answers -----------------------------------------------------------------------

    def submit(self, submission: Submission, now: float | None = None) -> SubmitResult:
        """Store one answer after checking room, student, item and value; see ``Outcome``."""
        now = time.time() if now is None else now
        room = self.room_by_id(submission.room_id)
        if room is None:
            return SubmitResult("unknown_room")
        student = self.student(submission.student_id)
        if student is None or student.room_id != room.id:
            return SubmitResult("unknown_student")
        planned = {p.number: p for p in self.plan(room, student)}
        place = planned.get(submission.item_number)
        if place is None:
            return SubmitResult("unknown_item")
        item = self.items(room.id)[submission.item_number - 1]
        scored = _score(item, place, submission.answer)
        if scored is None:
            return SubmitResult("invalid_answer")
        correct, trust = scored
        row = {
            "room_id": room.id,
            "student_id": student.id,
            "item_number": item.number,
            "position": place.position,
            "answer": int(submission.answer),
            "correct": correct,
            "trust_score": trust,
            "swapped": place.swapped,
            "stronger_first": place.stronger_first,
            "seconds": max(0.0, float(submission.seconds)),
            "created_at": now,
            "request_id": submission.request_id[:32],
        }

        def store(connection: Connection) -> Outcome:
            r = self._rooms.c
            status = connection.execute(
                select(r.status, r.expires_at).where(r.id == room.id).with_for_update(read=True)
            ).first()
            if status is None:
                return "unknown_room"
            if status.status != "open" or status.expires_at <= now:
                return "closed"
            try:
                with connection.begin_nested():  # a savepoint: the refusal leaves the rest intact
                    connection.execute(insert(self._answers).values(**row))
                return "stored"
            except IntegrityError:
                pass  # the one-answer-per-item constraint: stored before, by this request or not
            a = self._answers.c
            earlier = connection.execute(
                select(a.request_id).where(a.student_id == student.id, a.item_number == item.number)
            ).scalar_one_or_none()
            return "already_stored" if earlier == row["request_id"] else "duplicate"

        outcome = self._write(store)
        return SubmitResult(outcome, correct if outcome in ("stored", "already_stored") else None)

    def answers(self, room_id: int, student_id: int | None = None) -> list[AnswerRow]:
        """Every answer of the room (or of one of its students), oldest first, with its item's
        study, method and labels."""
        items = {i.number: i for i in self.items(room_id)}
        a, s = self._answers.c, self._students.c
        query = (
            select(
                s.number,
                a.item_number,
                a.answer,
                a.correct,
                a.trust_score,
                a.stronger_first,
                a.position,
                a.seconds,
                a.created_at,
            )
            .join_from(self._answers, self._students, s.id == a.student_id)
            .where(a.room_id == room_id)
            .order_by(a.created_at, a.id)
        )
        if student_id is not None:
            query = query.where(a.student_id == student_id)
        rows = self._read(lambda c: c.execute(query).all())
        found = []
        for row in rows:
            item = items[row.item_number]
            discrimination = item.study == "discrimination"
            shown = item.labels[item.truth or 0] if discrimination else item.labels[0]
            label = item.labels[row.answer] if discrimination else str(row.answer)
            found.append(
                AnswerRow(
                    student=row.number,
                    item=row.item_number,
                    study=item.study,
                    method=item.method,
                    photo=item.photo,
                    shown=shown,
                    answer=row.answer,
                    answer_label=label,
                    correct=row.correct,
                    trust_score=row.trust_score,
                    stronger_first=row.stronger_first,
                    position=row.position,
                    seconds=row.seconds,
                    created_at=row.created_at,
                )
            )
        return found

    def counts(self, room_id: int) -> tuple[int, int]:
        """(students joined, answers stored): cheap, for a dashboard that refreshes often."""
        s, a = self._students.c, self._answers.c
        return self._read(
            lambda c: (
                c.execute(select(func.count()).where(s.room_id == room_id)).scalar_one(),
                c.execute(select(func.count()).where(a.room_id == room_id)).scalar_one(),
            )
        )


def _score(item: Item, place: PlannedItem, answer: int) -> tuple[bool | None, int | None] | None:
    """(correct, trust score) of an answer, or None when the value is not a possible answer."""
    if isinstance(answer, bool) or not isinstance(answer, int):
        return None
    if item.study == "discrimination":
        if answer not in (0, 1):
            return None
        return answer == item.truth, None
    if answer not in TRUST_RATINGS:
        return None
    return None, trust_score(answer, place.stronger_first)


def _room(row) -> Room:
    return Room(
        id=row.id,
        code=row.code,
        design=RoomDesign.from_json(row.design),
        status=row.status,
        revealed=bool(row.revealed),
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


def _item_row(room_id: int, item: Item) -> dict:
    return {
        "room_id": room_id,
        "number": item.number,
        "study": item.study,
        "method": item.method,
        "photo": item.photo,
        "photo_title": item.photo_title,
        "label_a": item.labels[0],
        "label_b": item.labels[1],
        "truth": item.truth,
        "picture": item.picture,
        "picture_2": item.picture_2,
        "photo_picture": item.photo_picture,
        "details": json.dumps(item.details, sort_keys=True),
    }


def _item(row) -> Item:
    return Item(
        number=row.number,
        study=row.study,
        method=row.method,
        photo=row.photo,
        photo_title=row.photo_title,
        labels=(row.label_a, row.label_b),
        truth=row.truth,
        picture=row.picture,
        picture_2=row.picture_2,
        photo_picture=row.photo_picture,
        details=json.loads(row.details),
    )


def _token_hash(token: str) -> str:
    """SHA-256 of a resume token (a random 128-bit token needs no salt or slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _analysis_pictures(analysis: PhotoAnalysis) -> set[str]:
    digests = {analysis.photo_picture}
    for obj in analysis.objects:
        digests.update(d for d in obj.pictures.values() if d)
    return digests


@cache
def _dummy_hash() -> str:
    return security.hash_key(security.new_teacher_key())


def _make_engine(url: str, busy_timeout_s: float, connect_timeout_s: float) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_s, "check_same_thread": False},
            pool_size=8,
            max_overflow=16,
        )

        @event.listens_for(engine, "connect")
        def _configure(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            write = connection.get_execution_options().get("quiz_write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=8,
        max_overflow=16,
        connect_args={"connect_timeout": max(1, round(connect_timeout_s))},
    )


__all__ = [
    "AnswerRow",
    "CreatedRoom",
    "QuizStore",
    "Room",
    "SchemaTooNew",
    "StoreUnavailable",
    "Student",
    "StudentRow",
    "Submission",
    "SubmitResult",
    "database_url",
    "describe_url",
    "sqlite_url",
]
