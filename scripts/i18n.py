"""Message catalogues: extract the marked sentences, update the translations, compile, check.

    python scripts/i18n.py extract   # *.pot templates from the code (and the samples' titles)
    python scripts/i18n.py update    # merge new and changed sentences into every .po
    python scripts/i18n.py compile   # .po -> .mo, which the app and the engine read
    python scripts/i18n.py check     # fail on a sentence without a translation or marked fuzzy

Two domains, each next to the code that shows it:

- ``gradcam_core`` (``gradcam_core/locale``): what the engine says (errors, figure words, what
  a method or stage is), package data of the installed engine;
- ``app`` (``app_ui/locale``): what the app's pages say (``app.py``, ``pages/``, ``app_ui/``).

Marked are ``_()``, ``N_()``, ``ngettext(singular, plural, n)``, ``Text()`` and
``Text.plural_form(singular, plural, n)``; the sample photos' titles and objects come from
``gradcam_core/samples_data/samples.json``, the quiz's composite photos' from
``gradcam_core/quiz/photos_data/photos.json``. Babel (a dev requirement) does the work; the
glossary the translations follow is ``app_ui/locale/GLOSSARY.md``.
"""

from __future__ import annotations

import argparse
import gettext
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages import mofile, pofile
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "Text": None,
    "plural_form": (1, 2),
}
LANGUAGES = ("zh",)  # every language but English, the source
PROJECT = "Grad-CAM Explorer"


@dataclass(frozen=True)
class Domain:
    """One catalogue: its name, where its files live, and which sources feed it."""

    name: str
    locale_dir: Path
    sources: tuple[tuple[Path, tuple[tuple[str, object], ...]], ...]  # (folder, method map)

    def pot(self) -> Path:
        return self.locale_dir / f"{self.name}.pot"

    def po(self, lang: str) -> Path:
        return self.locale_dir / lang / "LC_MESSAGES" / f"{self.name}.po"

    def mo(self, lang: str) -> Path:
        return self.po(lang).with_suffix(".mo")


def extract_samples(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor for samples.json: each sample's title and each object's label."""
    index = json.load(fileobj)
    for sample in index["samples"]:
        yield 1, None, sample["title"], ["sample photo title"]
        for obj in sample.get("objects", []):
            yield 1, None, obj["label"], ["object in a sample photo"]


def extract_quiz_photos(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor for the quiz's photos.json: each composite's title and objects' labels."""
    index = json.load(fileobj)
    for photo in index["photos"]:
        yield 1, None, photo["title"], ["quiz photo title"]
        for obj in photo["objects"]:
            yield 1, None, obj["label"], ["object in a quiz photo"]


PYTHON = (("**.py", "python"),)
DOMAINS = (
    Domain(
        "gradcam_core",
        ROOT / "gradcam_core" / "locale",
        (
            (ROOT / "gradcam_core", PYTHON),
            (ROOT / "gradcam_core" / "samples_data", (("samples.json", extract_samples),)),
            (
                ROOT / "gradcam_core" / "quiz" / "photos_data",
                (("photos.json", extract_quiz_photos),),
            ),
        ),
    ),
    Domain(
        "app",
        ROOT / "app_ui" / "locale",
        (
            (ROOT / "app_ui", PYTHON),
            (ROOT / "pages", PYTHON),
            (ROOT, (("app.py", "python"),)),
        ),
    ),
)


def template(domain: Domain) -> Catalog:
    """Every marked sentence of the domain's sources, with where it is used."""
    catalog = Catalog(project=PROJECT, domain=domain.name, charset="utf-8")
    for folder, method_map in domain.sources:
        found = extract_from_dir(
            str(folder),
            method_map=list(method_map),
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            location = (str((folder / filename).relative_to(ROOT)), lineno)
            catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def extract() -> None:
    for domain in DOMAINS:
        domain.locale_dir.mkdir(parents=True, exist_ok=True)
        with domain.pot().open("wb") as out:
            pofile.write_po(out, template(domain), width=100, sort_output=False)
        print(f"{domain.pot().relative_to(ROOT)}: {len(template(domain))} messages")


def update() -> None:
    extract()
    for domain in DOMAINS:
        pot = template(domain)
        for lang in LANGUAGES:
            path = domain.po(lang)
            if path.exists():
                with path.open("rb") as handle:
                    catalog = pofile.read_po(handle, locale=lang, domain=domain.name)
                catalog.update(pot, no_fuzzy_matching=True)
            else:
                catalog = Catalog(locale=lang, domain=domain.name, project=PROJECT)
                catalog.update(pot)
                path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as out:
                pofile.write_po(out, catalog, width=100, ignore_obsolete=True)
            missing = sum(1 for m in catalog if m.id and not m.string)
            print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {missing} untranslated")


def compile_catalogues() -> None:
    for domain in DOMAINS:
        for lang in LANGUAGES:
            with domain.po(lang).open("rb") as handle:
                catalog = pofile.read_po(handle, locale=lang, domain=domain.name)
            with domain.mo(lang).open("wb") as out:
                mofile.write_mo(out, catalog, use_fuzzy=False)
            print(f"{domain.mo(lang).relative_to(ROOT)}")


def problems() -> list[str]:
    """Sentences marked in the code with no translation (or a fuzzy one) in a catalogue, and
    catalogues whose compiled .mo differs from their .po."""
    found = []
    for domain in DOMAINS:
        wanted = {m.id for m in template(domain) if m.id}
        for lang in LANGUAGES:
            path = domain.po(lang)
            if not path.exists():
                found.append(f"{path.relative_to(ROOT)} is missing")
                continue
            with path.open("rb") as handle:
                catalog = pofile.read_po(handle, locale=lang, domain=domain.name)
            for message_id in sorted(wanted, key=str):
                message = catalog.get(message_id)
                strings = [] if message is None else message.string
                strings = list(strings) if isinstance(strings, tuple) else [strings]
                if message is None or not all(strings) or message.fuzzy:
                    shown = message_id if isinstance(message_id, str) else message_id[0]
                    found.append(f"{path.relative_to(ROOT)}: no translation of {shown!r}")
            mo = domain.mo(lang)
            if not mo.exists() or compiled_messages(mo) != translated_messages(catalog):
                found.append(f"{mo.relative_to(ROOT)} differs from its .po: compile")
    return found


def translated_messages(catalog: Catalog) -> dict[object, str]:
    """What a .mo compiled from this catalogue holds: each translated, non-fuzzy message, keyed
    as gettext keys it (a plural by (msgid, form))."""
    held: dict[object, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (list, tuple)):
            for form, string in enumerate(message.string):
                if string:
                    held[(message.id[0], form)] = string
        elif message.string:
            held[message.id] = message.string
    return held


def compiled_messages(mo: Path) -> dict[object, str]:
    """The messages a compiled catalogue holds, read the way the app reads them (by content:
    a fresh checkout gives .po and .mo arbitrary modification times)."""
    with mo.open("rb") as handle:
        held = dict(gettext.GNUTranslations(handle)._catalog)
    held.pop("", None)  # the header
    return held


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("extract", "update", "compile", "check"))
    command = parser.parse_args(argv).command
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "compile":
        compile_catalogues()
    else:
        found = problems()
        print("\n".join(found) or "every message has a translation")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
