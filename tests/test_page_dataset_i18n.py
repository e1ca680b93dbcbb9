"""The Dataset page in 简体中文 beyond its first screen, through AppTest: the lesson's audit with
its results, gallery (every sort and filter) and confusion matrix; an uploaded zip with
unreadable files and folders that match no class; refused zips. No English left but names,
formula symbols and units (``tests/i18n_support.py``), and no Chinese when the same kept
results are read in English: an audit is computed once for every session, whatever language it
was computed in.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from apptest_support import clear_data_caches, new_app
from i18n_support import english_words, names_of, visible_texts
from streamlit.testing.v1 import AppTest

from app_ui import handover
from app_ui.dataset import gallery, texts
from gradcam_core import samples
from gradcam_core.dataset_audit import lesson

pytestmark = pytest.mark.slow
PAGE = "pages/dataset.py"
CJK = re.compile(r"[\u4e00-\u9fff]")
PICKER = {"Language · 语言", "简体中文"}  # the language picker speaks both languages
# The lesson's model goes by one file name in every language (loaded once for every session).
LESSON_FILES = tuple(handover.lesson_file_name(which) for which in lesson.LESSON_MODELS)


def leftovers(session: AppTest) -> dict[str, list[str]]:
    """Each visible text that still has English words (the lesson model's file name aside)."""
    allowed = names_of(session)
    found = {}
    for text in visible_texts(session):
        for name in LESSON_FILES:
            text = text.replace(name, " ")
        words = english_words(text, allowed)
        if words:
            found[text[:160]] = words
    return found


def chinese_texts(session: AppTest) -> list[str]:
    """The visible texts with a Chinese character, the language picker's aside."""
    return [t for t in visible_texts(session) if CJK.search(t) and t not in PICKER]


def assert_clean(session: AppTest, what: str) -> None:
    assert not session.exception, (what, session.exception)
    assert not session.error, (what, [e.value for e in session.error])
    found = leftovers(session)
    assert not found, (what, found)


def dataset_page(lang: str) -> AppTest:
    session = new_app(lang=lang)
    session.switch_page(PAGE)
    session.run()
    assert not session.exception
    return session


def thumbnail_captions(session: AppTest) -> list[str]:
    return [
        picture.caption
        for image in session.main.image
        for picture in image.proto.imgs
        if picture.caption.startswith(("✓", "✗"))
    ]


def chart_titles(session: AppTest) -> list[str]:
    """The axis and tooltip titles of the page's Vega-Lite charts (the confusion matrix)."""
    titles: list[str] = []
    for element in session.main:
        stack = [element]
        while stack:
            node = stack.pop()
            children = getattr(node, "children", None)
            if isinstance(children, dict):
                stack.extend(children.values())
            spec = getattr(getattr(node, "proto", None), "spec", "")
            if isinstance(spec, str) and spec:
                titles += _titles(json.loads(spec))
    return titles


def _titles(tree: object) -> list[str]:
    """Every string under a "title" key of a parsed Vega-Lite spec."""
    if isinstance(tree, list):
        return [title for item in tree for title in _titles(item)]
    if not isinstance(tree, dict):
        return []
    found = [tree["title"]] if isinstance(tree.get("title"), str) else []
    return found + [title for value in tree.values() for title in _titles(value)]


def test_the_lesson_in_chinese_then_its_kept_result_in_english():
    clear_data_caches()
    chinese = dataset_page("zh")
    assert_clean(chinese, "first screen")
    chinese.button(key="dataset_lesson_start").click().run()
    assert_clean(chinese, "lesson")
    metrics = {m.label: m.value for m in chinese.metric}
    assert len(metrics) == 3 and all(CJK.search(label) for label in metrics), metrics
    assert next(iter(metrics.values())) == "120"
    shown = thumbnail_captions(chinese)
    assert len(shown) == gallery.PAGE
    assert all(CJK.search(caption) for caption in shown), shown  # the sorted measure's name
    assert sum(c.startswith("✓ Cat") for c in shown[:10]) >= 7  # the lesson's finding holds
    titles = chart_titles(chinese)
    assert len(titles) >= 2 and all(CJK.search(title) for title in titles), titles
    per_class = next(frame for frame in chinese.dataframe)
    assert all(CJK.search(str(column)) for column in per_class.value.columns)

    chinese.segmented_control(key="dataset_outcome").set_value("wrong").run()
    assert_clean(chinese, "wrong predictions")
    assert any(c.startswith("✗") for c in thumbnail_captions(chinese))
    chinese.segmented_control(key="dataset_outcome").set_value("all").run()
    chinese.toggle(key="dataset_wrong_first").set_value(True).run()
    for measure in [m for m in texts.SORTS if m != "box_mass"]:  # no boxes in the lesson
        chinese.selectbox(key="dataset_sort").set_value(measure).run()
        assert_clean(chinese, f"sorted by {measure}")
    chinese.radio(key="dataset_lesson_model").set_value("balanced").run()
    assert_clean(chinese, "balanced model")

    english = dataset_page("en")  # the same lesson, read from the result kept above
    english.button(key="dataset_lesson_start").click().run()
    assert not english.exception and not english.error
    assert next(m.value for m in english.metric) == "120"
    assert not chinese_texts(english), chinese_texts(english)


def upload(session: AppTest, data: bytes, name: str) -> None:
    session.file_uploader(key="dataset_zip").upload(name, data, "application/zip")
    session.run()
    assert not session.exception


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_an_uploaded_zip_with_unreadable_files_in_chinese_then_in_english():
    """Notes (a folder that matches no class, a skipped file), unreadable files' errors and a
    wrong prediction, in Chinese; switched to English, the same kept result reads in English."""
    clear_data_caches()
    data = zip_of(
        {
            "photos/tabby/cat.jpg": samples.get_sample("cat").path.read_bytes(),
            "photos/espresso/coffee.jpg": samples.get_sample("coffee").path.read_bytes(),
            "photos/misc_2024/rocket.jpg": samples.get_sample("rocket").path.read_bytes(),
            "photos/espresso/empty.jpg": b"",
            "photos/tabby/letter.jpg": b"Dear class, this is not a photo at all.\n",
            "photos/readme.txt": b"notes",
        }
    )
    session = dataset_page("zh")
    upload(session, data, "photos.zip")
    assert CJK.search(session.button(key="dataset_run").label)
    session.button(key="dataset_run").click().run()
    assert_clean(session, "audited upload")
    captions = [c.value for c in session.caption]
    errors = [c for c in captions if c.startswith(("espresso/empty.jpg", "tabby/letter.jpg"))]
    assert len(errors) == 2 and all(CJK.search(e) for e in errors), captions
    assert sum(bool(CJK.search(c)) and "misc_2024" in c for c in captions) == 1  # the note
    assert any(c.startswith("✗") for c in thumbnail_captions(session))  # a wrong prediction

    session.segmented_control(key="lang").set_value("en").run()
    assert not session.exception and not session.error
    assert not chinese_texts(session), chinese_texts(session)
    english_captions = [c.value for c in session.caption]
    assert any(c.startswith("espresso/empty.jpg: ") for c in english_captions)
    assert any("match no class" in c for c in english_captions)


def test_a_refused_zip_is_one_chinese_line_and_follows_the_language():
    session = dataset_page("zh")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cat/x.bmp", b"\0" * (8 * 1024 * 1024))
    upload(session, bomb.getvalue(), "bomb.zip")
    assert len(session.error) == 1
    refusal = session.error[0].value
    assert CJK.search(refusal) and "bomb.zip" in refusal and "\n" not in refusal
    assert not english_words(refusal), refusal
    assert not leftovers(session)

    upload(session, b"just some text, not a zip", "notes.zip")
    refusal = session.error[0].value
    assert len(session.error) == 1 and CJK.search(refusal) and not english_words(refusal)

    session.segmented_control(key="lang").set_value("en").run()  # kept, rendered again
    assert len(session.error) == 1 and "is not a zip archive" in session.error[0].value
    assert not chinese_texts(session)
