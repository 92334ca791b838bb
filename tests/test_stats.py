"""Dashboard figures: aggregated in the database, over what the user may see."""

from __future__ import annotations

import datetime as dt

from records.db import read_session, unit_of_work
from records.services.incidents import IncidentFilter, create_incident
from records.services.review import submit_incident
from records.services.stats import GovernorateCount, dashboard_stats
from tests.factories import incident_data


def _seed(engine, users):
    with unit_of_work(engine) as session:
        create_incident(session, incident_data(), by=users["carla"])
        create_incident(session, incident_data(
            start_date=dt.date(2021, 1, 5), admin1="IQ-KA", latitude=32.6, longitude=44.0,
            incident_type="killing",
            victims=[{"person": {"full_name": "Huda Example", "profiles": ["journalist",
                                                                          "activist"]},
                      "outcome": "killed"},
                     {"person": {"full_name": "Omar Example"}, "outcome": "unharmed"}],
            perpetrators=[{"actor": {"name": "A state force (test)",
                                     "actor_type": "state_forces"}}]), by=users["carla"])
        restricted = create_incident(session, incident_data(sensitivity="restricted",
                                                            admin1="IQ-KA", latitude=32.0,
                                                            longitude=44.2),
                                     by=users["chen"])
        submit_incident(session, restricted.ref, by=users["chen"],
                        expected_version=restricted.version)


def test_figures_for_a_reviewer_include_restricted_incidents(engine, users):
    _seed(engine, users)
    with read_session(engine) as session:
        stats = dashboard_stats(session, by=users["rana"])
    assert stats.total == 3
    assert stats.by_status == {"draft": 2, "submitted": 1}
    assert stats.per_month == [("2020-03", 2), ("2021-01", 1)]
    assert stats.by_type == {"attempted_killing": 2, "killing": 1}
    assert stats.by_actor_type == {"unidentified_gunmen": 2, "state_forces": 1}
    assert stats.victims_by_outcome == {"injured": 2, "killed": 1, "unharmed": 1}
    assert stats.victims_by_profile == {"activist": 3, "journalist": 1}
    assert stats.by_governorate[0].admin1 == "IQ-KA"
    assert stats.by_governorate[0].incidents == 2
    assert round(stats.by_governorate[0].latitude, 2) == 32.3
    assert stats.by_governorate[1] == GovernorateCount("IQ-BG", 1, 33.34, 44.4)


def test_a_viewer_does_not_count_restricted_incidents(engine, users):
    _seed(engine, users)
    with read_session(engine) as session:
        viewer = dashboard_stats(session, by=users["vera"])
        author = dashboard_stats(session, by=users["chen"])
    assert viewer.total == 2 and viewer.by_status == {"draft": 2}
    assert [(g.admin1, g.incidents) for g in viewer.by_governorate] == [("IQ-BG", 1),
                                                                        ("IQ-KA", 1)]
    assert author.total == 3


def test_filters_narrow_the_figures(engine, users):
    _seed(engine, users)
    with read_session(engine) as session:
        stats = dashboard_stats(session, by=users["rana"],
                                filters=IncidentFilter(incident_type="killing"))
    assert stats.total == 1
    assert stats.victims_by_profile == {"activist": 1, "journalist": 1}


def test_an_empty_database_has_no_figures(engine, users):
    with read_session(engine) as session:
        stats = dashboard_stats(session, by=users["vera"])
    assert (stats.total, stats.per_month, stats.by_governorate) == (0, [], [])
