"""The gallery: every image's overlay, sorted by a measure, filtered by class, outcome or a
confusion-matrix cell; a click opens that photo on the Grad-CAM page."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from gradcam_core.dataset_audit import AuditResult, Dataset

from .. import handover
from ..i18n import _
from . import texts
from .confusion import Cell

PAGE = 24  # thumbnails per "Show more"
COLUMNS = 6
THUMBNAIL_WIDTH = 150
_SHOWN = "_dataset_shown"
# Phones stack columns one per row; the gallery keeps two thumbnails side by side there.
PHONE_CSS = """
<style>
  @media (max-width: 640px) {
    .st-key-dataset_gallery [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
    .st-key-dataset_gallery [data-testid="stColumn"] {
      flex: 1 1 calc(50% - 1rem) !important; min-width: calc(50% - 1rem) !important;
    }
  }
</style>
"""


def sort_options(table: pd.DataFrame) -> list[str]:
    """The measures to sort by; the box's only when some image has a box."""
    options = list(texts.SORTS)
    if table.empty or "box_mass" not in table or not table["box_mass"].notna().any():
        options.remove("box_mass")
    return options


def outcome(row: dict[str, Any]) -> str:
    if row.get("correct") is None or (
        isinstance(row["correct"], float) and math.isnan(row["correct"])
    ):
        return "unlabelled"
    return "correct" if bool(row["correct"]) else "wrong"


def filtered(
    table: pd.DataFrame, true_class: str | None, wanted: str, cell: Cell | None
) -> pd.DataFrame:
    """The explained images of a class, an outcome and a confusion cell (None: any)."""
    rows = table[table["error"] == ""]
    if cell is not None:
        return rows[(rows["true_name"] == cell[0]) & (rows["predicted_name"] == cell[1])]
    if true_class is not None:
        rows = rows[rows["true_name"] == true_class]
    if wanted != "all":
        rows = rows[[outcome(r) == wanted for r in rows.to_dict("records")]]
    return rows


def ordered(rows: pd.DataFrame, measure: str, wrong_first: bool) -> pd.DataFrame:
    """Sorted by the measure (its natural direction, NaN last), wrong predictions first if asked."""
    _, descending = texts.SORTS[measure]
    keys, ascending = [measure], [not descending]
    if wrong_first:
        rows = rows.assign(_right=[outcome(r) != "wrong" for r in rows.to_dict("records")])
        keys, ascending = ["_right", measure], [True, not descending]
    return rows.sort_values(keys, ascending=ascending, na_position="last", kind="stable")


def _value_text(row: dict[str, Any], measure: str) -> str:
    if measure == "key":
        return row["key"]
    value = row[measure]
    label = texts.sort_label(measure)
    if isinstance(value, float) and math.isfinite(value):
        return _(texts.CAPTION_VALUE).format(measure=label, value=value)
    return label


def caption(row: dict[str, Any], measure: str) -> str:
    values = {
        "predicted": row["predicted_name"],
        "probability": row["probability"],
        "true": row["true_name"],
        "value": _value_text(row, measure),
    }
    template = {
        "correct": texts.CAPTION_RIGHT,
        "wrong": texts.CAPTION_WRONG,
        "unlabelled": texts.CAPTION_UNLABELLED,
    }[outcome(row)]
    return _(template).format(**values)


def controls(table: pd.DataFrame) -> tuple[str | None, str, str, bool]:
    """Class, outcome, sort and wrong-first pickers; their values."""
    classes = sorted({name for name in table["true_name"] if name})
    first, second = st.columns(2)
    true_class = first.selectbox(
        _(texts.CLASS_FILTER),
        [None, *classes],
        format_func={None: _(texts.ALL_CLASSES), **{name: name for name in classes}}.get,
        key="dataset_class",
    )
    st.session_state.setdefault("dataset_outcome", "all")
    wanted = (
        second.segmented_control(
            _(texts.OUTCOME_FILTER),
            list(texts.OUTCOMES),
            format_func={name: _(shown) for name, shown in texts.OUTCOMES.items()}.get,
            key="dataset_outcome",
        )
        or "all"
    )
    third, fourth = st.columns([2, 1], vertical_alignment="bottom")
    measure = third.selectbox(
        _(texts.SORT_LABEL),
        sort_options(table),
        format_func={name: texts.sort_label(name) for name in texts.SORTS}.get,
        key="dataset_sort",
    )
    wrong_first = fourth.toggle(_(texts.WRONG_FIRST), key="dataset_wrong_first")
    return true_class, wanted, measure, wrong_first


def _show_more() -> None:
    st.session_state[_SHOWN] = st.session_state.get(_SHOWN, PAGE) + PAGE


def section(result: AuditResult, table: pd.DataFrame, dataset: Dataset, cell: Cell | None) -> None:
    """Pickers, then the thumbnails with their captions and Open buttons."""
    st.subheader(_(texts.GALLERY_TITLE))
    true_class, wanted, measure, wrong_first = controls(table)
    if cell is not None:
        st.info(_(texts.CONFUSION_FILTER).format(true=cell[0], predicted=cell[1]))
    rows = ordered(filtered(table, true_class, wanted, cell), measure, wrong_first)
    shown = min(len(rows), st.session_state.get(_SHOWN, PAGE))
    st.caption(texts.shown(shown, len(rows), texts.sort_label(measure)))
    records = rows.head(shown).to_dict("records")
    st.html(PHONE_CSS)
    grid = st.container(key="dataset_gallery")
    for start in range(0, len(records), COLUMNS):
        columns = grid.columns(COLUMNS)
        for column, row in zip(columns, records[start : start + COLUMNS], strict=False):
            _thumbnail(column, result, dataset, row, measure)
    if shown < len(rows):
        st.button(
            _(texts.MORE).format(count=min(PAGE, len(rows) - shown)),
            key="dataset_more",
            on_click=_show_more,
        )
    errors = table[table["error"] != ""]
    if len(errors):
        with st.expander(_(texts.ERRORS_TITLE).format(count=len(errors))):
            for row in errors.to_dict("records"):
                st.caption(_(texts.CAPTION_ERROR).format(key=row["key"], error=row["error"]))


def _thumbnail(column, result: AuditResult, dataset: Dataset, row: dict[str, Any], measure: str):
    kept = result.results.get(row["id"])
    if kept is None or not kept.thumbnail:
        return
    column.image(
        kept.thumbnail,
        width=THUMBNAIL_WIDTH,
        caption=caption(row, measure),
        alt=_(texts.ALT).format(key=row["key"], predicted=row["predicted_name"]),
    )
    column.button(
        _(texts.OPEN),
        icon=":material/open_in_new:",
        key=f"dataset_open_{row['id']}",
        help=_(texts.OPEN_HELP),
        on_click=_open,
        args=(dataset, row["key"]),
    )


def _open(dataset: Dataset, key: str) -> None:
    """In the click's callback: a switch from the page's body would lose the sidebar's state."""
    handover.open_on_grad_cam_page(dataset.read(key), key)
