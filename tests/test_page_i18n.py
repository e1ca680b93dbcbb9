"""Every page in English and in 简体中文 through AppTest, with the default model and an own model:
no English left in the Chinese pages (names, formulas and units aside), no Chinese in the English
ones; the language follows ?lang= and the browser, and switching keeps the view.

The pages are app.py's page table, so a page added there (the Class quiz, the Dataset audit) is
walked too, and its untranslated sentences fail here.
"""

from __future__ import annotations

import re

import pytest
from apptest_support import TIMEOUT, clear_data_caches, new_app, picker_values
from i18n_support import english_words, names_of, page_paths, visible_texts
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.slow

CJK = re.compile(r"[\u4e00-\u9fff]")
PICKER = {"Language · 语言", "简体中文"}  # the language picker speaks both languages


def _leftovers(session: AppTest) -> dict[str, list[str]]:
    """Each visible text of the page that still has English words, with those words."""
    allowed = names_of(session)
    found = {}
    for text in visible_texts(session):
        words = english_words(text, allowed)
        if words:
            found[text[:160]] = words
    return found


def _walk(session: AppTest) -> dict[str, dict[str, list[str]]]:
    """Every page of the page table, in order: its English leftovers (and no error shown)."""
    report = {}
    for page in page_paths():
        session.switch_page(page).run()
        assert not session.exception, (page, session.exception)
        assert not session.error, (page, [e.value for e in session.error])
        report[page] = _leftovers(session)
    return report


def test_the_page_table_is_read_from_app_py():
    pages = page_paths()
    assert pages[0] == "pages/explain.py" and "pages/trust_lab.py" in pages
    assert len(pages) == len(set(pages)) >= 6


def test_every_page_in_chinese_with_the_default_model():
    clear_data_caches()
    session = new_app(lang="zh")
    session.run()
    assert session.segmented_control(key="lang").value == "zh"
    report = _walk(session)
    assert all(not found for found in report.values()), report


def test_every_page_in_chinese_with_an_own_model():
    """The example own model (Teachable Machine's shape), its card and its Trust lab run."""
    session = new_app(lang="zh")
    session.run()
    session.toggle(key="own_example").set_value(True).run()
    report = _walk(session)
    session.switch_page("pages/trust_lab.py").run()  # the walk ends on the table's last page
    session.button(key="trust_randomize").click().run()  # the cascade's chart and verdict
    assert not session.exception and not session.error
    report["pages/trust_lab.py (randomized)"] = _leftovers(session)
    assert all(not found for found in report.values()), report


def test_the_english_pages_have_no_chinese():
    session = new_app(lang="en")
    session.run()
    for page in page_paths():
        session.switch_page(page).run()
        texts = [t for t in visible_texts(session) if CJK.search(t)]
        assert set(texts) <= PICKER, (page, texts)


def test_the_browsers_language_is_the_default_and_the_link_wins(monkeypatch):
    import streamlit as st

    class Context:
        locale = "zh-CN"

    monkeypatch.setattr(st, "context", Context())
    from_browser = new_app()
    from_browser.run()
    from_link = new_app(lang="en")
    from_link.run()
    assert from_browser.segmented_control(key="lang").value == "zh"
    assert from_browser.query_params["lang"] == "zh"
    assert from_link.segmented_control(key="lang").value == "en"


def test_switching_language_keeps_the_photo_model_layer_and_class():
    session = new_app(sample="coffee", model="efficientnet_lite1", layer="block5c_add")
    session.run()
    session.sidebar.selectbox(key="target").set_value(504).run()  # coffee mug
    before = picker_values(session)
    session.segmented_control(key="lang").set_value("zh").run()
    assert not session.exception and not session.error
    assert picker_values(session) == before
    assert session.query_params["lang"] == "zh"
    assert any(CJK.search(m.value) for m in session.markdown)
    session.segmented_control(key="lang").set_value("en").run()
    assert picker_values(session) == before


def test_an_english_link_opens_its_sample_in_chinese():
    """A link made in English carries English labels (?sample=Espresso+cup); it still works."""
    session = AppTest.from_file(str(__import__("apptest_support").APP), default_timeout=TIMEOUT)
    session.query_params["lang"] = "zh"
    session.query_params["sample"] = "Espresso cup"
    session.run()
    assert picker_values(session)["sample"] == "coffee"


def test_two_sessions_in_two_languages_on_the_same_photo_share_no_words():
    """Caches are shared by sessions: a figure or a message cached for one visitor's language
    must never reach another's. Same photo, model, layer and class, two languages at once."""
    clear_data_caches()
    english, chinese = new_app(lang="en"), new_app(lang="zh")
    for page in page_paths():
        for session in (english, chinese, english):  # each one after the other filled the caches
            session.switch_page(page).run()
            assert not session.exception
        english_texts = visible_texts(english)
        assert not [t for t in english_texts if CJK.search(t) and t not in PICKER], page
        assert not _leftovers(chinese), page
    english_panels = [i.proto.imgs[0].url for i in english.switch_page(page_paths()[0]).run().image]
    chinese_panels = [i.proto.imgs[0].url for i in chinese.switch_page(page_paths()[0]).run().image]
    # The stage panels carry words (cells, no evidence): each language has its own picture.
    assert english_panels[:3] != chinese_panels[:3]


def test_a_fragment_rerun_keeps_the_language():
    """A control inside an st.fragment reruns the fragment alone, without app.py: its words
    must still be the session's language (Layers' slider, the Trust lab's hide slider)."""
    from apptest_support import fragment_reruns

    session = new_app(lang="zh")
    session.run()
    session.switch_page("pages/layers.py").run()
    with fragment_reruns(session, "layers_scrubber"):
        session.radio(key="layers_filter").set_value("Every layer").run()
        assert not session.exception
        found = _leftovers(session)
    assert any(CJK.search(t) for t in visible_texts(session))
    assert not found, found
    session.switch_page("pages/trust_lab.py").run()
    with fragment_reruns(session, "trust_hiding"):
        session.slider(key="trust_hide").set_value(40).run()
        assert not session.exception
        found = _leftovers(session)
    assert not found, found
