"""The PDF report's building blocks: paragraphs, headings that are never left alone at a
page bottom and enter the outline and contents, tables that repeat their header on every
page, charts with shaped labels, figure boxes."""

from __future__ import annotations

import io

from records.services.reports.charts import Chart

ACCENT = (139, 30, 63)
GREY = 90
BOTTOM_MARGIN = 18


def para(pdf, text: str, size: float = 10, style: str = "", height: float = 5.2,
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


def bullet(pdf, text: str, size: float = 10) -> None:
    para(pdf, f"• {text}", size)


def room_left(pdf) -> float:
    return pdf.page_break_trigger - pdf.get_y()


def heading(pdf, text: str, size: float = 15, keep_with: float = 40, level: int = 0,
            new_page: bool = False) -> None:
    """A heading, on a new page unless `keep_with` millimetres of what follows fit under
    it (a heading is never left alone at the foot of a page); it enters the PDF outline
    and the table of contents at `level`."""
    if new_page or room_left(pdf) < size * 0.55 + 10 + keep_with:
        pdf.add_page()
    pdf.ln(2 if level else 3)
    pdf.start_section(text, level=level)
    para(pdf, text, size, "B", size * 0.55, ACCENT)
    if level == 0:
        pdf.set_draw_color(*ACCENT)
        pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
    pdf.ln(4 if level == 0 else 1.5)


def chart(pdf, drawing: Chart, width: float = 178, alt: str = "") -> None:
    """The chart's shapes as an image (with `alt` as its alternative text), then its
    labels set with shaping at the same places, each kept inside the chart's frame by
    its measured width."""
    scale = width / drawing.width
    height = drawing.height * scale
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
    x0 = pdf.w - pdf.r_margin - width if pdf.rtl else pdf.l_margin
    y0 = pdf.get_y()
    pdf.image(io.BytesIO(drawing.svg(with_labels=False).encode("utf-8")), x=x0, y=y0,
              w=width, alt_text=alt or None)
    auto_break, cell_margin = pdf.auto_page_break, pdf.c_margin
    pdf.set_auto_page_break(False)
    pdf.c_margin = 0  # the label starts exactly where it was placed
    for label in drawing.labels:
        size = label.size * scale  # millimetres
        pdf.set_font("Sans", "", size * 72 / 25.4)
        text_w = pdf.get_string_width(label.text)
        left = {"start": label.x * scale, "middle": label.x * scale - text_w / 2,
                "end": label.x * scale - text_w}.get(label.anchor, label.x * scale)
        left = min(max(left, 0.5), max(0.5, width - text_w - 0.5))
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
    pdf.set_auto_page_break(auto_break, margin=BOTTOM_MARGIN)
    pdf.set_xy(pdf.l_margin, y0 + height + 2)


def table(pdf, header: list[str] | None, rows: list[list], widths: list[float],
          size: float = 8.5) -> None:
    """A table whose header row is repeated at the top of every page it runs onto; the
    first column on the right in a right-to-left report. Without `header`, a table of
    label and value rows, the labels in bold."""
    from fpdf.enums import TableHeadingsDisplay
    from fpdf.fonts import FontFace

    pdf.set_font("Sans", "", size)
    labels = header is None
    header = header or []
    if pdf.rtl:
        header, widths = header[::-1], widths[::-1]
        rows = [row[::-1] for row in rows]
    style = FontFace(emphasis="BOLD", fill_color=(243, 238, 240))
    with pdf.table(col_widths=widths, text_align="RIGHT" if pdf.rtl else "LEFT",
                   line_height=size * 0.54, headings_style=style,
                   first_row_as_headings=not labels,
                   repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
                   width=sum(widths), align="RIGHT" if pdf.rtl else "LEFT") as grid:
        if not labels:
            head = grid.row()
            for cell in header:
                head.cell(cell)
        label_column = len(widths) - 1 if pdf.rtl else 0
        for values in rows:
            row = grid.row()
            for i, value in enumerate(values):
                row.cell(str(value), style=style if labels and i == label_column else None)
    pdf.ln(2)


def figure_boxes(pdf, figures: list[tuple[str, str]], box: float = 42) -> None:
    """Large numbers with their label under them, in a row from the start side."""
    x0, y0 = pdf.l_margin, pdf.get_y()
    gap = (pdf.w - pdf.l_margin - pdf.r_margin - box * len(figures)) / max(1, len(figures) - 1)
    align = "R" if pdf.rtl else "L"
    for i, (value, label) in enumerate(figures):
        x = x0 + ((len(figures) - 1 - i) if pdf.rtl else i) * (box + gap)
        pdf.set_draw_color(200)
        pdf.set_fill_color(250, 246, 247)
        pdf.rect(x, y0, box, 22, style="DF")
        pdf.set_xy(x + 2, y0 + 2)
        pdf.set_font("Sans", "B", 18)
        pdf.set_text_color(*ACCENT)
        pdf.cell(box - 4, 10, value, align=align)
        pdf.set_text_color(0)
        pdf.set_xy(x + 2, y0 + 13)
        pdf.set_font("Sans", "", 9)
        pdf.cell(box - 4, 6, label, align=align)
    pdf.set_xy(pdf.l_margin, y0 + 27)
