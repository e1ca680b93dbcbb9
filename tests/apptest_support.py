"""Helpers for AppTest: run the real app.py as Streamlit would, and count calls into the core."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest, local_script_runner

from app_ui import progress
from gradcam_core import engine

APP = Path(__file__).resolve().parents[1] / "app.py"
TIMEOUT = 180


@contextmanager
def fragment_reruns(app: AppTest, key: str) -> Iterator[None]:
    """Inside, ``app``'s runs rerun only the fragment ``@st.fragment(key=key)``.

    That is what a browser asks for when a widget inside the fragment changes; AppTest itself
    always reruns the whole script. The element tree after such a run holds only what the
    fragment drew. Two pieces of private Streamlit API, used here only: the AppTest's fragment
    storage (the fragment's id from its key) and the RerunData its script runner builds (which
    then carries that id, as the browser's rerun request does).
    """
    ids = app._fragment_storage.resolve_target(key)
    assert len(ids) == 1, f"no single fragment with key {key!r}: {ids}"
    original = local_script_runner.RerunData
    local_script_runner.RerunData = functools.partial(original, fragment_id=ids[0])
    try:
        yield
    finally:
        local_script_runner.RerunData = original


def count_calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[tuple]:
    """Record the arguments of every call to ``module.name`` (still calling it)."""
    calls: list[tuple] = []
    original: Callable = getattr(module, name)

    def recorded(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)
    return calls


def new_app(**query_params: str) -> AppTest:
    """A fresh session of the app, optionally opened with URL query parameters."""
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in query_params.items():
        app.query_params[key] = value
    return app


class CoreCalls(Counter):
    """Calls per engine function; ``batch_sizes[n]`` counts class_gradients calls for n classes."""

    def __init__(self) -> None:
        super().__init__()
        self.batch_sizes: Counter = Counter()


def count_core_calls(monkeypatch: pytest.MonkeyPatch) -> CoreCalls:
    """Count the passes into gradcam_core.engine (forward, batches, class and layer gradients)."""
    calls = CoreCalls()
    for name in (
        "forward",
        "forward_batch",
        "class_gradients",
        "layer_gradients",
        "layer_grad_cams",
    ):
        original = getattr(engine, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            if _name == "class_gradients":
                classes = kwargs.get("class_indices", args[4] if len(args) > 4 else ())
                calls.batch_sizes[len(classes)] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(engine, name, counted)
    return calls


def clear_data_caches() -> None:
    """Forget cached maps, forward passes and kept slow results (models stay loaded)."""
    st.cache_data.clear()
    progress.forget_kept_results()
