"""Low-memory mode: when it is on, what it keeps loaded, and what it tells the user."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from apptest_support import clear_data_caches, count_calls, new_app

from app_ui import cache, deployment


@pytest.mark.parametrize(
    ("cwd", "home", "expected"),
    [
        ("/mount/src/gradcam-explorer", "/home/appuser", True),
        ("/mount/src/gradcam-explorer", "/root", True),
        ("/srv/app", "/home/appuser", True),
        ("/work/main", "/root", False),
        ("/mount/srcs/app", "/home/teacher", False),
    ],
)
def test_community_cloud_is_recognised_by_its_source_folder_and_user(cwd, home, expected):
    assert deployment.on_community_cloud(Path(cwd), Path(home)) is expected


@pytest.mark.parametrize(
    ("setting", "expected"), [("1", True), ("true", True), ("0", False), ("off", False)]
)
def test_the_environment_decides_first(monkeypatch, setting, expected):
    monkeypatch.setenv(deployment.LOW_MEMORY_ENV, setting)
    monkeypatch.setattr(deployment, "on_community_cloud", lambda: not expected)
    assert deployment.low_memory() is expected
    assert deployment.resident_models() == (1 if expected else 2)


def test_without_a_setting_community_cloud_turns_it_on(monkeypatch):
    monkeypatch.delenv(deployment.LOW_MEMORY_ENV, raising=False)
    monkeypatch.setattr(deployment, "_secret", lambda name: None)
    monkeypatch.setattr(deployment, "on_community_cloud", lambda: True)
    assert deployment.low_memory()
    monkeypatch.setattr(deployment, "on_community_cloud", lambda: False)
    assert not deployment.low_memory()


def test_a_secret_decides_when_the_environment_is_silent(monkeypatch):
    monkeypatch.delenv(deployment.LOW_MEMORY_ENV, raising=False)
    monkeypatch.setattr(deployment, "on_community_cloud", lambda: True)
    monkeypatch.setattr(deployment, "_secret", lambda name: False)
    assert not deployment.low_memory()


def test_a_script_run_reads_the_setting_once_and_the_next_run_reads_it_again(monkeypatch):
    monkeypatch.setattr(deployment, "on_community_cloud", lambda: False)
    secrets = count_calls(monkeypatch, deployment, "_secret")
    monkeypatch.delenv(deployment.LOW_MEMORY_ENV, raising=False)
    seen: list[bool] = []

    def script_run(setting: str) -> None:  # a run's thread: read first, then asked many times
        deployment.read_for_run()
        monkeypatch.setenv(deployment.LOW_MEMORY_ENV, setting)  # changed during the run
        seen.extend(deployment.low_memory() for _ in range(28))

    for setting in ("1", "0"):
        thread = threading.Thread(target=script_run, args=(setting,))
        thread.start()
        thread.join()
    # the first run read no setting (off); the second read the "1" set during the first
    assert seen == [False] * 28 + [True] * 28
    assert len(secrets) == 2  # once a run, not 28 times
    assert deployment.low_memory() is False  # outside a run: asked now ("0")


def test_a_visit_asks_the_secrets_once_for_the_low_memory_mode(monkeypatch):
    monkeypatch.delenv(deployment.LOW_MEMORY_ENV, raising=False)
    secrets = count_calls(monkeypatch, deployment, "_secret")
    session = new_app()
    session.run()
    assert not session.exception
    assert secrets.count((deployment.LOW_MEMORY_SECRET,)) == 1


def test_only_models_up_to_the_limit_fit_in_low_memory_mode(monkeypatch):
    monkeypatch.setenv(deployment.LOW_MEMORY_ENV, "1")
    assert deployment.fits(109) and not deployment.fits(528)
    monkeypatch.setenv(deployment.LOW_MEMORY_ENV, "0")
    assert deployment.fits(549)


class _Loads:
    """Fake loads that record how many models were resident when each one started."""

    def __init__(self, registry: cache.ResidentModels) -> None:
        self.registry = registry
        self.resident_at_start: list[int] = []
        self.count = 0
        self.lock = threading.Lock()

    def loader(self, name: str, seconds: float = 0.0):
        def load() -> object:
            with self.lock:
                self.count += 1
            self.resident_at_start.append(len(self.registry.names()))
            time.sleep(seconds)
            return object()

        return load


def test_low_memory_lets_the_old_model_go_before_the_next_loads(monkeypatch):
    monkeypatch.setenv(deployment.LOW_MEMORY_ENV, "1")
    registry = cache.ResidentModels()
    loads = _Loads(registry)
    first = registry.get("a", loads.loader("a"))
    assert registry.get("a", loads.loader("a")) is first  # kept: no second load
    registry.get("b", loads.loader("b"))
    assert registry.names() == ["b"]
    assert loads.resident_at_start == [0, 0]  # "a" was gone before "b" started loading


def test_two_models_stay_loaded_otherwise_least_recently_used_out(monkeypatch):
    monkeypatch.setenv(deployment.LOW_MEMORY_ENV, "0")
    registry = cache.ResidentModels()
    loads = _Loads(registry)
    for name in ("a", "b", "a", "c"):
        registry.get(name, loads.loader(name))
    assert registry.names() == ["a", "c"] and loads.count == 3


def test_sessions_asking_at_once_load_a_model_once(monkeypatch):
    monkeypatch.setenv(deployment.LOW_MEMORY_ENV, "1")
    registry = cache.ResidentModels()
    loads = _Loads(registry)
    barrier = threading.Barrier(6)
    got: list[object] = []

    def session() -> None:
        barrier.wait()
        got.append(registry.get("a", loads.loader("a", seconds=0.2)))

    threads = [threading.Thread(target=session) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads.count == 1 and len({id(model) for model in got}) == 1


@pytest.mark.slow
def test_in_low_memory_mode_a_model_too_large_is_named_and_refused(monkeypatch):
    monkeypatch.setenv(deployment.LOW_MEMORY_ENV, "1")
    session = new_app(model="vgg16")
    session.run()
    assert not session.exception
    errors = [e.value for e in session.error]
    assert any("VGG16 (528 MB of weights) does not fit" in e for e in errors), errors
    assert session.sidebar.selectbox(key="model").value == "vgg16"
    assert any(m.value.startswith("Explaining") and "EfficientNet-Lite0" in m.value
               for m in session.markdown)  # fmt: skip
    captions = " ".join(c.value for c in session.sidebar.caption)
    assert "VGG16, VGG19 do not fit here" in captions
    picker = session.sidebar.selectbox(key="model")
    assert picker.format_func("vgg19").endswith("too large here")
    assert not picker.format_func("resnet50").endswith("too large here")


@pytest.mark.slow
def test_a_model_let_go_for_another_is_freed_after_a_visit_to_every_page(monkeypatch):
    """Nothing a page leaves behind (a widget's format_func, a kept fragment) holds the old model.

    Streamlit keeps widgets' format functions and fragments between runs; one that closed over
    the run's selection kept the previous model (and its compiled passes) alive after low-memory
    mode let it go: +80 MB in the worst session of tests/test_memory.py.
    """
    import gc as garbage
    import weakref

    monkeypatch.setenv(deployment.LOW_MEMORY_ENV, "1")
    clear_data_caches()
    # Low-memory mode from the start, as a server would run it: no models resident from earlier
    # tests (a Lite0 loaded before would be handed out without letting Lite1 go).
    cache.resident_models.clear()
    app = new_app(model="efficientnet_lite1")
    app.run()
    old = weakref.ref(cache.load_model("efficientnet_lite1"))
    for page in ("how_it_works", "layers", "classes", "methods", "trust_lab"):
        app.switch_page(f"pages/{page}.py").run()
        assert not app.exception, page
    app.switch_page("pages/explain.py").run()
    app.sidebar.selectbox(key="model").set_value("efficientnet_lite0").run()
    assert not app.exception
    garbage.collect()
    assert old() is None, [type(r).__name__ for r in garbage.get_referrers(old())]
