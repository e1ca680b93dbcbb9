"""The Methods page through AppTest: every method's card, slow methods on demand and kept, a
method added to the registry, signed layers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from apptest_support import (
    count_calls,
    fragment_reruns,
    new_app,
    open_fresh,
    page_text,
)
from tiny_models import FlatCAM

from app_ui import cache
from app_ui.methods import cached, slow
from gradcam_core.cams import CAM_METHODS

pytestmark = pytest.mark.slow


METHODS = "pages/methods.py"


EARLIER_LAYER = "block5c_add"  # 14 x 14 x 112: not pooled into the classifier, few channels


SIGNED_LAYER = "block4b_dwconv (14×14×480)"  # signed; Grad-CAM++ finds nothing for tiger cat there


def test_methods_page_shows_every_fast_method_and_waits_for_score_cam(calls):
    session = open_fresh(METHODS)
    subheaders = [s.value for s in session.main.subheader]
    assert subheaders == [
        "Grad-CAM",
        "Grad-CAM++",
        "XGrad-CAM",
        "HiResCAM",
        "LayerCAM",
        "Score-CAM",
        "Eigen-CAM",
        "CAM",
    ]
    # 7 method maps (Score-CAM waits), then guided backprop, Grad-CAM and Guided Grad-CAM
    assert len(session.image) == 7 + 3
    assert len(session.latex) == 9
    assert calls["forward_batch"] == 0  # Score-CAM did not run
    text = page_text(session)
    assert "1280 masked photos at this layer (320 batches of 4)" in text
    assert "same map as Grad-CAM up to scale" in text  # top_relu feeds GAP + Dense
    assert "identical at top_relu" in text  # HiResCAM = Grad-CAM there
    assert "has signed activations" not in text  # top_relu is a ReLU6 output
    heading = f"Methods: one photo, {len(CAM_METHODS)} ways to draw the map"
    assert session.main.title[0].value == heading
    session.sidebar.selectbox(key="cmap").set_value("viridis").run()
    assert calls["forward_batch"] == 0


def test_score_cam_runs_when_asked_and_is_kept(calls):
    session = open_fresh(METHODS, layer=f"{EARLIER_LAYER} (14×14×112)")
    assert session.sidebar.selectbox(key="layer").value == EARLIER_LAYER
    assert calls["forward_batch"] == 0
    # 5 gradient maps and Eigen-CAM (no CAM here), the HiResCAM comparison and the guided row
    assert len(session.image) == 6 + 3 + 3
    session.button(key="run_scorecam").click().run()
    assert not session.exception
    assert calls["forward_batch"] == 28  # 112 channels in batches of 4
    assert len(session.image) == 7 + 3 + 3
    assert any("112 forward passes" in " ".join(i.captions) for i in session.image)
    session.sidebar.selectbox(key="cmap").set_value("jet").run()  # kept: no rerun of Score-CAM
    assert calls["forward_batch"] == 28
    assert len(session.image) == 7 + 3 + 3


def test_the_score_cam_button_reruns_only_its_card_for_the_last_full_runs_class(calls, monkeypatch):
    session = open_fresh(METHODS, layer=f"{EARLIER_LAYER} (14×14×112)")
    session.sidebar.selectbox(key="target").set_value(504).run()  # a full rerun: the mug
    maps = count_calls(monkeypatch, cache, "method_map")
    guided = count_calls(monkeypatch, cached, "pixel_images")
    runs = count_calls(monkeypatch, slow, "compute")
    before = calls["forward_batch"]
    with fragment_reruns(session, "scorecam_card"):
        session.button(key="run_scorecam").click().run()
    assert not session.exception
    assert calls["forward_batch"] - before == 28  # 112 masked photos in batches of 4, nothing else
    assert maps == [] and guided == []  # the other cards did not rerun
    [(key, method, _, channels)] = runs
    assert (key.layer, key.class_index, method, channels) == (EARLIER_LAYER, 504, "scorecam", 112)
    [card] = session.image  # only the card was drawn again
    assert card.captions[0].startswith("112 forward passes in")


def test_a_second_session_finds_score_cam_kept(calls):
    first = open_fresh(METHODS, layer=f"{EARLIER_LAYER} (14×14×112)")
    first.button(key="run_scorecam").click().run()
    assert calls["forward_batch"] == 28
    second = new_app(layer=f"{EARLIER_LAYER} (14×14×112)")
    second.run()
    second.switch_page(METHODS).run()
    assert not second.exception
    assert calls["forward_batch"] == 28  # not computed again
    assert any("112 forward passes" in " ".join(i.captions) for i in second.image)
    assert not [b for b in second.button if b.key == "run_scorecam"]


def test_a_layer_without_cam_shows_why():
    session = open_fresh(METHODS, layer=f"{EARLIER_LAYER} (14×14×112)")
    notes = [i.value for i in session.info]
    assert any(
        n.startswith("Not for this layer") and f"not by '{EARLIER_LAYER}'" in n for n in notes
    )
    assert any("HiResCAM − Grad-CAM" in " ".join(i.captions) for i in session.image)


def test_a_method_added_to_the_registry_gets_its_card(monkeypatch, calls):
    monkeypatch.setitem(CAM_METHODS, "flat", FlatCAM)
    session = open_fresh(METHODS)
    assert not session.error
    subheaders = [s.value for s in session.main.subheader]
    assert subheaders[-1] == "Flat test CAM" and len(subheaders) == 9
    assert session.main.title[0].value == "Methods: one photo, 10 ways to draw the map"
    assert any(c.value == FlatCAM.note for c in session.caption)
    assert len(session.latex) == 10 and len(session.image) == 8 + 3
    assert calls["class_gradients"] == 5  # the five gradient methods; the flat map adds none


def test_a_signed_layer_is_named_and_an_empty_map_says_why():
    session = open_fresh(METHODS, layer=SIGNED_LAYER)
    notes = [i.value for i in session.info]
    signed = [n for n in notes if "has signed activations" in n]
    assert len(signed) == 1 and signed[0].startswith("block4b_dwconv has signed activations (")
    assert "Grad-CAM++ measures each channel by Σ|A|" in signed[0]
    assert "Eigen-CAM measures the features from their average cell" in signed[0]
    captions = [c for image in session.image for c in image.captions]
    empty = [c for c in captions if c.startswith("no positive evidence for tiger cat")]
    assert len(empty) == 1  # Grad-CAM++: its weights are >= 0 and every cell of the map is <= 0


@dataclass(frozen=True)
class SlowFlatCAM(FlatCAM):
    """FlatCAM declared slow: one made-up pass per channel, reported through ``progress``."""

    progress: Callable[[float], None] | None = None

    name = "Slow flat test CAM"
    cost = "one made-up pass per channel"
    work_unit = "made-up passes"

    @classmethod
    def work(cls, channels: int) -> tuple[int, int]:
        return channels, 8

    def channel_weights(self, activations, gradients):
        if self.progress is not None:
            self.progress(0.5)
            self.progress(1.0)
        return super().channel_weights(activations, gradients)


def test_a_slow_method_added_to_the_registry_gets_the_generic_button(monkeypatch):
    monkeypatch.setitem(CAM_METHODS, "slowflat", SlowFlatCAM)
    session = open_fresh(METHODS, layer=f"{EARLIER_LAYER} (14×14×112)")
    assert (
        "Slow: one made-up pass per channel, so 112 made-up passes at this layer (14 batches of 8)"
        in page_text(session)
    )
    shown = len(session.image)
    session.button(key="run_slowflat").click().run()
    assert not session.exception and len(session.image) == shown + 1
    assert any("112 forward passes in" in " ".join(i.captions) for i in session.image)
    assert not [b for b in session.button if b.key == "run_slowflat"]  # kept: no button now
