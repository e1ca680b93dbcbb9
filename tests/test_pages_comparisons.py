"""The Classes and Methods pages through AppTest: figures, pass counts, Score-CAM on demand."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from apptest_support import (
    clear_data_caches,
    count_calls,
    count_core_calls,
    fragment_reruns,
    new_app,
    page_columns,
)

from app_ui import comparisons
from gradcam_core.cams import CAM_METHODS, BaseCAM

pytestmark = pytest.mark.slow

CLASSES = "pages/classes.py"
METHODS = "pages/methods.py"
EARLIER_LAYER = "block5c_add"  # 14 x 14 x 112: not pooled into the classifier, few channels
SIGNED_LAYER = "block4b_dwconv (14×14×480)"  # signed; Grad-CAM++ finds nothing for tiger cat there


@pytest.fixture
def calls(monkeypatch) -> Counter:
    """Count engine passes; class_gradients also records how many classes each call asked for."""
    return count_core_calls(monkeypatch)


def _open(page: str, **query_params: str):
    """A fresh session (no cached maps, no Score-CAM) that opened the app, then ``page``."""
    clear_data_caches()
    session = new_app(**query_params)
    session.run()
    session.switch_page(page).run()
    assert not session.exception
    return session


def _text(session) -> str:
    parts = [m.value for m in session.markdown] + [i.value for i in session.info]
    parts += [c.value for c in session.caption] + [" ".join(i.captions) for i in session.image]
    return "\n".join(parts)


def test_classes_page_shows_top_k_counterfactual_and_contrast():
    session = _open(CLASSES)
    assert not session.error
    headers = [h.value for h in session.main.header]
    assert headers[0] == "1. The top classes side by side"
    assert (
        headers[1].startswith("2. What argues against") and headers[2] == "3. Why A rather than B?"
    )
    assert len(session.image) == 5 + 3 + 2  # top-5, for / against / both, contrast ReLU / signed
    assert len(session.latex) == 2
    top = [session.selectbox(key=k).value for k in ("contrast_a", "contrast_b")]
    assert top == [282, 285]  # the top-2 of the cat-and-coffee sample: tiger cat, Egyptian cat
    assert "one forward pass" in _text(session)


def test_classes_page_runs_one_forward_and_one_backward_pass_for_the_top_k(calls):
    session = _open(CLASSES)
    assert calls["forward"] == 1  # the sidebar's pass, shared by every map
    assert calls.batch_sizes[5] == 1  # the five top classes in one batch
    before = Counter(calls)
    session.segmented_control(key="classes_top_k").set_value(3).run()
    assert not session.exception and len(session.image) == 3 + 3 + 2
    assert calls["forward"] == before["forward"]
    assert calls.batch_sizes[3] == 1


def test_contrast_pickers_change_the_contrast_and_refuse_the_same_class():
    session = _open(CLASSES)
    session.selectbox(key="contrast_b").set_value(504).run()  # coffee mug
    assert not session.exception
    assert any("favours coffee mug" in " ".join(i.captions) for i in session.image)
    session.selectbox(key="contrast_b").set_value(282).run()
    assert any("two different classes" in w.value for w in session.warning)


def test_methods_page_shows_every_fast_method_and_waits_for_score_cam(calls):
    session = _open(METHODS)
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
    text = _text(session)
    assert "1280 masked photos at this layer (320 batches of 4)" in text
    assert "same map as Grad-CAM up to scale" in text  # top_relu feeds GAP + Dense
    assert "identical at top_relu" in text  # HiResCAM = Grad-CAM there
    assert "has signed activations" not in text  # top_relu is a ReLU6 output
    heading = f"Methods: one photo, {len(CAM_METHODS)} ways to draw the map"
    assert session.main.title[0].value == heading
    session.sidebar.selectbox(key="cmap").set_value("viridis").run()
    assert calls["forward_batch"] == 0


def test_score_cam_runs_when_asked_and_is_kept(calls):
    session = _open(METHODS, layer=f"{EARLIER_LAYER} (14×14×112)")
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
    session = _open(METHODS, layer=f"{EARLIER_LAYER} (14×14×112)")
    session.sidebar.selectbox(key="target").set_value(504).run()  # a full rerun: the mug
    maps = count_calls(monkeypatch, comparisons, "method_map")
    guided = count_calls(monkeypatch, comparisons, "pixel_images")
    runs = count_calls(monkeypatch, comparisons, "score_cam")
    before = calls["forward_batch"]
    with fragment_reruns(session, "score_cam_card"):
        session.button(key="run_scorecam").click().run()
    assert not session.exception
    assert calls["forward_batch"] - before == 28  # 112 masked photos in batches of 4, nothing else
    assert maps == [] and guided == []  # the other cards did not rerun
    [(key, _, channels)] = runs
    assert (key.layer, key.class_index, channels) == (EARLIER_LAYER, 504, 112)
    [card] = session.image  # only the card was drawn again
    assert card.captions[0].startswith("112 forward passes in")


def test_a_second_session_finds_score_cam_kept(calls):
    first = _open(METHODS, layer=f"{EARLIER_LAYER} (14×14×112)")
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
    session = _open(METHODS, layer=f"{EARLIER_LAYER} (14×14×112)")
    notes = [i.value for i in session.info]
    assert any(
        n.startswith("Not for this layer") and f"not by '{EARLIER_LAYER}'" in n for n in notes
    )
    assert any("HiResCAM − Grad-CAM" in " ".join(i.captions) for i in session.image)


def test_presenter_mode_uses_fewer_columns():
    normal = _open(CLASSES)
    assert min(c.weight for c in page_columns(normal)) == pytest.approx(1 / 5)  # top-5, one row
    session = _open(CLASSES, presenter="true")
    assert session.sidebar.toggle(key="presenter").value
    assert len(session.image) == 5 + 3 + 2
    assert min(c.weight for c in page_columns(session)) >= 0.5  # at most two to a row


class FlatCAM(BaseCAM):
    """map = sum_k A^k: every channel weighted 1 (a method made up for this test)."""

    name = "Flat test CAM"
    formula = r"L=\mathrm{ReLU}\Big(\sum_k A^k\Big)"
    note = "Made up by the test: every channel counts the same."
    uses_gradients = False

    def channel_weights(self, activations, gradients):
        return np.ones(activations.shape[-1])


def test_a_method_added_to_the_registry_gets_its_card(monkeypatch, calls):
    monkeypatch.setitem(CAM_METHODS, "flat", FlatCAM)
    session = _open(METHODS)
    assert not session.error
    subheaders = [s.value for s in session.main.subheader]
    assert subheaders[-1] == "Flat test CAM" and len(subheaders) == 9
    assert session.main.title[0].value == "Methods: one photo, 10 ways to draw the map"
    assert any(c.value == FlatCAM.note for c in session.caption)
    assert len(session.latex) == 10 and len(session.image) == 8 + 3
    assert calls["class_gradients"] == 5  # the five gradient methods; the flat map adds none


def test_a_signed_layer_is_named_and_an_empty_map_says_why():
    session = _open(METHODS, layer=SIGNED_LAYER)
    notes = [i.value for i in session.info]
    signed = [n for n in notes if "has signed activations" in n]
    assert len(signed) == 1 and signed[0].startswith("block4b_dwconv has signed activations (")
    assert "Grad-CAM++ measures each channel by Σ|A|" in signed[0]
    assert "Eigen-CAM measures the features from their average cell" in signed[0]
    captions = [c for image in session.image for c in image.captions]
    empty = [c for c in captions if c.startswith("no positive evidence for tiger cat")]
    assert len(empty) == 1  # Grad-CAM++: its weights are >= 0 and every cell of the map is <= 0
