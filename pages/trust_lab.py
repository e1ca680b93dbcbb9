"""Trust lab: is the Grad-CAM map faithful to the model, sane, and on the object?"""

from __future__ import annotations

import streamlit as st

from app_ui import cache, controls
from app_ui.i18n import _
from app_ui.trust_lab import faithfulness, hiding, intro, localization, sanity

selection = controls.current()
st.markdown(_(intro.INTRO))
if selection is None:
    st.stop()

result, _unused = cache.grad_cam(selection.map_key, selection.photo.image)
intro.headline(selection, result)

st.header(_("1. Faithfulness: delete or insert the map's pixels"))
substrate = faithfulness.section(selection, result.normalized)
st.subheader(_("Hide the top of the map"))
hiding.section(selection, result.normalized, substrate)

st.header(_("2. Sanity check: scramble the model, top layer first"))
sanity.section(selection)

st.header(_("3. Localization: does the map fall on the object?"))
localization.section(selection, result.normalized)
