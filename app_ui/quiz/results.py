"""Results beside the paper's: per-method tables and charts (for one person or a class), and the
items from hardest to easiest."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gradcam_core.quiz import METHODS, Item, RoomDesign, Summary, reference

from ..i18n import _
from . import charts
from . import messages as m
from .item_view import model_title, shown_words


def _percent(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * value:.0f} %"


def _span(low: float | None, high: float | None, percent: bool) -> str:
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    if percent:
        return f"{100 * low:.0f}–{100 * high:.0f} %"
    return _(m.TABLE_SPAN).format(low=low, high=high)


def _spans(data: pd.DataFrame, percent: bool) -> list[str]:
    return [_span(lo, hi, percent) for lo, hi in zip(data["low"], data["high"], strict=True)]


def _paper_accuracy(method: str) -> str:
    if method in reference.DISCRIMINATION:
        return _percent(reference.DISCRIMINATION[method].accuracy)
    figure = m.PAPER_CHANCE if method == "eigencam" else m.PAPER_NONE
    return _(figure)


def _paper_trust(method: str) -> str:
    found = charts.paper_trust(method)
    return _(m.PAPER_NONE) if found is None else f"{found:+.2f}"


def accuracy_table(summary: Summary, methods: tuple[str, ...]) -> pd.DataFrame:
    data = charts.table(summary.accuracy, methods, reference.expected_accuracy)
    return pd.DataFrame(
        {
            _(m.TABLE_METHOD): data["method"],
            _(m.TABLE_ANSWERS): data["n"],
            _(m.TABLE_ACCURACY): [_percent(v) for v in data["estimate"]],
            _(m.TABLE_INTERVAL): _spans(data, percent=True),
            _(m.TABLE_PAPER): [_paper_accuracy(method) for method in methods],
        }
    )


def trust_table(summary: Summary, methods: tuple[str, ...]) -> pd.DataFrame:
    data = charts.table(summary.trust, methods, charts.paper_trust)
    return pd.DataFrame(
        {
            _(m.TABLE_METHOD): data["method"],
            _(m.TABLE_ANSWERS): data["n"],
            _(m.TABLE_MEAN): ["" if pd.isna(v) else f"{v:+.2f}" for v in data["estimate"]],
            _(m.TABLE_INTERVAL): _spans(data, percent=False),
            _(m.TABLE_PAPER): [_paper_trust(method) for method in methods],
        }
    )


def _study(title: str, chart, alt: str, legend: str, table: pd.DataFrame) -> None:
    st.subheader(_(title))
    st.altair_chart(chart, alt=_(alt))
    st.caption(_(legend))
    # a table of text (not a data grid): readable on a projector, and the page's own text
    st.table(table, hide_index=True)


def show(summary: Summary, design: RoomDesign, presenter: bool = False) -> None:
    """Both studies' results with charts and tables, or a line when nothing is answered yet."""
    if summary.answers == 0:
        st.info(_(m.NO_ANSWERS_YET))
        return
    if design.discrimination_methods and summary.discrimination_answers:
        methods = design.discrimination_methods
        chart = charts.accuracy_chart(summary.accuracy, methods, presenter)
        _study(
            m.ACCURACY_TITLE,
            chart,
            m.CHART_ALT,
            m.ACCURACY_LEGEND,
            accuracy_table(summary, methods),
        )
    if design.trust_methods and summary.trust:
        chart = charts.trust_chart(summary.trust, design.trust_methods, presenter)
        _study(
            m.TRUST_TITLE,
            chart,
            m.TRUST_CHART_ALT,
            m.TRUST_LEGEND,
            trust_table(summary, design.trust_methods),
        )
    stronger, weaker = design.trust_models
    st.caption(
        _(m.RESULTS_NOTE).format(
            discrimination_model=model_title(design.discrimination_model),
            stronger=model_title(stronger),
            weaker=model_title(weaker),
        )
    )


def difficulty(summary: Summary, items: dict[int, Item]) -> None:
    """The class-discrimination items, hardest first (as a table of text)."""
    rows = [
        {
            _(m.DIFFICULTY_ITEM): row.item,
            _(m.TABLE_METHOD): METHODS[item.method].title,
            _(m.DIFFICULTY_PHOTO): shown_words(item, item.photo_title),
            _(m.DIFFICULTY_SHOWN): shown_words(item, item.labels[item.truth or 0]),
            _(m.TABLE_ANSWERS): row.answers,
            _(m.DIFFICULTY_RIGHT): _percent(row.share_correct),
        }
        for row, item in ((row, items[row.item]) for row in summary.difficulty)
    ]
    if rows:
        st.subheader(_(m.DIFFICULTY_TITLE))
        st.dataframe(pd.DataFrame(rows), hide_index=True)
