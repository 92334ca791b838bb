"""The language is per context (a page run, a thread), never the process's."""

from __future__ import annotations

import datetime as dt
import threading

from records.i18n import (
    _,
    current_language,
    format_day,
    is_right_to_left,
    ngettext,
    set_language,
    use_language,
)


def test_a_language_set_in_one_thread_does_not_reach_another():
    seen = {}
    arabic_set = threading.Event()
    english_read = threading.Event()

    def arabic_user():
        set_language("ar")
        arabic_set.set()
        english_read.wait(5)
        seen["ar"] = (current_language(), _("Log out"))

    def english_user():
        arabic_set.wait(5)
        seen["en"] = (current_language(), _("Log out"))
        english_read.set()

    threads = [threading.Thread(target=arabic_user), threading.Thread(target=english_user)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"ar": ("ar", "تسجيل الخروج"), "en": ("en", "Log out")}
    assert current_language() == "en"


def test_use_language_restores_the_previous_one():
    with use_language("ckb"):
        assert _("Log out") == "چوونەدەرەوە"
        assert is_right_to_left()
    assert _("Log out") == "Log out"
    assert not is_right_to_left()


def test_an_unknown_language_is_english():
    with use_language("fr"):
        assert current_language() == "en"


def test_counts_take_the_plural_form_of_the_number():
    assert ngettext("{n} incident", "{n} incidents", 1).format(n=1) == "1 incident"
    assert ngettext("{n} incident", "{n} incidents", 4).format(n=4) == "4 incidents"
    assert ngettext("{n} incident", "{n} incidents", 0).format(n=0) == "0 incidents"


def test_a_day_is_written_as_each_language_writes_it():
    day = dt.date(2021, 5, 9)
    assert format_day(day, "en") == "9 May 2021"
    assert format_day(day, "ar") == "9 أيار 2021"
    assert format_day(day, "ckb") == "9ی ئایاری 2021"
    assert format_day(None, "en") == ""
