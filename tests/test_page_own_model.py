"""Your own model in the app: upload, labels, preprocessing, refusals, isolation, the example."""

from __future__ import annotations

import zipfile

import pytest
from apptest_support import new_app, stage_panel_images
from hostile_model_files import FIXTURES, huge_dense_keras, lambda_keras

from app_ui import cache, deployment

pytestmark = pytest.mark.slow

TEACHABLE_MACHINE = FIXTURES / "teachable_machine_converted_keras.zip"
NEEDS_A_PRESET = FIXTURES / "tf_keras_grey_sigmoid.h5"  # grey, one logit, no scaling layer
BINARY_WITH_RESCALING = FIXTURES / "keras3_tutorial.keras"


def _upload(session, path, key: str = "model_file", mime: str = "application/octet-stream"):
    session.file_uploader(key=key).upload(path.name, path.read_bytes(), mime)
    session.run()
    return session


def _headline(session) -> str:
    return next(m.value for m in session.markdown if m.value.startswith("Explaining"))


def test_a_teachable_machine_export_is_explained_with_its_labels():
    session = new_app()
    session.run()
    _upload(session, TEACHABLE_MACHINE)
    assert not session.exception and not session.error, [e.value for e in session.error]
    picker = session.sidebar.selectbox(key="target")
    names = {shown.rsplit(" (", 1)[0] for shown in picker.options}  # the labels it shows
    with zipfile.ZipFile(TEACHABLE_MACHINE) as archive:  # the zip's labels.txt, read here
        text = archive.read("labels.txt").decode()
    expected = {line.split(" ", 1)[1].strip() for line in text.splitlines() if line.strip()}
    assert names == expected
    assert stage_panel_images(session) == 4
    assert "EfficientNet-Lite0" not in _headline(session)
    card = " ".join(m.value for m in session.sidebar.markdown)
    assert "Teachable Machine export" in card and "preprocessing `tf` (from the file)" in card
    assert session.selectbox(key="preprocess").value == "tf"  # from the file, not asked
    assert session.sidebar.selectbox(key="model").disabled


def test_a_model_that_does_not_say_its_preprocessing_asks_for_it():
    session = new_app()
    session.run()
    _upload(session, NEEDS_A_PRESET)
    assert not session.exception
    assert any("Choose how" in w.value for w in session.warning)
    assert "EfficientNet-Lite0" in _headline(session)  # the bundled model meanwhile
    session.selectbox(key="preprocess").set_value("unit").run()
    assert not session.exception and not session.warning
    assert "EfficientNet-Lite0" not in _headline(session)
    assert stage_panel_images(session) == 4


def test_a_binary_model_offers_two_classes_with_sigmoid_probabilities():
    session = new_app()
    session.run()
    _upload(session, BINARY_WITH_RESCALING)
    assert not session.exception and not session.error
    assert session.selectbox(key="preprocess").value == "raw"  # it starts with Rescaling
    assert len(session.sidebar.selectbox(key="target").options) == 2
    help_text = session.sidebar.selectbox(key="target").help  # "... class 0 73%, class 1 27% ..."
    shares = [float(part.rsplit(" ", 1)[1].rstrip("%")) for part in help_text.split("(")[1]
              .split(")")[0].split(", ")]  # fmt: skip
    assert sum(shares) == pytest.approx(100.0, abs=1.0)  # sigma(z) + (1 - sigma(z))


def test_a_labels_file_renames_the_classes_and_a_bad_one_is_one_line():
    session = new_app()
    session.run()
    _upload(session, TEACHABLE_MACHINE)
    count = len(session.sidebar.selectbox(key="target").options)
    names = "\n".join(f"{i} Thing {i}" for i in range(count))
    session.file_uploader(key="labels_file").upload("labels.txt", names.encode(), "text/plain")
    session.run()
    assert not session.exception and not session.error
    picker = session.sidebar.selectbox(key="target")
    assert "Thing 0 (0)" in picker.options
    session.file_uploader(key="labels_file").upload("labels.txt", b"0 Only one\n", "text/plain")
    session.run()
    assert not session.exception
    assert len(session.error) == 1 and "\n" not in session.error[0].value
    assert any(m.value.startswith("Explaining") for m in session.markdown)


@pytest.mark.parametrize("build", [lambda_keras, huge_dense_keras])
def test_a_hostile_model_is_one_error_line_and_the_app_keeps_explaining(tmp_path, build):
    marker = tmp_path / "ran"
    path = build(tmp_path, marker) if build is lambda_keras else build(tmp_path)
    session = new_app()
    session.run()
    _upload(session, path)
    assert not session.exception
    assert len(session.error) == 1 and session.error[0].value.startswith("Could not use")
    assert "EfficientNet-Lite0" in _headline(session)
    assert stage_panel_images(session) == 4
    assert not marker.exists()


def test_one_visitors_model_never_shows_in_another_session():
    first = new_app()
    first.run()
    _upload(first, TEACHABLE_MACHINE)
    assert "EfficientNet-Lite0" not in _headline(first)
    second = new_app()
    second.run()
    assert not second.exception
    assert "EfficientNet-Lite0" in _headline(second)
    assert second.file_uploader(key="model_file").value is None
    every_label = " ".join(second.sidebar.selectbox(key="model").options)
    assert TEACHABLE_MACHINE.name not in every_label and "own:" not in every_label
    assert not second.sidebar.markdown or all(
        TEACHABLE_MACHINE.name not in m.value for m in second.sidebar.markdown
    )


def test_the_example_own_model_names_the_cat_and_the_cup():
    session = new_app()
    session.run()
    session.toggle(key="own_example").set_value(True).run()
    assert not session.exception and not session.error
    headline = _headline(session)
    assert "Cat" in headline or "Coffee cup" in headline
    names = set(session.sidebar.selectbox(key="target").options)
    assert {"Cat (0)", "Coffee cup (1)"} <= names
    assert any(cache.OWN_PREFIX in key for key in cache.resident_models().names())


def test_an_operator_can_switch_uploads_off(monkeypatch):
    monkeypatch.setenv(deployment.UPLOADS_ENV, "0")
    session = new_app()
    session.run()
    assert not session.exception
    assert not [u for u in session.file_uploader if u.key == "model_file"]


def test_every_page_explains_a_grey_binary_model_with_its_own_probabilities():
    # One input channel, one logit, a preset chosen by hand: the pages perturb grey pixels and
    # read p = sigmoid(z); the Trust lab's cascade copies and randomizes the uploaded model.
    session = new_app()
    session.run()
    session.switch_page("pages/classes.py").run()  # five classes side by side: more than two
    _upload(session, NEEDS_A_PRESET)
    session.selectbox(key="preprocess").set_value("unit").run()
    for page in ("layers", "methods", "how_it_works", "classes", "trust_lab"):
        session.switch_page(f"pages/{page}.py").run()
        assert not session.exception, (page, [e.value for e in session.exception])
        assert not session.error, (page, [e.value for e in session.error])
    session.button(key="trust_randomize").click().run()
    assert not session.exception and not session.error
    assert "EfficientNet-Lite0" not in " ".join(m.value for m in session.markdown)
