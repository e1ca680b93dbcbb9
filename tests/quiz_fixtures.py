"""Fixtures for the quiz's storage tests: ``pytest_plugins = ["quiz_fixtures"]`` in a module.

``store_url`` and ``store`` run a test once on SQLite and once on PostgreSQL (a throwaway server
shared by the test process, see postgres_support; skipped without one unless CI requires it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from quiz_support import BACKENDS, database

from gradcam_core.quiz import QuizStore


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> Iterator[str]:
    """An empty database in SQLite and in PostgreSQL (the second skips without a server)."""
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(store_url) -> Iterator[QuizStore]:
    quiz_store = QuizStore(store_url)
    yield quiz_store
    quiz_store.close()
