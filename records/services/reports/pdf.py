"""The advocacy report as PDF: fpdf2 with HarfBuzz text shaping (uharfbuzz), so Arabic is
joined and laid out right to left, in IBM Plex Sans Arabic (Latin and Arabic, shipped on PyPI
as fontpkg-ibm-plex-sans-arabic; DejaVu Sans is used where only the system has a font).
"""

from __future__ import annotations

import io
from pathlib import Path

from records.errors import SijilError
from records.i18n import _
from records.services.reports.content import ReportData

ACCENT = (139, 30, 63)
_SYSTEM_FONTS = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                 Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"))


class ReportDependencyMissing(SijilError):
    """Something the PDF report needs is not installed; the message says how to get it."""


def _fonts() -> tuple[Path, Path]:
    try:
        import fontpkg_ibm_plex_sans_arabic as plex

        folder = plex.ROOT / "files"
        regular, bold = folder / "IBMPlexSansArabic-Regular.ttf", \
            folder / "IBMPlexSansArabic-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    except ImportError:
        pass
    if all(p.exists() for p in _SYSTEM_FONTS):
        return _SYSTEM_FONTS
    raise ReportDependencyMissing(_(
        "the PDF report needs a font covering Arabic: pip install fontpkg-ibm-plex-sans-arabic "
        "(or apt-get install fonts-dejavu-core)"))


def check_pdf_dependencies() -> None:
    """Raise ReportDependencyMissing naming the first missing piece and how to install it."""
    for module, package in (("fpdf", "fpdf2"), ("uharfbuzz", "uharfbuzz")):
        try:
            __import__(module)
        except ImportError:
            raise ReportDependencyMissing(_(
                "the PDF report needs {p} (Arabic text shaping): pip install {p}").format(
                p=package)) from None
    _fonts()


def _pdf(data: ReportData):
    from fpdf import FPDF

    class Report(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Sans", size=8)
            self.set_text_color(110)
            self.cell(0, 8, f"Sijil — {data.level.name} level — {data.generated_at} — "
                            f"page {self.page_no()}", align="C")
            self.set_text_color(0)

    pdf = Report(format="A4")
    regular, bold = _fonts()
    pdf.add_font("Sans", "", regular)
    pdf.add_font("Sans", "B", bold)
    pdf.set_text_shaping(use_shaping_engine=True)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_margins(16, 16, 16)
    return pdf


def _para(pdf, text: str, size: float = 10, style: str = "", height: float = 5.2,
          colour: tuple[int, int, int] | int = 0) -> None:
    pdf.set_font("Sans", style, size)
    pdf.set_text_color(*(colour if isinstance(colour, tuple) else (colour,)))
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(0)


def _heading(pdf, text: str, size: float = 15) -> None:
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(3)
    _para(pdf, text, size, "B", size * 0.55, ACCENT)
    pdf.set_draw_color(*ACCENT)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
    pdf.ln(4)


def _svg(pdf, svg: str, width: float = 178) -> None:
    pdf.image(io.BytesIO(svg.encode("utf-8")), w=width, x=pdf.l_margin)
    pdf.ln(2)


def _table(pdf, header: list[str], rows: list[list], widths: list[int]) -> None:
    pdf.set_font("Sans", "", 8.5)
    from fpdf.fonts import FontFace

    heading = FontFace(emphasis="BOLD", fill_color=(243, 238, 240))
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.6,
                   headings_style=heading, first_row_as_headings=True) as table:
        head = table.row()
        for cell in header:
            head.cell(cell)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(str(value))
    pdf.ln(2)


def _title_page(pdf, data: ReportData) -> None:
    pdf.add_page()
    pdf.ln(30)
    _para(pdf, data.title, 24, "B", 11, ACCENT)
    pdf.ln(4)
    _para(pdf, _("Generated {t} by Sijil.").format(t=data.generated_at), 11)
    pdf.ln(6)
    _para(pdf, _("Redaction level: {l}").format(l=data.level.name), 12, "B")
    _para(pdf, data.level.description, 10)
    pdf.ln(4)
    _para(pdf, _("Filters"), 12, "B")
    for line in data.filter_lines:
        _para(pdf, f"• {line}", 10)


