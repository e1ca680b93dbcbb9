"""The "How Grad-CAM works" page through AppTest: every step, pass counts, presenter mode; and
the sidebar's choices surviving a page switch."""

from __future__ import annotations

import pytest
from apptest_support import count_core_calls, picker_values, switch_to

pytestmark = pytest.mark.slow


def _sidebar_values(session) -> dict:
    values = picker_values(session)
    values["score"] = session.sidebar.radio(key="score").value
    values["opacity"] = session.sidebar.slider(key="opacity").value
    values["presenter"] = session.sidebar.toggle(key="presenter").value
    return values


HOW = "pages/how_it_works.py"
LAYERS = "pages/layers.py"


def test_how_it_works_shows_every_step(app):
    switch_to(app, HOW)
    steps = [s.value for s in app.main.subheader]
    assert [s.split(" · ")[0] for s in steps] == [str(i) for i in range(1, 9)]
    assert len(app.main.image) >= 10  # softmax curve, channels, partial sums, ReLU, ... overlay
    assert len(app.latex) >= 10
    assert len(app.get("vega_lite_chart")) == 1  # the alpha_k bars
    assert len(app.dataframe) == 1  # the top-5 with logits and probabilities
    labels = [m.label for m in app.metric]
    assert "gradient size ‖∂z_c/∂A‖" in labels and "gradient size ‖∂p_c/∂A‖" in labels
    assert "cells set to 0" in labels
    # at top_relu the head pools right away: the page says the gradient is spatially constant
    assert any("same gradient" in i.value for i in app.info)
    # the real numbers appear in the formulas: Z = 7 x 7 = 49 cells at top_relu
    assert any("Z = h\\cdot w = 49" in latex.value for latex in app.latex)


def test_how_it_works_reuses_the_forward_pass_and_computes_both_scores_once(app, monkeypatch):
    calls = count_core_calls(monkeypatch)
    switch_to(app, HOW)
    assert calls["forward"] == 0  # the sidebar's cached forward pass
    assert calls["class_gradients"] == 2  # logit and softmax, head only
    assert calls["layer_grad_cams"] == 0
    app.sidebar.radio(key="score").set_value("softmax").run()
    app.segmented_control(key="how_channels").set_value(16).run()
    app.sidebar.selectbox(key="cmap").set_value("viridis").run()
    assert not app.exception
    assert sum(calls.values()) == 2  # both scores were already there


def test_how_it_works_at_an_early_layer(app):
    app.sidebar.selectbox(key="layer").set_value("block3b_add").run()
    switch_to(app, HOW)
    assert not any("same gradient" in i.value for i in app.info)
    assert any("Z = h\\cdot w = 784" in latex.value for latex in app.latex)
    assert any("28×28 cells" in m.value for m in app.main.markdown)


def test_how_it_works_in_presenter_mode(app):
    switch_to(app, HOW)
    columns = len(app.main.columns)
    images = len(app.main.image)
    app.sidebar.toggle(key="presenter").set_value(True).run()
    assert not app.exception
    assert len(app.main.image) == images
    assert len(app.main.columns) < columns  # stacked: fewer, wider columns
    assert len(app.get("vega_lite_chart")) == 1


def test_the_top_k_pills_switch_the_class_here_too(app):
    switch_to(app, HOW)
    app.button_group(key="top_pick").set_value(504).run()
    assert app.sidebar.selectbox(key="target").value == 504
    assert "coffee mug" in app.main.caption[0].value


def test_switching_pages_keeps_the_sidebar_selections(app):
    app.selectbox(key="sample").set_value("coffee").run()
    app.sidebar.selectbox(key="layer").set_value("block5c_add").run()
    app.sidebar.selectbox(key="target").set_value(968).run()
    app.sidebar.radio(key="score").set_value("softmax").run()
    app.sidebar.selectbox(key="cmap").set_value("jet").run()
    app.sidebar.slider(key="opacity").set_value(0.3).run()
    chosen = _sidebar_values(app)
    for page in (HOW, LAYERS, "pages/explain.py", LAYERS):
        switch_to(app, page)
        assert _sidebar_values(app) == chosen, page
    assert "cup" in app.main.caption[0].value and "softmax" in app.main.caption[0].value
