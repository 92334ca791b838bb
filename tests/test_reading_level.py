"""What a reader sees on the workspace's pages is what the level of their role promises:
a viewer reads the public level (coordinates rounded to 0.1°, no locality, no testimony),
the same as a public export and a viewer's case sheet; caseworkers and up read the record
as entered."""

from __future__ import annotations

import json

from records.db import read_session, unit_of_work
from records.services.access import LEVELS, reading_level
from records.services.exchange import ExportFilters, ExportRequest, run_export
from records.services.incidents import (
    IncidentFilter,
    create_incident,
    get_incident,
    list_incidents,
)
from records.services.reports import write_case_sheet
from records.services.review import submit_incident, verify_incident
from records.services.stats import dashboard_stats, incident_locations
from tests.factories import incident_data

LOCALITY = "in front of his home"
TESTIMONY = "Testimony of a neighbour Onlyinternal"


def _verified(engine, users, **place) -> str:
    """A verified incident at an exact place, with a testimony and a media source."""
    carla = users["carla"]
    place = {"latitude": 32.615, "longitude": 44.025, **place}
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(
            geo_precision="exact", locality=LOCALITY, admin1="IQ-KA", admin2="Karbala", **place,
            citations=[
                {"source": {"kind": "media", "title": "Example News report"},
                 "statement": "Reports the attack."},
                # Testimony someone chose to leave open: the partner level's, not the public's.
                {"source": {"kind": "witness_testimony", "title": TESTIMONY,
                            "is_confidential": False},
                 "statement": "Saw two gunmen."}]), by=carla)
        submitted = submit_incident(session, created.ref, by=carla,
                                    expected_version=created.version)
        verify_incident(session, created.ref, by=users["rana"],
                        expected_version=submitted.version)
    return created.ref


def test_the_reading_level_of_each_role():
    from records.services.access import Principal

    def level(role):
        return reading_level(Principal(id=1, username="x", role=role)).name

    assert [level(r) for r in ("viewer", "caseworker", "reviewer", "admin")] == [
        "public", "internal", "internal", "internal"]
    assert LEVELS["public"].coordinate_decimals == 1


def test_a_viewer_reads_the_place_as_the_public_level_gives_it(engine, users):
    ref = _verified(engine, users)
    with read_session(engine) as session:
        record = get_incident(session, ref, by=users["vera"])
    assert (record.latitude, record.longitude) == (32.6, 44.0)
    assert record.locality is None
    assert record.geo_precision == "district"
    assert record.admin2 == "Karbala"


def test_a_viewer_reads_no_testimony(engine, users):
    ref = _verified(engine, users)
    with read_session(engine) as session:
        record = get_incident(session, ref, by=users["vera"])
    assert [c.source.title for c in record.citations] == ["Example News report"]


def test_a_locality_without_coordinates_is_left_out_too(engine, users, tmp_path):
    ref = _verified(engine, users, latitude=None, longitude=None)
    out = tmp_path / "public.json"
    run_export(engine, ExportRequest("json", out, "public", ExportFilters()), by=users["vera"])
    exported = json.loads(out.read_text(encoding="utf-8"))["incidents"]
    with read_session(engine) as session:
        page = get_incident(session, ref, by=users["vera"])
        full = get_incident(session, ref, by=users["carla"])
    assert [(i["latitude"], i["locality"], i["geo_precision"]) for i in exported] == [
        (None, None, "district")]
    assert (page.latitude, page.locality, page.geo_precision) == (None, None, "district")
    assert (full.latitude, full.locality, full.geo_precision) == (None, LOCALITY, "exact")


def test_a_viewers_list_holds_no_locality(engine, users):
    ref = _verified(engine, users)
    with read_session(engine) as session:
        seen = list_incidents(session, by=users["vera"]).items
        full = list_incidents(session, by=users["rana"]).items
    assert [(i.ref, i.locality) for i in seen] == [(ref, None)]
    assert [(i.ref, i.locality) for i in full] == [(ref, LOCALITY)]


