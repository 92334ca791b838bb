"""The advocacy report: self-contained HTML with escaped user text, and a PDF whose text
holds Arabic names."""

from __future__ import annotations

import builtins
import re
import subprocess

import pytest

from records.db import unit_of_work
from records.services.exchange import ExportFilters, ExportRequest, run_export
from records.services.reports import ReportDependencyMissing, check_pdf_dependencies
from tests.factories import incident_data
from tests.test_export_data import (
    PUBLIC_NAME,
    PUBLIC_NAME_AR,
    seed_dated,
    seed_sensitive,
    verified_incident,
)


def _report(engine, by, path, level="public", **filters):
    fmt = "report-pdf" if path.suffix == ".pdf" else "report-html"
    return run_export(engine, ExportRequest(fmt, path, level, ExportFilters(**filters)),
                      by=by)


def test_html_report_has_figures_charts_map_sources_and_methodology_offline(engine, users,
                                                                           tmp_path):
    seed_sensitive(engine, users)
    with unit_of_work(engine) as session:
        verified_incident(session, incident_data(
            title="<script>alert('x')</script> attack", admin1="IQ-BA",
            incident_type="killing"), users)
    html = _report(engine, users["vera"], tmp_path / "report.html").path.read_text(
        encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; attack" in html
    assert "<script" not in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html.replace("https://example.org/report", "")
    for heading in ("Executive summary", "Key figures", "Accountability",
                    "Documented vs reported", "Incidents per month", "By governorate",
                    "By perpetrator type", "By victim profile", "Map", "Sources cited",
                    "Methodology", "Glossary"):
        assert re.search(f"<h2( id=\"[a-z-]+\")?>{heading}</h2>", html), heading
    assert html.count("<svg") == 6
    assert "Redaction level: public" in html
    # The glossary holds the terms the incidents use, not every term of the vocabularies.
    glossary = html.split('<h2 id="glossary">Glossary</h2>')[1]
    assert "Attempted killing" in glossary and "Enforced disappearance" not in glossary
    assert PUBLIC_NAME_AR in html and PUBLIC_NAME in html
    assert '<div class="figure"><b>2</b>incidents</div>' in html
    assert '<div class="figure"><b>1</b>attempted killings</div>' in html


def test_pdf_report_opens_and_its_text_holds_the_arabic_victim_name(engine, users, tmp_path):
    seed_sensitive(engine, users)
    path = _report(engine, users["vera"], tmp_path / "report.pdf").path
    assert path.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert PUBLIC_NAME_AR in text
    assert PUBLIC_NAME in text
    assert "Key figures" in text and "Methodology" in text
    assert "Hidden Victim" not in text


def test_missing_shaping_library_is_named_with_how_to_install_it(monkeypatch):
    real_import = builtins.__import__

    def without_uharfbuzz(name, *args, **kwargs):
        if name == "uharfbuzz":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_uharfbuzz)
    with pytest.raises(ReportDependencyMissing) as caught:
        check_pdf_dependencies()
    assert str(caught.value) == ("the PDF report needs uharfbuzz (Arabic text shaping): "
                                 "pip install uharfbuzz")


def test_the_report_gives_dates_at_their_precision_and_keeps_years_out_of_months(
        engine, users, tmp_path):
    from tests.test_export_data import seed_dated

    seed_dated(engine, users)
    pdf = _report(engine, users["vera"], tmp_path / "report.pdf").path
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "December 2019" in text
    assert "2019-12-01" not in text
    assert "1 incident dated to the year only is counted by year, not by month." in " ".join(
        text.split())
    html = _report(engine, users["vera"], tmp_path / "report.html").path.read_text(
        encoding="utf-8")
    for date in ("December 2019", "30 November 2019", "2019", "c. January 2020",
                 "February–March 2020", "30 December 2019–2 January 2020"):
        assert f"<td>{date}</td>" in html
    assert "2019-12-01" not in html
    assert ('<p class="meta">1 incident dated to the year only is counted by year, not by '
            'month.</p>') in html
    months = html.split('<h2 id="charts">Incidents per month</h2>')[1].split("</svg>")[0]
    # November 2019 to February 2020: the year-only incident adds no January 2019 column.
    assert months.count("<rect") == 4
    assert ">2019-11</text>" in months and ">2019-01</text>" not in months
    # Newest first, like the Incidents page.
    listed = html.split('<h2 id="incidents">Incidents</h2>')[1].split("</table>")[0]
    assert listed.index("February–March 2020") < listed.index("December 2019") \
        < listed.index("<td>2019</td>")


