"""The dashboard map's points: counted per place in the database, rounded to what the reader
may see (a viewer: the public export's 0.1°), never finer."""

from __future__ import annotations

from records.db import read_session, unit_of_work
from records.services.incidents import create_incident
from records.services.review import submit_incident, verify_incident
from records.services.stats import LocationCount, dashboard_stats, incident_locations
from tests.factories import incident_data
from tests.test_stats import _seed


def _verify_the_first(engine, users) -> None:
    with unit_of_work(engine) as session:
        submitted = submit_incident(session, "INC-2020-00001", by=users["carla"],
                                    expected_version=1)
        verify_incident(session, submitted.ref, by=users["rana"],
                        expected_version=submitted.version)


def test_a_reviewer_sees_every_visible_place_to_about_a_kilometre(engine, users):
    _seed(engine, users)
    with read_session(engine) as session:
        places = incident_locations(session, by=users["rana"])
    # The restricted incident at 32.0 N, 44.2 E is not on the map: its place is sealed.
    assert places == [LocationCount(32.6, 44.0, 1), LocationCount(33.34, 44.4, 1)]


def test_a_viewer_sees_places_rounded_like_the_public_export(engine, users):
    _seed(engine, users)
    _verify_the_first(engine, users)  # at 33.34 N, 44.4 E
    with read_session(engine) as session:
        places = incident_locations(session, by=users["vera"])
        stats = dashboard_stats(session, by=users["vera"])
    assert places == [LocationCount(33.3, 44.4, 1)]
    # The mean place of a governorate with one incident is that incident's place.
    assert (stats.by_governorate[0].latitude, stats.by_governorate[0].longitude) == (33.3, 44.4)


def test_incidents_at_one_rounded_place_are_counted_together(engine, users):
    with unit_of_work(engine) as session:
        for lat in (36.311, 36.314, 36.36):
            create_incident(session, incident_data(admin1="IQ-NI", latitude=lat,
                                                   longitude=43.12), by=users["carla"])
    with read_session(engine) as session:
        places = incident_locations(session, by=users["carla"])
    assert places == [LocationCount(36.31, 43.12, 2), LocationCount(36.36, 43.12, 1)]
