"""Shared fixtures: tiny Keras models with known weights (tiny_models.py), an app session, a
server for the browser tests (browser_support.py)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

from gradcam_core import tf_logging

# The CLI's language follows the environment's locale: the tests that read its English lines run
# it in English whatever the machine's locale (the Chinese ones pass --lang zh).
os.environ["LANGUAGE"] = "en"

tf_logging.load_tensorflow()  # as the app and the CLI do: TensorFlow's start-up lines held back

import browser_support  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tiny_models  # noqa: E402
from apptest_support import clear_data_caches, count_core_calls, new_app  # noqa: E402

from app_ui import pages_folder  # noqa: E402


@pytest.fixture(autouse=True)
def _as_in_a_running_server():
    """AppTest runs app.py as a server does once st.navigation has run (see pages_folder)."""
    with pages_folder.as_in_a_running_server():
        yield


@pytest.fixture
def app():
    """A fresh session on the default view (cached maps forgotten, models kept)."""
    clear_data_caches()
    session = new_app()
    session.run()
    assert not session.exception
    return session


@pytest.fixture
def calls(monkeypatch) -> Counter:
    """Count engine passes; class_gradients also records how many classes each call asked for."""
    return count_core_calls(monkeypatch)


@pytest.fixture
def tiny_model() -> keras.Model:
    """x (2, 2, 2) -> 'features' (identity 1x1 conv, so A = x) -> Flatten -> Dense(2) logits."""
    return tiny_models.tiny_model()


@pytest.fixture
def tiny_input() -> np.ndarray:
    """The image whose channels are A^0 and A^1."""
    return tiny_models.tiny_input()


@pytest.fixture
def gap_model() -> keras.Model:
    """conv -> ReLU 'features' (4x4x3) -> global average pooling -> Dense(4): CAM's architecture."""
    return tiny_models.gap_model()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`streamlit run app.py` on localhost for a module's browser tests; yields its URL."""
    yield from browser_support.running_app()


# --- the full suite on two workers (pytest-xdist, --dist loadfile) --------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker: files marked ``minutes`` first, then files with a slow test, then the
    quick ones, so that the quick files fill the end of the run on both workers.

    Workers take whole files in collection order; alphabetically, test_memory.py (the longest
    file, about a quarter of a worker's time) started eleven minutes into a 15-minute run while
    the other worker had quick files left. Every worker sorts the same way (a stable sort).
    """
    if not hasattr(config, "workerinput"):
        return
    minutes = {item.path for item in items if item.get_closest_marker("minutes")}
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (item.path not in minutes, item.path not in slow))


# --- time per group: the suite's cost, file by file, printed at the end of every run ----------

_SECONDS_PER_FILE: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add each phase's duration (setup, call, teardown) to its test file's total."""
    path = report.nodeid.split("::", 1)[0]
    _SECONDS_PER_FILE[path] = _SECONDS_PER_FILE.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """The slowest files first, with their share of the run, so CI's log shows where time goes."""
    total = sum(_SECONDS_PER_FILE.values())
    if total < 60:  # a quick selection: nothing worth reporting
        return
    terminalreporter.section("time per test file")
    for path, seconds in sorted(_SECONDS_PER_FILE.items(), key=lambda item: -item[1])[:25]:
        terminalreporter.write_line(f"{seconds:8.1f} s {seconds / total:6.1%}  {path}")
    terminalreporter.write_line(f"{total:8.1f} s in all ({len(_SECONDS_PER_FILE)} files)")