def _pdf_text(path) -> str:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    # pdftotext marks each right-to-left run with embedding controls; drop them.
    return re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)


def test_arabic_html_report_reads_right_to_left_in_arabic_words(engine, users, tmp_path):
    seed_dated(engine, users)
    path = run_export(engine, ExportRequest("report-html", tmp_path / "ar.html", "public",
                                            ExportFilters(), language="ar"),
                      by=users["vera"]).path
    html = path.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert '<h2 id="key-figures">أرقام رئيسية</h2>' in html
    assert '<h2 id="map">الخريطة</h2>' in html
    assert "<td>كانون الأول 2019</td>" in html
    assert "<td>30 تشرين الثاني 2019</td>" in html
    assert "مستوى الحجب: عام" in html
    assert "December 2019" not in html
    # The map: Iraq's 18 governorates, Karbala named in Arabic with its six incidents.
    map_svg = html.split('<h2 id="map">الخريطة</h2>')[1].split("</svg>")[0]
    assert map_svg.count("<path ") == 18
    assert ">كربلاء (6)</text>" in map_svg


def test_arabic_pdf_report_has_arabic_headings_and_dates(engine, users, tmp_path):
    seed_dated(engine, users)
    path = run_export(engine, ExportRequest("report-pdf", tmp_path / "ar.pdf", "public",
                                            ExportFilters(), language="ar"),
                      by=users["vera"]).path
    text = _pdf_text(path)
    assert "أرقام رئيسية" in text
    assert "Key figures" not in text and "December 2019" not in text
    # Extraction gives the letters of a glyph that joins several (lam-alef in الأول) in
    # reverse, so the date is checked by its words that have none.
    assert any("كانون" in line and "2019" in line for line in text.splitlines())
    assert "2019-12-01" not in text


def test_sorani_report_is_right_to_left_too(engine, users, tmp_path):
    seed_dated(engine, users)
    path = run_export(engine, ExportRequest("report-html", tmp_path / "ckb.html", "public",
                                            ExportFilters(), language="ckb"),
                      by=users["vera"]).path
    html = path.read_text(encoding="utf-8")
    assert '<html lang="ckb" dir="rtl">' in html
    assert "<td>کانوونی یەکەم 2019</td>" in html


def test_cli_export_takes_the_report_language_and_refuses_it_for_data(engine, users,
                                                                      tmp_path, sijil_process):
    seed_dated(engine, users)
    out = tmp_path / "report.html"
    done = sijil_process(engine, "export", "--format", "report-html", "--lang", "ar", "--out",
                 str(out), "--as", "vera")
    assert done.returncode == 0, done.stderr
    assert '<html lang="ar" dir="rtl">' in out.read_text(encoding="utf-8")
    refused = sijil_process(engine, "export", "--format", "csv", "--lang", "ar", "--out",
                    str(tmp_path / "data.csv"), "--as", "vera")
    assert refused.returncode == 2
    assert "only the report formats have a language" in refused.stderr
    unknown = sijil_process(engine, "export", "--format", "report-pdf", "--lang", "fr", "--out",
                    str(tmp_path / "r.pdf"), "--as", "vera")
    assert unknown.returncode == 2
    assert "'fr' is not one of en, ar, ckb" in unknown.stderr


def test_the_map_draws_every_governorate_and_keeps_names_inside_its_frame():
    from records.services.reports.charts import CHAR_EM, governorate_map

    long_names = {code: f"A very long name for {code} governorate" for code in
                  ("IQ-AN", "IQ-BA", "IQ-DA", "IQ-SU", "IQ-MU")}
    chart = governorate_map({"IQ-BG": 4, "IQ-BA": 1}, [(44.4, 33.3, 2), (60.0, 10.0, 1)],
                            long_names)
    svg = chart.svg()
    assert svg.count("<path ") == 18
    assert svg.count("<circle ") == 1  # the point outside Iraq's frame is left out
    assert len(chart.labels) == 18
    for label in chart.labels:
        half = len(label.text) * CHAR_EM * label.size / 2
        assert label.x - half >= 0 and label.x + half <= chart.width, label.text
        assert label.size <= label.y <= chart.height, label.text
