"""No import verifies: whoever imports a file, its incidents wait for review, and the file's
status is kept only as provenance (docs/design.md §4)."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import PermissionDenied
from records.models import Incident
from records.services.access import SYSTEM
from records.services.exchange import ExportFilters, ExportRequest, import_file, run_export
from records.services.review import verify_incident

# No incident_ref: each import of the file creates a new incident, numbered in turn.
HEADER = ["title", "incident_type", "start_date", "admin1", "status", "victim_name",
          "victim_outcome", "victim_consent"]
ROW = ["Killing of an activist in Basra (fictional)", "killing", "2019-11-03", "IQ-BA",
       "published", "Imported Victim", "killed", "yes"]


def _file(tmp_path):
    path = tmp_path / "published.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows([HEADER, ROW])
    return path


def _public_refs(engine, users, tmp_path) -> list[str]:
    out = tmp_path / "public.json"
    run_export(engine, ExportRequest("json", out, "public", ExportFilters()), by=users["vera"])
    return [r["ref"] for r in json.loads(out.read_text(encoding="utf-8"))["incidents"]]


def _rows(engine) -> list[tuple]:
    with read_session(engine) as session:
        return [tuple(r) for r in session.exec(
            select(Incident.ref, Incident.status, Incident.imported_status,
                   Incident.submitted_by_id, Incident.verified_by_id)
            .order_by(Incident.ref)).all()]


def _verify(engine, ref: str, by):
    with unit_of_work(engine) as session:
        version = session.exec(select(Incident.version).where(Incident.ref == ref)).one()
        return verify_incident(session, ref, by=by, expected_version=version)


def test_importing_as_admin_caseworker_or_system_verifies_nothing(engine, users, tmp_path):
    path = _file(tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for by in (users["admin"], users["carla"], SYSTEM):
        with unit_of_work(engine) as session:
            result = import_file(session, path, by=by)
        assert (result.created, result.held_for_review) == (1, 1)
    admin, carla = users["admin"].id, users["carla"].id
    assert _rows(engine) == [
        ("INC-2019-00001", "submitted", "published", admin, None),
        ("INC-2019-00002", "submitted", "published", carla, None),
        ("INC-2019-00003", "submitted", "published", None, None)]
    with read_session(engine) as session:
        sources = set(session.exec(select(Incident.imported_from)).all())
    assert sources == {f"published.csv sha256:{digest}"}
    assert _public_refs(engine, users, tmp_path) == []

    # Four eyes hold for imported records too: the importing admin may not verify what
    # they imported, and the system principal verifies nothing.
    with pytest.raises(PermissionDenied):
        _verify(engine, "INC-2019-00001", users["admin"])
    with pytest.raises(PermissionDenied):
        _verify(engine, "INC-2019-00003", SYSTEM)
    assert _public_refs(engine, users, tmp_path) == []

    _verify(engine, "INC-2019-00002", users["rana"])
    assert _public_refs(engine, users, tmp_path) == ["INC-2019-00002"]
    _verify(engine, "INC-2019-00001", users["rana"])
    _verify(engine, "INC-2019-00003", users["rana"])
    assert _public_refs(engine, users, tmp_path) == [
        "INC-2019-00003", "INC-2019-00002", "INC-2019-00001"]
    rana = users["rana"].id
    assert [(ref, status, verified) for ref, status, _s, _b, verified in _rows(engine)] == [
        ("INC-2019-00001", "verified", rana), ("INC-2019-00002", "verified", rana),
        ("INC-2019-00003", "verified", rana)]


def test_an_internal_export_carries_the_provenance_and_the_public_one_does_not(
        engine, users, tmp_path):
    path = _file(tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with unit_of_work(engine) as session:
        import_file(session, path, by=users["carla"])
    _verify(engine, "INC-2019-00001", users["rana"])
    internal, public = tmp_path / "internal.json", tmp_path / "public.json"
    for level, out in (("internal", internal), ("public", public)):
        run_export(engine, ExportRequest("json", out, level, ExportFilters()),
                   by=users["rana"])
    shown = json.loads(internal.read_text(encoding="utf-8"))["incidents"][0]
    assert (shown["status"], shown["imported_status"], shown["imported_from"]) == (
        "verified", "published", f"published.csv sha256:{digest}")
    assert "imported_from" not in json.loads(public.read_text(encoding="utf-8"))[
        "incidents"][0]
