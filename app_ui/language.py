"""The sidebar's language choice (English / 简体中文), bound to ``?lang=`` in the URL.

The first run of a session takes the language from the link (``?lang=zh``), else from the
browser (``st.context.locale``), else English. The choice is the session's; every run sets it as
the run's language before anything is written, so the page, its figures and its messages follow
it, and nothing else changes: photo, model, layer, class and the other settings stay as they
are.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

import streamlit as st

from .i18n import LANGUAGE_NAMES, LANGUAGES, SOURCE_LANGUAGE, normalize, set_language

P = ParamSpec("P")
KEY = "lang"
# Pickers whose labels are translated; their URL values are labels, which are written anew.
RELABELLED = ("sample", "model")


def from_browser() -> str:
    """The browser's language if we have it ('zh-CN', 'zh-TW', 'zh' -> 'zh'), else English."""
    try:
        locale = st.context.locale
    except Exception:  # outside a browser session (a bare script run): no locale to read
        locale = None
    return normalize(locale) or SOURCE_LANGUAGE


def _relabel() -> None:
    """After a switch, write the translated pickers' values again so the page and the URL show
    them under their new labels (the value itself is kept)."""
    for key in RELABELLED:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def restore() -> str:
    """Set the run's language to the session's choice (what ``choose`` last set)."""
    return set_language(st.session_state.get(KEY) or SOURCE_LANGUAGE)


def fragment(
    key: str, run_every: float | None = None
) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """``st.fragment(key=key, run_every=run_every)`` whose reruns speak the session's language.

    A control inside a fragment, or its timer (``run_every`` seconds), reruns the fragment alone,
    in a new script thread that app.py (and ``choose``) never ran in: the body sets the language
    itself first.
    """

    def decorate(body: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(body)
        def in_language(*args: P.args, **kwargs: P.kwargs) -> None:
            restore()
            body(*args, **kwargs)

        return st.fragment(key=key, run_every=run_every)(in_language)

    return decorate


def choose() -> str:
    """The sidebar's language picker; sets and returns the run's language."""
    if KEY not in st.session_state:
        st.session_state[KEY] = normalize(st.query_params.get(KEY)) or from_browser()
    chosen = st.sidebar.segmented_control(
        "Language · 语言",
        LANGUAGES,
        format_func=LANGUAGE_NAMES.get,
        key=KEY,
        required=True,
        on_change=_relabel,
    )
    lang = set_language(chosen or SOURCE_LANGUAGE)
    if st.query_params.get(KEY) != lang:
        st.query_params[KEY] = lang
    return lang