def _figure_boxes(pdf, totals: dict) -> None:
    figures = [(totals["incidents"], _("incidents")), (totals["killed"], _("people killed")),
               (totals["injured"], _("people injured")),
               (totals["attempts"], _("attempted killings"))]
    x0, y0, box = pdf.l_margin, pdf.get_y(), 42
    for i, (value, label) in enumerate(figures):
        pdf.set_draw_color(200)
        pdf.rect(x0 + i * (box + 3), y0, box, 20)
        pdf.set_xy(x0 + i * (box + 3) + 2, y0 + 2)
        pdf.set_font("Sans", "B", 16)
        pdf.set_text_color(*ACCENT)
        pdf.cell(box - 4, 9, str(value))
        pdf.set_text_color(0)
        pdf.set_xy(x0 + i * (box + 3) + 2, y0 + 11)
        pdf.set_font("Sans", "", 9)
        pdf.cell(box - 4, 6, label)
    pdf.set_xy(pdf.l_margin, y0 + 25)


def _figures_and_charts(pdf, data: ReportData) -> None:
    pdf.add_page()
    _heading(pdf, _("Key figures"))
    _figure_boxes(pdf, data.totals)
    _table(pdf, [_("Year"), _("Incidents"), _("Killed"), _("Injured"),
                 _("Attempted killings")],
           [[y["year"], y["incidents"], y["killed"], y["injured"], y["attempts"]]
            for y in data.by_year], [20, 20, 20, 20, 30])
    for key, title in (("months", _("Incidents per month")),
                       ("governorates", _("By governorate")),
                       ("perpetrators", _("By perpetrator type")),
                       ("profiles", _("By victim profile"))):
        _heading(pdf, title, 13)
        _svg(pdf, data.charts[key], 170)
        if key == "months" and data.year_only:
            _para(pdf, data.year_only_note, 9, colour=90)


def _map_page(pdf, data: ReportData) -> None:
    pdf.add_page()
    _heading(pdf, _("Map"))
    _para(pdf, _("Locations at the precision of the {l} level; circle size grows with the "
                 "number of victims.").format(l=data.level.name), 9, colour=90)
    _svg(pdf, data.charts["map"])


def _incident_details(pdf, incident: dict) -> None:
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.ln(2)
    _para(pdf, f"{incident['ref']} — {incident['title']}", 11, "B", 5.6)
    _para(pdf, f"{incident['date']} · {incident['place']} · {incident['type']} · "
               f"{incident['status']}, {incident['confidence']}", 8.5, colour=90)
    if incident["victims"]:
        _para(pdf, _("Victims: ") + "; ".join(
            f"{v['name']} ({v['outcome']}{'; ' + v['profiles'] if v['profiles'] else ''})"
            for v in incident["victims"]), 9.5)
    if incident["perpetrators"]:
        _para(pdf, _("Alleged perpetrators: ") + "; ".join(incident["perpetrators"]), 9.5)
    if incident["narrative"]:
        _para(pdf, incident["narrative"], 9.5)
    if incident["sources"]:
        _para(pdf, _("Sources: ") + "; ".join(incident["sources"]), 8.5, colour=90)


def _incidents(pdf, data: ReportData) -> None:
    pdf.add_page()
    _heading(pdf, _("Incidents"))
    _table(pdf, [_("Ref"), _("Date"), _("Place"), _("Type"), _("Killed"), _("Injured")],
           [[i["ref"], i["date"], i["place"], i["type"], i["killed"], i["injured"]]
            for i in data.incidents], [28, 32, 46, 34, 14, 14])
    if data.more:
        _para(pdf, _("{n} further incidents are counted above but not listed.").format(
            n=data.more), 9, colour=90)
    for incident in data.incidents:
        _incident_details(pdf, incident)


def _sources_cited(pdf, data: ReportData) -> None:
    _heading(pdf, _("Sources cited"))
    for source in data.sources:
        details = ", ".join(str(v) for v in (source.get("publisher"),
                                             source.get("published_on"), source.get("url"))
                            if v)
        _para(pdf, f"• {source['title']}" + (f" — {details}" if details else ""), 9)


def _methodology(pdf, data: ReportData) -> None:
    _heading(pdf, _("Methodology"))
    _para(pdf, data.verification, 9.5)
    pdf.ln(2)
    _para(pdf, _("Redaction ({l}): ").format(l=data.level.name) + data.level.description,
          9.5)
    for title, terms in data.definitions:
        pdf.ln(2)
        _para(pdf, title, 10.5, "B")
        _para(pdf, "; ".join(f"{label} ({code})" for code, label in terms), 9)


def render_pdf(data: ReportData, out: Path) -> None:
    """Typeset the report to `out`."""
    pdf = _pdf(data)
    _title_page(pdf, data)
    _figures_and_charts(pdf, data)
    _map_page(pdf, data)
    _incidents(pdf, data)
    _sources_cited(pdf, data)
    _methodology(pdf, data)
    pdf.output(str(out))
