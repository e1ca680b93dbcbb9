"""The app's words in the visitor's language: its own catalogue over the engine's.

The app's sentences are in the ``app`` domain (``app_ui/locale``); what the engine declares and
the app shows (a method's note, a stage's title, a refusal) is looked up in the engine's
``gradcam_core`` domain when the app's catalogue does not have it. The language is the run's
(``gradcam_core.i18n``: a ContextVar, set once per script run by ``language.choose``), so two
sessions in two languages never see each other's words.

Mark a sentence with ``_()`` where it is shown, ``N_()`` where a constant is declared (and call
``_()`` on it where it is shown), ``ngettext`` for counts. Then
``python scripts/i18n.py update`` and ``python scripts/i18n.py compile`` (CONTRIBUTING.md).
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

from gradcam_core import i18n as core
from gradcam_core.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    SOURCE_LANGUAGE,
    Text,
    language,
    normalize,
    set_language,
    use_language,
)

DOMAIN = "app"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "SOURCE_LANGUAGE",
    "Text",
    "_",
    "catalogue",
    "language",
    "ngettext",
    "normalize",
    "render",
    "set_language",
    "use_language",
]


@functools.cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The app's catalogue in ``lang``, falling back to the engine's (read once per process)."""
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    app = gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[lang], fallback=True)
    app.add_fallback(core.catalogue(lang))
    return app


def _(message: str) -> str:
    """``message`` in the run's language."""
    return catalogue(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count`` in the run's language."""
    return catalogue(language()).ngettext(singular, plural, count)


def render(message: object) -> str:
    """A message as text in the run's language: a ``Text`` or an exception renders itself, a
    string is looked up in the catalogues."""
    return _(message) if isinstance(message, str) else str(message)
