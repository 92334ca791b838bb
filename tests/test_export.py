"""Exports: every format and level, redaction, neutralised cells, audit, filters."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import PermissionDenied, ValidationError
from records.models import AuditEntry
from records.services.exchange import ExportFilters, ExportRequest, file_sha256, run_export
from records.services.incidents import create_incident
from records.services.review import archive_incident
from tests.factories import incident_data
from tests.test_export_data import (
    PUBLIC_NAME,
    PUBLIC_NAME_AR,
    SECRETS,
    seed_dated,
    seed_sensitive,
    text_of,
    verified_incident,
)

FILES = {"csv": "out.csv", "xlsx": "out.xlsx", "json": "out.json", "geojson": "out.geojson",
         "datapackage": "package.zip", "report-html": "report.html",
         "report-pdf": "report.pdf"}


def _export(engine, by, tmp_path, fmt, level="public", **filters):
    out = tmp_path / f"{level}-{FILES[fmt]}"
    return run_export(engine, ExportRequest(fmt, out, level, ExportFilters(**filters)),
                      by=by)


@pytest.mark.parametrize("fmt", list(FILES))
def test_public_export_contains_no_confidential_data_in_any_format(engine, users, tmp_path,
                                                                   fmt):
    seed_sensitive(engine, users)
    result = _export(engine, users["vera"], tmp_path, fmt)
    assert result.incidents == 1
    text = text_of(result.path)
    leaked = {what: secret for what, secret in SECRETS.items() if secret in text}
    assert leaked == {}
    if fmt != "geojson":
        assert "Example News report" in text


@pytest.mark.parametrize("fmt", ["csv", "json", "report-html", "report-pdf"])
def test_public_export_names_consenting_victims_in_arabic_too(engine, users, tmp_path, fmt):
    seed_sensitive(engine, users)
    text = text_of(_export(engine, users["vera"], tmp_path, fmt).path)
    assert PUBLIC_NAME in text
    assert PUBLIC_NAME_AR in text
    assert "Name withheld" in text


def test_partner_export_adds_non_confidential_testimony_but_no_unconsented_name(
        engine, users, tmp_path):
    seed_sensitive(engine, users)
    with unit_of_work(engine) as session:
        verified_incident(session, incident_data(citations=[
            {"source": {"kind": "witness_testimony", "title": "Open letter of a witness",
                        "is_confidential": False}, "statement": "Public testimony."}]), users)
    public = text_of(_export(engine, users["carla"], tmp_path, "json").path)
    partner = text_of(_export(engine, users["carla"], tmp_path, "json", "partner").path)
    assert "Example News report" in public
    assert "Open letter of a witness" not in public
    assert "Open letter of a witness" in partner
    for secret in (SECRETS["unconsented name"], SECRETS["contact"],
                   SECRETS["confidential witness"], SECRETS["restricted incident"]):
        assert secret not in partner


def test_public_level_ignores_a_request_for_draft_incidents(engine, users, tmp_path):
    seed_sensitive(engine, users)
    result = _export(engine, users["vera"], tmp_path, "json", statuses=None)
    assert result.incidents == 1
    assert SECRETS["draft incident"] not in text_of(result.path)


def test_internal_export_is_for_reviewers_and_holds_everything(engine, users, tmp_path):
    seed_sensitive(engine, users)
    with pytest.raises(PermissionDenied):
        _export(engine, users["carla"], tmp_path, "csv", "internal")
    result = _export(engine, users["rana"], tmp_path, "json", "internal", statuses=None)
    text = text_of(result.path)
    assert result.incidents == 3
    for secret in (SECRETS["unconsented name"], SECRETS["contact"],
                   SECRETS["confidential witness"], SECRETS["restricted incident"],
                   SECRETS["draft incident"], "33.3456"):
        assert secret in text


def test_viewer_cannot_export_at_partner_level(engine, users, tmp_path):
    with pytest.raises(PermissionDenied):
        _export(engine, users["vera"], tmp_path, "csv", "partner")


def test_every_export_is_audited_with_level_filters_count_and_hash(engine, users, tmp_path):
    seed_sensitive(engine, users)
    result = _export(engine, users["vera"], tmp_path, "csv", admin1="IQ-BG")
    with read_session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "export")).one()
    changes = json.loads(entry.changes)
    assert entry.actor_id == users["vera"].id
    assert changes["level"] == "public"
    assert changes["format"] == "csv"
    assert changes["filters"] == {"statuses": ["verified", "published"], "admin1": "IQ-BG"}
    assert changes["incidents"] == 1
    assert changes["rows"] == 2
    assert changes["sha256"] == file_sha256(result.path)


def test_formula_like_cells_are_neutralised_in_csv_and_xlsx(engine, users, tmp_path):
    with unit_of_work(engine) as session:
        create_incident(session, incident_data(
            title="=HYPERLINK(\"http://evil.example\")", narrative="+1 call", locality="@home",
            longitude=-10.5), by=users["carla"])
    csv_path = _export(engine, users["rana"], tmp_path, "csv", "internal", statuses=None).path
    with csv_path.open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["title"] == "'=HYPERLINK(\"http://evil.example\")"
    assert row["narrative"] == "'+1 call"
    assert row["locality"] == "'@home"
    assert row["longitude"] == "-10.5"
    xlsx_path = _export(engine, users["rana"], tmp_path, "xlsx", "internal", statuses=None).path
    sheet = load_workbook(xlsx_path)["Records"]
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["title"] == "'=HYPERLINK(\"http://evil.example\")"
    assert sheet.cell(2, header.index("title") + 1).data_type == "s"


@pytest.mark.parametrize("text", [" =1+1", "  +1 call", "\n@SUM(A1)", "\u00a0-2+3",
                                  "\u200f=HYPERLINK(1)", " \t=1"])
def test_formula_signs_after_leading_blanks_are_neutralised(engine, users, tmp_path, text):
    with unit_of_work(engine) as session:
        create_incident(session, incident_data(narrative=text), by=users["carla"])
    csv_path = _export(engine, users["rana"], tmp_path, "csv", "internal", statuses=None).path
    with csv_path.open(encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["narrative"] == "'" + text
    xlsx_path = _export(engine, users["rana"], tmp_path, "xlsx", "internal", statuses=None).path
    sheet = load_workbook(xlsx_path)["Records"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("narrative") + 1).value == "'" + text


def test_xlsx_has_the_flat_sheet_the_tables_and_a_readme(engine, users, tmp_path):
    seed_sensitive(engine, users)
    book = load_workbook(_export(engine, users["vera"], tmp_path, "xlsx").path)
    assert book.sheetnames == ["Records", "Incidents", "Victims", "Perpetrators", "Sources",
                               "Case events", "README"]
    assert book["Victims"].max_row == 3
    assert book["Sources"].max_row == 2
    readme = "\n".join(str(c) for row in book["README"].values for c in row if c)
    assert "public" in readme and "district" in readme


def test_geojson_is_rfc7946_with_points_rounded_to_the_district(engine, users, tmp_path):
    seed_sensitive(engine, users)
    with unit_of_work(engine) as session:
        create_incident(session, incident_data(latitude=None, longitude=None,
                                               geo_precision=None), by=users["carla"])
    data = json.loads(_export(engine, users["rana"], tmp_path, "geojson", statuses=None
                              ).path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    features = data["features"]
    assert len(features) == 1
    internal = json.loads(_export(engine, users["rana"], tmp_path, "geojson", "internal",
                                  statuses=None).path.read_text(encoding="utf-8"))
    # Every incident but the one without coordinates is a point.
    assert len(internal["features"]) == 3
    features += internal["features"]
    for feature in features:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert isinstance(feature["properties"], dict)
    published = next(f for f in features if f["properties"]["status"] == "published")
    assert published["geometry"]["coordinates"] == [44.4, 33.3]
    assert published["properties"]["geo_precision"] == "district"


def test_datapackage_passes_frictionless_validation(engine, users, tmp_path):
    seed_sensitive(engine, users)
    folder = tmp_path / "package"
    run_export(engine, ExportRequest("datapackage", folder, "internal",
                                     ExportFilters(statuses=None)), by=users["rana"])
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    incidents = next(r for r in descriptor["resources"] if r["name"] == "incidents")
    field = next(f for f in incidents["schema"]["fields"] if f["name"] == "incident_type")
    assert "attempted_killing" in field["constraints"]["enum"]
    assert incidents["schema"]["primaryKey"] == ["ref"]
    victims = next(r for r in descriptor["resources"] if r["name"] == "victims")
    assert {"fields": ["person_uid"], "reference": {"resource": "persons", "fields": ["uid"]}} \
        in victims["schema"]["foreignKeys"]
    cli = Path(sys.executable).with_name("frictionless")
    checked = subprocess.run([str(cli), "validate", str(folder / "datapackage.json")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout[-2000:]
    with (folder / "victims.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 4


def test_filters_select_by_type_governorate_perpetrator_and_dates(engine, users, tmp_path):
    seed_sensitive(engine, users)

    def count(**filters) -> int:
        return _export(engine, users["rana"], tmp_path, "json", "internal", **filters).incidents

    assert count(statuses=None) == 3
    assert count() == 2
    assert count(statuses=("draft",)) == 1
    assert count(statuses=None, admin1="IQ-NI") == 1
    assert count(statuses=None, incident_type="threat") == 1
    assert count(statuses=None, perpetrator="unidentified_gunmen") == 3
    assert count(statuses=None, perpetrator="Nobody we know") == 0
    import datetime as dt
    assert count(statuses=None, since=dt.date(2021, 1, 1)) == 1
    assert count(statuses=None, until=dt.date(2020, 12, 31)) == 2


def test_status_all_exports_every_status_archived_included(engine, users, tmp_path, sijil):
    refs = seed_sensitive(engine, users)
    with unit_of_work(engine) as session:
        archive_incident(session, refs["draft"], by=users["admin"], expected_version=1,
                         reason="a duplicate")
    out = tmp_path / "all.json"
    done = sijil(engine, "export", "--format", "json", "--out", str(out), "--level",
                 "internal", "--status", "all", "--as", "rana")
    assert done.returncode == 0, done.stderr
    records = json.loads(out.read_text(encoding="utf-8"))["incidents"]
    assert sorted((r["ref"], r["status"]) for r in records) == sorted([
        (refs["published"], "published"), (refs["restricted"], "verified"),
        (refs["draft"], "archived")])
    # The internal level carries the review comments and evidence records; below it they
    # stay in the organisation.
    assert {"comments", "attachments"} <= set(records[0])
    public = _export(engine, users["rana"], tmp_path, "json", "partner", statuses=None)
    shown = json.loads(public.path.read_text(encoding="utf-8"))["incidents"]
    assert [r["ref"] for r in shown] == [refs["draft"], refs["published"]]
    assert not {"comments", "attachments"} & set(shown[0])


def test_cli_export_writes_the_file_and_refuses_bad_input_in_one_line(engine, users,
                                                                      tmp_path, sijil):
    seed_sensitive(engine, users)
    out = tmp_path / "cli.csv"
    done = sijil(engine, "export", "--format", "csv", "--out", str(out), "--as", "vera")
    assert done.returncode == 0, done.stderr
    assert "exported 1 incident(s), 2 row(s), at the public level" in done.stdout
    assert PUBLIC_NAME in out.read_text(encoding="utf-8")
    refused = sijil(engine, "export", "--format", "csv", "--out", str(out),
                    "--level", "internal", "--as", "carla")
    assert refused.returncode == 1
    assert refused.stderr.strip().count("\n") == 0
    assert "may not export at the internal level" in refused.stderr


# The order of the DATED incidents, newest first by start date.
NEWEST_FIRST = ["feb_march", "about_january", "new_year", "december", "november_30",
                "year_2019"]


def test_json_and_geojson_carry_the_date_as_read_next_to_the_iso_dates(engine, users,
                                                                       tmp_path):
    refs = seed_dated(engine, users)
    data = json.loads(_export(engine, users["vera"], tmp_path, "json").path.read_text(
        encoding="utf-8"))
    december = next(r for r in data["incidents"] if r["ref"] == refs["december"])
    assert {k: december[k] for k in ("start_date", "end_date", "date_precision",
                                     "date_text")} == {
        "start_date": "2019-12-01", "end_date": None, "date_precision": "month",
        "date_text": "December 2019"}
    geojson = json.loads(_export(engine, users["vera"], tmp_path, "geojson").path.read_text(
        encoding="utf-8"))
    shown = {f["properties"]["ref"]: (f["properties"]["start_date"],
                                      f["properties"]["end_date"],
                                      f["properties"]["date_precision"],
                                      f["properties"]["date_text"])
             for f in geojson["features"]}
    assert shown == {
        refs["december"]: ("2019-12-01", None, "month", "December 2019"),
        refs["november_30"]: ("2019-11-30", None, "day", "30 November 2019"),
        refs["year_2019"]: ("2019-01-01", None, "year", "2019"),
        refs["new_year"]: ("2019-12-30", "2020-01-02", "day",
                           "30 December 2019–2 January 2020"),
        refs["feb_march"]: ("2020-02-01", "2020-03-01", "month", "February–March 2020"),
        refs["about_january"]: ("2020-01-20", None, "approximate", "c. January 2020"),
    }


def test_csv_and_xlsx_keep_iso_dates_and_their_precision(engine, users, tmp_path):
    refs = seed_dated(engine, users)
    with _export(engine, users["vera"], tmp_path, "csv").path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    december = next(r for r in rows if r["incident_ref"] == refs["december"])
    assert (december["start_date"], december["end_date"], december["date_precision"]) == (
        "2019-12-01", "", "month")
    assert "date_text" not in december
    book = load_workbook(_export(engine, users["vera"], tmp_path, "xlsx").path,
                         read_only=True)
    readme = [row[0] for row in book["README"].iter_rows(values_only=True) if row]
    assert "start_date, end_date, date_precision" in readme


def test_since_and_until_overlap_the_dates_at_their_precision(engine, users, tmp_path):
    import datetime as dt

    refs = seed_dated(engine, users)
    names = {ref: name for name, ref in refs.items()}
    out = _export(engine, users["vera"], tmp_path, "json", since=dt.date(2019, 12, 15),
                  until=dt.date(2019, 12, 15)).path
    found = [names[r["ref"]] for r in json.loads(out.read_text(encoding="utf-8"))["incidents"]]
    assert found == ["december", "year_2019"]


def test_exports_are_newest_first_like_the_incidents_page(engine, users, tmp_path):
    from records.services.incidents import list_incidents

    refs = seed_dated(engine, users)
    data = json.loads(_export(engine, users["vera"], tmp_path, "json").path.read_text(
        encoding="utf-8"))
    assert [r["ref"] for r in data["incidents"]] == [refs[n] for n in NEWEST_FIRST]
    with read_session(engine) as session:
        listed = list_incidents(session, by=users["vera"])
    assert [i.ref for i in listed.items] == [refs[n] for n in NEWEST_FIRST]


def test_export_pages_keep_the_order_across_equal_start_dates(engine, users):
    import datetime as dt

    from records.services.access import export_level
    from records.services.exchange.export_records import iter_records

    with unit_of_work(engine) as session:
        for day in (2, 3, 2, 1, 2, 3):
            create_incident(session, incident_data(start_date=dt.date(2020, 5, day)),
                            by=users["carla"])
    with read_session(engine) as session:
        refs = [r["ref"] for r in iter_records(
            session, ExportFilters(statuses=None), export_level("internal", users["rana"]),
            page_size=2)]
    # Pages of two: [6, 2] [5, 3] [1, 4]; the second boundary falls inside the 2 May tie.
    assert refs == ["INC-2020-00006", "INC-2020-00002", "INC-2020-00005", "INC-2020-00003",
                    "INC-2020-00001", "INC-2020-00004"]


def test_xlsx_refuses_a_text_longer_than_a_cell_and_csv_keeps_all_of_it(engine, users,
                                                                         tmp_path):
    # 36 008 characters: within the narrative's limit (100 000), beyond a cell's (32 767).
    narrative = "A long testimony. " * 2000 + "The end."
    assert len(narrative) == 36_008
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(narrative=narrative),
                              by=users["carla"]).ref
    out = tmp_path / "long.xlsx"
    with pytest.raises(ValidationError) as refused:
        run_export(engine, ExportRequest("xlsx", out, "internal",
                                         ExportFilters(statuses=("draft",))), by=users["admin"])
    message = str(refused.value)
    assert f"incident {ref}: narrative has 36,008 characters" in message
    assert "32,767" in message
    assert not out.exists()
    csv_out = _export(engine, users["admin"], tmp_path, "csv", "internal",
                      statuses=("draft",)).path
    with csv_out.open(encoding="utf-8") as handle:
        assert [row["narrative"] for row in csv.DictReader(handle)] == [narrative]
