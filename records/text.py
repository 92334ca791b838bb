"""Text normalisation for matching names written in Latin and Arabic script."""

from __future__ import annotations

import re
import unicodedata

# Arabic letter variants that writers use interchangeably, folded to one form.
_ARABIC_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ى": "ي", "ئ": "ي", "ؤ": "و", "ة": "ه",
    "ک": "ك", "ی": "ي", "ـ": None,  # Persian/Kurdish kaf and yeh; tatweel
})
_SPACES = re.compile(r"\s+")
# A NUL (PostgreSQL refuses it in text) and unpaired surrogates (no UTF-8 encoding).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# The length of person.name_key. Normalising can lengthen a name (NFKD makes the one
# character "ﷺ" eighteen), so the key is cut to fit the column; a prefix still matches.
KEY_LENGTH = 700


def normalize_name(*names: str | None) -> str:
    """A matching key: case-folded, accents and Arabic diacritics removed, variants folded."""
    parts = []
    for name in names:
        if not name:
            continue
        decomposed = unicodedata.normalize("NFKD", name)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        folded = stripped.translate(_ARABIC_FOLD).casefold()
        parts.append(_SPACES.sub(" ", folded).strip())
    return " | ".join(p for p in parts if p)[:KEY_LENGTH]


def without_unstorable(text: str) -> str:
    """`text` without the characters no database text column holds: NUL, which PostgreSQL
    refuses, and unpaired surrogates, which have no UTF-8 form. What a user types into a
    search or a filter can never match them, so they are dropped, not refused."""
    return _UNSTORABLE.sub("", text)
