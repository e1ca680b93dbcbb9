"""Fixtures for the Class quiz page's tests: ``pytest_plugins = ["quiz_page_fixtures"]``.

``database`` is a SQLite file of the test's own, which the page finds through the quiz's URL
setting; ``store`` opens the same file, for a test to make rooms and answers in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app_ui.quiz import connection
from gradcam_core.quiz import QuizStore


@pytest.fixture
def database(tmp_path, monkeypatch) -> Path:
    """The quiz's database for the page: a SQLite file of this test's own."""
    path = tmp_path / "quiz.sqlite3"
    monkeypatch.setenv(connection.URL_ENV, f"sqlite:///{path}")
    return path


@pytest.fixture
def store(database) -> Iterator[QuizStore]:
    quiz_store = QuizStore(f"sqlite:///{database}")
    yield quiz_store
    quiz_store.close()
