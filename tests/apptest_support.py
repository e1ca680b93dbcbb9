"""Helpers for AppTest: run the real app.py as Streamlit would, and count calls into the core."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from gradcam_core import engine

APP = Path(__file__).resolve().parents[1] / "app.py"
TIMEOUT = 180


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
    """Forget cached maps and forward passes (models stay loaded)."""
    st.cache_data.clear()
