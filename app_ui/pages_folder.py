"""The app's one reach into Streamlit's internals: a ``pages/`` folder beside an st.navigation app.

Streamlit 1.67 treats a ``pages/`` folder next to the entrypoint as a version-1 multipage app
until ``st.navigation`` has run in the process (``PagesManager.uses_pages_directory``): then a
link to a page runs that page's file alone, without app.py and its shared sidebar (it happens
to the first visitor after a server start who opens a shared link to a page, and to every
AppTest run of a page, since AppTest resets the flag). Streamlit's docs and issues offer no
setting for it (``client.showSidebarNavigation`` only hides the version-1 menu), and the folder
stays ``pages/``. So a page that finds itself run alone clears the flag, as ``st.navigation``
does, and runs again: the rerun goes through app.py to the same page.

AppTest resets the flag before every run, so every run of a test would take the version-1 path
a server takes once; ``as_in_a_running_server`` keeps it cleared, as in a server where
st.navigation has run. ``tests/test_pages_folder.py`` fails loudly if Streamlit changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def running_alone() -> bool:
    """True when Streamlit ran a page file by itself (version-1 multipage mode)."""
    return bool(PagesManager.uses_pages_directory)


def run_through_entrypoint() -> None:
    """If this page file runs alone, leave version-1 mode and run again through app.py."""
    if running_alone():
        PagesManager.uses_pages_directory = False
        st.rerun()


@contextmanager
def as_in_a_running_server() -> Iterator[None]:
    """For AppTest: new page managers start with the flag cleared, as after st.navigation ran."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        PagesManager.__init__ = original  # type: ignore[method-assign]
