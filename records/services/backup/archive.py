"""The backup archive: one tar.gz holding the database, the evidence files and a manifest.

    manifest.json       format, version, engine, schema revision, when, table counts, and
                        the SHA-256 and size of every other member
    database.sqlite     an online copy (SQLite backup API), or
    database.pgdump     pg_dump's custom format (PostgreSQL)
    keys.json           the rows of table data_key, left out of the database member: every
                        field data key wrapped under the backup's generation key (named by
                        `key_generation` in the manifest, kept in the backup key ring,
                        records/services/backup/generations.py), not under the master key
    files/ab/cd/<sha256>[.<key id>.sealed]
                        the evidence files as stored: sealed ones stay sealed

Nothing is decrypted on the way: a backup of an encrypted database is as encrypted as the
database, and neither the master key nor the generation key is in it (keep them apart).
Archives of version 1 carry data_key in the database member, wrapped under the master key.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from records.errors import SijilError

FORMAT = "sijil-backup"
VERSION = 2
READABLE_VERSIONS = (1, 2)
MANIFEST = "manifest.json"
KEYS_MEMBER = "keys.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
# What an evidence member may be called: a stored file's path, nothing that can escape.
FILE_MEMBER = re.compile(r"files/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}(\.[0-9a-f]{16}\.sealed)?")
READ_SIZE = 1 << 20


class BackupError(SijilError):
    """A backup cannot be made, or an archive cannot be restored (damaged, not a backup,
    another engine, a place that is not empty)."""


@dataclass
class Manifest:
    engine: str
    revision: str | None
    created_at: str
    counts: dict[str, int]
    members: dict[str, dict] = field(default_factory=dict)  # name -> {"sha256", "size"}
    key_generation: str | None = None  # None: a version 1 archive, keys in the database

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "version": VERSION, "engine": self.engine,
                           "revision": self.revision, "created_at": self.created_at,
                           "counts": self.counts, "members": self.members,
                           "key_generation": self.key_generation},
                          indent=1, sort_keys=True).encode("utf-8")


def sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while block := handle.read(READ_SIZE):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def add_member(archive: tarfile.TarFile, manifest: Manifest, name: str, path: Path) -> None:
    sha256, size = sha256_of(path)
    manifest.members[name] = {"sha256": sha256, "size": size}
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    with path.open("rb") as handle:
        archive.addfile(info, handle)


def add_manifest(archive: tarfile.TarFile, manifest: Manifest) -> None:
    data = manifest.to_json()
    info = tarfile.TarInfo(MANIFEST)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def read_manifest(archive: tarfile.TarFile, where: Path) -> Manifest:
    """The manifest, checked for shape. Raises BackupError naming what is wrong."""
    try:
        member = archive.getmember(MANIFEST)
        raw = json.loads(archive.extractfile(member).read(1 << 24))
    except (KeyError, AttributeError, ValueError, tarfile.TarError):
        raise BackupError(f"{where} is not a Sijil backup: it has no readable "
                          f"{MANIFEST}") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BackupError(f"{where} is not a Sijil backup ({MANIFEST} says another format)")
    if raw.get("version") not in READABLE_VERSIONS:
        raise BackupError(f"{where} is a backup of format version {raw.get('version')}; "
                          f"this Sijil reads versions 1 and {VERSION}")
    generation = raw.get("key_generation")
    if (raw["version"] > 1) != isinstance(generation, str) or (
            generation is not None and KEYS_MEMBER not in (raw.get("members") or {})):
        raise BackupError(f"{where}: {MANIFEST} is damaged (its key generation)")
    members = raw.get("members")
    if raw.get("engine") not in DATABASE_MEMBERS or not isinstance(members, dict):
        raise BackupError(f"{where}: {MANIFEST} is damaged")
    for name, entry in members.items():
        if not (name in (*DATABASE_MEMBERS.values(), KEYS_MEMBER)
                or FILE_MEMBER.fullmatch(name)) or not (
                isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
                and isinstance(entry.get("size"), int)):
            raise BackupError(f"{where}: {MANIFEST} names an unexpected member {name!r}")
    return Manifest(raw["engine"], raw.get("revision"), str(raw.get("created_at")),
                    dict(raw.get("counts") or {}), members, generation)


def extract_checked(archive: tarfile.TarFile, manifest: Manifest, name: str,
                    target: Path) -> None:
    """Write member `name` to `target`, checking its size and SHA-256 against the manifest
    as it streams; on a mismatch the partial file is removed and BackupError raised."""
    expected = manifest.members[name]
    try:
        member = archive.getmember(name)
        source = archive.extractfile(member)
    except (KeyError, tarfile.TarError):
        raise BackupError(f"the backup lacks {name}, which its manifest lists") from None
    if source is None or not member.isfile():
        raise BackupError(f"the backup's {name} is not a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    try:
        with target.open("wb") as out:
            while block := source.read(READ_SIZE):
                digest.update(block)
                size += len(block)
                out.write(block)
    except (OSError, tarfile.TarError, EOFError) as error:
        target.unlink(missing_ok=True)
        raise BackupError(f"the backup's {name} cannot be read: {error}") from None
    if (digest.hexdigest(), size) != (expected["sha256"], expected["size"]):
        target.unlink(missing_ok=True)
        raise BackupError(f"the backup's {name} does not match the SHA-256 in its manifest: "
                          "the archive is damaged")
