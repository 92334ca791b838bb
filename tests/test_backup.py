"""Backup and restore (issue 14, point 1): one consistent archive while the server runs,
restored into an empty place, with the trail and the files checked."""

from __future__ import annotations

import json
import subprocess
import tarfile
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from records.db import make_engine, read_session, unit_of_work
from records.models import AuditEntry
from records.services.evidence import add_attachment, list_attachments, open_attachment
from records.services.incidents import create_incident, get_incident
from tests.conftest import _postgres_url
from tests.factories import incident_data
from tests.ui.browser import serve

SCAN = b"%PDF-1.4 statement of a witness (fictional)\n"


@pytest.fixture
def place(engine, tmp_path, pg_server):
    """An empty database of the same engine as `engine`, as a URL, and an empty folder."""
    if engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'sijil.db'}", tmp_path / "restored-files"
        return
    if pg_server is None:
        pytest.skip(_postgres_url()[1])
    name = pg_server.create(None)
    yield pg_server.database_url(name), tmp_path / "restored-files"
    pg_server.drop_later(name)


def _filled(engine, users, files: Path, monkeypatch):
    monkeypatch.setenv("SIJIL_FILES_DIR", str(files))
    refs = []
    with unit_of_work(engine) as session:
        for sensitivity in ("normal", "restricted"):
            incident = create_incident(session, incident_data(
                sensitivity=sensitivity, victims=[
                    {"person": {"full_name": "Unnamed Example", "contact": "+964 1"},
                     "outcome": "killed"}]), by=users["carla"])
            refs.append(incident.ref)
    for ref in refs:
        with unit_of_work(engine) as session:
            add_attachment(session, ref, filename="statement.pdf", data=SCAN, by=users["carla"])
    return refs


def _backed_up(engine, users, sijil, tmp_path, monkeypatch) -> Path:
    files = tmp_path / "files"
    _filled(engine, users, files, monkeypatch)
    archive = tmp_path / "b.tar.gz"
    assert sijil(engine, "backup", str(archive), files_dir=files).returncode == 0
    return archive


def test_a_backup_restores_whole_into_a_new_place(engine, users, sijil, place, tmp_path,
                                                   monkeypatch):
    files = tmp_path / "files"
    refs = _filled(engine, users, files, monkeypatch)
    archive = tmp_path / "backups" / "nightly.tar.gz"
    made = sijil(engine, "backup", str(archive), "--as", "admin", files_dir=files)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"backed up 2 incident(s) and 2 evidence file(s) to {archive}")
    with tarfile.open(archive) as opened:
        names = sorted(opened.getnames())
        manifest = json.loads(opened.extractfile("manifest.json").read())
    database = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}[
        engine.dialect.name]
    # One plain copy (the normal incident's) and one sealed under the restricted one's key.
    assert names[0] == database and names[-1] == "manifest.json"
    assert sum(n.endswith(".sealed") for n in names) == 1 and len(names) == 5
    assert "keys.json" in names  # the data keys, out of the database copy
    assert manifest["counts"]["incident"] == 2 and manifest["engine"] == engine.dialect.name
    with read_session(engine) as session:
        backup = session.scalars(select(AuditEntry).where(AuditEntry.action == "backup")).one()
    assert json.loads(backup.changes)["incidents"] == 2

    url, new_files = place
    restored = sijil(url, "restore", str(archive), files_dir=new_files)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert restored.stdout.splitlines()[0].startswith(
        f"restored 2 incident(s) and 2 evidence file(s) from {archive}")
    assert "evidence files: 2 checked, 0 missing or altered" in restored.stdout
    monkeypatch.setenv("SIJIL_FILES_DIR", str(new_files))
    again = make_engine(url)
    try:
        with read_session(again) as session:
            seen = get_incident(session, refs[1], by=users["rana"])
            attachment = list_attachments(session, refs[1], by=users["rana"])[0]
            _read, seen_attachment = open_attachment(session, attachment.id, by=users["rana"])
        assert seen.victims[0].person.contact == "+964 1"
        assert seen_attachment == SCAN
        assert sijil(again, "audit", "verify").returncode == 0
    finally:
        again.dispose()
    # The workspace starts on what came back.
    (tmp_path / "served").mkdir()
    with serve(tmp_path / "served", url) as base, urllib.request.urlopen(
            f"{base}/_stcore/health", timeout=10) as reply:
        assert reply.status == 200


