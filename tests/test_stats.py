"""Dashboard figures: aggregated in the database, over what the user may see."""

from __future__ import annotations

import datetime as dt

from records.db import read_session, unit_of_work
from records.services.incidents import IncidentFilter, create_incident
from records.services.review import submit_incident, verify_incident
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
    # Counted, but its exact place is sealed: the mean is the open incident's place alone.
    assert (stats.by_governorate[0].latitude, stats.by_governorate[0].longitude) == (32.6, 44.0)
    assert stats.by_governorate[1] == GovernorateCount("IQ-BG", 1, 33.34, 44.4)


def test_a_caseworker_does_not_count_others_restricted_incidents(engine, users):
    _seed(engine, users)
    with read_session(engine) as session:
        other = dashboard_stats(session, by=users["carla"])
        author = dashboard_stats(session, by=users["chen"])
    assert other.total == 2 and other.by_status == {"draft": 2}
    assert [(g.admin1, g.incidents) for g in other.by_governorate] == [("IQ-BG", 1),
                                                                       ("IQ-KA", 1)]
    assert author.total == 3


def test_a_viewer_counts_only_verified_and_published_incidents(engine, users):
    _seed(engine, users)
    with unit_of_work(engine) as session:
        submitted = submit_incident(session, "INC-2020-00001", by=users["carla"],
                                    expected_version=1)
        verify_incident(session, submitted.ref, by=users["rana"],
                        expected_version=submitted.version)
    with read_session(engine) as session:
        viewer = dashboard_stats(session, by=users["vera"])
    assert viewer.total == 1 and viewer.by_status == {"verified": 1}
    assert [(g.admin1, g.incidents) for g in viewer.by_governorate] == [("IQ-BG", 1)]
    assert viewer.victims_by_outcome == {"injured": 1}


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


def test_months_count_incidents_whose_month_is_known_and_years_count_all(engine, users):
    from tests.test_export_data import seed_dated

    seed_dated(engine, users)
    with read_session(engine) as session:
        stats = dashboard_stats(session, by=users["rana"])
    # December 2019 (month), 30 Nov 2019 (day), 30 Dec 2019 – 2 Jan 2020 (by its start),
    # February–March 2020 (by its start), c. January 2020; 2019 (year) in no month.
    assert stats.per_month == [("2019-11", 1), ("2019-12", 2), ("2020-01", 1),
                               ("2020-02", 1)]
    assert stats.year_only == 1
    assert stats.per_year == [(2019, 4), (2020, 2)]


def test_a_period_on_the_figures_overlaps_the_dates_at_their_precision(engine, users):
    from tests.test_export_data import seed_dated

    seed_dated(engine, users)
    with read_session(engine) as session:
        stats = dashboard_stats(session, by=users["rana"], filters=IncidentFilter(
            date_from=dt.date(2019, 12, 15), date_to=dt.date(2019, 12, 15)))
    assert stats.total == 2
    assert stats.per_month == [("2019-12", 1)]
    assert (stats.year_only, stats.per_year) == (1, [(2019, 2)])
