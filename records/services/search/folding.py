"""The text the index holds and the words a query looks for, folded the same way as the
names linkage compares (case, accents and Arabic diacritics, hamza forms, ta marbuta, alef
maqsura, Persian/Kurdish letters), so "مُسَلَّحين" finds "مسلحين" and "Karbalā" finds
"Karbala"."""

from __future__ import annotations

import re
from functools import cache

# Word characters without the underscore: the tokenisers of both engines split there too.
_WORD = re.compile(r"[^\W_]+")
# More words than this in one query are left out: each one is a condition on the index.
MAX_QUERY_WORDS = 8


@cache
def _fold_text():
    # Imported on first use: linkage's merge keeps this index current, so the two packages
    # import each other.
    from records.services.linkage import fold_text

    return fold_text


def fold_text(text: str | None) -> str:
    """linkage's normaliser (records.services.linkage.fold_text)."""
    return _fold_text()(text)


def fold(*parts: str | None) -> str:
    """The folded text of `parts`, joined by spaces; empty parts are skipped."""
    return " ".join(folded for part in parts if part and (folded := fold_text(part)))


def query_words(text: str | None) -> list[str]:
    """The folded words of a search box's text, in order, each once."""
    words = _WORD.findall(fold_text(text or ""))
    return list(dict.fromkeys(words))[:MAX_QUERY_WORDS]
