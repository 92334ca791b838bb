"""The advocacy report as PDF: fpdf2 with HarfBuzz text shaping (uharfbuzz), so Arabic is
joined and laid out right to left, in IBM Plex Sans Arabic (Latin and Arabic, shipped on PyPI
as fontpkg-ibm-plex-sans-arabic; DejaVu Sans is used where only the system has a font).

An Arabic or Sorani report is laid out right to left: paragraphs take a right-to-left base
direction and are set flush right, tables and the figure boxes run from the right, bar
charts are mirrored. Chart labels are set here, shaped, over the chart's shapes.

The document carries its title, author (the organisation), subject and language, an
outline (bookmarks) and a table of contents; images have alternative text. Pages are
numbered "n of N" (N is fpdf2's page-count alias, filled in when the file is written).
The alias keeps the width it had when the footer was shaped: N is set against the side
of that space nearest the words before it (the right in a right-to-left footer), so no
gap opens between "من" and N.
"""

from __future__ import annotations

from pathlib import Path

from records.errors import SijilError
from records.i18n import _
from records.services.reports import pdf_sections as sections
from records.services.reports.content import ReportData
from records.services.reports.pdf_layout import BOTTOM_MARGIN, room_left

_SYSTEM_FONTS = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                 Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"))


class ReportDependencyMissing(SijilError):
    """Something the PDF report needs is not installed; the message says how to get it."""


def fonts() -> tuple[Path, Path]:
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
    fonts()


def new_document(*, rtl: bool, footer_text: str, language: str, title: str, author: str,
                 subject: str = ""):
    """An A4 document with the report's fonts, direction, metadata and footer ("… page n
    of N")."""
    from fpdf import FPDF

    class Document(FPDF):
        def footer(self) -> None:
            self.set_y(-13)
            self.set_font("Sans", size=8)
            self.set_text_color(110)
            page = _("page {n} of {total}").format(n=self.page_no(),
                                                    total=self.str_alias_nb_pages)
            self.cell(0, 8, f"{footer_text} — {page}", align="C")
            self.set_text_color(0)

    pdf = Document(format="A4")
    pdf.alias_nb_pages("{nb}", align="R" if rtl else "L")
    pdf.rtl = rtl
    regular, bold = fonts()
    pdf.add_font("Sans", "", regular)
    pdf.add_font("Sans", "B", bold)
    # Right to left sets every paragraph's base direction; the bidi algorithm still keeps
    # Latin runs (refs, dates in digits, English names) left to right inside it.
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else None)
    pdf.set_auto_page_break(True, margin=BOTTOM_MARGIN)
    pdf.set_margins(16, 16, 16)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_subject(subject)
    pdf.set_creator("Sijil")
    pdf.set_lang(language)
    pdf.set_display_mode("fullpage", "continuous")
    return pdf


def _lay_out(data: ReportData):
    footer = " — ".join(p for p in (data.organisation or "Sijil", _(
        "{level} level").format(level=data.level_name), data.generated_at) if p)
    pdf = new_document(rtl=data.rtl, footer_text=footer, language=data.language, title=data.title,
                       author=data.organisation or "Sijil", subject=data.subtitle or data.period)
    sections.cover(pdf, data)
    # The contents fill the rest of the cover page when they fit there (ten lines).
    if room_left(pdf) < sections.CONTENTS_HEIGHT:
        pdf.add_page()
    pdf.insert_toc_placeholder(sections.contents, pages=1, reset_page_indices=False)
    sections.key_figures(pdf, data)
    sections.accountability(pdf, data)
    sections.reported(pdf, data)
    sections.map_page(pdf, data)
    sections.charts(pdf, data)
    sections.incidents(pdf, data)
    sections.sources(pdf, data)
    sections.methodology(pdf, data)
    sections.glossary(pdf, data)
    return pdf


def render_pdf(data: ReportData, out: Path) -> None:
    """Typeset the report to `out`."""
    _lay_out(data).output(str(out))
