"""The sections of the PDF report, in the order an advocate reads them: cover and key
figures with the summary, accountability, documented vs reported, map, charts, incidents,
sources, methodology, glossary."""

from __future__ import annotations

import io

from records.i18n import _, format_number
from records.services.reports.content import ReportData
from records.services.reports.html import map_note
from records.services.reports.pdf_layout import (
    ACCENT,
    GREY,
    bullet,
    chart,
    figure_boxes,
    heading,
    para,
    room_left,
    table,
)
from records.services.reports.words import FOLLOW_UP_NOTE, REPORTED_NOTE, separators

CHART_WIDTH = 170
CONTENTS_HEIGHT = 90  # millimetres: the heading and ten sections


def cover(pdf, data: ReportData) -> None:
    """Page 1: who, what, when, the key figures and the summary; never mostly blank."""
    pdf.add_page()
    top = pdf.get_y()
    if data.logo_kind:
        x = pdf.l_margin if pdf.rtl else pdf.w - pdf.r_margin - 40
        pdf.image(io.BytesIO(data.logo), x=x, y=top, w=40, h=20, keep_aspect_ratio=True,
                  alt_text=data.organisation or None)
    if data.organisation:
        para(pdf, data.organisation, 12, "B", 6, GREY, own_direction=True)
    pdf.set_y(max(pdf.get_y(), top + (22 if data.logo_kind else 0)) + 4)
    para(pdf, data.title, 24, "B", 11, ACCENT, own_direction=True)
    if data.subtitle:
        pdf.ln(1)
        para(pdf, data.subtitle, 14, "", 7, 60, own_direction=True)
    pdf.ln(3)
    if data.period:
        para(pdf, _("Period: {p}").format(p=data.period), 12, "B", 6)
    pdf.ln(4)
    figure_boxes(pdf, [(format_number(data.totals["incidents"]), _("incidents")),
                       (format_number(data.totals["killed"]), _("people killed")),
                       (format_number(data.totals["injured"]), _("people injured")),
                       (format_number(data.totals["attempts"]), _("attempted killings"))])
    heading(pdf, _("Executive summary"), 14, keep_with=20)
    for line in data.summary:
        bullet(pdf, line, 10)
        pdf.ln(0.8)
    pdf.ln(3)
    para(pdf, _("Redaction level: {l}").format(l=data.level_name), 9.5, "B", 4.8)
    para(pdf, data.level_description, 8.5, height=4.4, colour=GREY)
    if data.filter_lines:
        para(pdf, _("Filters") + ": " + separators()[1].join(data.filter_lines), 8.5,
             height=4.4, colour=GREY)
    para(pdf, data.generated_line, 8.5, height=4.4, colour=GREY)


def contents(pdf, outline) -> None:
    """The table of contents (fpdf2 calls this once every page is laid out)."""
    pdf.ln(6)
    pdf.set_font("Sans", "B", 14)
    pdf.set_text_color(*ACCENT)
    pdf.set_x(pdf.l_margin)
    pdf.cell(0, 8, _("Contents"), new_x="LMARGIN", new_y="NEXT",
             align="R" if pdf.rtl else "L")
    pdf.set_draw_color(*ACCENT)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
    pdf.set_text_color(0)
    pdf.ln(3)
    for section in outline:
        if section.level > 0:  # the sections; their parts are in the outline
            continue
        pdf.set_font("Sans", "", 10.5)
        indent = 0 if section.level == 0 else 8
        width = pdf.w - pdf.l_margin - pdf.r_margin - indent - 14
        link = pdf.add_link(page=section.page_number)
        number = str(section.page_number)
        if pdf.rtl:
            pdf.set_x(pdf.l_margin)
            pdf.cell(14, 6.2, number, align="L", link=link)
            pdf.cell(width, 6.2, section.name, align="R", link=link, new_x="LMARGIN",
                     new_y="NEXT")
        else:
            pdf.set_x(pdf.l_margin + indent)
            pdf.cell(width, 6.2, section.name, align="L", link=link)
            pdf.cell(14, 6.2, number, align="R", link=link, new_x="LMARGIN", new_y="NEXT")


def key_figures(pdf, data: ReportData) -> None:
    heading(pdf, _("Key figures"))
    table(pdf, [_("Year"), _("Incidents"), _("Killed"), _("Injured"), _("Attempted killings")],
          [[y["year"], y["incidents"], y["killed"], y["injured"], y["attempts"]]
           for y in data.by_year], [24, 24, 24, 24, 34])


def accountability(pdf, data: ReportData) -> None:
    result = data.accountability
    heading(pdf, _("Accountability"), keep_with=60)
    para(pdf, _(FOLLOW_UP_NOTE), 9, colour=GREY)
    pdf.ln(2)
    table(pdf, [_("Step"), _("Killings and attempted killings")],
          [[label, format_number(n)] for label, n in data.steps], [70, 60], size=9.5)
    para(pdf, _("No follow-up at all: {n} of {c} cases (impunity rate {p} %).").format(
        n=result.none, c=result.cases, p=result.impunity_rate), 10.5, "B")
    para(pdf, _("Arrested and later released: {n}.").format(n=result.released_after_arrest),
         10)
    pdf.ln(2)
    drawing = data.charts["accountability"]
    chart(pdf, drawing, 150, alt=_("Accountability"))
    if not result.timelines:
        return
    heading(pdf, _("Follow-up of emblematic cases"), 13, keep_with=45, level=1)
    for timeline in result.timelines:
        if room_left(pdf) < 40:
            pdf.add_page()
        pdf.ln(1)
        para(pdf, f"{timeline.ref} — {timeline.title}", 10.5, "B", 5.4, own_direction=True)
        para(pdf, f"{timeline.date} · {timeline.place}", 8.5, colour=GREY)
        table(pdf, [_("Date"), _("Step"), _("Details")],
              [[e.date, e.what, e.detail] for e in timeline.entries], [34, 38, 106], size=8.5)


