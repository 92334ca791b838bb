"""Only the account that runs Sijil reads its database and its evidence: the SQLite file
with its WAL and shared-memory files 0600, the folders Sijil makes 0700, stored evidence
0400, whatever the umask says — when made, when restored, and an older database's file
when it is next opened."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from records.db import make_engine, unit_of_work
from records.services.evidence import add_attachment
from records.services.incidents import create_incident
from records.services.setup import prepare_database
from tests.factories import incident_data
from tests.test_backup import _backed_up, place  # noqa: F401 - `place` is a fixture


@pytest.fixture(autouse=True)
def _usual_umask():
    # The usual umask, under which files are made readable by everyone unless Sijil says no.
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _modes_below(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): _mode(p) for p in sorted(root.rglob("*"))}


def test_a_new_sqlite_database_its_wal_and_its_folder_are_private(tmp_path):
    path = tmp_path / "data" / "sijil.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        prepare_database(engine)
        with engine.connect() as conn:  # the WAL and shared memory exist while it is open
            conn.exec_driver_sql("SELECT count(*) FROM incident").scalar()
            assert {p.name: _mode(p) for p in path.parent.iterdir()} == {
                "sijil.db": 0o600, "sijil.db-wal": 0o600, "sijil.db-shm": 0o600}
    finally:
        engine.dispose()
    assert _mode(path.parent) == 0o700


def test_an_older_database_readable_by_others_is_made_private_when_opened(tmp_path):
    path = tmp_path / "sijil.db"
    with sqlite3.connect(path) as made:
        made.execute("CREATE TABLE kept (x)")
    made.close()
    path.chmod(0o644)
    before = _mode(tmp_path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM kept").scalar()
            assert _mode(path) == 0o600
            assert _mode(Path(f"{path}-wal")) == 0o600
    finally:
        engine.dispose()
    # A folder Sijil did not make is the deployer's: left as it was.
    assert _mode(tmp_path) == before


def test_evidence_files_and_their_folders_are_private(engine, users, files):
    with unit_of_work(engine) as session:
        for sensitivity in ("normal", "restricted"):
            ref = create_incident(session, incident_data(sensitivity=sensitivity),
                                  by=users["carla"]).ref
            add_attachment(session, ref, filename="statement.txt", data=b"A statement.\n",
                           by=users["carla"])
    assert _mode(files) == 0o700
    found = _modes_below(files)
    assert len([name for name, mode in found.items() if mode == 0o400]) == 2
    assert {mode for mode in found.values()} == {0o700, 0o400}
    assert all(mode == 0o700 for name, mode in found.items()
               if (files / name).is_dir())


def test_a_restored_database_and_files_are_private(engine, users, sijil, place, tmp_path,  # noqa: F811
                                                    monkeypatch):
    archive = _backed_up(engine, users, sijil, tmp_path, monkeypatch)
    url, new_files = place
    restored = sijil(url, "restore", str(archive), files_dir=new_files)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert _mode(new_files) == 0o700
    found = _modes_below(new_files)
    # The same content stored plain and sealed: two files in one ab/cd/ folder.
    assert len(found) == 4
    assert all(mode == (0o700 if (new_files / name).is_dir() else 0o400)
               for name, mode in found.items()), found
    if engine.dialect.name == "sqlite":
        database = tmp_path / "restored" / "sijil.db"
        assert _mode(database) == 0o600
        assert _mode(database.parent) == 0o700
