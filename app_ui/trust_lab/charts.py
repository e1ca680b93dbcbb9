"""The Trust lab's Altair charts: deletion and insertion curves, and the cascade's similarities."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

import gradcam_core.metrics as gm

from ..i18n import _

CASCADE_COLORS = ("#e4572e", "#f4a259", "#3a86ff", "#8ecae6")


def _configured(chart, presenter: bool):
    size = 17 if presenter else 12
    return chart.configure_axis(labelFontSize=size, titleFontSize=size + 1).configure_legend(
        labelFontSize=size, titleFontSize=size, labelLimit=0
    )


def chart_height(presenter: bool) -> int:
    """Pixels for a chart with its legend on top (Streamlit sizes the whole chart)."""
    return 520 if presenter else 380


def curve_chart(
    kind: str,
    curves: dict[str, gm.Curve],
    class_label: str,
    presenter: bool,
    colors: dict[str, str],
    solid: str,
    shown=lambda label: label,
):
    """The curves of one kind, one line per map (``solid`` drawn solid), each AUC in the legend
    (``shown`` gives a map's label as the page says it)."""
    names = {label: f"{shown(label)}: AUC {curve.auc:.3f}" for label, curve in curves.items()}
    rows = [
        {"percent": 100 * f, "p": s, "map": names[label]}
        for label, curve in curves.items()
        for f, s in zip(curve.fractions, curve.scores, strict=True)
    ]
    title = (
        _("pixels removed, most important first (%)")
        if kind == "deletion"
        else _("pixels inserted, most important first (%)")
    )
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=alt.OverlayMarkDef(size=16))
        .encode(
            x=alt.X("percent:Q", title=title),
            y=alt.Y("p:Q", title=f"p({class_label})"),
            color=alt.Color(
                "map:N",
                title=None,
                scale=alt.Scale(
                    domain=list(names.values()), range=[colors[label] for label in names]
                ),
                legend=alt.Legend(orient="top", columns=2),
            ),
            strokeDash=alt.condition(
                alt.datum.map == names[solid], alt.value([1, 0]), alt.value([5, 3])
            ),
            tooltip=[
                alt.Tooltip("map:N", title=_("map")),
                alt.Tooltip("percent:Q", format=".0f"),
                alt.Tooltip("p:Q", format=".3f"),
            ],
        )
    )
    return _configured(chart, presenter)


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def cascade_chart(result: gm.CascadeResult, presenter: bool):
    """Spearman and SSIM of each step's map with the original; the edge map's stay at 1."""
    original = _("original")
    names = [original, *result.names]
    edges = _("Edges")
    series = {
        "Grad-CAM: Spearman ρ": result.spearman,
        "Grad-CAM: SSIM": result.ssim,
        f"{edges}: Spearman ρ": result.edge_spearman,
        f"{edges}: SSIM": result.edge_ssim,
    }
    rows = [
        {"step": name, "measure": measure, "value": _finite_or_none(value)}
        for measure, values in series.items()
        for name, value in zip(names, [1.0, *values], strict=True)
    ]
    x = alt.X("step:N", sort=names, title=_("randomized down to (cumulative, top layer first)"))
    lines = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y(
                "value:Q",
                title=_("similarity to the original map"),
                scale=alt.Scale(domain=[-1, 1]),
            ),
            color=alt.Color(
                "measure:N",
                title=None,
                scale=alt.Scale(domain=list(series), range=list(CASCADE_COLORS)),
                legend=alt.Legend(orient="top", columns=4),
            ),
            strokeDash=alt.condition(
                f"indexof(datum.measure, '{edges}') == 0", alt.value([5, 3]), alt.value([1, 0])
            ),
            tooltip=["step:N", "measure:N", alt.Tooltip("value:Q", format=".3f")],
        )
    )
    empty = pd.DataFrame(
        {"step": [s.name for s in result.steps if s.empty], "value": 0.0, "note": _("empty map")}
    )
    crosses = (
        alt.Chart(empty)
        .mark_point(shape="cross", size=140, color="#d00000", filled=True)
        .encode(x=x, y="value:Q", tooltip=["step:N", "note:N"])
    )
    return _configured(lines + crosses, presenter)
