"""Grad-CAM Explorer (`streamlit run app.py`): page setup, navigation, the shared controls.

Every page gets the same frame: its heading, the photo picker under it, the settings in the
sidebar; then the page file lays out its sections (it calls ``controls.current()`` first).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app_ui import controls, deployment, language
from app_ui.i18n import N_, _
from gradcam_core import memory
from gradcam_core.cams import CAM_METHODS


@dataclass(frozen=True)
class PageEntry:
    """A page: its file, its name in the navigation, its icon and its heading.

    Section, title and heading are English source text (marked with N_), shown translated.
    """

    section: str
    path: str
    title: str
    icon: str
    heading: str
    shared_controls: bool = True  # False: no photo picker or model sidebar (the Class quiz)


PAGES = (
    PageEntry(
        N_("Explain"),
        "pages/explain.py",
        "Grad-CAM",
        ":material/visibility:",
        N_("Grad-CAM: what is the network looking at?"),
    ),
    PageEntry(
        N_("Classroom"),
        "pages/how_it_works.py",
        N_("How Grad-CAM works"),
        ":material/school:",
        N_("How Grad-CAM works, step by step"),
    ),
    PageEntry(
        N_("Classroom"),
        "pages/layers.py",
        N_("Layers"),
        ":material/layers:",
        N_("Layers: from edges to objects"),
    ),
    PageEntry(
        N_("Classroom"),
        "pages/classes.py",
        N_("Classes"),
        ":material/category:",
        N_("Classes: one photo, a map for each answer"),
    ),
    PageEntry(
        N_("Classroom"),
        "pages/methods.py",
        N_("Methods"),
        ":material/science:",
        N_("Methods: one photo, {count} ways to draw the map"),
    ),
    PageEntry(
        N_("Classroom"),
        "pages/quiz.py",
        N_("Class quiz"),
        ":material/quiz:",
        N_("Class quiz: can people tell what the map shows?"),
        shared_controls=False,
    ),
    PageEntry(
        N_("Check"),
        "pages/trust_lab.py",
        N_("Trust lab"),
        ":material/verified:",
        N_("Trust lab: should you believe this heatmap?"),
    ),
    PageEntry(
        N_("Check"),
        "pages/dataset.py",
        N_("Dataset"),
        ":material/dataset:",
        N_("Dataset: right for the right reasons?"),
    ),
)

# Phones: a heading that leaves room for the photo picker and the overlay on the first screen.
NARROW_SCREEN_CSS = """
<style>
  @media (max-width: 640px) {
    [data-testid="stMain"] h1 { font-size: 1.6rem; padding-top: 0.5rem; }
    [data-testid="stMainBlockContainer"] { padding-top: 3.75rem; }
  }
</style>
"""

st.set_page_config(page_title="Grad-CAM Explorer", page_icon=":material/visibility:", layout="wide")
st.sidebar.title("Grad-CAM Explorer")
language.choose()  # the run's language, before any word is written
deployment.read_for_run()  # the low-memory setting, read once for the whole run

navigation: dict[str, list] = {}
by_title: dict[str, PageEntry] = {}
for entry in PAGES:
    title = _(entry.title)
    page_object = st.Page(entry.path, title=title, icon=entry.icon, default=entry is PAGES[0])
    navigation.setdefault(_(entry.section), []).append(page_object)
    by_title[title] = entry
page = st.navigation(navigation)
st.html(NARROW_SCREEN_CSS)
current = by_title[page.title]
st.title(_(current.heading).format(count=len(CAM_METHODS)))
if current.shared_controls:
    controls.sidebar()
page.run()
memory.trim_after_growth()  # what a heavy step freed goes back to the system
