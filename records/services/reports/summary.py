"""The executive summary, written from the counts: totals by outcome, the trend against the
previous period of equal length, the most affected governorates and profiles, the share
attributed to each perpetrator type and at which attribution level, and impunity."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlmodel import Session

from records.i18n import _, format_number
from records.services.access import ExportLevel
from records.services.exchange.export_records import count_incidents
from records.services.reports.options import ReportOptions
from records.services.reports.reported import period_text
from records.services.reports.tally import Tally
from records.services.reports.words import separators

TOP = 3


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def previous_period(options: ReportOptions, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The period of equal length just before the report's; None without a start. A
    period of whole months (2021) is compared with as many whole months (2020), else
    with as many days."""
    if options.since is None:
        return None
    since, until = options.since, options.until or today
    end = since - dt.timedelta(days=1)
    if since.day == 1 and (until + dt.timedelta(days=1)).day == 1:
        months = (until.year - since.year) * 12 + until.month - since.month + 1
        return _months_back(since, months), end
    return end - dt.timedelta(days=(until - since).days), end


def _trend(session: Session, tally: Tally, options: ReportOptions, level: ExportLevel,
           today: dt.date) -> str | None:
    now = tally.totals["incidents"]
    previous = previous_period(options, today)
    if previous is not None:
        selection = replace(options, since=previous[0], until=previous[1]).export_filters()
        before = count_incidents(session, selection, level)
        against = _("{n} in the previous period of equal length ({p})").format(
            n=format_number(before), p=period_text(*previous))
    else:
        years = sorted(tally.years)
        if len(years) < 2:
            return None
        now = tally.years[years[-1]]["incidents"]
        before = tally.years[years[-2]]["incidents"]
        against = _("{n} in {y}").format(n=format_number(before), y=years[-2])
        against = _("{y}: {n} incidents, against {a}").format(
            y=years[-1], n=format_number(now), a=against)
        return against + _change(now, before)
    return _("Trend: {n} incidents, against {a}").format(n=format_number(now),
                                                         a=against) + _change(now, before)


def _change(now: int, before: int) -> str:
    if before == 0:
        return "." if now == 0 else _(", none before.")
    change = round(100 * (now - before) / before)
    if change > 0:
        return _(", an increase of {p} %.").format(p=change)
    if change < 0:
        return _(", a decrease of {p} %.").format(p=-change)
    return _(", the same number.")


def _top(counter, names: dict[str, str] | None = None) -> str:
    items = counter.most_common(TOP)
    return separators()[0].join(f"{(names or {}).get(k, k)} ({format_number(n)})"
                                for k, n in items)


def summary_lines(session: Session, tally: Tally, options: ReportOptions, level: ExportLevel,
                  today: dt.date) -> list[str]:
    """The summary's sentences in the current language, most important first."""
    totals, names = tally.totals, tally.names
    lines = [_("Incidents documented: {n}. People killed: {k}; injured: {i}; attempted "
               "killings: {a}.").format(
        n=format_number(totals["incidents"]), k=format_number(totals["killed"]),
        i=format_number(totals["injured"]), a=format_number(totals["attempts"]))]
    if tally.outcomes:
        lines.append(_("Victims listed by outcome: {o}.").format(
            o=_top_all(tally.outcomes, names["victim_outcome"])))
    trend = _trend(session, tally, options, level, today)
    if trend:
        lines.append(trend)
    if tally.by_code:
        lines.append(_("Most affected governorates: {g}.").format(
            g=_top(tally.by_code, names["governorate"])))
    if tally.profile_codes:
        lines.append(_("Most affected profiles: {p}.").format(
            p=_top(tally.profile_codes, names["profile"])))
    incidents = totals["incidents"] or 1
    for kind, levels in sorted(tally.attribution.items(),
                               key=lambda item: -tally.perpetrators[
                                   names["actor_type"].get(item[0], item[0])])[:4]:
        share = round(100 * tally.perpetrators[names["actor_type"].get(kind, kind)] / incidents)
        lines.append(_("Attributed to {t}: {p} per cent of incidents ({levels}).").format(
            t=names["actor_type"].get(kind, kind), p=share,
            levels=_top_all(levels, names["attribution"])))
    accountability = tally.accountability.result
    if accountability.cases:
        lines.append(_("Killings and attempted killings with no follow-up at all: {n} of {c} "
                       "(impunity rate {p} %).").format(
            n=format_number(accountability.none), c=format_number(accountability.cases),
            p=accountability.impunity_rate))
    return lines


def _top_all(counter, names: dict[str, str]) -> str:
    return separators()[0].join(f"{names.get(k, k)} {format_number(n)}"
                                for k, n in counter.most_common())
