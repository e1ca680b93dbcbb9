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


def alt_texts(image) -> list[str]:
    """The alt text of each picture of one st.image element ("" where there is none)."""
    return [picture.alt for picture in image.proto.imgs]


PHOTO_PICKER_COLUMNS = 3  # sample, upload, webcam: the first columns of every page


def page_columns(session: AppTest) -> list:
    """The page's own columns, after the photo picker's."""
    return list(session.main.columns)[PHOTO_PICKER_COLUMNS:]


def stage_panel_images(session: AppTest) -> int:
    """Pictures in the four stage columns (after the photo picker's three), colour scale aside."""
    return sum(
        not alt.startswith("Colour scale")
        for column in page_columns(session)[:4]
        for image in column.image
        for alt in alt_texts(image)
    )


SHARED_PICKERS = ("sample", "model", "layer", "target", "cmap")


def picker_values(session: AppTest) -> dict[str, object]:
    """The shared pickers' values (the photo picker on the page, the rest in the sidebar)."""
    return {s.key: s.value for s in session.selectbox if s.key in SHARED_PICKERS}


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


def open_fresh(page: str, **query_params: str) -> AppTest:
    """A fresh session (no cached maps, no kept results) that opened the app, then ``page``."""
    clear_data_caches()
    session = new_app(**query_params)
    session.run()
    session.switch_page(page).run()
    assert not session.exception
    return session


def switch_to(session: AppTest, page: str) -> AppTest:
    """The session on another page, which ran without an exception or an error line."""
    session.switch_page(page).run()
    assert not session.exception
    assert not session.error
    return session


def page_text(session: AppTest) -> str:
    """Everything the page says in markdown, info boxes, captions and image captions."""
    parts = [m.value for m in session.markdown] + [i.value for i in session.info]
    parts += [c.value for c in session.caption] + [" ".join(i.captions) for i in session.image]
    return "\n".join(parts)
