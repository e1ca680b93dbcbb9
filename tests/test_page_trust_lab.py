"""The Trust lab page through AppTest: curves, AUC table, verdicts, randomization, localization."""

from __future__ import annotations

import pytest
from apptest_support import (
    clear_data_caches,
    count_calls,
    count_core_calls,
    fragment_reruns,
    new_app,
)

from app_ui.trust_lab import faithfulness, hiding, localization
from gradcam_core.samples import load_sample

pytestmark = pytest.mark.slow

PAGE = "pages/trust_lab.py"


def _open(**query_params: str):
    session = new_app(**query_params)
    session.run()
    session.switch_page(PAGE).run()
    assert not session.exception
    return session


@pytest.fixture
def lab():
    return _open()


def _charts(session) -> list:
    return session.get("vega_lite_chart")


def _metrics(session) -> dict[str, str]:
    return {m.label: m.value for m in session.metric}


def test_the_page_shows_curves_table_and_localization(lab):
    assert not lab.error
    assert lab.title[0].value.startswith("Trust lab")
    assert len(_charts(lab)) == 2  # deletion and insertion; the cascade waits for its button
    table = lab.dataframe[0].value
    assert list(table["Map"]) == ["Grad-CAM", "Random blobs (mean of 3)", "Edges (Sobel)"]
    for column in ("Deletion AUC ↓", "Insertion AUC ↑"):
        assert table[column].between(0, 1).all()
    verdicts = [m.value for m in (*lab.success, *lab.warning, *lab.info)]
    assert any(v.startswith("**Deletion**") for v in verdicts)
    assert any(v.startswith("**Insertion**") for v in verdicts)
    # the default sample's cat: the Grad-CAM peak is on it and most of the map's mass too
    metrics = _metrics(lab)
    assert metrics["Pointing game"] == "hit"
    assert float(metrics["Map's mass inside the box"].rstrip("%")) > 54.8  # the box's share
    assert 0.5 <= float(metrics["IoU of the 15 % box with the box"]) <= 1.0
    assert [n.value for n in lab.number_input] == [0, 0, 351, 263]  # the shipped cat box
    assert lab.selectbox(key="trust_object_cat_and_coffee_282").value == 0


def test_grad_cam_losing_a_deletion_is_said_plainly():
    """On the cat photo, deleting the map's top pixels first lowers p more slowly than random."""
    session = _open(sample="Cat (Chelsea)")
    warnings = [w.value for w in session.warning]
    assert any(w.startswith("**Deletion**") and "does **not** beat" in w for w in warnings)


def test_randomization_runs_when_asked_and_shows_its_chart(lab):
    assert not any("steps" in c.value and "computed" in c.value for c in lab.caption)
    images = len(lab.image)  # hidden pixels, photo × map and the localization picture
    lab.button(key="trust_randomize").click().run()
    assert not lab.exception and not lab.error
    assert len(_charts(lab)) == 3
    summary = [m.value for m in (*lab.success, *lab.warning)]
    assert any(s.startswith("Grad-CAM passes") for s in summary)
    captions = [c.value for c in lab.caption]
    assert any(c.startswith("19 steps") for c in captions)
    assert len(lab.image) == images + 6  # the original map and five randomized ones
    lab.slider(key="trust_hide").set_value(30).run()  # the chart stays after other reruns
    assert len(_charts(lab)) == 3


def test_the_hide_slider_predicts_without_recomputing_grad_cam(lab, monkeypatch):
    calls = count_core_calls(monkeypatch)
    lab.slider(key="trust_hide").set_value(45).run()
    assert not lab.exception
    assert calls["forward"] == calls["class_gradients"] == calls["layer_grad_cams"] == 0
    assert calls["forward_batch"] == 2  # the map's top 45 % and a random 45 %, one image each
    assert "45 %" in next(m.label for m in lab.metric if m.label.startswith("p("))
    lab.slider(key="trust_hide").set_value(20).run()  # cached
    assert calls["forward_batch"] == 2


def test_the_target_picks_its_object_box(lab):
    lab.sidebar.selectbox(key="target").set_value(504).run()  # coffee mug
    assert not lab.exception
    assert lab.selectbox(key="trust_object_cat_and_coffee_504").value == 1
    assert [n.value for n in lab.number_input] == [424, 12, 581, 203]


