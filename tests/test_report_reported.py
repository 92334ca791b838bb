"""Documented vs reported: each figure a source reported, beside Sijil's own count for
the same measure, period and governorate."""

from __future__ import annotations

import datetime as dt
import re

from records.db import unit_of_work
from records.services.reports import ReportOptions, run_report
from records.services.reports.figures import add_reported_figure
from tests.test_report_accountability import pdf_text, seed_cases


def _figures(engine, users) -> None:
    with unit_of_work(engine) as session:
        for values in (
            {"metric": "killed", "value": 30, "qualifier": "over",
             "period_start": dt.date(2019, 10, 1), "period_end": dt.date(2021, 9, 30),
             "source_name": "Example Observatory", "reported_on": dt.date(2021, 10, 1)},
            {"metric": "attempted_killing", "value": 70, "qualifier": "at_least",
             "period_start": dt.date(2019, 10, 1), "period_end": dt.date(2021, 9, 30),
             "source_name": "Example Observatory"},
            {"metric": "killed", "value": 2, "qualifier": "exact", "admin1": "IQ-KA",
             "period_start": dt.date(2021, 1, 1), "period_end": dt.date(2021, 12, 31),
             "source_name": "Karbala Monitor"},
        ):
            add_reported_figure(session, values, by=users["carla"])


def test_each_reported_figure_stands_beside_sijils_own_count(engine, users, tmp_path):
    seed_cases(engine, users)
    _figures(engine, users)
    html = run_report(engine, ReportOptions(), tmp_path / "r.html", by=users["vera"],
                      pdf=False).path.read_text(encoding="utf-8")
    table = html.split('<table class="reported">')[1].split("</table>")[0]
    # Killed, October 2019 to September 2021, all Iraq: Fahim, the Basra killing, Ihab.
    assert ("<td>People killed</td><td>over 30</td><td>3</td>"
            "<td>October 2019–September 2021</td><td>Iraq</td>"
            '<td><bdi dir="auto">Example Observatory (1 October 2021)</bdi></td>') in table
    # Attempts in the same period: the Baghdad attempt of March 2021.
    assert "<td>Attempted killings</td><td>at least 70</td><td>1</td>" in table
    # Karbala in 2021: Ihab al-Wazni only (Fahim was killed in 2019).
    assert ("<td>People killed</td><td>2</td><td>1</td>"
            "<td>2021</td><td>Karbalā’</td>") in table


def test_the_pdf_table_and_a_report_without_figures(engine, users, tmp_path):
    seed_cases(engine, users)
    empty = run_report(engine, ReportOptions(), tmp_path / "none.html", by=users["vera"],
                       pdf=False).path.read_text(encoding="utf-8")
    assert "No reported figures were entered for this period and place." in empty
    _figures(engine, users)
    text = pdf_text(run_report(engine, ReportOptions(), tmp_path / "r.pdf",
                               by=users["vera"]).path, layout=True)
    section = text.split("Documented vs reported", 2)[2]
    assert re.search(r"^\s*Measure +Reported +Period +Place +Source$", section, re.M)
    assert re.search(r"^\s*People killed +over 30 +3 +October 2019–September 2021 +Iraq$",
                     section, re.M)
    assert re.search(r"^\s*Attempted killings +at least 70 +1 +October 2019–September 2021 "
                     r"+Iraq +Example Observatory$", section, re.M)
    assert re.search(r"^\s*People killed +2 +1 +2021 +Karbalā’ +Karbala Monitor$", section,
                     re.M)