def test_a_backup_of_encrypted_data_stays_encrypted(engine, users, sijil, tmp_path,
                                                    monkeypatch):
    archive = _backed_up(engine, users, sijil, tmp_path, monkeypatch)
    with tarfile.open(archive) as opened:
        members = {m.name: opened.extractfile(m).read() for m in opened.getmembers()}
    if "database.pgdump" in members:  # compressed: read it back as SQL text
        (tmp_path / "dump").write_bytes(members["database.pgdump"])
        members["database.pgdump"] = subprocess.run(
            ["pg_restore", "--file=-", str(tmp_path / "dump")], capture_output=True,
            check=True).stdout
    content = b"".join(members.values())
    # The contact, and the restricted incident's copy of the file, only sealed; the normal
    # incident's copy of the same file is stored (and backed up) as it came.
    assert b"+964 1" not in content and b"sijil-sealed:v1:" in content
    assert content.count(SCAN) == 1


def test_restore_refuses_a_place_that_is_not_empty(engine, users, sijil, tmp_path,
                                                    monkeypatch):
    archive = _backed_up(engine, users, sijil, tmp_path, monkeypatch)
    refused = sijil(engine, "restore", str(archive), files_dir=tmp_path / "other")
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "restore into a new one" in refused.stderr
    assert len(refused.stderr.splitlines()) == 1


def test_a_damaged_archive_is_refused_and_nothing_is_restored(engine, users, sijil, place,
                                                              tmp_path, monkeypatch):
    archive = _backed_up(engine, users, sijil, tmp_path, monkeypatch)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("files/") and not member.name.endswith(".sealed"):
                data = data.replace(b"witness", b"WITNESS")
            target.addfile(member, __import__("io").BytesIO(data))
    url, new_files = place
    refused = sijil(url, "restore", str(damaged), files_dir=new_files)
    assert refused.returncode == 1
    assert "does not match the SHA-256 in its manifest" in refused.stderr
    assert not new_files.exists() or not any(new_files.iterdir())
    check = make_engine(url)
    try:
        from sqlalchemy import inspect

        assert inspect(check).get_table_names() == []
    finally:
        check.dispose()


def test_only_an_admin_makes_a_backup(engine, users, sijil_process, tmp_path):
    refused = sijil_process(engine, "backup", str(tmp_path / "b.tar.gz"), "--as", "rana")
    assert refused.returncode == 1
    assert "may not make backups" in refused.stderr
    assert not (tmp_path / "b.tar.gz").exists()


def _pg_objects(engine) -> int:
    """Relations, functions and types outside PostgreSQL's own schemas (0 when empty)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_%') + (SELECT count(*) FROM pg_proc p JOIN "
            "pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN "
            "('pg_catalog', 'information_schema'))")).scalar_one()


def test_a_restore_whose_trail_is_broken_is_refused_and_removed(engine, users, sijil, place,
                                                                tmp_path, monkeypatch):
    from sqlalchemy import inspect, update

    from records.models import Incident

    files = tmp_path / "files"
    refs = _filled(engine, users, files, monkeypatch)
    table = Incident.__table__
    with engine.begin() as conn:  # a change behind the trail's back, then backed up
        title = conn.execute(select(table.c.title).where(table.c.ref == refs[0])).scalar_one()
        conn.execute(update(table).where(table.c.ref == refs[0]).values(title="Made up"))
    tampered = tmp_path / "tampered.tar.gz"
    assert sijil(engine, "backup", str(tampered), files_dir=files).returncode == 0
    url, new_files = place
    refused = sijil(url, "restore", str(tampered), files_dir=new_files)
    assert refused.returncode == 1
    assert "audit trail: audit trail broken at seq" in refused.stdout
    assert refused.stderr == (
        "sijil: the restored data did not pass every check (see above), so it was removed: "
        "the database and the files folder are empty, as before the restore\n")
    assert not new_files.exists() or not any(new_files.iterdir())
    if engine.dialect.name == "sqlite":
        database = Path(make_url_database(url))
        assert [(p.name, p.stat().st_size) for p in database.parent.iterdir()] == [
            ("sijil.db", 0)]
    check = make_engine(url)
    try:
        assert inspect(check).get_table_names() == []
        if check.dialect.name == "postgresql":
            assert _pg_objects(check) == 0
    finally:
        check.dispose()
    # The same place takes a whole backup afterwards.
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.ref == refs[0]).values(title=title))
    whole = tmp_path / "whole.tar.gz"
    assert sijil(engine, "backup", str(whole), files_dir=files).returncode == 0
    restored = sijil(url, "restore", str(whole), files_dir=new_files)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    if engine.dialect.name == "postgresql":  # the count above counts what a restore makes
        check = make_engine(url)
        try:
            assert _pg_objects(check) > 50
        finally:
            check.dispose()


def make_url_database(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).database
