"""Dataset: audit a whole zip with the sidebar's model: is it right for the right reasons?"""

from __future__ import annotations

import streamlit as st

from app_ui import controls
from app_ui.dataset import confusion, gallery, results, runner, source, texts
from app_ui.i18n import _

# The shared photo picker explains one photo; this page takes a zip instead.
st.html("<style>.st-key-photo_picker { display: none; }</style>")
selection = controls.current()
st.markdown(_(texts.INTRO))
st.caption(source.caps_text())
source.lesson_controls()
chosen = source.chosen()
if chosen is None or selection is None:
    source.forget()
    st.stop()
if chosen.is_lesson:
    st.subheader(_(texts.LESSON_TITLE))
    st.markdown(_(texts.LESSON_TEXT))
dataset = source.opened(chosen)
if dataset is None:
    st.stop()

st.markdown(_(texts.MODEL_LINE).format(model=selection.title, layer=selection.layer.name))
key = runner.audit_key(chosen, selection)
result = runner.kept(key)
if result is None:
    if not (
        chosen.is_lesson
        or st.button(
            texts.run_button(len(dataset.entries)),
            key="dataset_run",
            type="primary",
            help=_(texts.RUN_HELP),
        )
    ):
        st.stop()
    result = runner.run(key, dataset, selection)

table = results.frame(result)
results.overview(result)
if chosen.is_lesson:
    results.lesson_figures(result)
cell = confusion.section(result.summary["confusion"], key=f"dataset_confusion_{hash(key)}")
st.caption(_(texts.MEASURE_NOTE))
gallery.section(result, table, dataset, cell)
results.downloads(result, table, chosen.name)
