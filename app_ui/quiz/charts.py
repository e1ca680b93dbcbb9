"""The quiz's Altair charts: accuracy per method and trust per method, each beside the paper.

One row per method: a bar for the class (or the person alone), a black line for its 95 %
interval, a blue diamond at the paper's figure, and a dashed rule at chance (50 %) or at 0 (no
preference between the models).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import altair as alt
import pandas as pd

from gradcam_core.quiz import METHODS, Interval, reference

from ..i18n import _
from . import messages as m

OURS, PAPER = "#d6452a", "#1d3557"


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def table(
    results: dict[str, Interval],
    methods: tuple[str, ...],
    paper: Callable[[str], float | None],
) -> pd.DataFrame:
    """One row per method: estimate, interval, answers and the paper's figure (None if none)."""
    rows = []
    for method in methods:
        interval = results.get(method)
        known = interval is not None and not interval.empty
        rows.append(
            {
                "method": METHODS[method].title,
                "estimate": interval.estimate if known else None,
                "low": _finite(interval.low) if known else None,
                "high": _finite(interval.high) if known else None,
                "n": interval.n if known else 0,
                "paper": paper(method),
            }
        )
    return pd.DataFrame(rows)


def paper_trust(method: str) -> float | None:
    found = reference.TRUST.get(method)
    return None if found is None else found.mean_score


def _chart(
    data: pd.DataFrame, domain: list[float], baseline: float, axis: str, fmt: str, presenter: bool
) -> alt.LayerChart:
    size = 17 if presenter else 12
    scale = alt.Scale(domain=domain)
    base = alt.Chart(data).encode(y=alt.Y("method:N", title=None, sort=list(data["method"])))
    tooltip = [
        alt.Tooltip("method:N", title=_(m.TABLE_METHOD)),
        alt.Tooltip("estimate:Q", format=".2f", title=_(m.CHART_ESTIMATE)),
        alt.Tooltip("low:Q", format=".2f", title=_(m.CHART_LOW)),
        alt.Tooltip("high:Q", format=".2f", title=_(m.CHART_HIGH)),
        alt.Tooltip("n:Q", title=_(m.TABLE_ANSWERS)),
        alt.Tooltip("paper:Q", format=".2f", title=_(m.TABLE_PAPER)),
    ]
    bars = base.mark_bar(color=OURS, opacity=0.85).encode(
        x=alt.X("estimate:Q", title=axis, scale=scale, axis=alt.Axis(format=fmt)),
        x2=alt.X2(datum=0),
        tooltip=tooltip,
    )
    whiskers = base.mark_rule(color="#222", strokeWidth=2.5).encode(
        x=alt.X("low:Q", scale=scale), x2="high:Q"
    )
    diamonds = base.mark_point(shape="diamond", size=170, filled=True, opacity=1).encode(
        x=alt.X("paper:Q", scale=scale), color=alt.value(PAPER), tooltip=tooltip
    )
    rule = (
        alt.Chart(pd.DataFrame({"x": [baseline]}))
        .mark_rule(strokeDash=[5, 4], color="#777")
        .encode(x=alt.X("x:Q", scale=scale))
    )
    layered = alt.layer(rule, bars, whiskers, diamonds).properties(height=max(150, 52 * len(data)))
    return layered.configure_axis(labelFontSize=size, titleFontSize=size + 1, labelLimit=0)


def accuracy_chart(
    results: dict[str, Interval], methods: tuple[str, ...], presenter: bool = False
) -> alt.LayerChart:
    """Share of right answers per method (bars, Wilson intervals) and the paper's (diamonds)."""
    data = table(results, methods, reference.expected_accuracy)
    return _chart(data, [0.0, 1.0], reference.CHANCE_ACCURACY, _(m.ACCURACY_AXIS), ".0%", presenter)


def trust_chart(
    results: dict[str, Interval], methods: tuple[str, ...], presenter: bool = False
) -> alt.LayerChart:
    """Mean rating for the stronger model per method (t intervals) and the paper's (diamonds)."""
    data = table(results, methods, paper_trust)
    return _chart(data, [-2.0, 2.0], 0.0, _(m.TRUST_AXIS), ".1f", presenter)
