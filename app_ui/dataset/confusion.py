"""The confusion matrix as a chart: click a cell to see its images in the gallery."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from ..i18n import _
from . import texts

Cell = tuple[str, str]  # (true class, predicted class)
SELECTION = "cell"


def matrix_frame(confusion: dict[str, Any]) -> pd.DataFrame:
    """One row per (true, predicted) pair with its count (the summary's matrix, long form),
    without the rows of classes that are only ever predicted (no image is of that class)."""
    labels, matrix = confusion["labels"], confusion["matrix"]
    return pd.DataFrame(
        [
            {"true": labels[i], "predicted": labels[j], "images": int(matrix[i][j])}
            for i in range(len(labels))
            if sum(matrix[i])
            for j in range(len(labels))
        ]
    )


def chart(confusion: dict[str, Any]) -> alt.Chart:
    data = matrix_frame(confusion)
    order = list(confusion["labels"])  # by class index, rows and columns alike
    pick = alt.selection_point(name=SELECTION, fields=["true", "predicted"], on="click")
    base = alt.Chart(data).encode(
        x=alt.X(
            "predicted:N",
            sort=order,
            title=_(texts.CONFUSION_PREDICTED),
            axis=alt.Axis(labelAngle=0, orient="top", labelLimit=140),
        ),
        y=alt.Y("true:N", sort=order, title=_(texts.CONFUSION_TRUE), axis=alt.Axis(labelLimit=140)),
    )
    cells = (
        base.mark_rect(stroke="#888", strokeWidth=0.5)
        .encode(
            color=alt.Color("images:Q", scale=alt.Scale(scheme="blues"), legend=None),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
            tooltip=[
                alt.Tooltip("true:N", title=_(texts.CONFUSION_TRUE)),
                alt.Tooltip("predicted:N", title=_(texts.CONFUSION_PREDICTED)),
                alt.Tooltip("images:Q", title=_(texts.CONFUSION_COUNT)),
            ],
        )
        .add_params(pick)
    )
    numbers = base.mark_text(fontSize=14).encode(
        text="images:Q",
        color=alt.condition(
            alt.datum.images > data["images"].max() / 2, alt.value("white"), alt.value("black")
        ),
    )
    return cells + numbers


def chart_height(classes: int) -> int:
    """Pixels for the chart: a row of about 44 px per class, and room for the axes."""
    return 90 + 44 * max(classes, 2)


def selected_cell(event: Any) -> Cell | None:
    """The clicked (true, predicted) cell of a chart event, or None."""
    try:
        points = event.selection[SELECTION]
    except (AttributeError, KeyError, TypeError):
        return None
    if not points:
        return None
    point = points[0]
    return str(point["true"]), str(point["predicted"])


def section(confusion: dict[str, Any], key: str) -> Cell | None:
    """The chart; the cell the visitor clicked, if any."""
    if not confusion["labels"]:
        return None
    st.markdown(f"**{_(texts.CONFUSION_TITLE)}**")
    event = st.altair_chart(
        chart(confusion),
        key=key,
        on_select="rerun",
        selection_mode=SELECTION,
        width="stretch",
        height=chart_height(sum(1 for row in confusion["matrix"] if sum(row))),
    )
    return selected_cell(event)