def test_an_empty_box_is_an_error_not_a_crash(lab):
    x1 = next(n for n in lab.number_input if n.label == "x1")
    x1.set_value(0).run()
    assert not lab.exception
    assert "empty" in lab.error[0].value
    assert "Pointing game" not in _metrics(lab)


def test_an_empty_map_is_explained_and_its_cascade_not_judged(lab):
    # At top_relu, class 143 (oystercatcher) has no positive evidence in the cat-and-coffee photo.
    lab.sidebar.selectbox(key="target").set_value(143).run()
    assert not lab.exception
    assert any("This map is empty" in w.value for w in lab.warning)
    metrics = _metrics(lab)
    assert metrics["Pointing game"] == "miss" and metrics["Map's mass inside the box"] == "—"
    lab.button(key="trust_randomize").click().run()
    assert not lab.exception
    assert any("nothing to compare" in i.value for i in lab.info)
    assert not any(s.value.startswith("Grad-CAM passes") for s in lab.success)


def test_an_upload_starts_with_the_whole_photo_as_its_box(lab):
    from gradcam_core.samples import get_sample

    data = get_sample("coffee").path.read_bytes()
    lab.file_uploader(key="upload").upload("my coffee.jpg", data, "image/jpeg")
    lab.run()
    assert not lab.exception and not lab.error
    assert any("No box ships with this photo" in i.value for i in lab.info)
    assert [n.value for n in lab.number_input] == [0, 0, 600, 400]
    assert _metrics(lab)["Map's mass inside the box"] == "100.0%"


# --- narrow reruns: the hide slider and the box inputs rerun only their section ----------------


def test_the_hide_slider_reruns_only_its_section(lab, monkeypatch):
    curves = count_calls(monkeypatch, faithfulness, "curves")
    scored = count_calls(monkeypatch, localization, "localize")
    calls = count_core_calls(monkeypatch)
    with fragment_reruns(lab, "trust_hiding"):
        lab.slider(key="trust_hide").set_value(55).run()
    assert not lab.exception
    assert calls["forward_batch"] == 2 and sum(calls.values()) == 2  # the two hidden images
    assert curves == [] and scored == []  # the curves and the localization did not rerun
    assert "55 %" in next(m.label for m in lab.metric if m.label.startswith("p("))
    assert not lab.get("vega_lite_chart")  # only the fragment was drawn again


def test_the_hide_section_uses_the_substrate_of_the_last_full_run(lab, monkeypatch):
    lab.radio(key="trust_substrate").set_value("grey").run()  # a full rerun, outside the fragment
    hidden = count_calls(monkeypatch, hiding, "hide_probability")
    with fragment_reruns(lab, "trust_hiding"):
        lab.slider(key="trust_hide").set_value(35).run()
    assert not lab.exception
    assert {args[0].substrate for args in hidden} == {"grey"}
    assert {args[0].percent for args in hidden} == {35}
    assert lab.image[0].captions == ["What the model sees: the map's top 35 % grey"]


def test_a_box_input_reruns_only_the_localization(lab, monkeypatch):
    lab.sidebar.selectbox(key="target").set_value(504).run()  # full rerun: the mug, its box
    curves = count_calls(monkeypatch, faithfulness, "curves")
    hidden = count_calls(monkeypatch, hiding, "hide_probability")
    scored = count_calls(monkeypatch, localization, "localize")
    calls = count_core_calls(monkeypatch)
    with fragment_reruns(lab, "trust_localization"):
        next(n for n in lab.number_input if n.label == "x0").set_value(430).run()
    assert not lab.exception
    assert curves == [] and hidden == [] and sum(calls.values()) == 0
    [(key, box, size, _)] = scored
    assert key[3] == 504 and box == (430, 12, 581, 203)
    assert size == load_sample("cat_and_coffee").image.size
    assert "Pointing game" in _metrics(lab)


def test_a_second_session_finds_the_curves_and_the_cascade_kept(monkeypatch):
    clear_data_caches()
    calls = count_core_calls(monkeypatch)
    first = _open()
    first.button(key="trust_randomize").click().run()
    assert not first.exception
    assert calls["forward_batch"] > 0 and calls["class_gradients"] > 0  # computed here
    calls.clear()
    second = _open()
    assert not any("Curves computed in" in c.value for c in second.caption)
    second.button(key="trust_randomize").click().run()
    assert not second.exception
    assert sum(calls.values()) == 0  # curves, predictions and the cascade were all kept
    assert len(_charts(second)) == 3
