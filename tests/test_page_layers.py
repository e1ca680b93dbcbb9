"""The Layers page through AppTest: one pass for every layer, the scrubber's fragment, filters."""

from __future__ import annotations

import pytest
from apptest_support import count_calls, count_core_calls, fragment_reruns, switch_to

from app_ui.layers import cached

pytestmark = pytest.mark.slow


def _grid_captions(session) -> list[str]:
    return session.main.image[-1].captions


HOW = "pages/how_it_works.py"
LAYERS = "pages/layers.py"


def test_layers_page_uses_one_pass_and_scrubbing_recomputes_nothing(app, monkeypatch):
    calls = count_core_calls(monkeypatch)
    switch_to(app, LAYERS)
    assert calls["layer_grad_cams"] == 1  # every layer's map from one forward + backward pass
    assert calls["forward"] == 0 and calls["class_gradients"] == 0
    assert "all 140 feature-map layers" in app.main.caption[0].value
    slider = app.select_slider(key="layers_scrub")
    assert slider.value == "top_relu"  # starts at the sidebar's layer
    for layer in ("stem_relu", "block3b_add", "block5c_add"):
        app.select_slider(key="layers_scrub").set_value(layer).run()
        assert not app.exception
        assert app.main.image[0].captions[0].startswith(f"{layer}: Grad-CAM")
    app.radio(key="layers_filter").set_value("Every layer").run()
    app.sidebar.slider(key="opacity").set_value(0.7).run()
    assert not app.exception
    assert calls["layer_grad_cams"] == 1 and sum(calls.values()) == 1


def test_layers_page_shows_a_grid_of_small_maps_with_their_resolution(app):
    switch_to(app, LAYERS)
    captions = _grid_captions(app)
    assert len(captions) == 18  # EfficientNet-Lite0's block outputs, stem to top
    assert captions[0] == "3. stem_relu · 112×112"
    assert captions[-1] == "▶ 140. top_relu · 7×7"
    app.radio(key="layers_filter").set_value("Every layer").run()
    assert len(_grid_captions(app)) == 140
    app.radio(key="layers_filter").set_value("One per resolution").run()
    assert [c.split(" · ")[-1] for c in _grid_captions(app)] == [
        "112×112",
        "56×56",
        "28×28",
        "14×14",
        "7×7",
    ]
    app.radio(key="layers_filter").set_value("Every Nth layer").run()
    app.number_input(key="layers_n").set_value(10).run()
    assert len(_grid_captions(app)) == 15  # layers 1, 11, ..., 131 and the last


def test_a_filter_that_hides_the_layer_moves_the_slider_to_the_nearest(app):
    switch_to(app, LAYERS)
    app.radio(key="layers_filter").set_value("Every layer").run()
    app.select_slider(key="layers_scrub").set_value("block5c_expand_conv").run()
    app.radio(key="layers_filter").set_value("Block outputs").run()
    assert not app.exception
    assert app.select_slider(key="layers_scrub").value in ("block5b_add", "block5c_add")


def test_explain_at_this_layer_sets_the_sidebar_layer(app):
    switch_to(app, LAYERS)
    assert not any("has signed activations" in c.value for c in app.main.caption)  # top_relu
    app.select_slider(key="layers_scrub").set_value("block5c_add").run()
    signed = [c.value for c in app.main.caption if "has signed activations" in c.value]
    assert len(signed) == 1 and signed[0].startswith("block5c_add has signed activations (")
    app.button[0].click().run()
    assert not app.exception
    assert app.sidebar.selectbox(key="layer").value == "block5c_add"
    switch_to(app, HOW)
    assert "block5c_add" in app.main.caption[0].value


def test_layers_page_in_presenter_mode(app):
    switch_to(app, LAYERS)
    app.sidebar.toggle(key="presenter").set_value(True).run()
    assert not app.exception
    assert len(app.main.image) == 3 and len(_grid_captions(app)) == 18


def test_the_scrubber_reruns_only_its_fragment_with_the_last_sidebar_values(app, monkeypatch):
    switch_to(app, LAYERS)
    app.sidebar.selectbox(key="cmap").set_value("viridis").run()  # full reruns, outside it
    app.sidebar.selectbox(key="target").set_value(504).run()
    passes = count_calls(monkeypatch, cached, "all_layer_maps")
    views = count_calls(monkeypatch, cached, "layer_views")
    calls = count_core_calls(monkeypatch)
    with fragment_reruns(app, "layers_scrubber"):
        app.select_slider(key="layers_scrub").set_value("block3b_add").run()
    assert not app.exception
    assert passes == [] and sum(calls.values()) == 0  # the page above the fragment did not run
    [(key, layer, cmap, *_)] = views
    assert (key.class_index, layer, cmap) == (504, "block3b_add", "viridis")
    assert app.main.image[0].captions[0].startswith("block3b_add: Grad-CAM")
    assert "▶ 42. block3b_add · 28×28" in _grid_captions(app)
    assert not app.main.caption[0].value.startswith("Grad-CAM for")  # the page caption: not redrawn


def test_explain_at_this_layer_from_the_fragment_reruns_the_whole_app(app):
    switch_to(app, LAYERS)
    with fragment_reruns(app, "layers_scrubber"):
        app.select_slider(key="layers_scrub").set_value("block5c_add").run()
        app.button[0].click().run()
    assert not app.exception
    assert app.sidebar.selectbox(key="layer").value == "block5c_add"
    assert app.main.caption[0].value.startswith("Grad-CAM for")  # the page ran, not just the part
    assert app.button[0].disabled  # the layer on the slider is now the sidebar's
