"""One incident, one sheet: the case sheet of Ihab al-Wazni's killing, its follow-up at
the precision of each date, and what each level may show."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import NotFound, ValidationError
from records.models import AuditEntry
from records.services.reports import write_case_sheet
from tests.test_export_data import SECRETS, seed_sensitive
from tests.test_report_accountability import SUSPECT, pdf_text, seed_cases


def test_case_sheet_has_facts_victims_perpetrators_timeline_sources_and_review(
        engine, users, tmp_path):
    refs = seed_cases(engine, users)
    with unit_of_work(engine) as session:
        write_case_sheet(session, refs["ihab"], tmp_path / "ihab.pdf", by=users["vera"])
        write_case_sheet(session, refs["ihab"], tmp_path / "internal.html", by=users["rana"],
                         fmt="html")
    text = pdf_text(tmp_path / "ihab.pdf", layout=True)
    rows = [" ".join(line.split()) for line in text.splitlines()]
    assert f"Case sheet · {refs['ihab']}" in rows
    for row in ("Date 9 May 2021", "Place Karbalā’", "Type Killing", "Killed 1",
                "Unidentified gunmen (Karbala) Unidentified gunmen Alleged witness accounts",
                "26 May 2021 Arrest Name withheld — A suspect was arrested.",
                "June 2021 Release The suspect was released.",
                "• Protest leader killed in Karbala", "Status Published",
                "Confidence Reported"):
        assert row in rows, row
    # (The Arabic name in brackets comes out of the PDF reordered; the HTML has it.)
    assert any(r.startswith("Ihab al-Wazni (") and r.endswith(" Killed Activist")
               for r in rows)
    assert SUSPECT not in text and "Outside his home" not in text
    assert "2021-06-01" not in text
    internal = (tmp_path / "internal.html").read_text(encoding="utf-8")
    with read_session(engine) as session:  # each sheet audited as an export
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == "export")).all()
    entries = [(r.incident_ref, json.loads(r.changes)) for r in rows]
    assert sorted((ref, c["format"], c["level"]) for ref, c in entries) == [
        (refs["ihab"], "case-html", "internal"), (refs["ihab"], "case-pdf", "public")]
    assert SUSPECT in internal and "Outside his home" in internal
    assert "Ihab al-Wazni (إيهاب الوزني)" in internal


def test_case_sheet_refuses_what_the_level_hides_and_unknown_choices(engine, users, tmp_path):
    refs = seed_sensitive(engine, users)
    with unit_of_work(engine) as session:
        with pytest.raises(NotFound):
            write_case_sheet(session, refs["restricted"], tmp_path / "r.pdf", by=users["carla"],
                             level="partner")
        with pytest.raises(ValidationError) as caught:
            write_case_sheet(session, refs["published"], tmp_path / "r.pdf", by=users["vera"],
                             fmt="docx")
        assert str(caught.value) == "format: 'docx' is not one of pdf, html"
        write_case_sheet(session, refs["published"], tmp_path / "ar.html", by=users["vera"],
                         lang="ar", fmt="html")
    html = (tmp_path / "ar.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html and "<h2>الضحايا</h2>" in html
    assert SECRETS["unconsented name"] not in html and SECRETS["contact"] not in html
