"""Grad-CAM Explorer (`streamlit run app.py`): page setup, the shared sidebar, navigation."""

from __future__ import annotations

import streamlit as st

from app_ui import controls

st.set_page_config(page_title="Grad-CAM Explorer", page_icon=":material/visibility:", layout="wide")

PAGES = {
    "Explain": [
        st.Page("pages/explain.py", title="Grad-CAM", icon=":material/visibility:", default=True),
    ],
    "Classroom": [
        st.Page("pages/how_it_works.py", title="How Grad-CAM works", icon=":material/school:"),
        st.Page("pages/layers.py", title="Layers", icon=":material/layers:"),
        st.Page("pages/classes.py", title="Classes", icon=":material/category:"),
        st.Page("pages/methods.py", title="Methods", icon=":material/science:"),
    ],
    "Check": [
        st.Page("pages/trust_lab.py", title="Trust lab", icon=":material/verified:"),
    ],
}

page = st.navigation({section: pages for section, pages in PAGES.items() if pages})
st.sidebar.title("Grad-CAM Explorer")
controls.sidebar()
page.run()
