"""Languages: gettext catalogues, the language of the current run, and messages translated late.

English is the source text. A sentence a person reads is marked where it is written:

- ``_("...")`` translates now, in the current language (a page's heading, a CLI line);
- ``N_("...")`` only marks a constant for extraction (a method's note, a stage's title): whoever
  shows it calls ``_()`` on it then;
- ``ngettext("one ...", "{n} ...", n)`` for counts;
- ``Text("... {name} ...", name=value)`` (an exception's message, a reason a cached function
  returns): a message that is rendered when it is shown, by ``str()``, in the language of that
  moment. It can be pickled, cached and shared by sessions in different languages.

Placeholders are ``str.format`` fields (``{size:.1f}``), so a translation may move them and a
number keeps its format. The language lives in a ``ContextVar``: each thread (each Streamlit
script run) has its own, so sessions in two languages never mix, and nothing is installed
process-wide (no ``gettext.install``). Catalogues are compiled ``.mo`` files in
``gradcam_core/locale`` (package data); the app adds its own domain on top (``app_ui.i18n``).
Commands: ``python scripts/i18n.py extract | update | compile | check`` (CONTRIBUTING.md).
"""

from __future__ import annotations

import functools
import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOMAIN = "gradcam_core"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE = "en"
LANGUAGES: tuple[str, ...] = ("en", "zh")  # what a person can choose: English, 简体中文
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order

_LANGUAGE: ContextVar[str] = ContextVar("gradcam_language", default=SOURCE_LANGUAGE)


def normalize(tag: str | None) -> str | None:
    """'zh_CN.UTF-8', 'zh-Hans', 'zh-TW' -> 'zh'; 'en_GB' -> 'en'; unknown or empty -> None."""
    if not tag:
        return None
    base = tag.replace("-", "_").split(".")[0].split("@")[0].split("_")[0].strip().lower()
    return base if base in LANGUAGES else None


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language gettext would pick from LANGUAGE, LC_ALL, LC_MESSAGES or LANG, else English.

    LANGUAGE may list several ('zh_CN:en'); the first one we have wins. 'C' and 'POSIX' mean
    English.
    """
    environ = os.environ if environ is None else environ
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if not value:
            continue
        for tag in value.split(":"):
            found = normalize(tag)
            if found is not None:
                return found
        if variable != "LANGUAGE":  # the first locale variable set decides, as in gettext
            return SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def language() -> str:
    """The language of this thread's run ('en' unless set)."""
    return _LANGUAGE.get()


def set_language(lang: str) -> str:
    """Make ``lang`` the language of this thread from now on; returns the language set."""
    chosen = normalize(lang) or SOURCE_LANGUAGE
    _LANGUAGE.set(chosen)
    return chosen


@contextmanager
def use_language(lang: str) -> Iterator[str]:
    """Inside, messages are rendered in ``lang``; the previous language comes back after."""
    token = _LANGUAGE.set(normalize(lang) or SOURCE_LANGUAGE)
    try:
        yield _LANGUAGE.get()
    finally:
        _LANGUAGE.reset(token)


@functools.cache
def catalogue(lang: str, domain: str = DOMAIN, locale_dir: str = str(LOCALE_DIR)):
    """The compiled catalogue of ``domain`` in ``lang`` (read once per process, then shared).

    English, or a language without a catalogue, gives gettext's NullTranslations: the source text.
    """
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(domain, locale_dir, languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` in the current language."""
    return catalogue(language()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction only; it is translated where it is shown."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count`` in the current language."""
    return catalogue(language()).ngettext(singular, plural, count)


def render(message: Any) -> str:
    """Any message as text in the current language: ``Text`` renders, a str is translated."""
    if isinstance(message, str):
        return _(message)
    return str(message)


@dataclass(frozen=True)
class Text:
    """A message rendered when shown (``str()``), in the language of that moment.

    ``Text("{shown} is empty.", shown=name)``: the source sentence is the msgid, the fields are
    filled after translation. A field may itself be a ``Text`` or an exception with a ``Text``
    message: it renders in the same language. Picklable, so cached functions may return one.
    """

    message: str
    fields: tuple[tuple[str, Any], ...] = ()
    plural: str | None = None
    count: int | None = None

    def __init__(self, message: str, /, **fields: Any) -> None:
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "fields", tuple(fields.items()))
        object.__setattr__(self, "plural", None)
        object.__setattr__(self, "count", None)

    @classmethod
    def plural_form(cls, singular: str, plural: str, count: int, /, **fields: Any) -> Text:
        """A counted message: ``Text.plural_form("{n} layer", "{n} layers", n, n=n)``."""
        text = cls(singular, **fields)
        object.__setattr__(text, "plural", plural)
        object.__setattr__(text, "count", int(count))
        return text

    def __str__(self) -> str:
        if self.plural is not None and self.count is not None:
            template = ngettext(self.message, self.plural, self.count)
        else:
            template = _(self.message)
        values = {name: _rendered(value) for name, value in self.fields}
        return template.format(**values) if values else template

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __add__(self, other: object) -> str:
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)


def _rendered(value: Any) -> Any:
    """A field's value for ``format``: messages and exceptions as text, numbers as they are."""
    if isinstance(value, Text | BaseException):
        return str(value)
    return value
