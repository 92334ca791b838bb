"""One translation function for every user-facing string: gettext catalogues managed with
Babel (`make translations`), the language chosen per context, not per process.

The workspace serves many users from one process, each in their own language, so the
language is a `ContextVar`: the UI sets it at the start of each page run from the session's
choice, the CLI leaves it at English, and `_`/`ngettext` read it on every call. A message must
therefore be translated when it is shown, never at import time (`N_` marks a constant for
extraction without translating it).
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "sijil"

# code → the language's name in itself (what the language switch shows)
LANGUAGES: dict[str, str] = {"en": "English", "ar": "العربية", "ckb": "کوردی"}
DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar", "ckb"})
# Babel (CLDR) locale of each language: Iraqi Arabic month names ("كانون الأول") and Sorani;
# British English writes the day first ("9 May 2021"), as the incident dates read.
BABEL_LOCALES = {"en": "en_GB", "ar": "ar_IQ", "ckb": "ckb_IQ"}
# The vocabulary table's label column of each language (Kurdish is stored as label_ku).
LABEL_COLUMNS = {"en": "label_en", "ar": "label_ar", "ckb": "label_ku"}

_language: ContextVar[str] = ContextVar("sijil_language", default=DEFAULT_LANGUAGE)


def normalise_language(language: str | None) -> str:
    """A supported language code; anything else (None, "fr", "") is English."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def set_language(language: str | None) -> str:
    """Make `language` (en, ar, ckb) the current one for this context (a page run, a thread);
    unknown languages fall back to English. Returns the code set."""
    code = normalise_language(language)
    _language.set(code)
    return code


def current_language() -> str:
    return _language.get()


def is_right_to_left(language: str | None = None) -> bool:
    return (language or current_language()) in RIGHT_TO_LEFT


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Within the block, messages are in `language`; the previous language comes back after."""
    token = _language.set(normalise_language(language))
    try:
        yield _language.get()
    finally:
        _language.reset(token)


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def _(message: str) -> str:
    """`message` in the current language (itself when the catalogue lacks it)."""
    return _catalogue(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a counted message that fits `n` in the current language (Arabic has six)."""
    return _catalogue(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a constant for extraction; translate it with `_` where it is shown."""
    return message


def babel_locale(language: str | None = None) -> str:
    return BABEL_LOCALES[normalise_language(language or current_language())]


def format_day(day: dt.date | None, language: str | None = None) -> str:
    """A calendar day as readers of `language` write it: "9 May 2021", "9 أيار 2021",
    "9ی ئایاری 2021" (Babel's long form, month in words, so no day/month confusion)."""
    if day is None:
        return ""
    from babel.dates import format_date

    return format_date(day, "long", locale=babel_locale(language))


def format_number(value: int | float, language: str | None = None) -> str:
    """A count with the language's grouping (Latin digits, as Iraqi forms use them)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(language), numbering_system="latn")
