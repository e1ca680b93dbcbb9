"""Grad-CAM Explorer (`streamlit run app.py`): page setup, navigation, the shared controls.

Every page gets the same frame: its heading, the photo picker under it, the settings in the
sidebar; then the page file lays out its sections (it calls ``controls.current()`` first).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app_ui import controls
from gradcam_core import memory
from gradcam_core.cams import CAM_METHODS


@dataclass(frozen=True)
class PageEntry:
    """A page: its file, its name in the navigation, its icon and its heading."""

    section: str
    path: str
    title: str
    icon: str
    heading: str
    shared_controls: bool = True  # False: no photo picker or model sidebar (the Class quiz)


PAGES = (
    PageEntry(
        "Explain",
        "pages/explain.py",
        "Grad-CAM",
        ":material/visibility:",
        "Grad-CAM: what is the network looking at?",
    ),
    PageEntry(
        "Classroom",
        "pages/how_it_works.py",
        "How Grad-CAM works",
        ":material/school:",
        "How Grad-CAM works, step by step",
    ),
    PageEntry(
        "Classroom",
        "pages/layers.py",
        "Layers",
        ":material/layers:",
        "Layers: from edges to objects",
    ),
    PageEntry(
        "Classroom",
        "pages/classes.py",
        "Classes",
        ":material/category:",
        "Classes: one photo, a map for each answer",
    ),
    PageEntry(
        "Classroom",
        "pages/methods.py",
        "Methods",
        ":material/science:",
        f"Methods: one photo, {len(CAM_METHODS)} ways to draw the map",
    ),
    PageEntry(
        "Classroom",
        "pages/quiz.py",
        "Class quiz",
        ":material/quiz:",
        "Class quiz: can people tell what the map shows?",
        shared_controls=False,
    ),
    PageEntry(
        "Check",
        "pages/trust_lab.py",
        "Trust lab",
        ":material/verified:",
        "Trust lab: should you believe this heatmap?",
    ),
    PageEntry(
        "Check",
        "pages/dataset.py",
        "Dataset",
        ":material/dataset:",
        "Dataset: right for the right reasons?",
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

navigation: dict[str, list] = {}
for entry in PAGES:
    page_object = st.Page(entry.path, title=entry.title, icon=entry.icon, default=entry is PAGES[0])
    navigation.setdefault(entry.section, []).append(page_object)
page = st.navigation(navigation)
st.html(NARROW_SCREEN_CSS)
st.sidebar.title("Grad-CAM Explorer")
current = next(entry for entry in PAGES if entry.title == page.title)
st.title(current.heading)
if current.shared_controls:
    controls.sidebar()
page.run()
memory.trim_after_growth()  # what a heavy step freed goes back to the system
