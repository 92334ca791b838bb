"""One incident, one sheet: a printable case sheet (facts, victims as the level allows,
perpetrators and attribution, sources, the follow-up timeline at the precision of each
date, review status), as PDF or self-contained HTML, in English, Arabic or Sorani.

The sheet is built from the incident's export record redacted at the chosen level, like
the report, so it shows no more than an export at that level would."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from records.audit_chain import append_event
from records.errors import NotFound, ValidationError
from records.i18n import _, format_day, is_right_to_left, use_language
from records.labels import STATUS_NAMES
from records.models.types import utcnow
from records.services.access import (
    Principal,
    act_as,
    allowed_levels,
    export_level,
    redact_incident,
)
from records.services.exchange.export_records import incident_record
from records.services.exchange.importing import file_sha256
from records.services.incidents import format_incident_date, load_incident
from records.services.reports.options import REPORT_LANGUAGES
from records.services.reports.tally import NAMED_VOCABULARIES, incident_entry, place_of
from records.services.reports.words import (
    CONFIDENCE_NAMES,
    level_name,
    separators,
)
from records.services.vocabularies import labels

SHEET_FORMATS = ("pdf", "html")


@dataclass
class CaseSheet:
    ref: str
    title: str
    facts: list[tuple[str, str]]
    narrative: str
    victims: list[list[str]]
    perpetrators: list[list[str]]
    timeline: list[list[str]]
    sources: list[str]
    review: list[tuple[str, str]]
    level_name: str
    level_description: str
    generated_at: str
    language: str = "en"
    rtl: bool = False
    words: dict[str, str] = field(default_factory=dict)


def _concerns(event: dict) -> str:
    if event.get("person"):
        return event["person"]["full_name"]
    return event["actor"]["name"] if event.get("actor") else ""


def build_case_sheet(session: Session, record: dict, *, level_code: str,
                     level_description: str) -> CaseSheet:
    """The sheet of one redacted record, every word in the current language."""
    from records.i18n import current_language

    language = current_language()
    names = {v: labels(session, v, language) for v in (*NAMED_VOCABULARIES, "method",
                                                        "context")}
    entry = incident_entry(record, names, language)
    comma = separators()[0]
    facts = [(_("Date"), entry["date"]), (_("Place"), place_of(record, names["governorate"])),
             (_("Type"), entry["type"])]
    for key, title in (("method", _("Method")), ("context", _("Context"))):
        if record.get(key):
            facts.append((title, names[key].get(record[key], record[key])))
    facts += [(_("Killed"), str(record["fatalities"])), (_("Injured"), str(record["injured"]))]
    timeline = [[format_incident_date(e["date"], None, e["date_precision"], lang=language),
                 names["case_event_kind"].get(e["kind"], e["kind"]),
                 " — ".join(p for p in (_concerns(e), e.get("description") or "") if p)]
                for e in sorted(record["case_events"], key=lambda e: e["date"])]
    now = utcnow()
    return CaseSheet(
        ref=record["ref"], title=record["title"], facts=facts,
        narrative=record.get("narrative") or "",
        victims=[[v["name"], v["outcome"], v["profiles"]] for v in entry["victims"]],
        perpetrators=[[p["actor"]["name"] if p["actor"] else p["person"]["full_name"],
                       names["actor_type"].get(p["actor"]["actor_type"],
                                               p["actor"]["actor_type"]) if p["actor"] else "",
                       names["attribution"].get(p["attribution"], p["attribution"]),
                       p.get("basis") or ""] for p in record["perpetrators"]],
        timeline=timeline,
        sources=[comma.join(str(v) for v in (c["source"]["title"], c["source"].get("publisher"),
                                             c["source"].get("published_on"),
                                             c["source"].get("url")) if v)
                 for c in record["citations"]],
        review=[(_("Status"), _(STATUS_NAMES.get(record["status"], record["status"]))),
                (_("Confidence"), _(CONFIDENCE_NAMES.get(record["confidence"],
                                                         record["confidence"])))],
        level_name=level_name(level_code), level_description=level_description,
        generated_at=f"{format_day(now.date(), language)} {now:%H:%M} UTC",
        language=language, rtl=is_right_to_left(language))


def _sheet_words() -> dict[str, str]:
    return {"case_sheet": _("Case sheet"), "facts": _("Facts"), "victims": _("Victims"),
            "perpetrators": _("Perpetrators and attribution"),
            "timeline": _("Follow-up timeline"), "sources": _("Sources"),
            "review": _("Review status"), "name": _("Name"), "outcome": _("Outcome"),
            "profiles": _("Profiles"), "perpetrator": _("Perpetrator"), "type": _("Type"),
            "attribution": _("Attribution"), "basis": _("Basis"), "date": _("Date"),
            "step": _("Step"), "details": _("Details"), "none": _("(none)"),
            "narrative": _("Narrative")}


def _render_pdf(sheet: CaseSheet, out: Path) -> None:
    from records.services.reports.pdf import check_pdf_dependencies, new_document
    from records.services.reports.pdf_layout import ACCENT, GREY, heading, para, table

    check_pdf_dependencies()
    w = sheet.words
    pdf = new_document(rtl=sheet.rtl, language=sheet.language,
                       footer_text=" — ".join((sheet.ref, _("{level} level").format(
                           level=sheet.level_name), sheet.generated_at)),
                       title=f"{w['case_sheet']} {sheet.ref}: {sheet.title}", author="Sijil")
    pdf.add_page()
    para(pdf, f"{w['case_sheet']} · {sheet.ref}", 11, "B", 6, GREY)
    para(pdf, sheet.title, 18, "B", 8.5, ACCENT, own_direction=True)
    pdf.ln(2)
    sections = [
        (w["facts"], None, [list(f) for f in sheet.facts], [45, 133]),
        (w["victims"], [w["name"], w["outcome"], w["profiles"]], sheet.victims, [70, 40, 68]),
        (w["perpetrators"], [w["perpetrator"], w["type"], w["attribution"], w["basis"]],
         sheet.perpetrators, [56, 40, 34, 48]),
        (w["timeline"], [w["date"], w["step"], w["details"]], sheet.timeline, [34, 40, 104]),
    ]
    for number, (title, header, rows, widths) in enumerate(sections):
        heading(pdf, title, 13, keep_with=14)
        if rows:
            table(pdf, header, rows, widths, size=9)
        else:
            para(pdf, w["none"], 9.5, colour=GREY)
        if number == 0 and sheet.narrative:
            para(pdf, sheet.narrative, 10, own_direction=True)
    heading(pdf, w["sources"], 13, keep_with=10)
    for source in sheet.sources or [w["none"]]:
        para(pdf, f"• {source}", 9, own_direction=True)
    heading(pdf, w["review"], 13, keep_with=14)
    table(pdf, None, [list(r) for r in sheet.review], [45, 133], size=9)
    para(pdf, _("Redaction ({l}): ").format(l=sheet.level_name) + sheet.level_description,
         8.5, colour=GREY)
    pdf.output(str(out))


def _render_html(sheet: CaseSheet) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from records.services.reports.html import TEMPLATES

    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("case_sheet.html.j2").render(s=sheet, w=sheet.words,
                                                          redaction=_("Redaction ({l}): ").format(
                                                              l=sheet.level_name))


def write_case_sheet(session: Session, ref: str, out: Path, *, by: Principal, lang: str = "en",
                     fmt: str = "pdf", level: str | None = None) -> None:
    """Write the case sheet of incident `ref` to `out` as PDF (`fmt` 'pdf') or HTML
    ('html'), in `lang`, at `level` (default: the most revealing level `by` may export
    at). The sheet is audited as an export of one incident (format case-pdf or
    case-html, level, file name and SHA-256), so `session` must be a write session
    (`unit_of_work`); if the audit fails the caller's transaction rolls back and the file
    should be discarded. Raises NotFound when `by` may not see the incident or the level
    leaves it out, PermissionDenied for a level above `by`'s role, ValidationError for an
    unknown format or language, ReportDependencyMissing for a PDF without its shaping
    library or font."""
    if fmt not in SHEET_FORMATS:
        raise ValidationError.single("format", _("'{v}' is not one of {a}").format(
            v=fmt, a=", ".join(SHEET_FORMATS)), fmt)
    if lang not in REPORT_LANGUAGES:
        raise ValidationError.single("lang", _("'{v}' is not one of {a}").format(
            v=lang, a=", ".join(REPORT_LANGUAGES)), lang)
    chosen = export_level(level, by) if level else allowed_levels(by)[-1]
    incident = load_incident(session, ref, by=by)
    record = redact_incident(incident_record(incident, {}), chosen)
    if record is None:
        raise NotFound(_("no incident {ref}").format(ref=ref))
    out = Path(out)
    with use_language(lang):
        sheet = build_case_sheet(session, record, level_code=chosen.name,
                                 level_description=_(chosen.description))
        sheet.words = _sheet_words()
        if fmt == "pdf":
            _render_pdf(sheet, out)
        else:
            out.write_text(_render_html(sheet), encoding="utf-8")
    act_as(session, by)
    append_event(session, action="export", entity_type="incident", incident_ref=record["ref"],
                 changes={"format": f"case-{fmt}", "level": chosen.name, "incidents": 1,
                          "sha256": file_sha256(out), "file": out.name, "language": lang})
