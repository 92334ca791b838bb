"""A purge reaches the backups made before it: an old archive restored with the same master
key gives back none of the purged values (nor any other sealed value), while what was never
sealed stays readable; a backup made after the purge opens what remains."""

from __future__ import annotations

import base64
import json
import os
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from records.db import make_engine, read_session, unit_of_work
from records.keys import FIELDS_PURPOSE, MasterKey, StoredKeyError, generate_key, unwrap_key
from records.models import DataKey, Person
from records.models.incident import STATUSES
from records.services.evidence import add_attachment
from records.services.exchange.export_records import ExportFilters
from records.services.exchange.exporting import ExportRequest, write_export
from tests.conftest import _postgres_url
from tests.test_encryption_at_rest import (
    CONSENTING,
    CONTACT,
    NARRATIVE,
    QUOTE,
    SOURCE_TITLE,
    WITHHELD,
    WITNESS,
    _record,
)

PURGED = (WITNESS, NARRATIVE, QUOTE)
SCAN = b"%PDF-1.4 statement of a witness (fictional)\n"


@pytest.fixture
def places(engine, tmp_path, pg_server):
    """Two empty databases of the engine of `engine` (URLs), each with an empty folder."""
    if engine.dialect.name == "sqlite":
        yield [(f"sqlite:///{tmp_path / f'r{i}' / 'sijil.db'}", tmp_path / f"r{i}-files")
               for i in (1, 2)]
        return
    if pg_server is None:
        pytest.skip(_postgres_url()[1])
    names = [pg_server.create(None) for _ in (1, 2)]
    yield [(pg_server.database_url(n), tmp_path / f"{n}-files") for n in names]
    for name in names:
        pg_server.drop_later(name)


def _internal_export(url: str, reader, out: Path) -> str:
    engine = make_engine(url)
    try:
        with read_session(engine) as session:
            write_export(session, ExportRequest("json", out, "internal",
                                                ExportFilters(statuses=STATUSES)), by=reader)
    finally:
        engine.dispose()
    return out.read_text(encoding="utf-8")


def _field_keys(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(DataKey.__table__).where(
                DataKey.__table__.c.purpose == FIELDS_PURPOSE)).all()
    finally:
        engine.dispose()


def test_an_old_backup_restored_after_a_purge_gives_back_no_purged_value(
        engine, users, sijil, places, tmp_path, monkeypatch):
    monkeypatch.setenv("SIJIL_FILES_DIR", str(tmp_path / "files"))
    created = _record(engine, users)
    with unit_of_work(engine) as session:  # sealed under the restricted incident's key
        add_attachment(session, created.ref, filename="statement.pdf", data=SCAN,
                       by=users["carla"])
    witness = _sealed_person(engine)
    old = tmp_path / "before-purge.tar.gz"
    assert sijil(engine, "backup", str(old), "--as", "admin").returncode == 0
    assert sijil(engine, "purge", witness, "--reason", "asked to be forgotten", "--as",
                 "admin").returncode == 0
    fresh = tmp_path / "after-purge.tar.gz"
    done = sijil(engine, "purge", created.ref, "--reason", "entered by mistake", "--as",
                 "admin", "--backup", str(fresh))
    assert done.returncode == 0, done.stderr
    assert "make a fresh backup now" in done.stdout
    assert f"to {fresh}" in done.stdout

    # The master key alone opens no field key the old archive holds.
    master = MasterKey(base64.urlsafe_b64decode(os.environ["SIJIL_SECRET_KEY"]), "test")
    with tarfile.open(old) as archive:
        rows = json.loads(archive.extractfile("keys.json").read())
    sealed = [r for r in rows if r["purpose"] == FIELDS_PURPOSE and r["wrapped"]]
    assert sealed
    for row in sealed:
        with pytest.raises(StoredKeyError):
            unwrap_key(master, base64.b64decode(row["wrapped"]), purpose=row["purpose"],
                       owner=row["owner"])

    (url, files), (fresh_url, fresh_files) = places
    restored = sijil(url, "restore", str(old), files_dir=files)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "destroyed by a later purge" in restored.stdout
    # Its sealed file can never be opened again, and is not counted as damage.
    assert "evidence files: 1 checked, 0 missing or altered" in restored.stdout
    assert all(k.wrapped is None for k in _field_keys(url))
    internal = _internal_export(url, users["rana"], tmp_path / "old.json")
    assert created.ref in internal and CONSENTING in internal  # never sealed: still there
    for secret in (*PURGED, WITHHELD, CONTACT, SOURCE_TITLE):
        assert secret not in internal, secret
    assert "[erased]" in internal

    # The backup made right after the purge opens everything that remains.
    again = sijil(fresh_url, "restore", str(fresh), files_dir=fresh_files)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "destroyed by a later purge" not in again.stdout
    internal = _internal_export(fresh_url, users["rana"], tmp_path / "fresh.json")
    assert created.ref not in internal
    for secret in PURGED:
        assert secret not in internal, secret


