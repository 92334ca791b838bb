"""Text folding for full-text search and the name keys record linkage compares.

`fold_text` is what the search index stores and what a query is folded with, so "إيهاب",
"ايهاب" and "إِيهَاب" find each other. It keeps word order and word boundaries (search
tokenises the result). The name-level keys (`name_tokens`) live in names.py.
"""

from __future__ import annotations

import re
import unicodedata

import pyarabic.araby as araby

# Letters writers use interchangeably, folded to one form. Hamza carriers (أ إ آ ؤ ئ) lose
# their hamza when decomposed below; these are the forms that do not decompose.
_LETTER_FOLD = str.maketrans({
    "ٱ": "ا",  # alef wasla
    "ى": "ي",  # alef maqsura
    "ة": "ه",  # ta marbuta
    # Persian and Sorani Kurdish code points for the same letters, and Sorani letters that
    # are an Arabic letter with a small mark: a query typed on an Arabic keyboard finds them.
    "ک": "ك", "ی": "ي", "ێ": "ي", "ۆ": "و", "ڵ": "ل", "ڕ": "ر",
    "ە": "ه", "ھ": "ه", "ہ": "ه", "ۀ": "ه",
    # Arabic-Indic and Persian digits: "١٢" and "12" are the same number.
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
})
# Apostrophes and the ʿayn/hamza signs of transliteration are part of a word ("Ta'i",
# "Saʿid"): removed, not turned into a word break.
_JOINERS = str.maketrans({c: None for c in "'’‘`´ʼʻʿʾ\u200c\u200d"})
# Anything but a letter or digit (punctuation and symbols, Latin and Arabic: ، ؛ ؟ « »)
# separates words; runs of them and of spaces become one space.
_BREAKS = re.compile(r"[\W_]+")


def fold_text(text: str | None) -> str:
    """Text folded for search: NFKC, case folded, Latin accents and Arabic diacritics
    (harakat, shadda, sukun, superscript alef) and tatweel removed, alef/hamza/ya/ta marbuta
    and Persian/Kurdish letter variants unified, punctuation turned into spaces, whitespace
    collapsed. Word order is kept. Idempotent: fold_text(fold_text(x)) == fold_text(x)."""
    if not text:
        return ""
    text = araby.strip_tatweel(unicodedata.normalize("NFKC", text).casefold())
    # NFKD splits أ into ا + hamza mark, é into e + acute: dropping every combining mark
    # removes the Arabic diacritics (harakat, shadda, sukun, superscript alef, small high
    # letters: all of them marks, which pyarabic's strip_tashkeel lists only in part) and
    # Latin accents alike.
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        decomposed = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = decomposed.translate(_JOINERS).translate(_LETTER_FOLD)
    return _BREAKS.sub(" ", unicodedata.normalize("NFC", text)).strip()


def is_arabic_script(token: str) -> bool:
    """Whether a folded token is written in Arabic script (its first letter decides)."""
    for char in token:
        if char.isalpha():
            return "\u0600" <= char <= "\u06FF" or "\u0750" <= char <= "\u077F"
    return False