def test_a_viewers_search_does_not_reach_the_locality(engine, users):
    ref = _verified(engine, users)
    words = IncidentFilter(text="front home")
    with read_session(engine) as session:
        seen = list_incidents(session, by=users["vera"], filters=words)
        full = list_incidents(session, by=users["carla"], filters=words)
        district = list_incidents(session, by=users["vera"],
                                  filters=IncidentFilter(text="Karbala"))
    assert (seen.total, [i.ref for i in seen.items]) == (0, [])
    assert (full.total, [i.ref for i in full.items]) == (1, [ref])
    assert [i.ref for i in district.items] == [ref]


def test_a_viewers_page_case_sheet_and_public_export_agree(engine, users, tmp_path):
    ref = _verified(engine, users)
    out = tmp_path / "public.json"
    run_export(engine, ExportRequest("json", out, "public", ExportFilters()), by=users["vera"])
    exported = json.loads(out.read_text(encoding="utf-8"))["incidents"]
    with unit_of_work(engine) as session:
        write_case_sheet(session, ref, tmp_path / "sheet.html", by=users["vera"], fmt="html")
    with read_session(engine) as session:
        page = get_incident(session, ref, by=users["vera"])
    sheet = (tmp_path / "sheet.html").read_text(encoding="utf-8")
    assert [(i["latitude"], i["longitude"], i["locality"], i["geo_precision"])
            for i in exported] == [(32.6, 44.0, None, "district")]
    assert (page.latitude, page.longitude, page.locality, page.geo_precision) == (
        32.6, 44.0, None, "district")
    assert [c["source"]["title"] for c in exported[0]["citations"]] == ["Example News report"]
    assert [c.source.title for c in page.citations] == ["Example News report"]
    for hidden in (LOCALITY, TESTIMONY, "32.615", "44.025"):
        assert hidden not in sheet, hidden
    assert "Example News report" in sheet


def test_caseworkers_and_reviewers_still_read_the_exact_place(engine, users):
    ref = _verified(engine, users)
    with read_session(engine) as session:
        for name in ("carla", "rana", "admin"):
            record = get_incident(session, ref, by=users[name])
            assert (record.latitude, record.longitude, record.locality,
                    record.geo_precision) == (32.615, 44.025, LOCALITY, "exact"), name
            assert sorted(c.source.title for c in record.citations) == [
                "Example News report", TESTIMONY], name


def test_a_viewers_map_and_governorates_are_rounded_like_the_page(engine, users):
    _verified(engine, users)
    with read_session(engine) as session:
        points = incident_locations(session, by=users["vera"], filters=IncidentFilter())
        places = dashboard_stats(session, by=users["vera"]).by_governorate
    assert [(p.latitude, p.longitude, p.incidents) for p in points] == [(32.6, 44.0, 1)]
    assert [(g.admin1, g.latitude, g.longitude) for g in places] == [("IQ-KA", 32.6, 44.0)]


def test_a_place_on_a_half_is_rounded_alike_on_the_page_the_map_and_the_export(
        engine, users, tmp_path):
    # 32.65 is stored as 32.6499…: the page, the export and the map must still agree, or
    # two roundings of one place would pin it down between them.
    ref = _verified(engine, users, latitude=32.65, longitude=44.25)
    out = tmp_path / "public.json"
    run_export(engine, ExportRequest("json", out, "public", ExportFilters()), by=users["vera"])
    exported = json.loads(out.read_text(encoding="utf-8"))["incidents"]
    with read_session(engine) as session:
        page = get_incident(session, ref, by=users["vera"])
        points = incident_locations(session, by=users["vera"], filters=IncidentFilter())
        places = dashboard_stats(session, by=users["vera"]).by_governorate
    assert (page.latitude, page.longitude) == (32.7, 44.3)
    assert [(i["latitude"], i["longitude"]) for i in exported] == [(32.7, 44.3)]
    assert [(p.latitude, p.longitude) for p in points] == [(32.7, 44.3)]
    assert [(g.latitude, g.longitude) for g in places] == [(32.7, 44.3)]


def test_coordinates_round_on_their_decimal_form_halves_away_from_zero():
    from records.services.access import round_coordinate

    assert [round_coordinate(v, 1) for v in (32.65, 44.25, -32.65, 33.34, 32.615)] == [
        32.7, 44.3, -32.7, 33.3, 32.6]
    assert round_coordinate(44.025, 2) == 44.03
