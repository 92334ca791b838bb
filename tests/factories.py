"""Input data for tests: a plausible, clearly fictional incident."""

from __future__ import annotations

import datetime as dt


def incident_data(**overrides) -> dict:
    data = {
        "title": "Shooting of a protest organiser near Tahrir Square (fictional)",
        "narrative": "Two gunmen on a motorcycle fired at the organiser as he left a meeting.",
        "incident_type": "attempted_killing",
        "start_date": dt.date(2020, 3, 14),
        "date_precision": "day",
        "country": "IQ",
        "admin1": "IQ-BG",
        "locality": "Fictional Street 12",
        "latitude": 33.34,
        "longitude": 44.40,
        "geo_precision": "near",
        "method": "firearm",
        "context": "protest_related",
        "victims": [
            {"person": {"full_name": "Sami Example", "name_original": "سامي المثال",
                        "sex": "male", "profiles": ["activist"]},
             "outcome": "injured", "consent_to_publish_name": True},
        ],
        "perpetrators": [
            {"actor": {"name": "Unidentified gunmen (test)", "actor_type": "unidentified_gunmen"},
             "attribution": "alleged", "basis": "witness accounts"},
        ],
        "citations": [
            {"source": {"kind": "media", "title": "Example News report", "url":
                        "https://example.org/report"},
             "statement": "Reports the attack and the injuries."},
        ],
        "case_events": [
            {"date": dt.date(2020, 3, 15), "kind": "complaint",
             "description": "Family filed a complaint with the police."},
        ],
    }
    data.update(overrides)
    return data
