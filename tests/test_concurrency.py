"""Many sessions at once on one shared model: threads give the same maps as one thread.

A classroom is thirty sessions, each a thread of one Streamlit server, sharing one cached model
(st.cache_resource) and its compiled passes. Two levels are checked:

* the core: 8 threads call gc.grad_cam, engine.forward and engine.class_gradients on one freshly
  built bundled model (so the first calls trace while other threads already run compiled
  passes), without any lock of their own; every result must equal, bit for bit, what one
  thread computes afterwards, and each compiled pass must have been traced exactly once;
* the app: AppTest sessions of app.py in threads, started together on cold caches (the model is
  loaded and traced while they wait), must show the same maps and headline as the same sessions
  run one after another.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import MagicMock

import numpy as np
import pytest
import streamlit as st
from apptest_support import clear_data_caches, new_app
from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.runtime import Runtime
from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
from streamlit.runtime.dataframe_source_manager import DataframeSourceManager
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

import gradcam_core as gc
from app_ui.explain import panels
from gradcam_core import engine, samples

pytestmark = pytest.mark.slow

THREADS = 8
SAMPLES = ["cat_and_coffee", "coffee", "cat", "motorcycle"]
LAYERS = ["top_relu", "block6d_add", "block5c_add"]
CLASSES = [281, 504, 967, 670]

Task = tuple[str, str, str, int, str]  # (kind, sample, layer, class, score)


def _tasks() -> list[Task]:
    """Grad-CAM maps, forward passes and two-class gradients over photos, layers and scores."""
    tasks: list[Task] = []
    for i, sample in enumerate(SAMPLES):
        for j, layer in enumerate(LAYERS):
            score = "softmax" if (i + j) % 3 == 0 else "logit"
            tasks.append(("grad_cam", sample, layer, CLASSES[(i + j) % len(CLASSES)], score))
        tasks.append(("forward", sample, LAYERS[i % len(LAYERS)], 0, "logit"))
        tasks.append(
            ("class_gradients", sample, LAYERS[(i + 1) % len(LAYERS)], CLASSES[i], "logit")
        )
    return tasks


def _run(model, inputs: dict[str, np.ndarray], task: Task) -> dict[str, np.ndarray]:
    kind, sample, layer, class_index, score = task
    x = inputs[sample]
    if kind == "grad_cam":
        result = gc.grad_cam(model, x, layer=layer, class_index=class_index, score=score)
        return {
            "raw": result.raw,
            "normalized": result.normalized,
            "weights": result.weights,
            "score": np.asarray(result.score),
        }
    forward = engine.forward(model, x, [layer])
    if kind == "forward":
        return {"logits": forward.logits, "activations": forward.activations[layer]}
    scores, grads = engine.class_gradients(
        model, x, layer, forward.activations[layer], [class_index, 999 - class_index], score
    )
    return {"scores": scores, "grads": grads}


def _expected_traces(tasks: list[Task]) -> int:
    """One compiled forward per layer, one gradient pass per (layer, score): each traced once."""
    forwards = {layer for _, _, layer, _, _ in tasks}
    gradients = {(layer, score) for kind, _, layer, _, score in tasks if kind != "forward"}
    return len(forwards) + len(gradients)


def _assert_identical(reference: dict[str, np.ndarray], got: dict[str, np.ndarray], label: str):
    assert reference.keys() == got.keys()
    for name, value in reference.items():
        assert got[name].shape == value.shape, f"{label} {name}"
        assert np.array_equal(got[name], value, equal_nan=True), (
            f"{label} {name}: max difference {np.max(np.abs(got[name] - value))}"
        )


def test_threads_sharing_one_model_match_a_single_thread_and_trace_once() -> None:
    model = gc.load_model(gc.DEFAULT_MODEL)  # a fresh model: nothing traced for it yet
    inputs = {s: gc.preprocess(gc.DEFAULT_MODEL, samples.load_sample(s).image) for s in SAMPLES}
    tasks = _tasks()
    barrier = threading.Barrier(THREADS)

    def worker(seed: int) -> list[tuple[Task, dict[str, np.ndarray]]]:
        order = tasks[:]
        random.Random(seed).shuffle(order)  # every thread in its own order
        barrier.wait()  # all start together, on a model with no compiled pass yet
        return [(task, _run(model, inputs, task)) for task in order]

    traces_before = engine.trace_count()
    with ThreadPoolExecutor(THREADS) as pool:
        concurrent = [f.result(timeout=600) for f in [pool.submit(worker, s) for s in range(8)]]
    traces_concurrent = engine.trace_count() - traces_before

    serial = {task: _run(model, inputs, task) for task in tasks}  # one thread, warm
    assert engine.trace_count() - traces_before == traces_concurrent, "the serial run retraced"
    assert traces_concurrent == _expected_traces(tasks), (
        f"{traces_concurrent} traces for {_expected_traces(tasks)} compiled passes"
    )
    for thread, results in enumerate(concurrent):
        assert len(results) == len(tasks)
        for task, got in results:
            _assert_identical(serial[task], got, f"thread {thread} {task}")


def test_threads_match_on_the_all_layers_pass_and_score_cam_too() -> None:
    """The other compiled entry points: one backward pass for many layers, and batched forwards."""
    model = gc.load_model(gc.DEFAULT_MODEL)
    x = gc.preprocess(gc.DEFAULT_MODEL, samples.load_sample("motorcycle").image)
    jobs: dict[str, Callable[[], dict[str, np.ndarray]]] = {
        "all_layers": lambda: {
            path: r.raw for path, r in gc.grad_cam_all_layers(model, x, 670, LAYERS).items()
        },
        # 16 channels: 16 masked forward passes, in batches, through forward_batch.
        "score_cam": lambda: {
            "raw": gc.CAM_METHODS["scorecam"]()(model, x, "block1a_project_bn", 670).raw
        },
    }
    barrier = threading.Barrier(4)

    def worker(name: str) -> dict[str, np.ndarray]:
        barrier.wait()
        return jobs[name]()

    with ThreadPoolExecutor(4) as pool:
        names = ["all_layers", "score_cam", "all_layers", "score_cam"]
        results = list(zip(names, pool.map(worker, names), strict=True))
    for name, got in results:
        _assert_identical(jobs[name](), got, name)


# ---------------------------------------------------------------- AppTest sessions in threads

SESSIONS: list[dict[str, str]] = [
    {},
    {"sample": "Espresso cup"},
    {"layer": "block5c_add (14×14×112)"},
    {"target": "coffee mug (504)", "score": "softmax"},
    {"sample": "Espresso cup", "cmap": "jet", "opacity": "0.8"},
    {},
    {"layer": "block5c_add (14×14×112)", "target": "tabby (281)"},
    {"sample": "Espresso cup"},
]
_SHOWN = "_concurrency_test_maps"


@pytest.fixture
def recorded_maps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each session keeps, in its own session_state, the map its page drew."""
    original = panels.stage_panels

    def stage_panels(selection, result):
        st.session_state[_SHOWN] = {
            "raw": np.array(result.raw),
            "normalized": np.array(result.normalized),
            "weights": np.array(result.weights),
            "key": tuple(selection.map_key),
        }
        return original(selection, result)

    monkeypatch.setattr(panels, "stage_panels", stage_panels)


