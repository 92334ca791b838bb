"""The advocacy report: figures, charts, map, incidents, sources and methodology, as
self-contained HTML (Jinja2, autoescaped, charts inline) or PDF (fpdf2 with HarfBuzz
shaping, see reports/pdf.py), in English, Arabic or Sorani.

It is built from the same redacted records as every export, so it shows exactly what the
chosen level allows. Every heading and label goes through `_` while the report's language
is the current one (`write_report` sets it with `use_language`); Arabic and Sorani reports
read right to left.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from records.i18n import N_, _, current_language, format_day, is_right_to_left, use_language
from records.models.types import utcnow
from records.services.access import ExportLevel
from records.services.incidents import date_grain, format_incident_date, year_only_note
from records.services.reports.charts import Chart, bar_chart, column_chart, governorate_map
from records.services.vocabularies import labels

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MAX_LISTED = 500
NARRATIVE_CHARS = 700
DEFINED_VOCABULARIES = (
    ("incident_type", N_("Incident types")), ("victim_outcome", N_("Victim outcomes")),
    ("profile", N_("Victim profiles")), ("actor_type", N_("Perpetrator types")),
    ("attribution", N_("Attribution")), ("source_kind", N_("Kinds of source")),
)
VERIFICATION = N_(
    "Each incident is entered by a caseworker from the sources listed, then checked by a "
    "reviewer who did not enter or submit it (four-eyes rule) before it is marked verified; "
    "published incidents are verified incidents released for publication. Confidence says "
    "how well the facts are established: reported (one source), corroborated (independent "
    "sources agree), verified (confirmed by the organisation's own investigation). Sources are "
    "graded on the Admiralty scale (reliability A-F, credibility 1-6). Counts of people "
    "killed and injured are the larger of the reported figure and the victims listed. "
    "Categories follow HURIDOCS Events Standard Formats, ACLED and the OHCHR guidance on SDG "
    "indicator 16.10.1.")
LEVEL_NAMES = {"public": N_("public"), "partner": N_("partner"), "internal": N_("internal")}
FILTER_NAMES = {"statuses": N_("statuses"), "since": N_("since"), "until": N_("until"),
                "admin1": N_("governorate"), "incident_type": N_("incident type"),
                "perpetrator": N_("perpetrator")}
STATUS_NAMES = {"draft": N_("Draft"), "submitted": N_("Submitted"), "returned": N_("Returned"),
                "verified": N_("Verified"), "published": N_("Published"),
                "archived": N_("Archived")}
CONFIDENCE_NAMES = {"reported": N_("Reported"), "corroborated": N_("Corroborated"),
                    "verified": N_("Verified")}


def _words(level: ExportLevel, more: int) -> dict[str, str]:
    """The report's own words in the current language, for the HTML template (the PDF
    calls `_` where it writes them, with the same messages)."""
    level_name = _(LEVEL_NAMES.get(level.name, level.name))
    return {
        "redaction_level": _("Redaction level: {l}").format(l=level_name),
        "filters": _("Filters"), "key_figures": _("Key figures"),
        "incidents_figure": _("incidents"), "killed_figure": _("people killed"),
        "injured_figure": _("people injured"), "attempts_figure": _("attempted killings"),
        "year": _("Year"), "incidents": _("Incidents"), "killed": _("Killed"),
        "injured": _("Injured"), "attempts": _("Attempted killings"),
        "per_month": _("Incidents per month"), "by_governorate": _("By governorate"),
        "by_perpetrator": _("By perpetrator type"), "by_profile": _("By victim profile"),
        "map": _("Map"), "map_note": map_note(level), "ref": _("Ref"), "date": _("Date"),
        "place": _("Place"), "type": _("Type"),
        "more": _("{n} further incidents are counted above but not listed.").format(n=more),
        "victims": _("Victims: "), "perpetrators": _("Alleged perpetrators: "),
        "sources": _("Sources: "), "sources_cited": _("Sources cited"),
        "methodology": _("Methodology"),
        "redaction": _("Redaction ({l}): ").format(l=level_name),
    }


def separators() -> tuple[str, str]:
    """The comma and the semicolon that join lists in the current language."""
    return ("، ", "؛ ") if is_right_to_left() else (", ", "; ")


def map_note(level: ExportLevel) -> str:
    return _("Governorates shaded by their number of incidents; circles at the locations "
             "the {l} level shows, larger for more victims.").format(
        l=_(LEVEL_NAMES.get(level.name, level.name)))


@dataclass
class ReportData:
    title: str
    generated_at: str
    level: ExportLevel
    filters: dict
    totals: dict
    by_year: list[dict]
    charts: dict[str, Chart]
    year_only: int = 0
    year_only_note: str = ""
    incidents: list[dict] = field(default_factory=list)
    more: int = 0
    sources: list[dict] = field(default_factory=list)
    definitions: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    verification: str = VERIFICATION
    filter_lines: list[str] = field(default_factory=list)
    language: str = "en"
    rtl: bool = False
    generated_line: str = ""
    level_description: str = ""
    words: dict[str, str] = field(default_factory=dict)


def _place(record: dict, governorates: dict[str, str]) -> str:
    parts = [record.get("locality"), record.get("admin2"),
             governorates.get(record.get("admin1") or "", record.get("admin1"))]
    return separators()[0].join(p for p in parts if p) or record.get("country") or ""


_NAMED_VOCABULARIES = ("incident_type", "victim_outcome", "profile", "actor_type", "governorate",
                       "attribution", "source_kind")
_FIGURES = ("incidents", "killed", "injured", "attempts")


@dataclass
class _Tally:
    """The report's running counts, gathered in one pass over the records."""

    names: dict[str, dict[str, str]]
    language: str = "en"
    totals: Counter = field(default_factory=Counter)
    years: defaultdict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    months: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)
    perpetrators: Counter = field(default_factory=Counter)
    profiles: Counter = field(default_factory=Counter)
    by_code: Counter = field(default_factory=Counter)
    points: Counter = field(default_factory=Counter)
    listed: list[dict] = field(default_factory=list)
    sources: dict[str, dict] = field(default_factory=dict)

    def add(self, record: dict) -> None:
        self._count_figures(record)
        self._count_categories(record)
        self._place_on_map(record)
        for citation in record["citations"]:
            source = citation["source"]
            self.sources.setdefault(source["uid"] or source["title"], source)
        if len(self.listed) < MAX_LISTED:
            self.listed.append(_incident_entry(record, self.names, self.language))

    def _count_figures(self, record: dict) -> None:
        self.totals["incidents"] += 1
        year = self.years[record["start_date"].year]
        attempt = record["incident_type"] == "attempted_killing"
        for counter in (self.totals, year):
            counter["killed"] += record["fatalities"]
            counter["injured"] += record["injured"]
            counter["attempts"] += attempt
            counter["victims"] += len(record["victims"])
        year["incidents"] += 1
        # A date known only to its year belongs to no month: counted by year, and said so.
        if date_grain(record["date_precision"]) == "year":
            self.totals["year_only"] += 1
        else:
            self.months[record["start_date"].strftime("%Y-%m")] += 1

    def _count_categories(self, record: dict) -> None:
        admin1 = record.get("admin1")
        if admin1:
            self.by_code[admin1] += 1
        self.places[self.names["governorate"].get(admin1, admin1) if admin1
                    else _("Unknown")] += 1
        for kind in {p["actor"]["actor_type"] for p in record["perpetrators"] if p["actor"]}:
            self.perpetrators[self.names["actor_type"].get(kind, kind)] += 1
        for victim in record["victims"]:
            for code in victim["person"].get("profiles") or [_("none recorded")]:
                self.profiles[self.names["profile"].get(code, code)] += 1

    def _place_on_map(self, record: dict) -> None:
        if record.get("latitude") is None or record.get("longitude") is None:
            return
        # One circle per place as the level shows it, sized by the victims there.
        self.points[(record["longitude"], record["latitude"])] += max(1, len(record["victims"]))


