"""`sijil backup PATH`: one consistent archive while the server runs."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from records.audit_chain import append_event
from records.config import get_settings
from records.i18n import _
from records.keys import read_master_key
from records.models import DataKey, metadata
from records.services.access import Principal, act_as, require_role
from records.services.backup.archive import (
    DATABASE_MEMBERS,
    FILE_MEMBER,
    KEYS_MEMBER,
    BackupError,
    Manifest,
    add_manifest,
    add_member,
    sha256_of,
)
from records.services.backup.generations import new_generation
from records.services.backup.key_member import archived_keys, write_keys


@dataclass
class BackupResult:
    path: Path
    engine: str
    counts: dict[str, int]
    files: int
    size: int
    sha256: str


def table_counts(conn: Connection) -> dict[str, int]:
    """Rows per table of the schema, by table name."""
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables}


def client_program(name: str) -> str:
    """The full path of a PostgreSQL client program; BackupError when it is missing."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client "
                          "(Debian: postgresql-client) of the server's version")
    return path


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - a database never migrated has no revision
        return None


def _copy_sqlite(engine: Engine, target: Path, take_keys) -> tuple[dict[str, int], str | None,
                                                                   list[dict]]:
    """SQLite's online backup API: a consistent copy while others read and write; the
    data keys taken out of the copy (`take_keys`), which is then rebuilt (VACUUM) so no
    page of it still holds them."""
    source = sqlite3.connect(make_url(engine.url).database)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        source.close()
        copy.close()
    from records.db import make_engine

    snapshot = make_engine(f"sqlite:///{target}")
    try:
        with snapshot.begin() as conn:
            counts, revision, keys = table_counts(conn), _revision(conn), take_keys(conn)
            conn.execute(delete(DataKey.__table__))
    finally:
        snapshot.dispose()
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        copy.execute("VACUUM")
    finally:
        copy.close()
    return counts, revision, keys


def libpq_url(engine: Engine) -> tuple[str, dict[str, str]]:
    """The database's URL as pg_dump and pg_restore take it, and the environment carrying
    its password (never on the command line, where `ps` shows it)."""
    url = make_url(engine.url)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _dump_postgres(engine: Engine, target: Path, take_keys) -> tuple[dict[str, int],
                                                                     str | None, list[dict]]:
    """pg_dump inside a snapshot exported from a repeatable-read transaction, so the table
    counts in the manifest and the data keys (`take_keys`, left out of the dump) are
    those of the dump."""
    url, env = libpq_url(engine)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts, revision, keys = table_counts(conn), _revision(conn), take_keys(conn)
            done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [client_program("pg_dump"), "--format=custom", "--no-owner", "--no-acl",
                 f"--snapshot={snapshot}", f"--file={target}", f"--dbname={url}",
                 f"--exclude-table-data={DataKey.__tablename__}"],
                env=env, capture_output=True, text=True, check=False, timeout=3600)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}")
    return counts, revision, keys


def stored_files(files_dir: Path) -> list[tuple[str, Path]]:
    """(member name, path) of every stored evidence file, in a stable order; temporary
    and foreign files are left out."""
    found = []
    if files_dir.is_dir():
        for path in sorted(files_dir.rglob("*")):
            name = "files/" + path.relative_to(files_dir).as_posix()
            if path.is_file() and FILE_MEMBER.fullmatch(name):
                found.append((name, path))
    return found


def create_backup(engine: Engine, out: Path | str, *, by: Principal,
                  files_dir: Path | str | None = None) -> BackupResult:
    """Write one archive at `out`: the database copied consistently while the server runs,
    then the evidence files (stored before their rows are written, so every file the copy
    names is already there), with a manifest of SHA-256 hashes. Admins only: it holds
    everything. The archive appears complete or not at all. Raises BackupError.

    The field data keys go in the archive wrapped under a new backup generation key, kept
    only in the backup key ring (generations.py): a later purge destroys it, and this
    archive can then open no sealed value. Raises KeyRingError when the ring cannot be
    written, SecretKeyError without the master key."""
    require_role(by, "admin", _("make backups"))
    out = Path(out)
    files_root = Path(files_dir) if files_dir is not None else get_settings().files_dir
    kind = engine.dialect.name
    if kind not in DATABASE_MEMBERS:
        raise BackupError(f"backups of {kind} databases are not supported")
    if out.exists():
        raise BackupError(f"{out} exists already: give a new file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    master = read_master_key()
    # Kept in the ring before the copy is taken: a purge committing after the copy
    # finds it there and destroys it.
    generation = new_generation(master)

    def take_keys(conn: Connection) -> list[dict]:
        return archived_keys(conn, master, generation)

    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".sijil-backup-") as folder:
        database = Path(folder) / DATABASE_MEMBERS[kind]
        if kind == "sqlite":
            counts, revision, keys = _copy_sqlite(engine, database, take_keys)
        else:
            counts, revision, keys = _dump_postgres(engine, database, take_keys)
        write_keys(Path(folder) / KEYS_MEMBER, keys)
        manifest = Manifest(kind, revision, dt.datetime.now(dt.UTC).isoformat(), counts,
                            key_generation=generation.id)
        files = stored_files(files_root)
        partial = Path(folder) / "backup.tar.gz"
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            add_member(archive, manifest, DATABASE_MEMBERS[kind], database)
            add_member(archive, manifest, KEYS_MEMBER, Path(folder) / KEYS_MEMBER)
            for name, path in files:
                add_member(archive, manifest, name, path)
            add_manifest(archive, manifest)
        partial.chmod(0o600)  # it holds everything the database holds
        os.replace(partial, out)
    sha256, size = sha256_of(out)
    return BackupResult(out, kind, counts, len(files), size, sha256)


def audit_backup(session: Session, result: BackupResult, *, by: Principal) -> None:
    """The trail's entry for a backup: who, how much, and the archive's SHA-256."""
    act_as(session, by)
    append_event(session, action="backup", entity_type="database",
                 changes={"incidents": result.counts.get("incident", 0),
                          "files": result.files, "sha256": result.sha256})
