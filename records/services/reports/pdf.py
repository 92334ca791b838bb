"""The advocacy report as PDF: fpdf2 with HarfBuzz text shaping (uharfbuzz), so Arabic is
joined and laid out right to left, in IBM Plex Sans Arabic (Latin and Arabic, shipped on PyPI
as fontpkg-ibm-plex-sans-arabic; DejaVu Sans is used where only the system has a font).

An Arabic or Sorani report is laid out right to left: paragraphs take a right-to-left base
direction and are set flush right, tables and the figure boxes run from the right, bar
charts are mirrored. Chart labels are set here, shaped, over the chart's shapes.
"""

from __future__ import annotations

import io
from pathlib import Path

from records.errors import SijilError
from records.i18n import _
from records.services.reports.charts import Chart
from records.services.reports.content import LEVEL_NAMES, ReportData, separators

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
            self.cell(0, 8, _("Sijil — {level} level — {time} — page {page}").format(
                level=_(LEVEL_NAMES.get(data.level.name, data.level.name)),
                time=data.generated_at, page=self.page_no()), align="C")
            self.set_text_color(0)

    pdf = Report(format="A4")
    pdf.rtl = data.rtl
    regular, bold = _fonts()
    pdf.add_font("Sans", "", regular)
    pdf.add_font("Sans", "B", bold)
    # Right to left sets every paragraph's base direction; the bidi algorithm still keeps
    # Latin runs (refs, dates in digits, English names) left to right inside it.
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if data.rtl else None)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_margins(16, 16, 16)
    return pdf


def _para(pdf, text: str, size: float = 10, style: str = "", height: float = 5.2,
          colour: tuple[int, int, int] | int = 0, own_direction: bool = False) -> None:
    """A paragraph set flush with the report's start side. `own_direction`: text from the
    records (a narrative, a title), whose base direction is its own first strong letter,
    as HTML's dir="auto" (an English narrative in an Arabic report ends with its full
    stop on the right)."""
    pdf.set_font("Sans", style, size)
    pdf.set_text_color(*(colour if isinstance(colour, tuple) else (colour,)))
    if own_direction and pdf.rtl:
        pdf.set_text_shaping(use_shaping_engine=True, direction=None)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT",
                   align="R" if pdf.rtl else "L")
    if own_direction and pdf.rtl:
        pdf.set_text_shaping(use_shaping_engine=True, direction="rtl")
    pdf.set_text_color(0)


def _heading(pdf, text: str, size: float = 15, keep_with: float = 44) -> None:
    """A heading, on a new page unless `keep_with` millimetres of what follows fit under
    it (a heading is never left alone at the foot of a page)."""
    if pdf.get_y() + size * 0.55 + 10 + keep_with > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(3)
    _para(pdf, text, size, "B", size * 0.55, ACCENT)
    pdf.set_draw_color(*ACCENT)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
    pdf.ln(4)


def _chart(pdf, chart: Chart, width: float = 178) -> None:
    """The chart's shapes as an image, then its labels set with shaping at the same
    places, each kept inside the chart's frame by its measured width."""
    scale = width / chart.width
    height = chart.height * scale
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
    x0 = pdf.w - pdf.r_margin - width if pdf.rtl else pdf.l_margin
    y0 = pdf.get_y()
    pdf.image(io.BytesIO(chart.svg(with_labels=False).encode("utf-8")), x=x0, y=y0, w=width)
    auto_break, cell_margin = pdf.auto_page_break, pdf.c_margin
    pdf.set_auto_page_break(False)
    pdf.c_margin = 0  # the label starts exactly where it was placed
    for label in chart.labels:
        size = label.size * scale  # millimetres
        pdf.set_font("Sans", "", size * 72 / 25.4)
        text_w = pdf.get_string_width(label.text)
        left = {"start": label.x * scale, "middle": label.x * scale - text_w / 2,
                "end": label.x * scale - text_w}.get(label.anchor, label.x * scale)
        left = min(max(left, 0), max(0, width - text_w))
        if label.halo:
            with pdf.local_context(fill_opacity=0.7):
                pdf.set_fill_color(255)
                pdf.rect(x0 + left - 0.5, y0 + label.y * scale - 0.85 * size, text_w + 1,
                         size * 1.1, style="F")
        pdf.set_text_color(*(int(label.fill[i:i + 2], 16) for i in (1, 3, 5)))
        # A cell centres its text: the baseline sits 0.8 of the font size below its top.
        pdf.set_xy(x0 + left, y0 + label.y * scale - 0.8 * size)
        pdf.cell(text_w + 0.01, size, label.text, align="L")
    pdf.set_text_color(0)
    pdf.c_margin = cell_margin
    pdf.set_auto_page_break(auto_break, margin=16)
    pdf.set_xy(pdf.l_margin, y0 + height + 2)


