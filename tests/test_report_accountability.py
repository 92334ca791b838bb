"""The report's accountability section, documented-vs-reported table, cover words and
methodology, on the Karbala cases: Fahim al-Taie (December 2019, no follow-up) and Ihab
al-Wazni (9 May 2021, a suspect arrested on 26 May 2021 and released in June 2021)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

from records.db import unit_of_work
from records.services.reports import ReportOptions, run_report
from tests.factories import incident_data
from tests.test_export_data import verified_incident

SUSPECT = "Suspect Withheld-Name"


def _victim(name: str, original: str, profiles=("activist",), outcome="killed") -> dict:
    return {"person": {"full_name": name, "name_original": original, "sex": "male",
                       "profiles": list(profiles), "is_public_figure": True},
            "outcome": outcome, "consent_to_publish_name": True}


def _source(title: str) -> list[dict]:
    return [{"source": {"kind": "media", "title": title}, "statement": "Reports the killing."}]


def seed_cases(engine, users) -> dict[str, str]:
    """The two Karbala cases, an attempted killing in Baghdad with a complaint and an
    investigation, and a killing in Basra with no follow-up; all published."""
    gunmen = {"actor": {"name": "Unidentified gunmen (Karbala)",
                        "actor_type": "unidentified_gunmen"},
              "attribution": "alleged", "basis": "witness accounts"}
    with unit_of_work(engine) as session:
        fahim = verified_incident(session, incident_data(
            title="Killing of Fahim al-Taie", incident_type="killing",
            narrative="Fahim al-Taie, a protest activist, was shot dead in Karbala.",
            start_date=dt.date(2019, 12, 1), date_precision="month", admin1="IQ-KA",
            locality=None, latitude=32.6160, longitude=44.0249, geo_precision="exact",
            fatalities=1, victims=[_victim("Fahim al-Taie", "فاهم الطائي")],
            perpetrators=[gunmen], citations=_source("Karbala activist shot dead"),
            case_events=[]), users, publish=True)
        ihab = verified_incident(session, incident_data(
            title="Killing of Ihab al-Wazni", incident_type="killing",
            narrative="Ihab al-Wazni, who led the protest movement in Karbala, was shot "
                      "dead outside his home.",
            start_date=dt.date(2021, 5, 9), date_precision="day", admin1="IQ-KA",
            locality="Outside his home", latitude=32.6049, longitude=44.0191,
            geo_precision="exact", fatalities=1,
            victims=[_victim("Ihab al-Wazni", "إيهاب الوزني")], perpetrators=[gunmen],
            citations=_source("Protest leader killed in Karbala"),
            case_events=[
                {"date": dt.date(2021, 5, 26), "kind": "arrest",
                 "description": "A suspect was arrested.",
                 "person": {"full_name": SUSPECT}},
                {"date": dt.date(2021, 6, 1), "date_precision": "month", "kind": "release",
                 "description": "The suspect was released."},
            ]), users, publish=True)
        attempt = verified_incident(session, incident_data(
            title="Attempt on a journalist in Baghdad", start_date=dt.date(2021, 3, 2),
            case_events=[
                {"date": dt.date(2021, 3, 3), "kind": "complaint",
                 "description": "The family filed a complaint."},
                {"date": dt.date(2021, 3, 1), "date_precision": "month",
                 "kind": "investigation_opened", "description": "Police opened an inquiry."},
            ]), users, publish=True)
        basra = verified_incident(session, incident_data(
            title="Killing of a trade unionist in Basra", incident_type="killing",
            start_date=dt.date(2020, 8, 19), admin1="IQ-BA", latitude=30.51,
            longitude=47.78, fatalities=1,
            victims=[_victim("Port Worker Example", "عامل الميناء", ("trade_unionist",))],
            case_events=[]), users, publish=True)
    return {"fahim": fahim.ref, "ihab": ihab.ref, "attempt": attempt.ref, "basra": basra.ref}


def pdf_text(path, *, layout: bool = False) -> str:
    """The PDF's text (with `layout`, each table row on one line, as printed)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []),
                           str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_pdf_cover_contents_and_accountability_of_the_karbala_cases(engine, users, tmp_path):
    refs = seed_cases(engine, users)
    options = ReportOptions(title="Silenced in Karbala", subtitle="Killings of protest "
                            "leaders", organisation="Example Rights Observatory",
                            since=dt.date(2019, 10, 1), until=dt.date(2021, 9, 30))
    path = run_report(engine, options, tmp_path / "r.pdf", by=users["vera"]).path
    text = pdf_text(path)
    first_page = text.split("\f")[0]
    assert "Silenced in Karbala" in first_page
    assert "Killings of protest leaders" in first_page
    assert "Example Rights Observatory" in first_page
    assert "Period: October 2019–September 2021" in _one_line(first_page)
    assert "Executive summary" in first_page  # page 1 is not a lone title
    pages = text.count("\f")
    assert f"page 1 of {pages}" in first_page
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                          text=True).stdout
    assert re.search(r"^Title:\s+Silenced in Karbala$", info, re.M)
    assert re.search(r"^Author:\s+Example Rights Observatory$", info, re.M)
    # The contents fill the rest of the cover: each section with its page.
    contents = first_page.split("Contents", 1)[1]
    for section in ("Accountability", "Documented vs reported", "Map", "Incidents",
                    "Methodology", "Glossary"):
        assert section in contents, section
    # The period holds all four cases: the accountability section counts them all.
    text = _one_line(text)
    section = text.split("Accountability", 2)[2]
    # 4 killings and attempts: Ihab's arrest; the attempt's complaint and investigation;
    # Fahim and the Basra killing with nothing at all.
    assert "Complaint filed 1 " in section
    assert "Investigation opened 1 " in section
    assert "Arrest 1 " in section and "Charge 0 " in section and "Verdict 0 " in section
    assert "No follow-up at all 2 " in section
    assert "No follow-up at all: 2 of 4 cases (impunity rate 50 %)." in section
    assert "Arrested and later released: 1." in section
    # Ihab al-Wazni's timeline, dates at their precision.
    timeline = section.split(refs["ihab"], 1)[1]
    assert "9 May 2021 Killing" in timeline
    assert "26 May 2021 Arrest" in timeline and "June 2021 Release" in timeline
    assert "2021-06-01" not in text
    assert "December 2019" in text and "2019-12-01" not in text


