"""Chinese text in figures: use an installed CJK font, or fall back to English labels.

No font is shipped or downloaded: on Debian, ``apt-get install fonts-noto-cjk`` provides
one (SIL Open Font License). Where none is installed, figures asked for in Chinese are
drawn with English labels, and `cjk_note` gives the one line to tell the user so.

Figures are drawn inside `font_context` (see `save_figure`): the CJK family comes first
in Chinese, after the Latin one in English, and matplotlib's Last Resort font closes the
list so that a character no font has is drawn as a box instead of raising a warning.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.figure import Figure

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK",
                "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN", "SimHei",
                "Microsoft YaHei", "PingFang SC")
"""Families that draw Chinese, the preferred first (matplotlib < 3.11 reads only the first
face of a .ttc collection, which for Noto Sans CJK is the JP one: its glyphs are complete)."""
LAST_RESORT = "Last Resort High-Efficiency"
NO_CJK_NOTE = ("no CJK font found: figures use English labels (install fonts-noto-cjk; if one "
               "is installed, remove matplotlib's font cache, rm -rf ~/.cache/matplotlib, and "
               "run again)")


@cache
def cjk_family() -> str | None:
    """Name of an installed font family that draws Chinese, or None. Where matplotlib's font
    cache knows none, the system's fonts are scanned once more: a font installed after the
    cache was made (``apt-get install fonts-noto-cjk`` after the first run) is found."""
    family = _first_cjk(_installed())
    if family is None and _rescan():
        family = _first_cjk(_installed())
    return family


def _first_cjk(installed: frozenset[str]) -> str | None:
    return next((family for family in CJK_FAMILIES if family in installed), None)


def _rescan() -> bool:
    """Add the system's fonts that matplotlib's cache does not list; whether any was."""
    known = {font.fname for font in font_manager.fontManager.ttflist}
    added = False
    for path in font_manager.findSystemFonts():
        if path in known:
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read
            continue
        added = True
    if added:
        _installed.cache_clear()
    return added


def drawable(text: str, fallback: str) -> str:
    """``text`` where the installed fonts can draw it, else ``fallback``."""
    return text if text.isascii() or cjk_family() else fallback


def font_kwargs(text: str) -> dict:
    """``fontfamily=`` for a label that needs a CJK font (empty where none is needed)."""
    return {"fontfamily": cjk_family()} if not text.isascii() and cjk_family() else {}


def figure_lang(lang: str) -> str:
    """Language the figures can be labelled in: ``zh`` only where a CJK font is installed."""
    return "zh" if lang == "zh" and cjk_family() else "en"


def cjk_note(lang: str) -> str | None:
    """The one line to show where Chinese figures were asked for and no CJK font is
    installed, else None."""
    return NO_CJK_NOTE if lang == "zh" and cjk_family() is None else None


def font_families(lang: str) -> list[str]:
    """Installed sans-serif families, in the order figures in ``lang`` use them."""
    installed = _installed()
    latin = [f for f in mpl.rcParams["font.sans-serif"] if f in installed][:1] or ["DejaVu Sans"]
    cjk = [cjk_family()] if cjk_family() else []
    families = [*cjk, *latin] if figure_lang(lang) == "zh" else [*latin, *cjk]
    families += [LAST_RESORT] if LAST_RESORT in installed else []
    return list(dict.fromkeys(families))


@contextlib.contextmanager
def font_context(lang: str) -> Iterator[None]:
    """matplotlib settings under which figures in ``lang`` are drawn (and saved)."""
    with mpl.rc_context({"font.family": "sans-serif", "font.sans-serif": font_families(lang)}):
        yield


def save_figure(fig: Figure, path: Path, lang: str, dpi: int = 100) -> Path:
    """Write ``fig`` as PNG in the fonts of ``lang`` and free it; returns ``path``."""
    with font_context(lang):
        fig.savefig(path, dpi=dpi)
    fig.clear()
    return path


@cache
def _installed() -> frozenset[str]:
    return frozenset(font.name for font in font_manager.fontManager.ttflist)
