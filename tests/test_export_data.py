"""Seed data shared by the import, export, report and round-trip tests (no tests here)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from records.db import unit_of_work
from records.services.incidents import create_incident
from records.services.review import publish_incident, submit_incident, verify_incident
from tests.factories import incident_data

PUBLIC_NAME = "Sami Example"
PUBLIC_NAME_AR = "سامي المثال"
# Strings that must never leave in a public export.
SECRETS = {
    "unconsented name": "Hidden Victim",
    "unconsented Arabic name": "مخفي الضحية",
    "contact": "+964-SECRET-CONTACT",
    "confidential witness": "Zaynab Witness",
    "witness statement": "WITNESS-QUOTE-MARKER",
    "restricted incident": "RESTRICTED-MARKER",
    "restricted victim": "Restricted Person",
    "draft incident": "DRAFT-MARKER",
    "exact latitude": "33.3456",
}


def verified_incident(session, data: dict, users, *, publish: bool = False):
    created = create_incident(session, data, by=users["carla"])
    submitted = submit_incident(session, created.ref, by=users["carla"],
                                expected_version=created.version)
    verified = verify_incident(session, created.ref, by=users["rana"],
                               expected_version=submitted.version)
    if publish:
        verified = publish_incident(session, created.ref, by=users["rana"],
                                    expected_version=verified.version)
    return verified


def seed_sensitive(engine, users) -> dict[str, str]:
    """A published incident with a consented and an unconsented victim, a contact and a
    confidential witness; a restricted verified incident; a draft. Returns their refs."""
    with unit_of_work(engine) as session:
        published = verified_incident(session, incident_data(
            latitude=33.3456, longitude=44.4012, geo_precision="exact",
            victims=[
                {"person": {"full_name": PUBLIC_NAME, "name_original": PUBLIC_NAME_AR,
                            "sex": "male", "profiles": ["activist"],
                            "contact": SECRETS["contact"]},
                 "outcome": "killed", "consent_to_publish_name": True},
                {"person": {"full_name": SECRETS["unconsented name"],
                            "name_original": SECRETS["unconsented Arabic name"],
                            "profiles": ["journalist"]},
                 "outcome": "injured", "consent_to_publish_name": False},
            ],
            citations=[
                {"source": {"kind": "media", "title": "Example News report"},
                 "statement": "Reports the attack."},
                {"source": {"kind": "witness_testimony",
                            "title": f"Testimony of {SECRETS['confidential witness']}"},
                 "statement": "Saw the gunmen.", "quote": SECRETS["witness statement"]},
            ]), users, publish=True)
        restricted = verified_incident(session, incident_data(
            title=f"Threats against a lawyer {SECRETS['restricted incident']}",
            sensitivity="restricted", incident_type="threat", admin1="IQ-BA",
            victims=[{"person": {"full_name": SECRETS["restricted victim"]},
                      "outcome": "unharmed", "consent_to_publish_name": True}]), users)
        draft = create_incident(session, incident_data(
            title=f"Unverified report {SECRETS['draft incident']}", start_date=dt.date(2021, 5, 2),
            admin1="IQ-NI", incident_type="killing"), by=users["carla"])
    return {"published": published.ref, "restricted": restricted.ref, "draft": draft.ref}


def text_of(path: Path) -> str:
    """Every character of an export: files in a folder or zip, XLSX XML, PDF text."""
    import subprocess

    if path.is_dir():
        return "\n".join(text_of(p) for p in sorted(path.iterdir()))
    if path.suffix in (".zip", ".xlsx"):
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace")
                             for n in archive.namelist())
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
    return path.read_text(encoding="utf-8")


# Incidents dated at every precision, for the date tests of lists, figures and exports:
# name → (start_date, end_date, date_precision). "december" is the finding of the issue
# "Faithful records": a killing in Karbala known only to have happened in December 2019.
DATED = {
    "december": (dt.date(2019, 12, 1), None, "month"),
    "november_30": (dt.date(2019, 11, 30), None, "day"),
    "year_2019": (dt.date(2019, 1, 1), None, "year"),
    "new_year": (dt.date(2019, 12, 30), dt.date(2020, 1, 2), "day"),
    "feb_march": (dt.date(2020, 2, 1), dt.date(2020, 3, 1), "month"),
    "about_january": (dt.date(2020, 1, 20), None, "approximate"),
}


def seed_dated(engine, users) -> dict[str, str]:
    """The DATED incidents, verified, created in that order; their refs by name."""
    refs = {}
    with unit_of_work(engine) as session:
        for name, (start, end, precision) in DATED.items():
            refs[name] = verified_incident(session, incident_data(
                title=f"Killing of an activist in Karbala ({name}, fictional)",
                incident_type="killing", admin1="IQ-KA", latitude=32.6, longitude=44.0,
                start_date=start, end_date=end, date_precision=precision), users).ref
    return refs
