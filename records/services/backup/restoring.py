"""`sijil restore PATH`: a backup into an empty database and an empty files folder, then
the checks that say whether what came back is whole."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

from records.config import get_settings
from records.db import read_session
from records.models.evidence_io import FilesReport
from records.private_paths import make_private_dirs, private_file, private_tree
from records.services.access import SYSTEM
from records.services.backup.archive import (
    DATABASE_MEMBERS,
    FILE_MEMBER,
    KEYS_MEMBER,
    BackupError,
    Manifest,
    extract_checked,
    read_manifest,
)
from records.services.backup.key_member import (
    generation_for,
    put_keys_back,
    read_keys,
    record_lost_keys,
    restored_rows,
)
from records.services.backup.making import client_program, libpq_url, table_counts
from records.services.backup.removal import database_objects, remove_restored


@dataclass
class RestoreReport:
    manifest: Manifest
    counts: dict[str, int]
    files: int
    chain_ok: bool
    chain_message: str
    files_report: FilesReport
    count_mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    # True when a check failed and what was restored was removed again (removal.py).
    removed: bool = False
    erased_keys: int = 0  # data keys destroyed with their backup generation by a purge

    @property
    def ok(self) -> bool:
        return self.chain_ok and not self.files_report.problems and not self.count_mismatches


def _check_empty(engine: Engine, files_dir: Path) -> None:
    tables = inspect(engine).get_table_names()
    if tables:
        raise BackupError(f"the database {engine.url.render_as_string(hide_password=True)} "
                          f"is not empty ({len(tables)} tables): restore into a new one")
    if files_dir.exists() and (not files_dir.is_dir() or any(files_dir.iterdir())):
        raise BackupError(f"the files folder {files_dir} is not empty (SIJIL_FILES_DIR): "
                          "restore into a new one")


def _restore_sqlite(engine: Engine, staged: Path) -> None:
    target = Path(make_url(engine.url).database)
    engine.dispose()  # no connection may hold the empty file being replaced
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    make_private_dirs(target.parent)
    private_file(staged)  # extracted under the umask; owner-only before it is in place
    os.replace(staged, target)


def _restore_postgres(engine: Engine, staged: Path) -> None:
    url, env = libpq_url(engine)
    engine.dispose()
    done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [client_program("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error",
         "--single-transaction", f"--dbname={url}", str(staged)],
        env=env, capture_output=True, text=True, check=False, timeout=3600)
    if done.returncode != 0:
        raise BackupError("pg_restore failed, nothing was restored: "
                          + " ".join(done.stderr.strip().splitlines()[-2:]))


def _opened(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:*")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path} cannot be read as a backup: {error}") from None


def restore_backup(archive_path: Path | str, engine: Engine, *,
                   files_dir: Path | str | None = None) -> RestoreReport:
    """Restore the archive into `engine`'s database and `files_dir` (SIJIL_FILES_DIR), both
    empty, then verify the audit trail (with this installation's master key) and every
    evidence file, and compare the table counts with the manifest's.

    Every member is checked against its SHA-256 before anything is put in place; a damaged
    archive, another engine's backup, or a place that is not empty raises BackupError and
    leaves the database and the folder as they were. When a check fails afterwards (a
    trail that does not verify, a missing or altered file, a count that differs), what was
    restored is removed again and the report says so (`removed`). No account is needed:
    the place is empty, and whoever runs this holds the archive.

    The data keys come back wrapped under the master key, with the archive's generation
    key from the backup key ring; when a purge made since has destroyed it, they come
    back destroyed (sealed values read "[erased]", counted in `erased_keys`, recorded in
    the trail). A ring that does not know the generation raises KeyRingError first."""
    archive_path = Path(archive_path)
    files_root = Path(files_dir) if files_dir is not None else get_settings().files_dir
    kind = engine.dialect.name
    with _opened(archive_path) as archive:
        manifest = read_manifest(archive, archive_path)
        if manifest.engine != kind:
            raise BackupError(f"{archive_path} is a backup of a {manifest.engine} database; "
                              f"SIJIL_DATABASE_URL names a {kind} one")
        _check_empty(engine, files_root)
        before, files_existed = database_objects(engine), files_root.exists()
        generation = generation_for(manifest) if manifest.key_generation else None
        keys, lost = [], []
        make_private_dirs(files_root.parent)
        staging = Path(tempfile.mkdtemp(dir=files_root.parent, prefix=".sijil-restore-"))
        try:
            database = staging / "database"
            extract_checked(archive, manifest, DATABASE_MEMBERS[kind], database)
            if generation is not None:
                extract_checked(archive, manifest, KEYS_MEMBER, staging / KEYS_MEMBER)
                keys, lost = restored_rows(read_keys(staging / KEYS_MEMBER), *generation)
            files = [n for n in manifest.members if FILE_MEMBER.fullmatch(n)]
            for name in files:
                stored = staging / name
                extract_checked(archive, manifest, name, stored)
            if kind == "sqlite":
                # Staged beside the folder, so the move is a rename on one file system.
                _restore_sqlite(engine, database)
            else:
                _restore_postgres(engine, database)
            if generation is not None:
                put_keys_back(engine, keys)
            if files_root.exists():
                files_root.rmdir()  # empty, checked above
            (staging / "files").mkdir(exist_ok=True)
            private_tree(staging / "files")  # folders 0700, stored files 0400
            os.replace(staging / "files", files_root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if lost:
        # Recorded before the checks, so the trail explains the destroyed keys; the
        # manifest's count of entries is that of the archive, before this one.
        added = record_lost_keys(engine, lost)
        manifest.counts["audit_entry"] = manifest.counts.get("audit_entry", 0) + added
    report = _check(engine, manifest, files_root, len(files))
    report.erased_keys = len(lost)
    if not report.ok:
        # A trail that does not verify (or a file or a count that does not match) may mean
        # data changed behind the trail: nothing of it stays where a workspace would start.
        remove_restored(engine, before, files_root, files_existed=files_existed)
        report.removed = True
    return report


def _check(engine: Engine, manifest: Manifest, files_root: Path, files: int) -> RestoreReport:
    from records.services.audit import verify_chain
    from records.services.evidence import verify_files

    with engine.connect() as conn:
        counts = table_counts(conn)
    mismatches = {name: (expected, counts.get(name, 0))
                  for name, expected in manifest.counts.items()
                  if counts.get(name, 0) != expected}
    with read_session(engine) as session:
        chain = verify_chain(session, by=SYSTEM)
        report = verify_files(session, files_root, by=SYSTEM)
    return RestoreReport(manifest, counts, files, chain.ok, chain.message, report, mismatches)