def test_summary_and_methodology_are_written_from_the_data(engine, users, tmp_path):
    seed_cases(engine, users)
    html = run_report(engine, ReportOptions(since=dt.date(2021, 1, 1),
                                            until=dt.date(2021, 12, 31)),
                      tmp_path / "r.html", by=users["vera"], pdf=False).path.read_text(
        encoding="utf-8")
    # 2021: the attempt and Ihab's killing; 2020, the year before: the Basra killing.
    assert ("<li>Trend: 2 incidents, against 1 in the previous period of equal length "
            "(2020), an increase of 100 %.</li>") in html
    assert "<li>Most affected governorates: Karbalā’ (1), Baghdād (1).</li>" in html
    assert ("<li>Attributed to Unidentified gunmen: 100 per cent of incidents "
            "(Alleged 2).</li>") in html
    methodology = html.split('id="methodology"')[1]
    # Both 2021 incidents at confidence "reported", each citing one media source.
    confidence = methodology.split("<h3>Confidence levels</h3>")[1].split("</ul>")[0]
    assert confidence == "\n<ul><li>Reported: 2</li>"
    kinds = methodology.split("<h3>Sources by kind</h3>")[1].split("</ul>")[0]
    assert kinds == "\n<ul><li>Media: 2</li>"
    assert "What is left out, and why" in methodology
    assert "Incidents marked restricted, to protect the people in them" in methodology
    glossary = html.split('id="glossary"')[1]
    assert "Attempted killing" in glossary and "Enforced disappearance" not in glossary


def test_arabic_report_lays_the_new_sections_out_right_to_left(engine, users, tmp_path):
    seed_cases(engine, users)
    options = ReportOptions(title="إسكات كربلاء", organisation="مرصد الحقوق", lang="ar")
    html = run_report(engine, options, tmp_path / "ar.html", by=users["vera"],
                      pdf=False).path.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert "<h1 dir=\"auto\">إسكات كربلاء</h1>" in html
    steps = html.split('<table class="accountability">')[1].split("</table>")[0]
    assert "<tr><td>تقديم شكوى</td><td>1</td></tr>" in steps
    assert "<tr><td>اعتقال</td><td>1</td></tr>" in steps
    assert "<dt>26 أيار 2021 — اعتقال</dt>" in html and "<dt>حزيران 2021 — إطلاق سراح</dt>" in html
    path = run_report(engine, options, tmp_path / "ar.pdf", by=users["vera"]).path
    text = pdf_text(path)
    assert "December 2019" not in text and "2021-06-01" not in text
    # Shaped Arabic comes back out of the PDF as letters: the title and a step's label.
    assert "كربالء" in text or "كربلاء" in text
    assert "تقديم شكوى" in text
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                          text=True).stdout
    assert re.search(r"^Author:\s+مرصد الحقوق$", info, re.M)