def _month_series(months: Counter) -> list[tuple[str, int]]:
    """Every month from the first to the last counted, months without incidents as 0."""
    span = sorted(months)
    items = []
    if span:
        y, m = map(int, span[0].split("-"))
        while f"{y:04d}-{m:02d}" <= span[-1]:
            key = f"{y:04d}-{m:02d}"
            items.append((key, months.get(key, 0)))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return items


def _charts(tally: _Tally, rtl: bool) -> dict[str, Chart]:
    return {
        "months": column_chart(_month_series(tally.months)),
        "governorates": bar_chart(tally.places.most_common(), rtl=rtl),
        "perpetrators": bar_chart(tally.perpetrators.most_common(), rtl=rtl),
        "profiles": bar_chart(tally.profiles.most_common(), rtl=rtl),
        "map": governorate_map(dict(tally.by_code),
                               [(lon, lat, n) for (lon, lat), n in tally.points.items()],
                               tally.names["governorate"]),
    }


def _filter_value(value) -> str:
    if isinstance(value, list):  # statuses
        return separators()[0].join(_(STATUS_NAMES.get(v, v)) for v in value)
    return _("all") if value == "all" else str(value)


def build_report(session: Session, records, *, level: ExportLevel, filters: dict
                 ) -> ReportData:
    """Aggregate the (redacted) records in one pass, keeping at most MAX_LISTED incidents
    for the incident section; every word in the current language (see `write_report`)."""
    language = current_language()
    tally = _Tally({vocabulary: labels(session, vocabulary, language)
                    for vocabulary in _NAMED_VOCABULARIES}, language=language)
    for record in records:
        tally.add(record)
    rtl = is_right_to_left(language)
    charts = _charts(tally, rtl)
    by_year = [{"year": y, **{k: c[k] for k in _FIGURES}} for y, c in sorted(tally.years.items())]
    definitions = [(_(title), sorted(labels(session, vocabulary, language).items()))
                   for vocabulary, title in DEFINED_VOCABULARIES]
    filter_lines = [f"{_(FILTER_NAMES.get(k, k))}: {_filter_value(v)}"
                    for k, v in filters.items()]
    now = utcnow()
    # The day in words ("29 تشرين الثاني 2026"): an ISO date inside right-to-left text
    # would be reordered by the bidi algorithm.
    generated_at = f"{format_day(now.date(), language)} {now:%H:%M} UTC"
    more = max(0, tally.totals["incidents"] - len(tally.listed))
    return ReportData(
        language=language, rtl=rtl,
        generated_line=_("Generated {t} by Sijil.").format(t=generated_at),
        level_description=_(level.description), words=_words(level, more),
        title=_("Attacks on human-rights defenders, activists and journalists"),
        generated_at=generated_at, level=level, filters=filters,
        totals={k: tally.totals[k] for k in (*_FIGURES, "victims")},
        by_year=by_year, charts=charts, year_only=tally.totals["year_only"],
        year_only_note=year_only_note(tally.totals["year_only"]), incidents=tally.listed,
        more=more, verification=_(VERIFICATION),
        sources=sorted(tally.sources.values(), key=lambda s: (s["title"] or "").casefold()),
        definitions=definitions, filter_lines=filter_lines)


