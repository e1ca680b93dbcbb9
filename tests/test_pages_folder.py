"""The one workaround for a ``pages/`` folder beside an st.navigation app (app_ui/pages_folder.py).

If Streamlit renames the flag, stops setting it from a ``pages/`` folder, or stops clearing it
in st.navigation, these fail and say which assumption broke.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from streamlit.commands import navigation
from streamlit.runtime import pages_manager
from streamlit.runtime.pages_manager import PagesManager

from app_ui import pages_folder

ROOT = Path(__file__).resolve().parents[1]
STREAMLITS_INIT = PagesManager.__init__  # before conftest's fixture replaces it for each test


def test_streamlit_still_marks_an_entrypoint_beside_a_pages_folder(monkeypatch):
    assert hasattr(PagesManager, "uses_pages_directory"), "Streamlit renamed the v1-pages flag"
    monkeypatch.setattr(PagesManager, "__init__", STREAMLITS_INIT)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    PagesManager(str(ROOT / "app.py"), setup_watcher=False)
    assert PagesManager.uses_pages_directory is True
    assert pages_folder.running_alone()


def test_st_navigation_still_clears_the_flag_as_the_workaround_does():
    source = inspect.getsource(navigation.navigation)
    assert "PagesManager.uses_pages_directory = False" in source, (
        "st.navigation no longer clears the v1-pages flag: check app_ui/pages_folder.py"
    )
    assert "uses_pages_directory" in inspect.getsource(pages_manager)


def test_nothing_else_in_the_project_touches_streamlit_internals():
    users = [
        path.relative_to(ROOT).as_posix()
        for folder in ("app_ui", "pages", "tests", "scripts", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        if "PagesManager" in path.read_text(encoding="utf-8")
    ]
    assert sorted(users) == ["app_ui/pages_folder.py", "tests/test_pages_folder.py"]
    assert "PagesManager" not in (ROOT / "app.py").read_text(encoding="utf-8")


def test_a_page_run_alone_goes_through_app_py(monkeypatch):
    """The first visitor of a fresh server who opens a link to a page gets the shared sidebar."""
    from apptest_support import new_app

    monkeypatch.setattr(PagesManager, "__init__", STREAMLITS_INIT)  # a fresh server's behaviour
    session = new_app()
    session.switch_page("pages/layers.py")
    session.run()  # AppTest starts in version-1 mode: the page file alone, then app.py
    assert not session.exception
    assert session.sidebar.selectbox(key="model").value == "efficientnet_lite0"
    assert any(t.value.startswith("Layers") for t in session.title)
