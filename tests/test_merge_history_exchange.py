"""Merge history in the internal JSON export and the data package: merges of people and
incidents come back in an empty database (without their snapshots: they cannot be undone
there), a person's history once however many incidents name the person, and never below
the internal level (records/services/exchange/extras.py)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.models import AppUser, Incident, Person, RecordMerge
from records.services.access import SYSTEM
from records.services.exchange import ExportFilters, ExportRequest, preview_import, run_export
from records.services.incidents import create_incident
from records.services.linkage import MergeRefused, list_merges, merge_records, unmerge
from records.services.linkage.merge import IMPORTED_SNAPSHOT
from records.services.review import publish_incident, submit_incident, verify_incident
from tests.factories import incident_data
from tests.test_roundtrip import _import, _second_database

ALL = ExportFilters(statuses=None)
T1 = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2024, 3, 2, 10, 30, tzinfo=dt.UTC)
T3 = dt.datetime(2024, 3, 3, 11, 0, tzinfo=dt.UTC)
T4 = dt.datetime(2024, 3, 4, 12, 15, tzinfo=dt.UTC)


@pytest.fixture
def empty_engine(engine, tmp_path, sqlite_templates, pg_server):
    """An empty database with the same accounts as `engine`."""
    yield from _second_database(engine, tmp_path, sqlite_templates, pg_server, "users")


@pytest.fixture
def no_accounts_engine(engine, tmp_path, sqlite_templates, pg_server):
    """An empty database without accounts."""
    yield from _second_database(engine, tmp_path, sqlite_templates, pg_server, "bare")


def _victim(name: str) -> dict:
    return {"person": {"full_name": name, "sex": "male"}, "outcome": "killed",
            "consent_to_publish_name": True}


def seed_merges(engine, users) -> dict[str, str]:
    """Ihab's two spellings merged (score 0.93) and two reports of his killing merged; a
    third person later named by uid in another incident; two reports of another killing
    merged and the merge undone. Merge times are set to T1..T4."""
    with unit_of_work(engine) as session:
        a = create_incident(session, incident_data(
            title="Killing of Ihab (fictional)", victims=[_victim("Ihab al-Wazni"),
                                                          _victim("A witness")]),
            by=users["carla"])
        b = create_incident(session, incident_data(
            title="Activist shot (fictional)", victims=[_victim("Ehab Al Wazni")]),
            by=users["chen"])
        c = create_incident(session, incident_data(
            title="Killing of Sami (fictional)", start_date=dt.date(2021, 1, 5),
            victims=[_victim("Sami Bystander")]), by=users["carla"])
        d = create_incident(session, incident_data(
            title="Sami shot (fictional)", start_date=dt.date(2021, 1, 6),
            victims=[_victim("Samy Bystander")]), by=users["chen"])
        keys = {"a": a.ref, "b": b.ref, "c": c.ref, "d": d.ref,
                "ihab": a.victims[0].person.uid, "ehab": b.victims[0].person.uid}
    with unit_of_work(engine) as session:
        merge_records(session, keys["ihab"], keys["ehab"], by=users["rana"], score=0.93)
    with unit_of_work(engine) as session:
        merge_records(session, keys["a"], keys["b"], by=users["ravi"])
    with unit_of_work(engine) as session:
        undone = merge_records(session, keys["c"], keys["d"], by=users["rana"], score=0.5)
    with unit_of_work(engine) as session:
        unmerge(session, undone.id, by=users["ravi"])
    with unit_of_work(engine) as session:
        # Ihab is also named, by uid, by an incident of his own: his history travels twice.
        e = create_incident(session, incident_data(
            title="Threat to Ihab (fictional)", incident_type="threat",
            start_date=dt.date(2019, 12, 1), victims=[{
                "person_uid": keys["ihab"], "outcome": "unharmed",
                "consent_to_publish_name": True}]), by=users["carla"])
        keys["e"] = e.ref
        for merge, at in zip(session.exec(select(RecordMerge).order_by(RecordMerge.id)),
                             (T1, T2, T3), strict=True):
            merge.created_at = at
            if merge.undone_at is not None:
                merge.undone_at = T4
    return keys


def merge_rows(engine) -> list[tuple]:
    """Every record_merge row by content, the users by name, the kept record by key."""
    with read_session(engine) as session:
        names = dict(session.exec(select(AppUser.id, AppUser.username)).all())
        incidents = dict(session.exec(select(Incident.id, Incident.ref)).all())
        people = dict(session.exec(select(Person.id, Person.uid)).all())
        return [(m.kind, (incidents if m.kind == "incident" else people)[m.kept_id],
                 m.kept_key, m.merged_key, m.created_at, names.get(m.merged_by_id), m.score,
                 m.undone_at, names.get(m.undone_by_id))
                for m in session.exec(select(RecordMerge).order_by(RecordMerge.created_at))]


def _export(engine, path, level: str = "internal"):
    run_export(engine, ExportRequest("json", path, level, ALL), by=SYSTEM)
    return json.loads(path.read_text(encoding="utf-8"))["incidents"]


def test_merge_history_comes_back_in_an_empty_database(engine, empty_engine, users,
                                                       tmp_path):
    keys = seed_merges(engine, users)
    ihab, ehab = keys["ihab"], keys["ehab"]
    expected = [
        ("person", ihab, ihab, ehab, T1, "rana", 0.93, None, None),
        ("incident", keys["a"], keys["a"], keys["b"], T2, "ravi", None, None, None),
        ("incident", keys["c"], keys["c"], keys["d"], T3, "rana", 0.5, T4, "ravi")]
    assert merge_rows(engine) == expected
    records = {r["ref"]: r for r in _export(engine, tmp_path / "all.json")}
    # Ihab's merge with each incident naming him; never the snapshot.
    person_merge = {"kind": "person", "kept_key": ihab, "merged_key": ehab,
                    "at": T1.isoformat(), "by": "rana", "score": 0.93, "undone_at": None,
                    "undone_by": None}
    assert records[keys["e"]]["merges"] == [person_merge]
    assert [m["kind"] for m in records[keys["a"]]["merges"]] == ["person", "incident"]
    assert records[keys["d"]]["merges"] == []

    assert _import(empty_engine, tmp_path / "all.json").created == 4
    assert merge_rows(empty_engine) == expected
    with read_session(empty_engine) as session:
        imported = session.exec(select(RecordMerge).order_by(RecordMerge.created_at)).all()
        assert [(m.merged_id, m.snapshot) for m in imported] == [(None, IMPORTED_SNAPSHOT)] * 3
        ids = [m.id for m in imported]
        # Listed like any merge, with nothing moved or removed here.
        assert sorted((m.kind, m.moved, m.removed, m.undone)
                      for m in list_merges(session, by=users["rana"])) == [
            ("incident", 0, 0, False), ("incident", 0, 0, True), ("person", 0, 0, False)]
    for merge_id in ids[:2]:
        with unit_of_work(empty_engine) as session, pytest.raises(MergeRefused) as refused:
            unmerge(session, merge_id, by=users["rana"])
        assert str(refused.value) == (
            f"merge {merge_id} came with an import: the record it folded away is not in "
            "this database, so it cannot be undone here")
    with unit_of_work(empty_engine) as session, pytest.raises(MergeRefused) as refused:
        unmerge(session, ids[2], by=users["rana"])
    assert str(refused.value) == f"merge {ids[2]} was already undone"
    assert merge_rows(empty_engine) == expected


def test_merge_history_comes_back_from_a_data_package(engine, empty_engine, users,
                                                      tmp_path):
    keys = seed_merges(engine, users)
    package = tmp_path / "pkg"
    run_export(engine, ExportRequest("datapackage", package, "internal", ALL), by=SYSTEM)
    # Ihab's merge with both incidents naming him, the two incident merges.
    assert (package / "merges.csv").read_text(encoding="utf-8").count("\n") == 5
    checked = subprocess.run([str(Path(sys.executable).with_name("frictionless")),
                              "validate", str(package / "datapackage.json")],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout[-2000:]
    assert _import(empty_engine, package).created == 4
    assert merge_rows(empty_engine) == [
        ("person", keys["ihab"], keys["ihab"], keys["ehab"], T1, "rana", 0.93, None, None),
        ("incident", keys["a"], keys["a"], keys["b"], T2, "ravi", None, None, None),
        ("incident", keys["c"], keys["c"], keys["d"], T3, "rana", 0.5, T4, "ravi")]


def test_merges_by_unknown_users_are_the_systems_and_stay_internal(
        engine, no_accounts_engine, users, tmp_path):
    keys = seed_merges(engine, users)
    _export(engine, tmp_path / "all.json")
    _import(no_accounts_engine, tmp_path / "all.json")
    assert [row[5:] for row in merge_rows(no_accounts_engine)] == [
        (None, 0.93, None, None), (None, None, None, None), (None, 0.5, T4, None)]
    with unit_of_work(engine) as session:  # published: in every export
        version = session.exec(select(Incident.version).where(
            Incident.ref == keys["a"])).one()
        done = submit_incident(session, keys["a"], by=users["carla"], expected_version=version)
        done = verify_incident(session, keys["a"], by=users["rana"],
                               expected_version=done.version)
        publish_incident(session, keys["a"], by=users["rana"], expected_version=done.version)
    assert [m["kind"] for r in _export(engine, tmp_path / "again.json")
            if r["ref"] == keys["a"] for m in r["merges"]] == ["person", "incident"]
    for level in ("public", "partner"):
        records = _export(engine, tmp_path / f"{level}.json", level)
        assert keys["a"] in {r["ref"] for r in records}
        assert [r["ref"] for r in records if "merges" in r] == []


def test_a_bad_merge_history_is_refused_field_by_field(engine, empty_engine, users,
                                                      tmp_path):
    keys = seed_merges(engine, users)
    records = _export(engine, tmp_path / "all.json")
    record = next(r for r in records if r["ref"] == keys["a"])
    person, incident = record["merges"]
    record["merges"] = [
        {**incident, "kind": "actor"},
        {**incident, "merged_key": keys["a"].lower()},
        {**incident, "kept_key": keys["c"]},
        {**person, "kept_key": "0" * 36},
        {**incident, "at": "2024-03-02T10:30:00", "score": "high", "by": "x" * 65}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"incidents": [record]}), encoding="utf-8")
    with read_session(empty_engine) as session:
        preview = preview_import(session, path, by=users["rana"])
    assert sorted((p.field, p.message) for p in preview.problems) == [
        ("merges.0.kind", "Input should be 'person' or 'incident'"),
        ("merges.1.merged_key", "a record cannot be merged with itself"),
        ("merges.2.kept_key", "an incident's merge must keep this incident"),
        ("merges.3.kept_key", "no victim or perpetrator of this incident has this uid"),
        ("merges.4.at", "Input should have timezone info"),
        ("merges.4.by", "String should have at most 64 characters"),
        ("merges.4.score", "Input should be a valid number, unable to parse string as a "
                           "number")]
