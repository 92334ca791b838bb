"""The advocacy report: self-contained HTML with escaped user text, and a PDF whose text
holds Arabic names."""

from __future__ import annotations

import builtins
import subprocess

import pytest

from records.db import unit_of_work
from records.services.exchange import ExportFilters, ExportRequest, run_export
from records.services.reports import ReportDependencyMissing, check_pdf_dependencies
from tests.factories import incident_data
from tests.test_export_data import PUBLIC_NAME, PUBLIC_NAME_AR, seed_sensitive, verified_incident


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
    for heading in ("Key figures", "Incidents per month", "By governorate",
                    "By perpetrator type", "By victim profile", "Map", "Sources cited",
                    "Methodology"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("<svg") == 5
    assert "Redaction level: public" in html
    assert "Enforced disappearance" in html  # definitions from the vocabularies
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
    months = html.split("<h2>Incidents per month</h2>")[1].split("</svg>")[0]
    # November 2019 to February 2020: the year-only incident adds no January 2019 column.
    assert months.count("<rect") == 4
    assert ">2019-11</text>" in months and ">2019-01</text>" not in months
    # Newest first, like the Incidents page.
    listed = html.split("<h2>Incidents</h2>")[1].split("</table>")[0]
    assert listed.index("February–March 2020") < listed.index("December 2019") \
        < listed.index("<td>2019</td>")
