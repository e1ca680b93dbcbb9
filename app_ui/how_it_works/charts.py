"""The tables and charts of "How Grad-CAM works": the top-k with both scores, the sorted alpha_k."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from gradcam_core import walkthrough
from gradcam_core.drawing import walkthrough as figures

from ..controls import Selection
from ..i18n import _


def weights_chart(weights: np.ndarray, presenter: bool) -> alt.Chart:
    """alpha_k sorted, one bar per channel: red for > 0, blue for < 0; hover shows k."""
    ordered = walkthrough.sort_weights(weights)
    for_class, against = _("α > 0: for the class"), _("α < 0: against it")
    frame = pd.DataFrame(
        {
            "rank": np.arange(ordered.values.size),
            "channel k": ordered.channels,
            "alpha_k": ordered.values,
            "sign": np.where(ordered.values >= 0, for_class, against),
        }
    )
    font = 16 if presenter else 12
    return (
        alt.Chart(frame)
        .mark_bar(width=max(1.0, 700 / max(1, ordered.values.size)))
        .encode(
            x=alt.X(
                "rank:Q",
                title=_("channels, sorted by α_k"),
                axis=alt.Axis(labels=False, ticks=False, grid=False),
                scale=alt.Scale(domain=[-0.5, ordered.values.size - 0.5], nice=False, zero=False),
            ),
            y=alt.Y("alpha_k:Q", title="α_k"),
            color=alt.Color(
                "sign:N",
                scale=alt.Scale(
                    domain=[for_class, against],
                    range=[figures.POSITIVE_COLOR, figures.NEGATIVE_COLOR],
                ),
                legend=alt.Legend(title=None, orient="top", labelFontSize=font),
            ),
            tooltip=["channel k:Q", alt.Tooltip("alpha_k:Q", format="+.4g")],
        )
        .properties(height=320 if presenter else 240)
        .configure_axis(labelFontSize=font, titleFontSize=font)
    )


def predictions_table(selection: Selection) -> pd.DataFrame:
    """The top-k with both scores: logit z_c and softmax p_c; the explained class is marked."""
    return pd.DataFrame(
        {
            _("class"): [
                ("▶ " if p.index == selection.target else "") + f"{p.name} ({p.index})"
                for p in selection.predictions
            ],
            "logit z_c": [p.logit for p in selection.predictions],
            "softmax p_c": [p.probability for p in selection.predictions],
        }
    )
