"""The audit at a glance: accuracy, per class, the notes, downloads, the lesson's figures."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from gradcam_core.dataset_audit import AuditResult, lesson
from gradcam_core.dataset_audit.output import json_ready, table_frame

from . import texts


def frame(result: AuditResult) -> pd.DataFrame:
    """The audit's rows as a table (one row per image, the dataset's order)."""
    return table_frame(result.rows)


def overview(result: AuditResult, seconds_shown: bool = True) -> None:
    """Three numbers, the engine's notes, and the per-class table."""
    summary = result.summary
    images, accuracy, errors = st.columns(3)
    images.metric(texts.SUMMARY_IMAGES, summary["images"])
    if summary["accuracy"] is None:
        accuracy.metric(texts.SUMMARY_ACCURACY, texts.NO_LABELS)
    else:
        accuracy.metric(
            texts.SUMMARY_ACCURACY,
            texts.ACCURACY_VALUE.format(accuracy=summary["accuracy"], labelled=summary["labelled"]),
        )
    errors.metric(texts.SUMMARY_ERRORS, summary["errors"])
    for note in result.notes:
        st.caption(note)
    if seconds_shown:
        st.caption(texts.FINISHED.format(total=summary["images"], seconds=result.seconds))
    if summary["per_class"]:
        rows = [
            {
                "class": name,
                "images": entry["images"],
                "correct": entry["correct"],
                "accuracy": entry["accuracy"],
                "median mass in a corner": entry["median"]["corner_mass"],
                "median spread": entry["median"]["spread"],
            }
            for name, entry in summary["per_class"].items()
        ]
        st.markdown(f"**{texts.PER_CLASS}**")
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            column_config={
                "accuracy": st.column_config.ProgressColumn(format="percent", min_value=0.0),
                "median mass in a corner": st.column_config.NumberColumn(format="%.2f"),
                "median spread": st.column_config.NumberColumn(format="%.2f"),
            },
        )


def lesson_figures(result: AuditResult) -> None:
    """Cat accuracy on the held-out photos with and without the mark."""
    shares = {}
    for marked in (True, False):
        group = [
            r
            for r in result.rows
            if r["true_name"] == lesson.MARKED_CLASS and lesson.is_marked(r["key"]) == marked
        ]
        shares[marked] = sum(bool(r["correct"]) for r in group) / max(len(group), 1)
    model = st.session_state.get("dataset_lesson_model", "biased")
    st.markdown(
        texts.LESSON_ACCURACY.format(
            marked=f"**{shares[True]:.0%}**", plain=f"**{shares[False]:.0%}**", model=model
        )
    )


def downloads(result: AuditResult, table: pd.DataFrame, name: str) -> None:
    """The table as CSV and the summary as JSON."""
    stem = name.rsplit(".", 1)[0] or "audit"
    left, right = st.columns(2)
    left.download_button(
        texts.DOWNLOAD_TABLE,
        table.to_csv(index=False).encode("utf-8"),
        file_name=f"{stem} audit.csv",
        mime="text/csv",
        icon=":material/table:",
        key="dataset_download_table",
    )
    right.download_button(
        texts.DOWNLOAD_SUMMARY,
        json.dumps(json_ready(result.summary), indent=2).encode("utf-8"),
        file_name=f"{stem} summary.json",
        mime="application/json",
        icon=":material/data_object:",
        key="dataset_download_summary",
    )