def reported(pdf, data: ReportData) -> None:
    heading(pdf, _("Documented vs reported"))
    para(pdf, _(REPORTED_NOTE), 9, colour=GREY)
    pdf.ln(2)
    if not data.reported:
        para(pdf, _("No reported figures were entered for this period and place."), 10)
        return
    table(pdf, [_("Measure"), _("Reported"), _("Documented by Sijil"), _("Period"), _("Place"),
                _("Source")],
          [[r.metric, r.reported, format_number(r.documented), r.period, r.place, r.source]
           for r in data.reported], [28, 19, 20, 51, 21, 39])


def map_page(pdf, data: ReportData) -> None:
    drawing = data.charts["map"]
    heading(pdf, _("Map"), keep_with=drawing.height * CHART_WIDTH / drawing.width)
    para(pdf, map_note(data.level_name), 9, colour=GREY)
    chart(pdf, drawing, CHART_WIDTH, alt=_("Map"))


def charts(pdf, data: ReportData) -> None:
    first = data.charts["months"]
    heading(pdf, _("Charts"), keep_with=first.height * CHART_WIDTH / first.width + 12)
    for key, title in (("months", _("Incidents per month")),
                       ("governorates", _("By governorate")),
                       ("perpetrators", _("By perpetrator type")),
                       ("profiles", _("By victim profile"))):
        drawing = data.charts[key]
        heading(pdf, title, 12, keep_with=drawing.height * CHART_WIDTH / drawing.width,
                level=1)
        chart(pdf, drawing, CHART_WIDTH, alt=title)
        if key == "months" and data.year_only:
            para(pdf, data.year_only_note, 9, colour=GREY)


def _incident_details(pdf, incident: dict) -> None:
    if room_left(pdf) < 30:
        pdf.add_page()
    pdf.ln(2)
    comma, semicolon = separators()
    para(pdf, f"{incident['ref']} — {incident['title']}", 11, "B", 5.6, own_direction=True)
    para(pdf, f"{incident['date']} · {incident['place']} · {incident['type']} · "
              f"{incident['status']}{comma}{incident['confidence']}", 8.5, colour=GREY)
    if incident["victims"]:
        para(pdf, _("Victims: ") + semicolon.join(
            f"{v['name']} ({v['outcome']}"
            f"{semicolon + v['profiles'] if v['profiles'] else ''})"
            for v in incident["victims"]), 9.5)
    if incident["perpetrators"]:
        para(pdf, _("Alleged perpetrators: ") + semicolon.join(incident["perpetrators"]), 9.5)
    if incident["narrative"]:
        para(pdf, incident["narrative"], 9.5, own_direction=True)
    if incident["sources"]:
        para(pdf, _("Sources: ") + semicolon.join(incident["sources"]), 8.5, colour=GREY)


def incidents(pdf, data: ReportData) -> None:
    heading(pdf, _("Incidents"), new_page=True)
    table(pdf, [_("Ref"), _("Date"), _("Place"), _("Type"), _("Killed"), _("Injured")],
          [[i["ref"], i["date"], i["place"], i["type"], i["killed"], i["injured"]]
           for i in data.incidents], [28, 34, 46, 38, 16, 16])
    if data.more:
        para(pdf, _("{n} further incidents are counted above but not listed.").format(
            n=data.more), 9, colour=GREY)
    for incident in data.incidents:
        _incident_details(pdf, incident)


def sources(pdf, data: ReportData) -> None:
    heading(pdf, _("Sources cited"), keep_with=20)
    for source in data.sources:
        details = separators()[0].join(str(v) for v in (
            source.get("publisher"), source.get("published_on"), source.get("url")) if v)
        para(pdf, f"• {source['title']}" + (f" — {details}" if details else ""), 9,
             own_direction=True)


def methodology(pdf, data: ReportData) -> None:
    heading(pdf, _("Methodology"), new_page=True)
    heading(pdf, _("Verification"), 11.5, keep_with=20, level=1)
    para(pdf, data.verification, 9.5)
    heading(pdf, _("Confidence levels"), 11.5, keep_with=15, level=1)
    table(pdf, [_("Confidence"), _("Incidents")],
          [[label, format_number(n)] for label, n in data.confidence] or [[_("(none)"), 0]],
          [60, 30], size=9)
    heading(pdf, _("Sources by kind"), 11.5, keep_with=15, level=1)
    table(pdf, [_("Kind of source"), _("Citations")],
          [[label, format_number(n)] for label, n in data.source_kinds] or [[_("(none)"), 0]],
          [60, 30], size=9)
    heading(pdf, _("What is left out, and why"), 11.5, keep_with=25, level=1)
    para(pdf, _("Redaction ({l}): ").format(l=data.level_name) + data.level_description, 9.5)
    pdf.ln(1)
    for line in data.excluded:
        bullet(pdf, line, 9.5)
    if data.year_only:
        bullet(pdf, data.year_only_note, 9.5)


def glossary(pdf, data: ReportData) -> None:
    heading(pdf, _("Glossary"), keep_with=25)
    for title, terms in data.glossary:
        heading(pdf, title, 10.5, keep_with=10, level=1)
        para(pdf, separators()[1].join(f"{label} ({code})" for label, code in terms), 9)
