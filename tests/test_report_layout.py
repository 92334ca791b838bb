"""The PDF report's layout rules, on the building blocks themselves: a table's header on
every page it runs onto, no heading alone at a page bottom, "page n of N" and metadata."""

from __future__ import annotations

import re
import subprocess

from records.services.reports.pdf import new_document
from records.services.reports.pdf_layout import heading, para, table


def _document(**kwargs):
    return new_document(rtl=False, footer_text="Example Org", language="en",
                        title="Layout test", author="Example Org", **kwargs)


def _text(path) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout.split("\f")[:-1]


def test_a_long_table_repeats_its_header_on_every_page(tmp_path):
    pdf = _document()
    pdf.add_page()
    table(pdf, ["Ref", "Date", "Place"], [[f"INC-{i:04d}", "December 2019", "Karbala"]
                                          for i in range(150)], [40, 40, 40])
    pdf.output(str(tmp_path / "t.pdf"))
    pages = _text(tmp_path / "t.pdf")
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        assert re.search(r"^\s*Ref\s+Date\s+Place\s*$", page, re.M), number
        assert f"Example Org — page {number} of 3" in page


def test_a_heading_never_stays_alone_at_the_foot_of_a_page(tmp_path):
    pdf = _document()
    pdf.add_page()
    while pdf.get_y() < pdf.page_break_trigger - 30:
        para(pdf, "Filler line.")
    heading(pdf, "Accountability", keep_with=40)
    para(pdf, "What follows the heading.")
    pdf.output(str(tmp_path / "h.pdf"))
    pages = _text(tmp_path / "h.pdf")
    assert "Accountability" not in pages[0]
    assert pages[1].split("Accountability")[1].lstrip().startswith("What follows")
    info = subprocess.run(["pdfinfo", str(tmp_path / "h.pdf")], check=True,
                          capture_output=True, text=True).stdout
    assert re.search(r"^Title:\s+Layout test$", info, re.M)
    assert re.search(r"^Author:\s+Example Org$", info, re.M)
    assert b"/Lang (en)" in (tmp_path / "h.pdf").read_bytes()
