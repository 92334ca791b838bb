"""The advocacy report: cover, executive summary, accountability, documented vs reported,
maps and charts, the incident list, methodology and a glossary of the terms used, as
self-contained HTML (reports/html.py) or PDF (reports/pdf.py), in English, Arabic or
Sorani.

It is built from the same redacted records as every export, so it shows exactly what the
chosen level allows. Every heading and label goes through `_` while the report's language
is the current one (`write_report` sets it with `use_language`); Arabic and Sorani reports
read right to left.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from records.i18n import _, current_language, format_day, is_right_to_left, use_language
from records.labels import STATUS_NAMES
from records.models.types import utcnow
from records.services.access import ExportLevel
from records.services.incidents import year_only_note
from records.services.reports.accountability import STEPS, Accountability
from records.services.reports.charts import Chart, bar_chart, column_chart, governorate_map
from records.services.reports.glossary import glossary
from records.services.reports.options import ReportOptions
from records.services.reports.reported import ReportedRow, documented_vs_reported, period_text
from records.services.reports.summary import summary_lines
from records.services.reports.tally import FIGURES, NAMED_VOCABULARIES, Tally, month_series
from records.services.reports.words import (
    CONFIDENCE_NAMES,
    DEFAULT_TITLE,
    EXCLUDED,
    FILTER_NAMES,
    VERIFICATION,
    level_name,
    separators,
)
from records.services.vocabularies import labels


@dataclass
class ReportData:
    title: str
    generated_at: str
    level: ExportLevel
    filters: dict
    totals: dict
    by_year: list[dict]
    charts: dict[str, Chart]
    subtitle: str = ""
    organisation: str = ""
    logo: bytes | None = None
    logo_kind: str | None = None
    period: str = ""
    summary: list[str] = field(default_factory=list)
    accountability: Accountability = field(default_factory=Accountability)
    steps: list[tuple[str, int]] = field(default_factory=list)
    reported: list[ReportedRow] = field(default_factory=list)
    year_only: int = 0
    year_only_note: str = ""
    incidents: list[dict] = field(default_factory=list)
    more: int = 0
    sources: list[dict] = field(default_factory=list)
    source_kinds: list[tuple[str, int]] = field(default_factory=list)
    confidence: list[tuple[str, int]] = field(default_factory=list)
    glossary: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    verification: str = ""
    excluded: list[str] = field(default_factory=list)
    filter_lines: list[str] = field(default_factory=list)
    language: str = "en"
    rtl: bool = False
    generated_line: str = ""
    level_name: str = ""
    level_description: str = ""


def _filter_value(value) -> str:
    if isinstance(value, list):  # statuses
        return separators()[0].join(_(STATUS_NAMES.get(v, v)) for v in value)
    if hasattr(value, "year"):
        return format_day(value)
    return _("all") if value == "all" else str(value)


def _charts(tally: Tally, steps: list[tuple[str, int]], rtl: bool) -> dict[str, Chart]:
    return {
        "months": column_chart(month_series(tally.months)),
        "governorates": bar_chart(tally.places.most_common(), rtl=rtl),
        "perpetrators": bar_chart(tally.perpetrators.most_common(), rtl=rtl),
        "profiles": bar_chart(tally.profiles.most_common(), rtl=rtl),
        "accountability": bar_chart(steps, rtl=rtl),
        "map": governorate_map(dict(tally.by_code),
                               [(lon, lat, n) for (lon, lat), n in tally.points.items()],
                               tally.names["governorate"]),
    }


def options_from_filters(filters: dict, level: ExportLevel, language: str) -> ReportOptions:
    """The options of a report asked for with export filters only (`ExportFilters.describe`)."""
    statuses = filters.get("statuses")
    return ReportOptions(
        level=level.name, lang=language,
        statuses=None if statuses in (None, "all") else tuple(statuses),
        since=filters.get("since"), until=filters.get("until"), admin1=filters.get("admin1"),
        incident_type=filters.get("incident_type"), perpetrator=filters.get("perpetrator"))


def build_report(session: Session, records, *, level: ExportLevel, filters: dict,
                 options: ReportOptions | None = None, figures: list | None = None
                 ) -> ReportData:
    """Aggregate the (redacted) records in one pass, keeping at most MAX_LISTED incidents
    for the incident section; every word in the current language (see `write_report`)."""
    language = current_language()
    options = options or options_from_filters(filters, level, language)
    names = {vocabulary: labels(session, vocabulary, language)
             for vocabulary in NAMED_VOCABULARIES}
    tally = Tally(names, language=language)
    for record in records:
        tally.add(record)
    accountability = tally.accountability.finish()
    rtl = is_right_to_left(language)
    steps = [(names["case_event_kind"].get(s, s), accountability.by_step[s]) for s in STEPS]
    steps.append((_("No follow-up at all"), accountability.none))
    now = utcnow()
    # The day in words ("29 تشرين الثاني 2026"): an ISO date inside right-to-left text
    # would be reordered by the bidi algorithm.
    generated_at = f"{format_day(now.date(), language)} {now:%H:%M} UTC"
    more = max(0, tally.totals["incidents"] - len(tally.listed))
    since = options.since or tally.first
    until = options.until or tally.last
    kinds = Counter({names["source_kind"].get(k, k): n
                     for k, n in tally.used["source_kind"].items() if k})
    return ReportData(
        language=language, rtl=rtl,
        generated_line=_("Generated {t} by Sijil.").format(t=generated_at),
        level_name=level_name(level.name), level_description=_(level.description),
        title=options.title or _(DEFAULT_TITLE), subtitle=options.subtitle or "",
        organisation=options.organisation or "", logo=options.logo,
        logo_kind=options.logo_kind(),
        period=period_text(since, until) if since or until else "",
        summary=summary_lines(session, tally, options, level, now.date()),
        accountability=accountability, steps=steps,
        reported=documented_vs_reported(session, figures or [], options=options, level=level,
                                        governorates=names["governorate"]),
        generated_at=generated_at, level=level, filters=filters,
        totals={k: tally.totals[k] for k in (*FIGURES, "victims")},
        by_year=[{"year": y, **{k: c[k] for k in FIGURES}}
                 for y, c in sorted(tally.years.items())],
        charts=_charts(tally, steps, rtl), year_only=tally.totals["year_only"],
        year_only_note=year_only_note(tally.totals["year_only"]), incidents=tally.listed,
        more=more, verification=_(VERIFICATION), excluded=[_(e) for e in EXCLUDED],
        sources=sorted(tally.sources.values(), key=lambda s: (s["title"] or "").casefold()),
        source_kinds=kinds.most_common(),
        confidence=[(_(CONFIDENCE_NAMES.get(c, c)), tally.confidence[c])
                    for c in CONFIDENCE_NAMES if tally.confidence[c]],
        glossary=glossary(tally.used, names),
        filter_lines=[f"{_(FILTER_NAMES.get(k, k))}: {_filter_value(v)}"
                      for k, v in filters.items()])


def write_report(session: Session, records, out: Path, *, level: ExportLevel, filters: dict,
                 pdf: bool, language: str = "en", options: ReportOptions | None = None,
                 figures: list | None = None) -> None:
    """Write the HTML or PDF report of the records to `out`, in `language` (en, ar, ckb;
    another code gives English; `options.lang` when options are given). `options` gives
    the cover's words, logo and period; `figures` the reported figures already read for
    the principal (`reported.figures_for`; without them the documented-vs-reported
    section says none were entered). Raises ReportDependencyMissing for a PDF without its
    shaping library or a font."""
    with use_language(options.lang if options else language):
        if pdf:
            from records.services.reports.pdf import check_pdf_dependencies, render_pdf

            check_pdf_dependencies()
        data = build_report(session, records, level=level, filters=filters, options=options,
                            figures=figures)
        if pdf:
            render_pdf(data, out)
            return
        from records.services.reports.html import render_html

        out.write_text(render_html(data), encoding="utf-8")
