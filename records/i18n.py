"""One translation function for every user-facing string (gettext catalogues come later)."""

from __future__ import annotations

import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_translation: gettext.NullTranslations = gettext.NullTranslations()


def set_language(language: str | None) -> None:
    """Switch the catalogue (en, ar, ckb); unknown languages fall back to English."""
    global _translation
    _translation = gettext.translation(
        "sijil", LOCALE_DIR, languages=[language] if language else None, fallback=True
    )


def _(message: str) -> str:
    return _translation.gettext(message)
