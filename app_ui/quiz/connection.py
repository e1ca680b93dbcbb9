"""Where the quiz keeps its data, and the one store each server process uses.

The database URL comes from ``GRADCAM_QUIZ_DATABASE_URL``, else from the app's secrets
(``.streamlit/secrets.toml`` or the Cloud app's settings)::

    [connections.quiz]
    url = "postgresql+psycopg://user:password@host:5432/quiz"

else a SQLite file, ``quiz.sqlite3`` in the app's data folder: ``GRADCAM_DATA_DIR``, else
``$XDG_DATA_HOME/gradcam-explorer``, else ``~/.local/share/gradcam-explorer`` (created on first
use). Rooms last ``GRADCAM_QUIZ_ROOM_DAYS`` days (secret ``quiz_room_days``; 7 by default).
The join link starts with ``GRADCAM_PUBLIC_URL`` (secret ``public_url``) when set, else with the
address the teacher's browser used.

The store is one per process and URL (``st.cache_resource``): its connection pool is shared by
every session. Pictures are immutable and named by their SHA-256, so their bytes are cached by
digest for every session.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import streamlit as st

from gradcam_core.quiz import Picture, QuizStore, SchemaTooNew, StoreUnavailable
from gradcam_core.quiz.storage import sqlite_url

URL_ENV = "GRADCAM_QUIZ_DATABASE_URL"
DATA_DIR_ENV = "GRADCAM_DATA_DIR"
ROOM_DAYS_ENV = "GRADCAM_QUIZ_ROOM_DAYS"
PUBLIC_URL_ENV = "GRADCAM_PUBLIC_URL"
SECRET_SECTION = "quiz"  # [connections.quiz] url = "..."
DEFAULT_ROOM_DAYS = 7.0
PURGE_EVERY_S = 3600.0
PAGE_PATH = "quiz"  # pages/quiz.py's URL path
PICTURES_KEPT = 512  # about 25 kB each: some 13 MB, a few rooms' worth

_purge_lock = threading.Lock()
_last_purge = {"at": 0.0}


def _secret(*path: str) -> object | None:
    try:
        value: object = st.secrets
        for part in path:
            value = value[part]  # type: ignore[index]
        return value
    except Exception:  # no secrets file, or no such entry
        return None


def data_dir() -> Path:
    """The app's data folder (not created here)."""
    given = os.environ.get(DATA_DIR_ENV)
    if given:
        return Path(given).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "gradcam-explorer"


def database_url() -> str:
    """The configured database URL, or the default SQLite file's."""
    given = os.environ.get(URL_ENV) or _secret("connections", SECRET_SECTION, "url")
    return str(given) if given else sqlite_url(data_dir() / "quiz.sqlite3")


def room_days() -> float:
    """How many days a new room lasts before it is purged."""
    for value in (os.environ.get(ROOM_DAYS_ENV), _secret("quiz_room_days")):
        try:
            days = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if days > 0:
            return days
    return DEFAULT_ROOM_DAYS


def public_url() -> str | None:
    """The address students open, when the operator set one."""
    given = os.environ.get(PUBLIC_URL_ENV) or _secret("public_url")
    return str(given).rstrip("/") if given else None


# A page waits at most about BUSY_TIMEOUT_S x (len(RETRY_DELAYS) + 1) + sum(RETRY_DELAYS) for a
# locked or unreachable database before it says so and keeps the answer to send again.
BUSY_TIMEOUT_S = 2.0
RETRY_DELAYS = (0.1, 0.3)


@st.cache_resource(show_spinner=False)
def _store(url: str) -> QuizStore:
    return QuizStore(url, retry_delays=RETRY_DELAYS, busy_timeout_s=BUSY_TIMEOUT_S)


def store() -> QuizStore:
    """The process's store for the configured database (schema created or upgraded once).

    Raises ``StoreUnavailable`` when the database cannot be reached or was upgraded by a newer
    version of the app (the caller says so in one line), and purges expired rooms at most once
    an hour.
    """
    try:
        quiz_store = _store(database_url())
    except SchemaTooNew as error:  # an older app on a newer database: say so, touch nothing
        raise StoreUnavailable(str(error)) from error
    _purge_now_and_then(quiz_store)
    return quiz_store


def _purge_now_and_then(quiz_store: QuizStore) -> None:
    now = time.time()
    if now - _last_purge["at"] < PURGE_EVERY_S or not _purge_lock.acquire(blocking=False):
        return
    try:
        _last_purge["at"] = now
        quiz_store.purge_expired(now)
    except Exception:  # a purge can wait for the next hour; it must not break a page
        _last_purge["at"] = now - PURGE_EVERY_S / 2
    finally:
        _purge_lock.release()


@st.cache_resource(max_entries=PICTURES_KEPT, show_spinner=False)
def _picture(url: str, digest: str) -> Picture:
    found = _store(url).picture(digest)
    if found is None:
        raise LookupError(digest)  # not cached: a missing picture is asked for again next time
    return found


def picture(digest: str) -> Picture | None:
    """A stored picture by digest, read once per process (pictures never change)."""
    try:
        return _picture(database_url(), digest)
    except LookupError:
        return None
