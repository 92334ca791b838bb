"""The public report leaks nothing through its new sections: the summary, accountability
timelines, documented vs reported, the map, methodology and glossary show no withheld
name, no restricted or unverified incident and no place finer than the level allows."""

from __future__ import annotations

import datetime as dt

from records.db import unit_of_work
from records.services.reports import ReportOptions, run_report
from records.services.reports.charts import governorate_map
from tests.factories import incident_data
from tests.test_export_data import SECRETS, seed_sensitive, text_of, verified_incident
from tests.test_report_accountability import SUSPECT, seed_cases


def _seed(engine, users) -> None:
    seed_sensitive(engine, users)
    seed_cases(engine, users)
    with unit_of_work(engine) as session:
        verified_incident(session, incident_data(
            title=f"Killing of a witness {SECRETS['restricted incident']}",
            incident_type="killing", sensitivity="restricted", admin1="IQ-NI",
            victims=[{"person": {"full_name": SECRETS["restricted victim"]},
                      "outcome": "killed", "consent_to_publish_name": True}],
            case_events=[{"date": dt.date(2020, 4, 1), "kind": "arrest",
                          "description": f"Arrest {SECRETS['restricted incident']}"}]),
            users, publish=True)


def test_public_report_shows_no_withheld_name_restricted_case_or_exact_place(engine, users,
                                                                             tmp_path):
    _seed(engine, users)
    for name in ("public.pdf", "public.html"):
        text = text_of(run_report(engine, ReportOptions(level="public"), tmp_path / name,
                                  by=users["vera"], pdf=name.endswith(".pdf")).path)
        for secret in (SECRETS["unconsented name"], SECRETS["unconsented Arabic name"],
                       SECRETS["restricted incident"], SECRETS["restricted victim"],
                       SECRETS["draft incident"], SECRETS["contact"],
                       SECRETS["confidential witness"], SECRETS["witness statement"],
                       SECRETS["exact latitude"], SUSPECT, "Fictional Street 12",
                       "Outside his home"):
            assert secret not in text, (name, secret)
        assert "Ihab al-Wazni" in text and "Name withheld" in text
        # Killings and attempts seen: the published attempt (a complaint), Fahim and the
        # Basra killing (nothing), Ihab (an arrest), the Baghdad attempt; not the
        # restricted killing with its arrest.
        assert "No follow-up at all: 2 of 5 cases (impunity rate 40 %)." in " ".join(
            text.split())
    html = (tmp_path / "public.html").read_text(encoding="utf-8")
    # The map's circles stand where the public record puts them: Sami Example's incident
    # at 33.3456, 44.4012 rounded to the district (33.3, 44.4), never the exact point.
    circles = [part.split("/>")[0] for part in
               html.split('id="map"')[1].split("</svg>")[0].split("<circle ")[1:]]
    rounded = governorate_map({}, [(44.4, 33.3, 1)], {}).svg().split("<circle ")[1]
    exact = governorate_map({}, [(44.4012, 33.3456, 1)], {}).svg().split("<circle ")[1]
    position = rounded.split(' r="')[0]
    assert any(c.startswith(position) for c in circles)
    assert not any(c.startswith(exact.split(' r="')[0]) for c in circles)


def test_internal_report_names_the_suspect_and_the_restricted_case(engine, users, tmp_path):
    _seed(engine, users)
    text = text_of(run_report(engine, ReportOptions(level="internal"), tmp_path / "i.html",
                              by=users["rana"], pdf=False).path)
    assert SUSPECT in text and SECRETS["restricted incident"] in text
    assert "Outside his home" in text
    assert "No follow-up at all: 2 of 6 cases (impunity rate 33 %)." in " ".join(text.split())
