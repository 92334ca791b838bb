"""The advocacy report: figures, charts, map, incidents, sources and methodology, as
self-contained HTML (Jinja2, autoescaped, charts inline) or PDF (fpdf2 with HarfBuzz
shaping, see reports_pdf).

It is built from the same redacted records as every export, so it shows exactly what the
chosen level allows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from records.i18n import _
from records.models.types import utcnow
from records.services.access import ExportLevel
from records.services.incidents import date_grain, format_incident_date, year_only_note
from records.services.reports.charts import bar_chart, column_chart, point_map
from records.services.vocabularies import labels

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MAX_LISTED = 500
NARRATIVE_CHARS = 700
DEFINED_VOCABULARIES = (
    ("incident_type", "Incident types"), ("victim_outcome", "Victim outcomes"),
    ("profile", "Victim profiles"), ("actor_type", "Perpetrator types"),
    ("attribution", "Attribution"), ("source_kind", "Kinds of source"),
)
VERIFICATION = (
    "Each incident is entered by a caseworker from the sources listed, then checked by a "
    "reviewer who did not enter or submit it (four-eyes rule) before it is marked verified; "
    "published incidents are verified incidents released for publication. Confidence says "
    "how well the facts are established: reported (one source), corroborated (independent "
    "sources agree), verified (confirmed by the organisation's own investigation). Sources are "
    "graded on the Admiralty scale (reliability A-F, credibility 1-6). Counts of people "
    "killed and injured are the larger of the reported figure and the victims listed. "
    "Categories follow HURIDOCS Events Standard Formats, ACLED and the OHCHR guidance on SDG "
    "indicator 16.10.1.")


@dataclass
class ReportData:
    title: str
    generated_at: str
    level: ExportLevel
    filters: dict
    totals: dict
    by_year: list[dict]
    charts: dict[str, str]
    year_only: int = 0
    year_only_note: str = ""
    incidents: list[dict] = field(default_factory=list)
    more: int = 0
    sources: list[dict] = field(default_factory=list)
    definitions: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    verification: str = VERIFICATION
    filter_lines: list[str] = field(default_factory=list)


def _place(record: dict, governorates: dict[str, str]) -> str:
    parts = [record.get("locality"), record.get("admin2"),
             governorates.get(record.get("admin1") or "", record.get("admin1"))]
    return ", ".join(p for p in parts if p) or record.get("country") or ""


_NAMED_VOCABULARIES = ("incident_type", "victim_outcome", "profile", "actor_type", "governorate",
                       "attribution", "source_kind")
_FIGURES = ("incidents", "killed", "injured", "attempts")


@dataclass
class _Tally:
    """The report's running counts, gathered in one pass over the records."""

    names: dict[str, dict[str, str]]
    totals: Counter = field(default_factory=Counter)
    years: defaultdict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    months: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)
    perpetrators: Counter = field(default_factory=Counter)
    profiles: Counter = field(default_factory=Counter)
    points: list[tuple[float, float, int]] = field(default_factory=list)
    centres: defaultdict[str, list] = field(default_factory=lambda: defaultdict(list))
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
            self.listed.append(_incident_entry(record, self.names))

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
        self.places[self.names["governorate"].get(admin1, admin1) if admin1
                    else _("Unknown")] += 1
        for kind in {p["actor"]["actor_type"] for p in record["perpetrators"] if p["actor"]}:
            self.perpetrators[self.names["actor_type"].get(kind, kind)] += 1
        for victim in record["victims"]:
            for code in victim["person"].get("profiles") or [_("none recorded")]:
                self.profiles[self.names["profile"].get(code, code)] += 1

    def _place_on_map(self, record: dict) -> None:
        if record.get("latitude") is None:
            return
        self.points.append((record["longitude"], record["latitude"],
                            max(1, len(record["victims"]))))
        if record.get("admin1"):
            self.centres[record["admin1"]].append((record["longitude"], record["latitude"]))


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


def _charts(tally: _Tally) -> dict[str, str]:
    governorates = tally.names["governorate"]
    labels_at = [(sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts),
                  governorates.get(code, code)) for code, pts in tally.centres.items()]
    return {
        "months": column_chart(_month_series(tally.months)),
        "governorates": bar_chart(tally.places.most_common()),
        "perpetrators": bar_chart(tally.perpetrators.most_common()),
        "profiles": bar_chart(tally.profiles.most_common()),
        "map": point_map(tally.points, labels_at),
    }


def build_report(session: Session, records, *, level: ExportLevel, filters: dict
                 ) -> ReportData:
    """Aggregate the (redacted) records in one pass, keeping at most MAX_LISTED incidents
    for the incident section."""
    tally = _Tally({vocabulary: labels(session, vocabulary)
                    for vocabulary in _NAMED_VOCABULARIES})
    for record in records:
        tally.add(record)
    charts = _charts(tally)
    by_year = [{"year": y, **{k: c[k] for k in _FIGURES}} for y, c in sorted(tally.years.items())]
    definitions = [(title, sorted(labels(session, vocabulary).items()))
                   for vocabulary, title in DEFINED_VOCABULARIES]
    filter_lines = [f"{k}: {', '.join(v) if isinstance(v, list) else v}"
                    for k, v in filters.items()]
    return ReportData(
        title=_("Attacks on human-rights defenders, activists and journalists"),
        generated_at=utcnow().strftime("%Y-%m-%d %H:%M UTC"), level=level, filters=filters,
        totals={k: tally.totals[k] for k in (*_FIGURES, "victims")},
        by_year=by_year, charts=charts, year_only=tally.totals["year_only"],
        year_only_note=year_only_note(tally.totals["year_only"]), incidents=tally.listed,
        more=max(0, tally.totals["incidents"] - len(tally.listed)),
        sources=sorted(tally.sources.values(), key=lambda s: (s["title"] or "").casefold()),
        definitions=definitions, filter_lines=filter_lines)


def _incident_entry(record: dict, names: dict[str, dict[str, str]]) -> dict:
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
                        "profiles": ", ".join(names["profile"].get(p, p)
                                              for p in person.get("profiles") or [])})
    return {
        "ref": record["ref"], "title": record["title"],
        "date": format_incident_date(record["start_date"], record["end_date"],
                                     record["date_precision"]),
        "type": names["incident_type"].get(record["incident_type"], record["incident_type"]),
        "place": _place(record, names["governorate"]), "status": record["status"],
        "confidence": record["confidence"], "killed": record["fatalities"],
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
    charts = {k: Markup(v) for k, v in data.charts.items()}  # noqa: S704 - built, escaped SVG
    return env.get_template("report.html.j2").render(r=data, charts=charts)


def write_report(session: Session, records, out: Path, *, level: ExportLevel, filters: dict,
                 pdf: bool) -> None:
    """Write the HTML or PDF report of the records to `out`."""
    if pdf:
        from records.services.reports.pdf import check_pdf_dependencies, render_pdf

        check_pdf_dependencies()
        data = build_report(session, records, level=level, filters=filters)
        render_pdf(data, out)
        return
    data = build_report(session, records, level=level, filters=filters)
    out.write_text(render_html(data), encoding="utf-8")
