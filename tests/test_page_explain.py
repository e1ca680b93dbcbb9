"""The Streamlit app through AppTest: first view, uploads, pickers, caching, URLs, bad input."""

from __future__ import annotations

import io
import struct
import zlib

import keras
import numpy as np
import pytest
from apptest_support import (
    alt_texts,
    count_core_calls,
    new_app,
    picker_values,
    stage_panel_images,
)
from image_files import png_chunk
from PIL import Image

from gradcam_core.images import MAX_ASPECT_RATIO

pytestmark = pytest.mark.slow


def _headline(session) -> str:
    return next(m.value for m in session.markdown if m.value.startswith("Explaining"))


def _png_bytes(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


_NOISE_PNG = _png_bytes(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
_STRIP_PNG = _png_bytes(np.full((1, 1500, 3), 128, dtype=np.uint8))  # drawn 0 px high, if allowed


def _png_header_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims width x height RGB pixels (a decompression bomb's shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + png_chunk(b"IEND", b"")
    )


def test_first_load_explains_the_sample_in_four_panels(app):
    assert not app.error
    titles = [m.value for m in app.markdown if m.value.startswith("**")]
    assert titles == [
        "**1. Weighted sum**",
        "**2. After ReLU**",
        "**3. Normalized**",
        "**4. Overlay**",
    ]
    assert stage_panel_images(app) == 4
    assert len(app.latex) == 4
    headline = _headline(app)
    assert "top_relu" in headline and "EfficientNet-Lite0" in headline
    assert app.selectbox(key="sample").value == "cat_and_coffee"
    assert app.sidebar.selectbox(key="layer").value == "top_relu"
    # the target starts at the top-1 prediction: a cat class for the cat beside the cup
    assert app.sidebar.selectbox(key="target").value in (281, 282, 285)
    assert len(app.get("download_button")) == 4


def test_the_overlay_is_sent_before_the_stage_figures_are_drawn(app, monkeypatch):
    """The first paint a visitor waits for is the overlay, not matplotlib's three figures."""
    from app_ui import cache

    order: list[str] = []
    for name in ("overlay", "stage_png"):
        original = getattr(cache, name)

        def recorded(*args, _original=original, _name=name, **kwargs):
            order.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(cache, name, recorded)
    app.sidebar.selectbox(key="cmap").set_value("viridis").run()
    assert not app.exception
    assert order == ["overlay", "stage_png", "stage_png", "stage_png"]
    assert stage_panel_images(app) == 4


def test_every_download_is_built_on_a_click(app):
    """None is built or stored for a visit that downloads nothing (a class of 30 mostly doesn't)."""
    buttons = app.get("download_button")
    assert len(buttons) == 4
    assert all(b.proto.HasField("deferred_file_id") and not b.proto.url for b in buttons)


def test_colormap_and_opacity_changes_do_not_recompute(app, monkeypatch):
    calls = count_core_calls(monkeypatch)
    app.sidebar.selectbox(key="cmap").set_value("jet").run()
    app.sidebar.slider(key="opacity").set_value(0.8).run()
    assert not app.exception
    assert sum(calls.values()) == 0


def test_switching_class_reuses_the_forward_pass(app, monkeypatch):
    calls = count_core_calls(monkeypatch)
    app.sidebar.selectbox(key="target").set_value(504).run()
    assert not app.exception
    assert "coffee mug" in _headline(app)
    assert calls["forward"] == 0
    assert calls["class_gradients"] == 1
    app.sidebar.selectbox(key="target").set_value(282).run()  # back: all cached
    assert calls["class_gradients"] == 1


def test_top_k_pills_switch_the_class(app):
    app.button_group(key="top_pick").set_value(504).run()
    assert app.sidebar.selectbox(key="target").value == 504
    assert "coffee mug" in _headline(app)


def test_switching_layer_runs_one_forward_pass(app, monkeypatch):
    calls = count_core_calls(monkeypatch)
    app.sidebar.selectbox(key="layer").set_value("block5c_add").run()
    assert not app.exception
    assert "block5c_add" in _headline(app) and "14×14×112" in _headline(app)
    assert calls["forward"] == 1 and calls["class_gradients"] == 1


def test_switching_model_and_sample(app):
    app.selectbox(key="sample").set_value("coffee").run()
    assert "espresso" in _headline(app)
    app.sidebar.selectbox(key="model").set_value("efficientnet_lite1").run()
    assert not app.exception and not app.error
    assert "EfficientNet-Lite1" in _headline(app)
    assert app.sidebar.selectbox(key="layer").value == "top_relu"
    assert stage_panel_images(app) == 4


def test_an_upload_is_explained(app):
    from gradcam_core.samples import get_sample

    with Image.open(io.BytesIO(get_sample("cat").path.read_bytes())) as cat:
        buffer = io.BytesIO()
        cat.save(buffer, format="WEBP")
    app.file_uploader(key="upload").upload("my cat.webp", buffer.getvalue(), "image/webp")
    app.run()
    assert not app.exception and not app.error
    assert app.sidebar.selectbox(key="target").value in (281, 282, 285)
    assert any("my cat.webp" in c.value for c in app.caption)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.png", b"just some text\n", "text file"),
        ("cut.png", _NOISE_PNG[: len(_NOISE_PNG) // 2], "damaged or incomplete"),
        ("huge.png", _png_header_claiming(20000, 20000), "megapixels"),
        ("empty.jpg", b"", "empty"),
        ("strip.png", _STRIP_PNG, "too thin"),
    ],
)
def test_bad_uploads_show_an_error_and_the_app_keeps_working(app, name, content, reason):
    app.file_uploader(key="upload").upload(name, content, "image/png")
    app.run()
    assert not app.exception
    assert len(app.error) == 1
    assert name in app.error[0].value and reason in app.error[0].value
    assert stage_panel_images(app) == 4  # the sample is still explained
    app.file_uploader(key="upload").set_value(None).run()
    assert not app.error


def test_a_panorama_at_the_aspect_limit_is_explained(app):
    pixels = np.random.default_rng(1).integers(0, 255, (80, 80 * MAX_ASPECT_RATIO, 3), np.uint8)
    app.file_uploader(key="upload").upload("panorama.png", _png_bytes(pixels), "image/png")
    app.run()
    assert not app.exception and not app.error
    assert stage_panel_images(app) == 4


def test_a_model_that_cannot_download_falls_back_to_the_bundled_one(app, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("URL fetch failure: [Errno -2] Name or service not known")

    monkeypatch.setattr(keras.src.utils.file_utils, "get_file", offline)
    app.sidebar.selectbox(key="model").set_value("mobilenet_v2").run()
    assert not app.exception
    assert "MobileNetV2 (14 MB)" in app.error[0].value and "offline" in app.error[0].value
    assert "EfficientNet-Lite0" in _headline(app)
    assert stage_panel_images(app) == 4
    app.sidebar.selectbox(key="cmap").set_value("viridis").run()  # no retry on reruns
    assert len(app.error) == 1


def test_query_parameters_restore_a_view():
    session = new_app(
        sample="Espresso cup",
        layer="block5c_add (14×14×112)",
        target="cup (968)",
        score="softmax",
        cmap="jet",
        opacity="0.3",
    )
    session.run()
    assert not session.exception
    values = picker_values(session)
    assert values == {
        "sample": "coffee",
        "model": "efficientnet_lite0",
        "layer": "block5c_add",
        "target": 968,
        "cmap": "jet",
    }
    assert session.sidebar.radio(key="score").value == "softmax"
    assert session.sidebar.slider(key="opacity").value == pytest.approx(0.3)
    assert "cup" in _headline(session) and "softmax" in _headline(session)


def test_query_parameters_may_name_options_instead_of_giving_their_labels():
    session = new_app(
        sample="coffee", model="efficientnet_lite1", layer="block5c_add", target="968"
    )
    session.run()
    assert not session.exception and not session.error
    values = picker_values(session)
    assert values["sample"] == "coffee" and values["model"] == "efficientnet_lite1"
    assert values["layer"] == "block5c_add" and values["target"] == 968
    assert "EfficientNet-Lite1" in _headline(session) and "cup" in _headline(session)


def test_query_parameters_outside_the_allow_lists_are_ignored():
    session = new_app(model="<script>alert(1)</script>", layer="nope", target="99999", cmap="x")
    session.run()
    assert not session.exception
    assert session.sidebar.selectbox(key="model").value == "efficientnet_lite0"
    assert session.sidebar.selectbox(key="layer").value == "top_relu"
    assert session.sidebar.selectbox(key="cmap").value == "inferno"


def test_an_empty_map_is_explained_in_words(app):
    # At top_relu, class 143 (oystercatcher) has no positive evidence in the cat-and-coffee photo.
    app.sidebar.selectbox(key="target").set_value(143).run()
    assert not app.exception
    assert any("No positive evidence" in w.value for w in app.warning)
    assert stage_panel_images(app) == 4


def _gallery_buttons(session) -> list[str]:
    return [b.key for b in session.button if b.key and b.key.startswith("use_sample_")]


def test_the_sample_gallery_is_built_only_once_opened(app):
    assert "Sample photos" in [e.label for e in app.main.expander]
    assert _gallery_buttons(app) == []
    assert not [i for i in app.image if "Sample photo" in " ".join(alt_texts(i))]
    app.session_state["sample_gallery"] = True  # what opening the expander sets
    app.run()
    assert not app.exception
    assert "use_sample_rocket" in _gallery_buttons(app)
    thumbnails = [i for i in app.image if any(a.startswith("Sample photo") for a in alt_texts(i))]
    assert len(thumbnails) == len(_gallery_buttons(app)) >= 5


def test_the_sample_gallery_switches_the_photo(app):
    app.session_state["sample_gallery"] = True  # the gallery, opened
    app.run()
    app.button(key="use_sample_rocket").click().run()
    assert not app.exception
    assert app.selectbox(key="sample").value == "rocket"
    # the target follows the new top-1: drilling platform (the launch towers), then missile
    assert app.sidebar.selectbox(key="target").value == 540


@pytest.mark.parametrize(
    ("photo_size", "shown_size"),
    [((640, 263), (640, 263)), ((3000, 1000), (1460, 487)), ((1000, 3000), (683, 2048))],
)
def test_the_page_overlay_is_a_jpeg_no_wider_than_streamlit_shows(photo_size, shown_size):
    """Kept encoded, at most 1460 px wide (st.image would resize and encode a wider one again on
    every call) and 2048 px on its long side; the same bytes for every session."""
    from app_ui import cache

    photo = Image.new("RGB", photo_size, (40, 90, 160))
    key = cache.MapKey(f"{photo_size}", "test-model", "features", 0, "logit")
    first = cache.overlay(key, "inferno", 0.5, photo, np.ones((7, 7)))
    assert first == cache.overlay(key, "inferno", 0.5, photo, np.ones((7, 7)))
    with Image.open(io.BytesIO(first)) as shown:
        assert shown.format == "JPEG"
        assert shown.size == shown_size
