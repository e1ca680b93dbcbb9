"""The Dataset page through AppTest: the lesson in one click, an uploaded zip, hostile zips, the
gallery's order and filters, results kept for every session, a thumbnail opened on Grad-CAM."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from apptest_support import clear_data_caches, new_app

from app_ui import handover
from app_ui.dataset import confusion, gallery
from gradcam_core import samples
from gradcam_core.dataset_audit import worker

pytestmark = pytest.mark.slow
PAGE = "pages/dataset.py"


def dataset_page():
    clear_data_caches()
    session = new_app()
    session.switch_page(PAGE)
    session.run()
    assert not session.exception
    return session


def captions(session) -> list[str]:
    """The gallery's thumbnail captions, in order."""
    return [
        picture.caption
        for image in session.main.image
        for picture in image.proto.imgs
        if picture.caption.startswith(("✓", "✗"))
    ]


def markdown_text(session) -> str:
    return "\n".join(m.value for m in session.markdown)


def sample_zip(extra: dict[str, bytes] | None = None) -> bytes:
    files = {
        "photos/tabby/cat.jpg": samples.get_sample("cat").path.read_bytes(),
        "photos/espresso/coffee.jpg": samples.get_sample("coffee").path.read_bytes(),
        "photos/rockets/rocket.jpg": samples.get_sample("rocket").path.read_bytes(),
        "photos/espresso/broken.jpg": b"\xff\xd8\xff\xe0 not a whole jpeg",
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(session, data: bytes, name: str = "photos.zip") -> None:
    session.file_uploader(key="dataset_zip").upload(name, data, "application/zip")
    session.run()
    assert not session.exception


def test_the_page_offers_the_lesson_and_an_upload():
    session = dataset_page()
    assert session.button(key="dataset_lesson_start").label.startswith("Try the lesson")
    assert any("Up to 300 images and 300 megapixels" in c.value for c in session.caption)
    assert not session.error


def test_the_lesson_in_one_click_shows_the_bias_then_its_control():
    session = dataset_page()
    session.button(key="dataset_lesson_start").click().run()
    assert not session.exception and not session.error
    assert next(m.value for m in session.metric) == "120"
    assert "biased.zip (lesson)" in markdown_text(session)  # the sidebar's own model
    assert "Cat accuracy on the held-out photos: **100%** with the mark" in markdown_text(session)
    shown = captions(session)
    assert len(shown) == gallery.PAGE
    # correct predictions, most mass in a corner first: the Cats lead
    assert sum(c.startswith("✓ Cat") for c in shown[:10]) >= 7

    session.radio(key="dataset_lesson_model").set_value("balanced").run()
    assert not session.exception
    assert "balanced.zip (lesson)" in markdown_text(session)
    assert "(balanced model)" in markdown_text(session)
    assert sum(c.startswith("✓ Cat") for c in captions(session)[:10]) <= 5

    session.button(key="dataset_lesson_end").click().run()
    assert not session.exception
    assert session.button(key="dataset_lesson_start")


def test_an_uploaded_zip_is_audited_with_the_sidebars_model():
    session = dataset_page()
    upload(session, sample_zip())
    run = session.button(key="dataset_run")
    assert run.label == "Audit 4 images"
    run.click().run()
    assert not session.exception
    metrics = {m.label: m.value for m in session.metric}
    assert metrics == {"Images": "4", "Accuracy": "50% of 2", "Could not be read": "1"}
    notes = " ".join(c.value for c in session.caption)
    assert "match no class of EfficientNet-Lite0 (n = 1): 'rockets'" in notes
    assert any(c.startswith("✓ espresso") for c in captions(session))
    assert session.get("download_button")


def test_a_hostile_zip_gives_one_line_and_the_page_goes_on():
    session = dataset_page()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cat/x.bmp", b"\0" * (8 * 1024 * 1024))
    upload(session, bomb.getvalue(), "bomb.zip")
    assert len(session.error) == 1 and "zip bomb" in session.error[0].value
    traversal = sample_zip({"../../etc/evil.jpg": b"x"})
    upload(session, traversal, "evil.zip")
    assert len(session.error) == 1 and "not a plain path" in session.error[0].value
    upload(session, sample_zip())
    assert not session.error and session.button(key="dataset_run")


def test_a_zip_over_the_image_cap_is_refused():
    png = samples.get_sample("cat").path.read_bytes()
    many = {f"photos/cat/{i:03d}.jpg": png for i in range(301)}
    session = dataset_page()
    upload(session, sample_zip(many))
    assert "more than 300 images" in session.error[0].value


def test_the_audit_is_kept_for_every_session(monkeypatch):
    first = dataset_page()
    first.button(key="dataset_lesson_start").click().run()
    calls = []
    original = worker.BatchAuditor.audit

    def counted(self, items):
        calls.append(len(items))
        return original(self, items)

    monkeypatch.setattr(worker.BatchAuditor, "audit", counted)
    second = new_app()
    second.switch_page(PAGE)
    second.run()
    second.button(key="dataset_lesson_start").click().run()
    assert not second.exception
    assert calls == [] and next(m.value for m in second.metric) == "120"


def test_a_thumbnail_opens_its_photo_on_the_grad_cam_page(monkeypatch):
    """AppTest cannot follow st.switch_page from a callback (it finds no pages there), so the
    switch is recorded and made by the test; the browser test clicks through for real."""
    switches = []
    monkeypatch.setattr(handover.st, "switch_page", switches.append)
    session = dataset_page()
    session.button(key="dataset_lesson_start").click().run()
    first = next(b for b in session.button if (b.key or "").startswith("dataset_open_"))
    assert captions(session)[0].startswith("✓ Cat")
    first.click().run()
    assert switches == [handover.EXPLAIN_PAGE]
    session.switch_page(handover.EXPLAIN_PAGE)
    session.run()
    assert not session.exception
    text = markdown_text(session)
    assert "Explaining **Cat**" in text and "biased.zip (lesson)" in text
    assert any("from the Dataset page" in c.value for c in session.caption)
    session.selectbox(key="sample").set_value("coffee").run()  # another sample: the photo goes
    assert not any("from the Dataset page" in c.value for c in session.caption)


# ---------------------------------------------------------------- the gallery's logic


TABLE = pd.DataFrame(
    [
        {"key": "a", "true_name": "cat", "predicted_name": "cat", "correct": True,
         "corner_mass": 0.1, "error": ""},
        {"key": "b", "true_name": "cat", "predicted_name": "dog", "correct": False,
         "corner_mass": 0.9, "error": ""},
        {"key": "c", "true_name": "dog", "predicted_name": "dog", "correct": True,
         "corner_mass": 0.5, "error": ""},
        {"key": "d", "true_name": "", "predicted_name": "dog", "correct": None,
         "corner_mass": float("nan"), "error": ""},
        {"key": "e", "true_name": "dog", "predicted_name": "", "correct": None,
         "corner_mass": float("nan"), "error": "damaged"},
    ]
)  # fmt: skip


def keys(frame: pd.DataFrame) -> list[str]:
    return list(frame["key"])


def test_filters_by_class_outcome_and_cell():
    assert keys(gallery.filtered(TABLE, None, "all", None)) == ["a", "b", "c", "d"]
    assert keys(gallery.filtered(TABLE, "cat", "all", None)) == ["a", "b"]
    assert keys(gallery.filtered(TABLE, None, "wrong", None)) == ["b"]
    assert keys(gallery.filtered(TABLE, None, "unlabelled", None)) == ["d"]
    assert keys(gallery.filtered(TABLE, "dog", "correct", None)) == ["c"]
    assert keys(gallery.filtered(TABLE, "dog", "all", ("cat", "dog"))) == ["b"]  # a cell wins


def test_sorts_by_a_measure_with_wrong_first_and_nan_last():
    rows = gallery.filtered(TABLE, None, "all", None)
    assert keys(gallery.ordered(rows, "corner_mass", wrong_first=False)) == ["b", "c", "a", "d"]
    assert keys(gallery.ordered(rows, "key", wrong_first=False)) == ["a", "b", "c", "d"]
    right_first = gallery.ordered(rows.iloc[[0, 2, 1]], "corner_mass", wrong_first=True)
    assert keys(right_first)[0] == "b"


def test_the_confusion_chart_reads_its_clicked_cell():
    assert confusion.selected_cell({"selection": {}}) is None
    event = type("Event", (), {"selection": {"cell": [{"true": "cat", "predicted": "dog"}]}})
    assert confusion.selected_cell(event) == ("cat", "dog")
    frame = confusion.matrix_frame({"labels": ["cat", "dog"], "matrix": [[1, 2], [0, 0]]})
    assert frame.to_dict("records") == [
        {"true": "cat", "predicted": "cat", "images": 1},
        {"true": "cat", "predicted": "dog", "images": 2},
    ]  # no row for dog: no image is a dog


def test_the_app_never_imports_ray():
    """Ray is an optional extra: the Dataset page's modules and the audit engine run without it."""
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys\n"
        "import app_ui.dataset.gallery, app_ui.dataset.runner, app_ui.dataset.source\n"
        "import gradcam_core.dataset_audit\n"
        "assert 'ray' not in sys.modules, 'ray was imported'\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
