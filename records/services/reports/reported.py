"""Documented vs reported: each figure a source reported (records.services.reports.figures)
beside Sijil's own count of the same measure, for the same period and governorate, at the
report's level and statuses."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session

from records.i18n import N_, _, format_day, format_number
from records.services.access import ExportLevel, Principal
from records.services.exchange.export_records import ExportFilters, iter_records
from records.services.incidents import format_incident_date
from records.services.reports.options import ReportOptions

METRICS = {"killed": N_("People killed"), "attempted_killing": N_("Attempted killings"),
           "injured": N_("People injured"), "abducted": N_("People abducted"),
           "arrested": N_("People arrested"), "disappeared": N_("People disappeared")}
QUALIFIERS = {"exact": "{n}", "at_least": N_("at least {n}"), "over": N_("over {n}"),
              "about": N_("about {n}"), "up_to": N_("up to {n}")}
# Victims with this outcome; an incident of the type with no such victim listed counts one.
_BY_OUTCOME = {"abducted": ("abducted", "abduction"),
               "disappeared": ("disappeared", "enforced_disappearance"),
               "arrested": ("detained", "arbitrary_detention")}
MAX_FIGURES = 40


@dataclass
class ReportedRow:
    metric: str
    reported: str
    documented: int
    period: str
    place: str
    source: str


def metric_count(record: dict, metric: str) -> int:
    """How much one (redacted) incident adds to a measure."""
    if metric == "killed":
        return record["fatalities"]
    if metric == "injured":
        return record["injured"]
    if metric == "attempted_killing":
        return int(record["incident_type"] == "attempted_killing")
    outcome, incident_type = _BY_OUTCOME.get(metric, (None, None))
    listed = sum(v["outcome"] == outcome for v in record["victims"])
    return listed or int(record["incident_type"] == incident_type)


def period_text(start: dt.date | None, end: dt.date | None) -> str:
    """A period as briefly as it is exact: "2021", "October 2019–September 2021",
    "9–26 May 2021"; "since 9 May 2021" without an end."""
    if start and end:
        whole_months = start.day == 1 and (end + dt.timedelta(days=1)).day == 1
        whole_years = whole_months and (start.month, end.month) == (1, 12)
        precision = "year" if whole_years else "month" if whole_months else "day"
        return format_incident_date(start, end, precision)
    if start:
        return _("since {d}").format(d=format_day(start))
    if end:
        return _("until {d}").format(d=format_day(end))
    return _("all dates")


def figures_for(session: Session, options: ReportOptions, *, by: Principal) -> list:
    """The reported figures `by` may read for the report's period and governorate (at most
    MAX_FIGURES)."""
    from records.services.reports.figures import reported_figures

    return list(reported_figures(session, by=by, since=options.since, until=options.until,
                                 admin1=options.admin1))[:MAX_FIGURES]


def documented_vs_reported(session: Session, figures: list, *, options: ReportOptions,
                           level: ExportLevel, governorates: dict[str, str]
                           ) -> list[ReportedRow]:
    """One row per reported figure (as `figures_for` read them for the principal), with
    Sijil's count beside it; one pass over the records per distinct scope."""
    scopes: dict[tuple, list] = defaultdict(list)
    for figure in figures:
        start = figure.period_start or options.since
        end = figure.period_end or options.until
        scopes[(start, end, figure.admin1 or options.admin1)].append(figure)
    counts: dict[tuple, dict[str, int]] = {}
    for scope, members in scopes.items():
        start, end, admin1 = scope
        wanted = {f.metric for f in members}
        totals = dict.fromkeys(wanted, 0)
        selection = ExportFilters(statuses=options.statuses, since=start, until=end,
                                  admin1=admin1)
        for record in iter_records(session, selection, level):
            for metric in wanted:
                totals[metric] += metric_count(record, metric)
        counts[scope] = totals
    rows = []
    for scope, members in scopes.items():
        start, end, admin1 = scope
        for figure in members:
            qualifier = QUALIFIERS.get(figure.qualifier, "{n}")
            source = figure.source_name + (f" ({format_day(figure.reported_on)})"
                                           if figure.reported_on else "")
            rows.append(ReportedRow(
                metric=_(METRICS.get(figure.metric, figure.metric)),
                reported=(_(qualifier) if qualifier != "{n}" else qualifier).format(
                    n=format_number(figure.value)),
                documented=counts[scope][figure.metric], period=period_text(start, end),
                place=governorates.get(admin1, admin1) if admin1 else _("Iraq"),
                source=source))
    return rows
