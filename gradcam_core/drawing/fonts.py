"""Fonts for the figures' text: DejaVu Sans (matplotlib's own), then Noto Sans CJK SC for Chinese.

Matplotlib falls back glyph by glyph along the families of ``font.family`` (one font per
family): Latin letters, digits and maths come from DejaVu Sans as before, and every Chinese
character from Noto Sans CJK SC (opened with the first text drawn; its glyphs load on demand).
The font file comes from the ``noto-cjk-sans-otc`` package (Google's NotoSansCJK-Regular.ttc,
OFL-1.1, a requirement of the engine), so a fresh machine or Community Cloud draws real glyphs
instead of boxes without any system package; a system copy (Debian's ``fonts-noto-cjk``) is
used the same way when present. Without either, figures still render, and matplotlib warns of
missing glyphs (what ``tests/test_i18n_figures.py`` fails on).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import matplotlib
from matplotlib import font_manager

CJK_FAMILY = "Noto Sans CJK SC"  # the Simplified Chinese face of the collection
FONT_PACKAGE = "noto_cjk_sans_otc"
FONT_FILE = "NotoSansCJK-Regular.ttc"


def packaged_font() -> Path | None:
    """The collection shipped by the font package, or None when it is not installed."""
    try:
        path = Path(str(resources.files(FONT_PACKAGE).joinpath(FONT_FILE)))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


@functools.cache
def use_cjk_fallback() -> str | None:
    """Register the packaged CJK font and put it after DejaVu Sans; the file used, or None.

    Process-wide and once: the same fonts serve every language (English text takes no glyph from
    the fallback), so no session's choice changes another's figures.
    """
    path = packaged_font()
    if path is not None and not _registered(path):
        font_manager.fontManager.addfont(path)
    families = list(matplotlib.rcParams["font.family"])  # ["sans-serif"]: DejaVu Sans
    if CJK_FAMILY not in families:  # a family of its own: matplotlib falls back family by family
        matplotlib.rcParams["font.family"] = [*families, CJK_FAMILY]
    found = [entry.fname for entry in font_manager.fontManager.ttflist if entry.name == CJK_FAMILY]
    return str(path) if path is not None else (found[0] if found else None)


def _registered(path: Path) -> bool:
    return any(Path(entry.fname) == path for entry in font_manager.fontManager.ttflist)
