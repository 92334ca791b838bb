"""An incident's date: how it reads at each precision, the period it covers, and the SQL
that finds the incidents overlapping a period, on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from records.db import read_session
from records.models import Incident
from records.services.incidents import (
    format_incident_date,
    incident_interval,
    overlaps_period,
    year_only_note,
)
from tests.test_export_data import seed_dated

D = dt.date


@pytest.mark.parametrize(("start", "end", "precision", "expected"), [
    (D(2021, 5, 9), None, "day", "9 May 2021"),
    (D(2021, 5, 9), D(2021, 5, 9), "day", "9 May 2021"),
    (D(2021, 5, 9), D(2021, 5, 12), "day", "9–12 May 2021"),
    (D(2021, 4, 30), D(2021, 5, 2), "day", "30 April–2 May 2021"),
    (D(2020, 12, 30), D(2021, 1, 2), "day", "30 December 2020–2 January 2021"),
    (D(2019, 12, 1), None, "month", "December 2019"),
    (D(2019, 12, 17), None, "month", "December 2019"),
    (D(2019, 12, 1), D(2019, 12, 20), "month", "December 2019"),
    (D(2021, 5, 1), D(2021, 6, 1), "month", "May–June 2021"),
    (D(2019, 12, 1), D(2020, 1, 1), "month", "December 2019–January 2020"),
    (D(2019, 1, 1), None, "year", "2019"),
    (D(2019, 3, 1), D(2019, 9, 1), "year", "2019"),
    (D(2019, 1, 1), D(2020, 1, 1), "year", "2019–2020"),
    (D(2021, 5, 9), None, "approximate", "c. May 2021"),
    (D(2021, 5, 9), D(2021, 6, 2), "approximate", "c. May–June 2021"),
    (D(2021, 5, 9), None, "fortnight", "9 May 2021"),  # a code this module does not know
    (D(2021, 5, 9), None, None, "9 May 2021"),
])
def test_a_date_reads_at_its_precision(start, end, precision, expected):
    assert format_incident_date(start, end, precision) == expected


def test_the_language_is_a_parameter_and_an_unknown_one_reads_in_english():
    assert format_incident_date(D(2019, 12, 1), None, "month", lang="en") == "December 2019"
    assert format_incident_date(D(2019, 12, 1), None, "month", lang="xx") == "December 2019"


@pytest.mark.parametrize(("start", "end", "precision", "expected"), [
    (D(2019, 12, 1), None, "month", (D(2019, 12, 1), D(2019, 12, 31))),
    (D(2019, 12, 17), None, "month", (D(2019, 12, 1), D(2019, 12, 31))),
    (D(2020, 2, 1), None, "approximate", (D(2020, 2, 1), D(2020, 2, 29))),
    (D(2020, 2, 1), D(2020, 3, 1), "month", (D(2020, 2, 1), D(2020, 3, 31))),
    (D(2019, 6, 1), None, "year", (D(2019, 1, 1), D(2019, 12, 31))),
    (D(2019, 6, 1), D(2020, 1, 1), "year", (D(2019, 1, 1), D(2020, 12, 31))),
    (D(2021, 5, 9), None, "day", (D(2021, 5, 9), D(2021, 5, 9))),
    (D(2021, 5, 9), D(2021, 5, 12), "day", (D(2021, 5, 9), D(2021, 5, 12))),
])
def test_the_interval_is_widened_to_the_precision(start, end, precision, expected):
    assert incident_interval(start, end, precision) == expected


def test_the_note_under_a_monthly_chart():
    assert year_only_note(1) == "1 incident dated to the year only is counted by year, " \
                                "not by month."
    assert year_only_note(3) == "3 incidents dated to the year only are counted by year, " \
                                "not by month."


@pytest.mark.parametrize(("date_from", "date_to", "expected"), [
    # The finding: a December 2019 killing stored as 2019-12-01 is found from 15 December.
    (D(2019, 12, 15), None,
     {"december", "year_2019", "new_year", "feb_march", "about_january"}),
    (None, D(2019, 12, 15), {"december", "november_30", "year_2019"}),
    (D(2019, 12, 15), D(2019, 12, 15), {"december", "year_2019"}),
    (D(2019, 12, 31), D(2020, 1, 1), {"december", "year_2019", "new_year", "about_january"}),
    (D(2020, 1, 31), D(2020, 1, 31), {"about_january"}),
    (D(2020, 3, 31), None, {"feb_march"}),
    (D(2019, 1, 1), D(2019, 1, 1), {"year_2019"}),
    (D(2019, 11, 30), D(2019, 11, 30), {"november_30", "year_2019"}),
    (None, D(2018, 12, 31), set()),
    (D(2020, 4, 1), None, set()),
    (None, None, {"december", "november_30", "year_2019", "new_year", "feb_march",
                  "about_january"}),
])
def test_a_period_finds_the_incidents_whose_interval_overlaps_it(engine, users, date_from,
                                                                  date_to, expected):
    refs = seed_dated(engine, users)
    names = {ref: name for name, ref in refs.items()}
    with read_session(engine) as session:
        found = session.exec(select(Incident.ref)
                             .where(*overlaps_period(date_from, date_to))).all()
    assert {names[ref] for ref in found} == expected


@pytest.mark.parametrize(("lang", "start", "end", "precision", "expected"), [
    ("ar", D(2019, 12, 1), None, "month", "كانون الأول 2019"),
    ("ar", D(2021, 5, 9), D(2021, 5, 12), "day", "9–12 أيار 2021"),
    ("ar", D(2020, 12, 30), D(2021, 1, 2), "day", "30 كانون الأول 2020–2 كانون الثاني 2021"),
    ("ar", D(2021, 5, 1), D(2021, 6, 1), "approximate", "حوالي أيار–حزيران 2021"),
    ("ar", D(2019, 1, 1), D(2020, 1, 1), "year", "2019–2020"),
    ("ckb", D(2019, 12, 1), None, "month", "کانوونی یەکەم 2019"),
    ("ckb", D(2021, 5, 9), None, "day", "9 ئایار 2021"),
    ("ckb", D(2021, 4, 30), D(2021, 5, 2), "day", "30 نیسان–2 ئایار 2021"),
    ("ckb", D(2021, 5, 1), None, "approximate", "نزیکەی ئایار 2021"),
])
def test_an_incident_date_reads_in_arabic_and_sorani(lang, start, end, precision, expected):
    assert format_incident_date(start, end, precision, lang=lang) == expected


def test_the_date_is_in_the_current_language_unless_one_is_given():
    from records.i18n import use_language

    with use_language("ar"):
        assert format_incident_date(D(2019, 12, 1), None, "month") == "كانون الأول 2019"
        assert format_incident_date(D(2019, 12, 1), None, "month", lang="en") == "December 2019"
