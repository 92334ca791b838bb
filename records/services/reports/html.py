"""The report as one self-contained HTML page (Jinja2, autoescaped, charts and logo
inline, no script and no address outside the file)."""

from __future__ import annotations

import base64
from pathlib import Path

from records.i18n import _
from records.services.reports.content import ReportData
from records.services.reports.words import FOLLOW_UP_NOTE, REPORTED_NOTE

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def map_note(level_name: str) -> str:
    return _("Governorates shaded by their number of incidents; circles at the locations "
             "the {l} level shows, larger for more victims.").format(l=level_name)


def words(data: ReportData) -> dict[str, str]:
    """Every heading and label of the page, in the current language (the PDF calls `_`
    with the same messages where it writes them)."""
    return {
        "contents": _("Contents"), "period": _("Period"),
        "redaction_level": _("Redaction level: {l}").format(l=data.level_name),
        "filters": _("Filters"), "key_figures": _("Key figures"),
        "incidents_figure": _("incidents"), "killed_figure": _("people killed"),
        "injured_figure": _("people injured"), "attempts_figure": _("attempted killings"),
        "summary": _("Executive summary"), "accountability": _("Accountability"),
        "follow_up_note": _(FOLLOW_UP_NOTE), "step": _("Step"),
        "cases": _("Killings and attempted killings"),
        "impunity": _("No follow-up at all: {n} of {c} cases (impunity rate {p} %).").format(
            n=data.accountability.none, c=data.accountability.cases,
            p=data.accountability.impunity_rate),
        "released": _("Arrested and later released: {n}.").format(
            n=data.accountability.released_after_arrest),
        "timelines": _("Follow-up of emblematic cases"),
        "reported_title": _("Documented vs reported"), "reported_note": _(REPORTED_NOTE),
        "measure": _("Measure"), "reported": _("Reported"), "documented": _("Documented by Sijil"),
        "scope": _("Period"), "source": _("Source"), "no_reported": _(
            "No reported figures were entered for this period and place."),
        "year": _("Year"), "incidents": _("Incidents"), "killed": _("Killed"),
        "injured": _("Injured"), "attempts": _("Attempted killings"),
        "charts": _("Charts"),
        "per_month": _("Incidents per month"), "by_governorate": _("By governorate"),
        "by_perpetrator": _("By perpetrator type"), "by_profile": _("By victim profile"),
        "map": _("Map"), "map_note": map_note(data.level_name), "ref": _("Ref"),
        "date": _("Date"), "place": _("Place"), "type": _("Type"),
        "more": _("{n} further incidents are counted above but not listed.").format(
            n=data.more),
        "victims": _("Victims: "), "perpetrators": _("Alleged perpetrators: "),
        "sources": _("Sources: "), "sources_cited": _("Sources cited"),
        "methodology": _("Methodology"), "verification": _("Verification"),
        "confidence": _("Confidence levels"), "source_kinds": _("Sources by kind"),
        "excluded": _("What is left out, and why"),
        "redaction": _("Redaction ({l}): ").format(l=data.level_name),
        "glossary": _("Glossary"), "none": _("(none)"),
    }


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page; all user text is escaped."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html", "j2"]))
    charts = {k: Markup(v.svg())  # noqa: S704 - built SVG, every label escaped
              for k, v in data.charts.items()}
    logo = None
    if data.logo_kind:
        logo = f"data:image/{data.logo_kind};base64," + base64.b64encode(data.logo).decode()
    return env.get_template("report.html.j2").render(r=data, w=words(data), charts=charts,
                                                      logo=logo)