def _sealed_person(engine) -> str:
    with read_session(engine) as session:
        return next(p.uid for p in session.scalars(select(Person))
                    if "witness" in (p.profiles or ()))


def test_a_ring_without_the_backups_key_is_named_and_nothing_is_restored(
        engine, users, sijil, places, tmp_path, monkeypatch, backup_key_ring):
    _record(engine, users)
    archive = tmp_path / "b.tar.gz"
    assert sijil(engine, "backup", str(archive), "--as", "admin").returncode == 0
    elsewhere = tmp_path / "elsewhere" / "backup-keys.json"
    monkeypatch.setenv("SIJIL_BACKUP_KEYS_FILE", str(elsewhere))
    (url, files), _ = places
    done = sijil(url, "restore", str(archive), files_dir=files)
    assert done.returncode == 1
    assert str(elsewhere) in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    engine_restored = make_engine(url)
    try:
        assert inspect(engine_restored).get_table_names() == []
    finally:
        engine_restored.dispose()
    assert not files.exists() or not any(files.iterdir())
    # The ring itself: private, beside the master key.
    assert backup_key_ring.stat().st_mode & 0o777 == 0o600
    assert backup_key_ring.parent.stat().st_mode & 0o777 == 0o700


def test_a_backup_made_before_a_rotation_restores_with_the_old_key(
        engine, users, sijil, places, tmp_path, monkeypatch):
    _record(engine, users)
    archive = tmp_path / "b.tar.gz"
    assert sijil(engine, "backup", str(archive), "--as", "admin").returncode == 0
    old_key, new_key = os.environ["SIJIL_SECRET_KEY"], generate_key()
    (tmp_path / "new.key").write_text(new_key, encoding="ascii")
    done = sijil(engine, "keys", "rotate", "--new-key-file", str(tmp_path / "new.key"),
                 "--as", "admin")
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("SIJIL_SECRET_KEY", new_key)
    (url, files), _ = places
    refused = sijil(url, "restore", str(archive), files_dir=files)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "restore a backup with the master key it was made under" in refused.stderr
    monkeypatch.setenv("SIJIL_SECRET_KEY", old_key)
    restored = sijil(url, "restore", str(archive), files_dir=files)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    internal = _internal_export(url, users["rana"], tmp_path / "rotated.json")
    for secret in (*PURGED, WITHHELD, CONTACT, SOURCE_TITLE):
        assert secret in internal, secret


def test_the_archives_database_holds_no_data_key(engine, users, sijil, tmp_path):
    if engine.dialect.name != "sqlite":
        pytest.skip("a file to scan exists on SQLite only (pg_dump leaves data_key's rows out)")
    _record(engine, users)
    archive = tmp_path / "b.tar.gz"
    assert sijil(engine, "backup", str(archive), "--as", "admin").returncode == 0
    with engine.connect() as conn:
        wrapped = [bytes(w) for w in conn.scalars(select(DataKey.__table__.c.wrapped).where(
            DataKey.__table__.c.purpose == FIELDS_PURPOSE))]
    assert len(wrapped) == 5
    with tarfile.open(archive) as opened:
        raw = opened.extractfile("database.sqlite").read()
    # Deleted from the copy and the file rebuilt: not even a free page keeps them.
    for value in wrapped:
        assert value not in raw
