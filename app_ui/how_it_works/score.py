"""Step 1: the forward pass and the class score y^c, logit against softmax (why the logit)."""

from __future__ import annotations

import streamlit as st

from .. import widgets
from ..i18n import _, language
from . import cached, charts
from .view import StepView


def _how_probabilities(view: StepView) -> str:
    """How this model turns logits into probabilities, in a phrase."""
    classifier = view.selection.classifier
    if classifier.head != "sigmoid":
        return _("softmax turns the logits into probabilities p_c")
    if classifier.is_binary:
        return _(
            "a sigmoid turns each logit into a probability p_c = 1 / (1 + e^(−z_c)) (this "
            "binary model's two classes score z and −z)"
        )
    return _("a sigmoid turns each logit into a probability p_c = 1 / (1 + e^(−z_c))")


def _score_formula(sigmoid: bool) -> str:
    word = _("or")
    return rf"y^c = z_c\ \ \text{{(logit)}}\qquad\text{{{word}}}\qquad " + (
        r"y^c = p_c = \frac{1}{1+e^{-z_c}}\ \ \text{(sigmoid)}"
        if sigmoid
        else r"y^c = p_c = \frac{e^{z_c}}{\sum_j e^{z_j}}\ \ \text{(softmax)}"
    )


def section(view: StepView) -> None:
    """The top-k with logits and probabilities, both gradients' sizes, and the softmax curve."""
    selection, scores = view.selection, view.walk.scores
    st.subheader(_("1 · Forward pass: the class score yᶜ"))
    st.markdown(
        _(
            "The photo goes through the network once. At the end each of the {count} classes "
            "has a **logit** z_c (a raw score); {probabilities}. Grad-CAM explains one number "
            "yᶜ. The paper uses the logit, the score *before* the probability. Here is why."
        ).format(count=len(selection.classifier.labels), probabilities=_how_probabilities(view))
    )
    widgets.predictions_bar(selection)
    left, right = view.two_columns()
    with left:
        st.dataframe(
            charts.predictions_table(selection),
            hide_index=True,
            column_config={
                "logit z_c": st.column_config.NumberColumn(format="%.3f"),
                "softmax p_c": st.column_config.ProgressColumn(
                    format="percent", min_value=0.0, max_value=1.0
                ),
            },
        )
        st.latex(_score_formula(selection.classifier.head == "sigmoid"))
        logit_column, softmax_column = st.columns(2)
        logit_column.metric("logit z_c", f"{scores.logit:.3f}")
        logit_column.metric(_("gradient size ‖∂z_c/∂A‖"), f"{scores.logit_gradient_norm:.4g}")
        softmax_column.metric("softmax p_c", f"{scores.probability:.1%}")
        softmax_column.metric(
            _("gradient size ‖∂p_c/∂A‖"),
            f"{scores.softmax_gradient_norm:.4g}",
            delta=_("× {ratio:.2f} of the logit's").format(ratio=scores.norm_ratio),
            delta_color="off",
            delta_arrow="off",
        )
    with right:
        st.image(
            cached.softmax_png(view.key, view.scale, language(), view.walk.logits),
            alt=view.alt(_("The softmax probability of the class as a function of its logit")),
            caption=_(
                "Softmax as a function of this class's logit, the other logits fixed: an S "
                "curve, flat at both ends. Where it is flat, small changes in the photo barely "
                "move p_c, so its gradient is tiny."
            ),
        )
    st.latex(
        r"\frac{\partial p_c}{\partial A} = p_c\Big(\frac{\partial z_c}{\partial A}"
        r" - \sum_j p_j \frac{\partial z_j}{\partial A}\Big),\qquad"
        rf"\frac{{\partial p_c}}{{\partial z_c}} = p_c(1-p_c) = {scores.slope:.3f}"
    )
    st.markdown(
        _(
            "Through softmax the gradient is **{ratio:.2f}×** the logit's here. It shrinks "
            "towards 0 when the model is very sure (p_c → 1) or sure it is not this class "
            "(p_c → 0): softmax **saturates**. It also mixes in the other classes' gradients "
            "(the Σ_j term), so the map would partly show evidence *against the rival classes*. "
            "The logit's gradient is about this class alone. Switch *Score yᶜ* in the sidebar to "
            "compare."
        ).format(ratio=scores.norm_ratio)
    )
