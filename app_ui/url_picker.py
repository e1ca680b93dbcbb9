"""A selectbox bound to a URL parameter, whose link may name an option by label, name or index."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from .i18n import use_language

T = TypeVar("T")


def url_picker(
    title: str,
    options: Sequence[T],
    label: Callable[[T], str],
    key: str,
    where: DeltaGenerator | None = None,
    **kwargs: Any,
) -> T:
    """A selectbox (in the sidebar unless ``where`` says) bound to the URL parameter ``key``.

    The URL may give a label or a name.

    Streamlit's binding matches a URL value against the labels the picker shows (?target=cup+(968)).
    The labels are made once, in the run's language: Streamlit may format an option again
    outside the script's thread (AppTest does), where another language is current.
    A value that is no label but is an option's own name or index (?model=vgg16, ?target=968) is
    put in session state before the picker is made, so it is chosen. (Streamlit then drops it
    from the address bar; the app's own links, made as the user picks, carry the labels.)
    """
    given = st.query_params.get(key)
    if given is not None and given not in {label(option) for option in options}:
        named = next((option for option in options if str(option) == given), None)
        if named is None:  # a link made in English, opened in another language
            with use_language("en"):
                named = next((option for option in options if label(option) == given), None)
        if named is not None:
            st.session_state[key] = named
    shown = {option: label(option) for option in options}  # in this run's language, now
    return (where or st.sidebar).selectbox(
        title, options, format_func=shown.__getitem__, key=key, bind="query-params", **kwargs
    )
