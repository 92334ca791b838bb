"""An incident's date as a reader should see it, the stretch of time it covers, and the one
order of incidents (docs/design.md §3, "Dates").

An incident has a start date, an optional end date and a precision, a code of the
`date_precision` vocabulary: day, month, year or approximate. The stored dates are always
whole days, so "December 2019" is stored as 2019-12-01; the precision says which part of
them is known. Everything here reads the dates through the precision:

- `format_incident_date` writes them as people say them ("December 2019", never
  "2019-12-01");
- `incident_interval` (and its SQL twin `overlaps_period`) widens them to the whole month or
  year they stand for, so a filter from 15 December 2019 finds the December 2019 killing;
- charts count an incident in its month only when its month is known
  (`counted_in_months`).

"Approximate" is read as a month: the month of the start date is known, its day is not.
A code added to the vocabulary later, unknown here, is read as a day, which shows the
stored date in full and widens nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_
from sqlalchemy.sql.elements import ColumnElement

from records.i18n import current_language, ngettext
from records.models import Incident

# precision code → the part of the date that is known
GRAINS = {"day": "day", "month": "month", "approximate": "month", "year": "year"}
MONTH_CODES = tuple(code for code, grain in GRAINS.items() if grain == "month")
YEAR_CODES = tuple(code for code, grain in GRAINS.items() if grain == "year")

# Newest first by start date, then by ref, highest first: the one order of every list,
# export and report. The ref breaks ties, not the id, because files carry it: an export
# imported elsewhere exports again in the same order. Refs all have the INC-YYYY-NNNNN
# shape, so every collation orders them alike.
NEWEST_FIRST = (Incident.start_date.desc(), Incident.ref.desc())


@dataclass(frozen=True)
class _Words:
    months: tuple[str, ...]
    day: str = "{day} {month} {year}"
    month: str = "{month} {year}"
    approximate: str = "c. {date}"
    dash: str = "\u2013"  # en dash, no spaces: "9–12 May 2021"


# One entry per language. Arabic and Sorani use the month names of Iraq (CLDR ar_IQ and
# ckb_IQ: "كانون الأول", "کانونی یەکەم"), typed out so a Babel update cannot change a date
# already shown; the day and year stay in Latin digits, as Iraqi forms and media write them.
WORDS: dict[str, _Words] = {
    "en": _Words(months=("January", "February", "March", "April", "May", "June", "July",
                         "August", "September", "October", "November", "December")),
    "ar": _Words(months=("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز",
                         "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"),
                 approximate="حوالي {date}"),
    "ckb": _Words(months=("کانوونی دووەم", "شوبات", "ئازار", "نیسان", "ئایار", "حوزەیران",
                          "تەمووز", "ئاب", "ئەیلوول", "تشرینی یەکەم", "تشرینی دووەم",
                          "کانوونی یەکەم"),
                  approximate="نزیکەی {date}"),
}


def date_grain(precision: str | None) -> str:
    """How much of an incident's stored date is known: "day", "month" or "year"."""
    return GRAINS.get(precision or "day", "day")


def format_incident_date(start: dt.date, end: dt.date | None = None,
                         precision: str | None = "day", *, lang: str | None = None) -> str:
    """An incident's date in words, at its precision; the end date (if any) at the same one.

    day: "9 May 2021", "9–12 May 2021", "30 April–2 May 2021";
    month: "December 2019", "May–June 2021", "December 2019–January 2020";
    year: "2019", "2019–2020"; approximate: "c. May 2021", "c. May–June 2021".
    An end that says no more than the start ("December 2019" to a day in December 2019)
    is not repeated. `lang` (en, ar, ckb) defaults to the current language (records/i18n.py);
    unknown languages fall back to English, like the catalogues."""
    words = WORDS.get(lang or current_language(), WORDS["en"])
    grain = date_grain(precision)
    end = end if end is not None and end > start else start
    if grain == "year":
        text = str(start.year) if end.year == start.year else (
            f"{start.year}{words.dash}{end.year}")
    elif grain == "month":
        text = _month_range(start, end, words)
    else:
        text = _day_range(start, end, words)
    return words.approximate.format(date=text) if precision == "approximate" else text


