"""The audit at a glance: accuracy, per class, the notes, downloads, the lesson's figures."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from gradcam_core.dataset_audit import AuditResult, lesson
from gradcam_core.dataset_audit.output import json_ready, table_frame

from ..i18n import _, render
from . import texts


def frame(result: AuditResult) -> pd.DataFrame:
    """The audit's rows as a table (one row per image, the dataset's order), each error in the
    run's language (the result is shared by sessions in other languages)."""
    table = table_frame(result.rows)
    if len(table):
        table["error"] = [error_text(result, row) for row in result.rows]
    return table


def error_text(result: AuditResult, row: dict) -> str:
    """A row's error in the run's language ("" for an explained image)."""
    kept = result.results.get(row["id"])
    return kept.error_text() if row["error"] and kept is not None else row["error"]


def summary_json(result: AuditResult) -> dict:
    """The summary, its notes in the run's language."""
    return {**result.summary, "notes": [render(note) for note in result.notes]}


def overview(result: AuditResult, seconds_shown: bool = True) -> None:
    """Three numbers, the engine's notes, and the per-class table."""
    summary = result.summary
    images, accuracy, errors = st.columns(3)
    images.metric(_(texts.SUMMARY_IMAGES), summary["images"])
    if summary["accuracy"] is None:
        accuracy.metric(_(texts.SUMMARY_ACCURACY), _(texts.NO_LABELS))
    else:
        accuracy.metric(
            _(texts.SUMMARY_ACCURACY),
            _(texts.ACCURACY_VALUE).format(
                accuracy=summary["accuracy"], labelled=summary["labelled"]
            ),
        )
    errors.metric(_(texts.SUMMARY_ERRORS), summary["errors"])
    for note in result.notes:
        st.caption(render(note))
    if seconds_shown:
        st.caption(texts.finished(summary["images"], result.seconds))
    if summary["per_class"]:
        column = {key: _(shown) for key, shown in texts.PER_CLASS_COLUMNS.items()}
        rows = [
            {
                column["class"]: name,
                column["images"]: entry["images"],
                column["correct"]: entry["correct"],
                column["accuracy"]: entry["accuracy"],
                column["corner_mass"]: entry["median"]["corner_mass"],
                column["spread"]: entry["median"]["spread"],
            }
            for name, entry in summary["per_class"].items()
        ]
        st.markdown(f"**{_(texts.PER_CLASS)}**")
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            column_config={
                column["accuracy"]: st.column_config.ProgressColumn(
                    format="percent", min_value=0.0
                ),
                column["corner_mass"]: st.column_config.NumberColumn(format="%.2f"),
                column["spread"]: st.column_config.NumberColumn(format="%.2f"),
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
        _(texts.LESSON_ACCURACY).format(
            marked=f"**{shares[True]:.0%}**",
            plain=f"**{shares[False]:.0%}**",
            model=_(texts.LESSON_MODEL_NAMES[model]),
        )
    )


def downloads(result: AuditResult, table: pd.DataFrame, name: str) -> None:
    """The table as CSV and the summary as JSON."""
    stem = name.rsplit(".", 1)[0] or "audit"
    left, right = st.columns(2)
    left.download_button(
        _(texts.DOWNLOAD_TABLE),
        table.to_csv(index=False).encode("utf-8"),
        file_name=f"{stem} audit.csv",
        mime="text/csv",
        icon=":material/table:",
        key="dataset_download_table",
    )
    right.download_button(
        _(texts.DOWNLOAD_SUMMARY),
        json.dumps(json_ready(summary_json(result)), indent=2).encode("utf-8"),
        file_name=f"{stem} summary.json",
        mime="application/json",
        icon=":material/data_object:",
        key="dataset_download_summary",
    )