@pytest.fixture
def shared_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    """One Runtime for all sessions, as `streamlit run` has.

    AppTest is not thread-safe itself: each run installs a mock Runtime as the process-wide
    singleton and sets it back to None when it ends, so a session still running in another thread
    loses its Runtime ("Runtime hasn't been created!"). With this fixture a run that finds none
    uses a shared mock built the way AppTest builds its own.
    """
    shared = MagicMock(spec=Runtime)
    shared.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/mock/media"))
    shared.dataframe_source_mgr = DataframeSourceManager()
    shared.cache_storage_manager = MemoryCacheStorageManager()
    shared.bidi_component_registry = BidiComponentManager()
    monkeypatch.setattr(Runtime, "instance", classmethod(lambda cls: cls._instance or shared))
    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: True))


def _session(params: dict[str, str]) -> dict[str, object]:
    app = new_app(**params)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    shown = app.session_state[_SHOWN]
    headline = next(m.value for m in app.markdown if m.value.startswith("Explaining"))
    return {**shown, "headline": headline, "images": len(app.image)}


def _assert_same_session(reference: dict[str, object], got: dict[str, object], label: str):
    assert got["key"] == reference["key"], label
    assert got["headline"] == reference["headline"], label
    assert got["images"] == reference["images"], label
    for name in ("raw", "normalized", "weights"):
        assert np.array_equal(got[name], reference[name]), f"{label}: {name} differs"


def test_app_sessions_in_threads_show_what_serial_sessions_show(
    recorded_maps, shared_runtime
) -> None:
    clear_data_caches()
    serial = [_session(params) for params in SESSIONS]

    # Cold: no cached maps, no loaded model; all sessions start at once and share them.
    clear_data_caches()
    st.cache_resource.clear()
    barrier = threading.Barrier(len(SESSIONS))

    def worker(params: dict[str, str]) -> dict[str, object]:
        barrier.wait()
        return _session(params)

    with ThreadPoolExecutor(len(SESSIONS)) as pool:
        concurrent = list(pool.map(worker, SESSIONS, timeout=900))
        warm = list(pool.map(_session, SESSIONS, timeout=900))  # again, now from the caches
    assert {tuple(r["key"]) for r in serial} == {tuple(r["key"]) for r in concurrent}
    assert len({r["key"] for r in serial}) >= 5  # the sessions really differ
    for params, reference, cold, cached in zip(SESSIONS, serial, concurrent, warm, strict=True):
        _assert_same_session(reference, cold, f"cold {params}")
        _assert_same_session(reference, cached, f"warm {params}")
