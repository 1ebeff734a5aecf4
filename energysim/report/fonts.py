"""Chinese text in figures: use an installed CJK font, or fall back to plain labels.

No font is shipped or downloaded: on Debian, ``apt-get install fonts-noto-cjk`` provides
one (SIL Open Font License).
"""

from __future__ import annotations

from functools import cache

from matplotlib import font_manager

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC")


@cache
def cjk_family() -> str | None:
    """Name of an installed font family that draws Chinese, or None."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def drawable(text: str, fallback: str) -> str:
    """``text`` where the installed fonts can draw it, else ``fallback``."""
    return text if text.isascii() or cjk_family() else fallback


def font_kwargs(text: str) -> dict:
    """``fontfamily=`` for a label that needs a CJK font (empty where none is needed)."""
    return {"fontfamily": cjk_family()} if not text.isascii() and cjk_family() else {}
