"""Round trips: an internal export imported into an empty database gives the same rows,
table by table (tests/test_roundtrip.py `database_rows`): compared by content, rows found
by their natural keys (ref, uid, username, an attachment's incident and SHA-256), ids and
bookkeeping times aside. An import is not a restore: it lands in review and keeps the
file's status only as provenance, so who stands behind a record (status, submitter,
verifier, editors) and the imported_* columns are left out (docs/design.md §4)."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, select

from records.db import make_engine, read_session, unit_of_work
from records.models import Actor, metadata
from records.models.incident_io import IncidentCreate
from records.sealed_coordinates import CARRIER
from records.sealing import SEALABLE, open_row
from records.services.access import SYSTEM
from records.services.evidence import add_attachment, add_custody_event
from records.services.exchange import (
    ExportFilters,
    ExportRequest,
    import_file,
    parse_statuses,
    preview_import,
    run_export,
)
from records.services.incidents import create_incident, create_incidents
from records.services.review import add_comment, archive_incident
from tests.factories import incident_data
from tests.test_export_data import seed_sensitive

ALL = ExportFilters(statuses=None)
# Tables of the installation rather than of the records: the trail and its keys, and who
# is editing what right now.
NOT_RECORDS = {"audit_entry", "audit_checkpoint", "data_key", "edit_presence"}
# A row's identity and bookkeeping, and who stands behind a record and where an import
# came from: set by the workflow and the import, not carried over.
# Who sees a row once it is in no incident is this database's own history of it
# (records/services/access/unlinked.py): no export carries it.
LEFT_OUT = {"id", "created_at", "updated_at", "version", "unlinked_seen_by"}
WORKFLOW = {"incident": {"status", "created_by_id", "last_edited_by_id", "submitted_by_id",
                         "verified_by_id", "imported_status", "imported_from"}}
# A comment's time is what it says, not bookkeeping: exports carry it, imports keep it.
KEPT = {("review_comment", "created_at")}
# How a row is known in another database, for the foreign keys that point at it.
NATURAL_KEYS = {"incident": ("ref",), "person": ("uid",), "actor": ("uid",),
                "source": ("uid",), "app_user": ("username",),
                "attachment": ("incident_id", "sha256")}


def database_rows(engine) -> dict[str, list]:
    """Every table's rows by content, sorted: foreign keys replaced by the natural key of
    the row they point at, sealed values opened, NOT_RECORDS, LEFT_OUT and WORKFLOW left
    out. A table without a model, or a foreign key to a table without a natural key,
    fails: a new table is compared, or listed here."""
    models = {m.class_.__tablename__: m.class_ for m in SQLModel._sa_registry.mappers}
    tables = [t for t in metadata.sorted_tables if t.name not in NOT_RECORDS]
    assert {t.name for t in tables} <= set(models), "a table without a model"
    with read_session(engine) as session:
        keys: dict[str, dict[int, tuple]] = {}
        for name, columns in NATURAL_KEYS.items():  # the incident before the attachment
            keys[name] = {
                row.id: tuple(keys["incident"][row.incident_id] if c == "incident_id"
                              else getattr(row, c) for c in columns)
                for row in session.exec(select(models[name])).all()}
        rows: dict[str, list] = {}
        for table in tables:
            found = []
            for row in session.exec(select(models[table.name])).all():
                values = {c.name: getattr(row, c.name) for c in table.columns}
                if table.name in SEALABLE:
                    values.update(open_row(session, row))
                    # A restricted incident's sealed coordinates open as latitude and
                    # longitude; the column carrying them sealed is not a value of its own.
                    values.pop(CARRIER, None)
                for column in table.columns:
                    for fk in column.foreign_keys:
                        values[column.name] = keys[fk.column.table.name].get(
                            values[column.name])
                found.append(tuple(sorted(
                    (k, v) for k, v in values.items()
                    if (table.name, k) in KEPT or (
                        k not in LEFT_OUT and k not in WORKFLOW.get(table.name, ())))))
            rows[table.name] = sorted(found, key=repr)
    return rows


def assert_same_rows(source, target) -> None:
    """The two databases hold the same records, table by table."""
    expected, found = database_rows(source), database_rows(target)
    assert list(found) == list(expected)
    for table in expected:
        assert found[table] == expected[table], table


def _second_database(engine, tmp_path, sqlite_templates, pg_server, kind: str):
    """A new database of the same engine as `engine`: a copy of the "users" or "bare"
    template (the `engine` fixture would share one SQLite file within one test)."""
    if engine.dialect.name == "sqlite":
        path = tmp_path / f"target-{kind}.db"
        shutil.copyfile(sqlite_templates[kind], path)
        target = make_engine(f"sqlite:///{path}")
        yield target
        target.dispose()
        return
    name = pg_server.create(pg_server.template if kind == "users" else pg_server.bare_template)
    target = make_engine(pg_server.database_url(name))
    yield target
    target.dispose()
    pg_server.drop_later(name)


@pytest.fixture
def empty_engine(engine, tmp_path, sqlite_templates, pg_server):
    """An empty database with the same accounts as `engine` (its users template)."""
    yield from _second_database(engine, tmp_path, sqlite_templates, pg_server, "users")


@pytest.fixture
def no_accounts_engine(engine, tmp_path, sqlite_templates, pg_server):
    """An empty database without accounts."""
    yield from _second_database(engine, tmp_path, sqlite_templates, pg_server, "bare")


def _export(engine, path, fmt="csv", filters=ALL):
    run_export(engine, ExportRequest(fmt, path, "internal", filters), by=SYSTEM)
    return path


def _import(engine, path, **kwargs):
    with unit_of_work(engine) as session:
        return import_file(session, path, by=SYSTEM, **kwargs)


@pytest.mark.parametrize(("fmt", "name"), [("csv", "first.csv"), ("datapackage", "pkg.zip"),
                                           ("json", "first.json"), ("xlsx", "first.xlsx")])
def test_internal_export_imported_into_an_empty_database_gives_the_same_rows(
        engine, empty_engine, users, tmp_path, fmt, name):
    seed_sensitive(engine, users)
    first = _export(engine, tmp_path / name, fmt)
    assert _import(empty_engine, first).created == 3
    assert_same_rows(engine, empty_engine)


EVIDENCE = b"Statement of the family, scanned (fictional).\n"
EVIDENCE_SHA = "ab774770e436c1fd3963ca0bb522db45eff330921bdc085012aea195c3dda4eb"


def seed_with_work(engine, users, files_dir) -> dict[str, str]:
    """seed_sensitive, plus what a record carries beyond its parts: review comments, an
    evidence file with custody events, a group within a larger force, a follow-up naming
    a suspect, and an archived incident. Returns the refs by name."""
    refs = seed_sensitive(engine, users)
    with unit_of_work(engine) as session:
        force = create_incident(session, incident_data(
            title="Threat by a brigade (fictional)", incident_type="threat",
            start_date=dt.date(2020, 6, 1), perpetrators=[{"actor": {
                "name": "Popular Mobilisation (test)",
                "actor_type": "state_affiliated_armed_group"}, "attribution": "alleged"}]),
            by=users["carla"])
        force_uid = session.exec(select(Actor.uid).where(
            Actor.name == "Popular Mobilisation (test)")).one()
        brigade = create_incident(session, incident_data(
            title="Abduction by a brigade (fictional)", incident_type="abduction",
            start_date=dt.date(2020, 7, 1), perpetrators=[{"actor": {
                "name": "Brigade 1 (test)", "actor_type": "state_affiliated_armed_group",
                "parent_uid": force_uid}, "attribution": "suspected"}],
            case_events=[{"date": dt.date(2020, 8, 1), "date_precision": "month",
                          "kind": "arrest", "description": "A suspect was arrested.",
                          "person": {"full_name": "A suspect (fictional)"}}]),
            by=users["carla"])
        archive_incident(session, brigade.ref, by=users["admin"],
                         expected_version=brigade.version, reason="a duplicate")
        add_comment(session, refs["published"], "Check the second source.", by=users["rana"])
        add_comment(session, refs["draft"], "Waiting for the family.", by=users["carla"])
        evidence = add_attachment(
            session, refs["draft"], filename="statement.txt", data=EVIDENCE,
            by=users["carla"], files_dir=files_dir, description="The family's statement",
            captured_at=dt.datetime(2021, 5, 3, 9, 30, tzinfo=dt.UTC))
        add_custody_event(session, evidence.id, kind="transferred", by=users["carla"],
                          counterpart="Lawyer (fictional)", method="encrypted drive",
                          note="a copy for the court",
                          at=dt.datetime(2021, 5, 4, 12, 0, tzinfo=dt.UTC))
    return {**refs, "force": force.ref, "archived": brigade.ref}


@pytest.mark.parametrize(("fmt", "name"), [("json", "all.json"), ("datapackage", "pkg.zip"),
                                           ("datapackage", "pkg")])
def test_comments_evidence_and_archived_records_come_back_table_by_table(
        engine, empty_engine, users, tmp_path, fmt, name):
    files = tmp_path / "files"
    seed_with_work(engine, users, files)
    export = _export(engine, tmp_path / name, fmt, ExportFilters(statuses=parse_statuses("all")))
    # The operator copied the files folder along (the same folder here).
    result = _import(empty_engine, export, files_dir=files)
    assert (result.created, result.warnings) == (5, [])
    assert_same_rows(engine, empty_engine)
    rows = database_rows(empty_engine)
    assert sorted(dict(r)["body"] for r in rows["review_comment"]) == [
        "Check the second source.", "Waiting for the family."]
    assert sorted((dict(r)["kind"], dict(r)["by_user_id"], dict(r)["counterpart"])
                  for r in rows["custody_event"]) == [("received", ("carla",), None),
                                                ("transferred", ("carla",),
                                                 "Lawyer (fictional)")]
    assert [dict(r)["sha256"] for r in rows["attachment"]] == [EVIDENCE_SHA]
    if export.is_dir():
        # The new tables keep the package valid for tools that do not know Sijil.
        checked = subprocess.run([str(Path(sys.executable).with_name("frictionless")),
                                  "validate", str(export / "datapackage.json")],
                                 capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stdout[-2000:]
        assert (export / "custody_events.csv").read_text(encoding="utf-8").count("\n") == 3


def test_comments_of_unknown_authors_are_the_systems_and_missing_files_are_reported(
        engine, no_accounts_engine, users, tmp_path):
    refs = seed_with_work(engine, users, tmp_path / "files")
    with unit_of_work(engine) as session:
        add_attachment(session, refs["restricted"], filename="threat.txt", data=EVIDENCE,
                       by=users["rana"], files_dir=tmp_path / "files")
    export = _export(engine, tmp_path / "all.json", "json", ExportFilters(statuses=None))
    with read_session(no_accounts_engine) as session:
        preview = preview_import(session, export, by=SYSTEM, files_dir=tmp_path / "files")
    # The file is there, but a restricted incident's files are sealed under its own key.
    assert preview.warnings == [
        f"{refs['restricted']}: evidence file threat.txt (sha256 {EVIDENCE_SHA[:16]}…) of a "
        "restricted incident is not imported from a file; attach it again"]
    with read_session(no_accounts_engine) as session:
        preview = preview_import(session, export, by=SYSTEM, files_dir=tmp_path / "empty")
    assert preview.warnings[0] == (
        f"{refs['draft']}: evidence file statement.txt (sha256 {EVIDENCE_SHA[:16]}…) is "
        "not in the files folder; its record and custody events were not imported")
    _import(no_accounts_engine, export, files_dir=tmp_path / "empty")
    rows = database_rows(no_accounts_engine)
    assert sorted((dict(r)["incident_id"], dict(r)["author_id"], dict(r)["body"])
                  for r in rows["review_comment"]) == [
        ((refs["published"],), None, "Check the second source."),
        ((refs["draft"],), None, "Waiting for the family.")]
    assert (rows["attachment"], rows["custody_event"]) == ([], [])


_ARABIC = st.sampled_from(["سامي المثال", "ليلى عبد الله", "مُحَمَّد", "كربلاء", "؛ ، ؟"])
_AWKWARD = st.sampled_from(["=1+1", "+964 770", "-x", "@user", "'quoted'", "a; b", "back\\slash",
                            "line\nbreak", "cr\r\nlf", "\ttab", '"double"', "  spaced  ",
                            "semi;colon\\;", "ﷺ", "😀"])
_TEXT = st.lists(st.one_of(_ARABIC, _AWKWARD, st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)),
    min_size=1, max_size=4).map("".join)
_NAME = _TEXT.filter(lambda s: s.strip()).map(lambda s: s[:200])


@st.composite
def _incidents(draw, year: int) -> list[dict]:
    incidents = []
    for _ in range(draw(st.integers(1, 3))):
        victims = [{"person": {"full_name": draw(_NAME), "name_original": draw(_ARABIC),
                               "aliases": draw(st.lists(_NAME, max_size=2)),
                               "sex": draw(st.sampled_from(["female", "male", "unknown"])),
                               "age": draw(st.none() | st.integers(0, 130)),
                               "profiles": draw(st.lists(st.sampled_from(
                                   ["activist", "journalist", "lawyer"]), max_size=2,
                                   unique=True)),
                               "contact": draw(st.none() | _NAME)},
                    "outcome": draw(st.sampled_from(["killed", "injured", "abducted"])),
                    "harm_description": draw(_TEXT),
                    "consent_to_publish_name": draw(st.booleans())}
                   for _ in range(draw(st.integers(0, 2)))]
        incidents.append({
            "title": draw(_NAME), "narrative": draw(_TEXT),
            "incident_type": draw(st.sampled_from(["killing", "threat", "abduction"])),
            "start_date": dt.date(year, draw(st.integers(1, 12)), draw(st.integers(1, 28))),
            "latitude": draw(st.none() | st.floats(-90, 90, allow_nan=False)),
            "longitude": draw(st.floats(-180, 180, allow_nan=False)),
            "tags": draw(st.lists(_NAME, max_size=2)),
            "victims": victims,
            "perpetrators": [{"actor": {"name": draw(_NAME), "actor_type": "unknown"},
                              "basis": draw(_TEXT)}] if draw(st.booleans()) else [],
            "citations": [{"source": {"kind": draw(st.sampled_from(["media",
                                                                    "witness_testimony"])),
                                      "title": draw(_NAME)},
                           "statement": draw(_TEXT), "quote": draw(_TEXT)}],
        })
    return incidents


_years = itertools.count(1901)


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_holds_for_generated_incidents(engine, empty_engine, tmp_path, data):
    # Each example exports only the incidents of a year of its own, so after its import
    # the two databases hold the same incidents again.
    year = next(_years)
    incidents = data.draw(_incidents(year))
    with unit_of_work(engine) as session:
        create_incidents(session, [IncidentCreate.model_validate(i) for i in incidents],
                         by=SYSTEM)
    only = ExportFilters(statuses=None, since=dt.date(year, 1, 1), until=dt.date(year, 12, 31))
    first = _export(engine, tmp_path / f"{year}-first.csv", filters=only)
    assert _import(empty_engine, first).created == len(incidents)
    assert_same_rows(engine, empty_engine)


def test_round_trip_keeps_quotes_and_formula_signs_inside_list_cells(engine, empty_engine,
                                                                     tmp_path):
    awkward = {"title": "'quoted' title", "incident_type": "killing",
               "start_date": dt.date(1900, 1, 2), "tags": ["'a", "=b; c", "\\"],
               "perpetrators": [{"actor": {"name": "-group", "actor_type": "unknown"},
                                 "basis": "=1+1"}],
               "citations": [{"source": {"kind": "media", "title": "@source"},
                              "statement": "+", "quote": "'quoted'"}]}
    with unit_of_work(engine) as session:
        create_incidents(session, [IncidentCreate.model_validate(awkward)], by=SYSTEM)
    only = ExportFilters(statuses=None, until=dt.date(1900, 12, 31))
    first = _export(engine, tmp_path / "first.csv", filters=only)
    _import(empty_engine, first)
    assert_same_rows(engine, empty_engine)
    assert ",''quoted'," in first.read_text(encoding="utf-8")
