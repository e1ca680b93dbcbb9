"""The Classes page through AppTest: the top-k maps, pass counts, counterfactual and contrast."""

from __future__ import annotations

from collections import Counter

import pytest
from apptest_support import (
    open_fresh,
    page_columns,
    page_text,
)

pytestmark = pytest.mark.slow


CLASSES = "pages/classes.py"


def test_classes_page_shows_top_k_counterfactual_and_contrast():
    session = open_fresh(CLASSES)
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
    assert "one forward pass" in page_text(session)


def test_classes_page_runs_one_forward_and_one_backward_pass_for_the_top_k(calls):
    session = open_fresh(CLASSES)
    assert calls["forward"] == 1  # the sidebar's pass, shared by every map
    assert calls.batch_sizes[5] == 1  # the five top classes in one batch
    before = Counter(calls)
    session.segmented_control(key="classes_top_k").set_value(3).run()
    assert not session.exception and len(session.image) == 3 + 3 + 2
    assert calls["forward"] == before["forward"]
    assert calls.batch_sizes[3] == 1


def test_contrast_pickers_change_the_contrast_and_refuse_the_same_class():
    session = open_fresh(CLASSES)
    session.selectbox(key="contrast_b").set_value(504).run()  # coffee mug
    assert not session.exception
    assert any("favours coffee mug" in " ".join(i.captions) for i in session.image)
    session.selectbox(key="contrast_b").set_value(282).run()
    assert any("two different classes" in w.value for w in session.warning)


def test_presenter_mode_uses_fewer_columns():
    normal = open_fresh(CLASSES)
    assert min(c.weight for c in page_columns(normal)) == pytest.approx(1 / 5)  # top-5, one row
    session = open_fresh(CLASSES, presenter="true")
    assert session.sidebar.toggle(key="presenter").value
    assert len(session.image) == 5 + 3 + 2
    assert min(c.weight for c in page_columns(session)) >= 0.5  # at most two to a row