def _table(pdf, header: list[str], rows: list[list], widths: list[int]) -> None:
    pdf.set_font("Sans", "", 8.5)
    from fpdf.fonts import FontFace

    if pdf.rtl:  # the first column on the right
        header, widths = header[::-1], widths[::-1]
        rows = [row[::-1] for row in rows]
    heading = FontFace(emphasis="BOLD", fill_color=(243, 238, 240))
    with pdf.table(col_widths=widths, text_align="RIGHT" if pdf.rtl else "LEFT",
                   line_height=4.6, headings_style=heading,
                   first_row_as_headings=True) as table:
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
    _para(pdf, data.generated_line, 11)
    pdf.ln(6)
    _para(pdf, data.words["redaction_level"], 12, "B")
    _para(pdf, data.level_description, 10)
    pdf.ln(4)
    _para(pdf, data.words["filters"], 12, "B")
    for line in data.filter_lines:
        _para(pdf, f"• {line}", 10)


def _figure_boxes(pdf, totals: dict) -> None:
    figures = [(totals["incidents"], _("incidents")), (totals["killed"], _("people killed")),
               (totals["injured"], _("people injured")),
               (totals["attempts"], _("attempted killings"))]
    x0, y0, box = pdf.l_margin, pdf.get_y(), 42
    align = "R" if pdf.rtl else "L"
    for i, (value, label) in enumerate(figures):
        x = x0 + ((len(figures) - 1 - i) if pdf.rtl else i) * (box + 3)
        pdf.set_draw_color(200)
        pdf.rect(x, y0, box, 20)
        pdf.set_xy(x + 2, y0 + 2)
        pdf.set_font("Sans", "B", 16)
        pdf.set_text_color(*ACCENT)
        pdf.cell(box - 4, 9, str(value), align=align)
        pdf.set_text_color(0)
        pdf.set_xy(x + 2, y0 + 11)
        pdf.set_font("Sans", "", 9)
        pdf.cell(box - 4, 6, label, align=align)
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
        chart = data.charts[key]
        _heading(pdf, title, 13, keep_with=chart.height * 170 / chart.width)
        _chart(pdf, chart, 170)
        if key == "months" and data.year_only:
            _para(pdf, data.year_only_note, 9, colour=90)


def _map_page(pdf, data: ReportData) -> None:
    pdf.add_page()
    _heading(pdf, _("Map"))
    _para(pdf, data.words["map_note"], 9, colour=90)
    _chart(pdf, data.charts["map"], 170)


def _incident_details(pdf, incident: dict) -> None:
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.ln(2)
    comma, semicolon = separators()
    _para(pdf, f"{incident['ref']} — {incident['title']}", 11, "B", 5.6, own_direction=True)
    _para(pdf, f"{incident['date']} · {incident['place']} · {incident['type']} · "
               f"{incident['status']}{comma}{incident['confidence']}", 8.5, colour=90)
    if incident["victims"]:
        _para(pdf, _("Victims: ") + semicolon.join(
            f"{v['name']} ({v['outcome']}"
            f"{semicolon + v['profiles'] if v['profiles'] else ''})"
            for v in incident["victims"]), 9.5)
    if incident["perpetrators"]:
        _para(pdf, _("Alleged perpetrators: ") + semicolon.join(incident["perpetrators"]),
              9.5)
    if incident["narrative"]:
        _para(pdf, incident["narrative"], 9.5, own_direction=True)
    if incident["sources"]:
        _para(pdf, _("Sources: ") + semicolon.join(incident["sources"]), 8.5, colour=90)


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
        details = separators()[0].join(str(v) for v in (source.get("publisher"),
                                             source.get("published_on"), source.get("url"))
                            if v)
        _para(pdf, f"• {source['title']}" + (f" — {details}" if details else ""), 9,
              own_direction=True)


def _methodology(pdf, data: ReportData) -> None:
    _heading(pdf, _("Methodology"))
    _para(pdf, data.verification, 9.5)
    pdf.ln(2)
    _para(pdf, data.words["redaction"] + data.level_description, 9.5)
    for title, terms in data.definitions:
        pdf.ln(2)
        _para(pdf, title, 10.5, "B")
        _para(pdf, separators()[1].join(f"{label} ({code})" for code, label in terms), 9)


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