def _incident_entry(record: dict, names: dict[str, dict[str, str]], language: str) -> dict:
    narrative = record.get("narrative") or ""
    if len(narrative) > NARRATIVE_CHARS:
        narrative = narrative[:NARRATIVE_CHARS].rsplit(" ", 1)[0] + " …"
    victims = []
    for victim in record["victims"]:
        person = victim["person"]
        name = person["full_name"]
        if person.get("name_original"):
            name = f"{name} ({person['name_original']})"
        victims.append({"name": name, "withheld": bool(person.get("name_withheld")),
                        "outcome": names["victim_outcome"].get(victim["outcome"],
                                                               victim["outcome"]),
                        "profiles": separators()[0].join(names["profile"].get(p, p)
                                              for p in person.get("profiles") or [])})
    return {
        "ref": record["ref"], "title": record["title"],
        "date": format_incident_date(record["start_date"], record["end_date"],
                                     record["date_precision"], lang=language),
        "type": names["incident_type"].get(record["incident_type"], record["incident_type"]),
        "place": _place(record, names["governorate"]),
        "status": _(STATUS_NAMES.get(record["status"], record["status"])),
        "confidence": _(CONFIDENCE_NAMES.get(record["confidence"], record["confidence"])),
        "killed": record["fatalities"],
        "injured": record["injured"], "victims": victims, "narrative": narrative,
        "perpetrators": [
            f"{p['actor']['name'] if p['actor'] else p['person']['full_name']} "
            f"({names['attribution'].get(p['attribution'], p['attribution'])})"
            for p in record["perpetrators"]],
        "sources": [c["source"]["title"] for c in record["citations"]],
    }


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page; all user text is escaped."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html", "j2"]))
    charts = {k: Markup(v.svg())  # noqa: S704 - built SVG, every label escaped
              for k, v in data.charts.items()}
    return env.get_template("report.html.j2").render(r=data, w=data.words, charts=charts)


def write_report(session: Session, records, out: Path, *, level: ExportLevel, filters: dict,
                 pdf: bool, language: str = "en") -> None:
    """Write the HTML or PDF report of the records to `out`, in `language` (en, ar, ckb;
    another code gives English). Raises ReportDependencyMissing for a PDF without its
    shaping library or a font."""
    with use_language(language):
        if pdf:
            from records.services.reports.pdf import check_pdf_dependencies, render_pdf

            check_pdf_dependencies()
            render_pdf(build_report(session, records, level=level, filters=filters), out)
            return
        data = build_report(session, records, level=level, filters=filters)
        out.write_text(render_html(data), encoding="utf-8")