def _month_range(start: dt.date, end: dt.date, words: _Words) -> str:
    def month(d: dt.date, year: bool = True) -> str:
        name = words.months[d.month - 1]
        return words.month.format(month=name, year=d.year) if year else name

    if (end.year, end.month) == (start.year, start.month):
        return month(start)
    if end.year == start.year:
        return f"{month(start, year=False)}{words.dash}{month(end)}"
    return f"{month(start)}{words.dash}{month(end)}"


def _day_range(start: dt.date, end: dt.date, words: _Words) -> str:
    def day(d: dt.date, month: bool = True, year: bool = True) -> str:
        text = words.day.format(day=d.day, month=words.months[d.month - 1] if month else "",
                                year=d.year if year else "")
        return " ".join(text.split())  # the left-out parts leave no double spaces

    if end == start:
        return day(start)
    if (end.year, end.month) == (start.year, start.month):
        return f"{day(start, month=False, year=False)}{words.dash}{day(end)}"
    if end.year == start.year:
        return f"{day(start, year=False)}{words.dash}{day(end)}"
    return f"{day(start)}{words.dash}{day(end)}"


def incident_interval(start: dt.date, end: dt.date | None,
                      precision: str | None) -> tuple[dt.date, dt.date]:
    """The first and last day an incident's dates stand for: [start, end or start] widened
    to whole months or years at month or year precision."""
    last = end if end is not None and end > start else start
    grain = date_grain(precision)
    if grain == "year":
        return dt.date(start.year, 1, 1), dt.date(last.year, 12, 31)
    if grain == "month":
        return start.replace(day=1), _month_end(last)
    return start, last


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def overlaps_period(date_from: dt.date | None, date_to: dt.date | None
                    ) -> list[ColumnElement[bool]]:
    """SQL conditions on Incident: its `incident_interval` overlaps [date_from, date_to]
    (either end may be open). Empty when both are None.

    The interval is not computed in SQL: widening a stored date to its month or year and
    comparing it with a bound is the same as comparing the stored date with the bound
    widened the other way (the end of a December 2019 event is on or after 15 December
    exactly when its stored end is on or after 1 December). So the conditions are plain
    date comparisons with bounds computed here, the same on SQLite and PostgreSQL, and the
    start-date index still narrows the upper bound."""
    conditions: list[ColumnElement[bool]] = []
    in_years = Incident.date_precision.in_(YEAR_CODES)
    in_months = Incident.date_precision.in_(MONTH_CODES)
    if date_from is not None:
        last = func.coalesce(Incident.end_date, Incident.start_date)
        conditions.append(or_(last >= date_from,
                              and_(in_months, last >= date_from.replace(day=1)),
                              and_(in_years, last >= dt.date(date_from.year, 1, 1))))
    if date_to is not None:
        first = Incident.start_date
        year_end = dt.date(date_to.year, 12, 31)
        conditions.append(first <= year_end)
        # A year-precision start needs only the condition above.
        conditions.append(or_(first <= date_to,
                              and_(in_months, first <= _month_end(date_to)),
                              in_years))
    return conditions


def counted_in_months() -> ColumnElement[bool]:
    """SQL: the incident's month is known (every precision but year), so a chart of
    incidents per month may count it in the month of its start date."""
    return Incident.date_precision.not_in(YEAR_CODES)


def year_only_note(count: int) -> str:
    """What a monthly chart says under it about the incidents it leaves out."""
    return ngettext("{n} incident dated to the year only is counted by year, not by month.",
                    "{n} incidents dated to the year only are counted by year, not by month.",
                    count).format(n=count)
