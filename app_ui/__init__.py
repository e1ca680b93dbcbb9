"""Streamlit glue shared by the app's pages: cached calls into gradcam_core and the sidebar.

No Grad-CAM math lives here; it only decides what to compute, caches it and lays it out.
"""
