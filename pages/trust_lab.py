"""Trust lab: is the Grad-CAM map faithful to the model, sane, and on the object?"""

from __future__ import annotations

import streamlit as st

from app_ui import cache, controls, trust

selection = controls.current()
st.markdown(trust.INTRO)
if selection is None:
    st.stop()

result, _ = cache.grad_cam(selection.map_key, selection.photo.image)
trust.headline(selection, result)

st.header("1. Faithfulness: delete or insert the map's pixels")
substrate = trust.faithfulness_section(selection, result.normalized)
st.subheader("Hide the top of the map")
trust.hide_section(selection, result.normalized, substrate)

st.header("2. Sanity check: scramble the model, top layer first")
trust.sanity_section(selection)

st.header("3. Localization: does the map fall on the object?")
trust.localization_section(selection, result.normalized)
