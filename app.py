"""Grad-CAM Explorer (`streamlit run app.py`): page setup, the shared sidebar, navigation."""

from __future__ import annotations

import streamlit as st

from app_ui import controls

st.set_page_config(page_title="Grad-CAM Explorer", page_icon="🔍", layout="wide")

PAGES = {
    "Explain": [
        st.Page("pages/explain.py", title="Grad-CAM", icon="🔍", default=True),
    ],
    "Classroom": [],
    "Check": [],
}

page = st.navigation({section: pages for section, pages in PAGES.items() if pages})
st.sidebar.title("Grad-CAM Explorer")
controls.sidebar()
page.run()
