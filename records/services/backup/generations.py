"""The backup key ring: one key per backup generation, kept beside the master key.

Each backup gets a fresh random generation key; in the archive, every field data key is
wrapped under it instead of under the master key, and the archive names the generation.
The generation key itself is never in the database nor in any archive: it lives in this
small file (SIJIL_BACKUP_KEYS_FILE, mode 0600, its folder 0700), wrapped under the master
key current when the backup was made (as the archive's chain key is: a backup from before
a rotation restores with the old master key). A purge destroys every generation key made
before it (the entry stays, saying when), so no older archive can open a sealed value any
more, whoever holds the master key.

    {"format": "sijil-backup-keys", "version": 1,
     "generations": {"<id>": {"wrapped": "<base64>" | null, "master_key_id": "...",
                              "created_at": "...", "destroyed_at": null | "..."}}}
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from records.config import get_settings
from records.errors import SijilError
from records.keys import (
    KEY_BYTES,
    MasterKey,
    SecretKeyError,
    StoredKeyError,
    key_id,
    unwrap_key,
    wrap_key,
)

FORMAT = "sijil-backup-keys"
VERSION = 1
PURPOSE = "backup-generation"


class KeyRingError(SijilError):
    """The backup key ring cannot be read or written, or lacks a generation asked for."""


@dataclass(frozen=True)
class Generation:
    id: str
    key: bytes = field(repr=False)


def ring_path() -> Path:
    """Where the ring is kept (SIJIL_BACKUP_KEYS_FILE, by default beside the key file)."""
    return get_settings().backup_keys_file


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _read(path: Path) -> dict:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"format": FORMAT, "version": VERSION, "generations": {}}
    except (OSError, ValueError) as error:
        raise KeyRingError(f"cannot read the backup key ring {path} "
                           f"(SIJIL_BACKUP_KEYS_FILE): {error}") from None
    if not (isinstance(raw, dict) and raw.get("format") == FORMAT
            and isinstance(raw.get("generations"), dict)):
        raise KeyRingError(f"{path} is not a backup key ring (SIJIL_BACKUP_KEYS_FILE)")
    return raw


def _write(path: Path, ring: dict) -> None:
    # A new file beside it (0600 from the start), then one rename: the ring is never
    # half written, never readable by others.
    staged = path.with_name(path.name + ".new")
    staged.unlink(missing_ok=True)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump(ring, file, indent=1, sort_keys=True)
        file.flush()
        os.fsync(file.fileno())
    os.replace(staged, path)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[dict]:
    """The ring, read under an exclusive lock and written back when the block ends:
    a backup and a purge at the same moment do not lose each other's change."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        folder.chmod(0o700)  # mkdir's mode passes through the umask
    try:
        lock = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise KeyRingError(f"cannot write the backup key ring {path} "
                           f"(SIJIL_BACKUP_KEYS_FILE): {error}") from None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ring = _read(path)
        yield ring
        try:
            _write(path, ring)
        except OSError as error:
            raise KeyRingError(f"cannot write the backup key ring {path} "
                               f"(SIJIL_BACKUP_KEYS_FILE): {error}") from None
    finally:
        os.close(lock)


def new_generation(master: MasterKey) -> Generation:
    """Make a backup generation key and keep it in the ring, wrapped under `master`."""
    secret = os.urandom(KEY_BYTES)
    generation = Generation(key_id(secret), secret)
    wrapped = wrap_key(master, secret, purpose=PURPOSE, owner=generation.id)
    with _locked(ring_path()) as ring:
        ring["generations"][generation.id] = {
            "wrapped": base64.b64encode(wrapped).decode("ascii"),
            "master_key_id": master.id, "created_at": _now(), "destroyed_at": None}
    return generation


def generation_key(master: MasterKey, generation_id: str) -> bytes | None:
    """The key of backup generation `generation_id`, or None when a purge destroyed it.
    Raises KeyRingError when the ring does not know it (another ring, or none), naming
    the ring file, and SecretKeyError when it is wrapped under another master key."""
    path = ring_path()
    entry = _read(path)["generations"].get(generation_id)
    if not isinstance(entry, dict):
        raise KeyRingError(
            f"the backup key ring {path} (SIJIL_BACKUP_KEYS_FILE) has no key for backup "
            f"generation {generation_id}: restore with the ring kept beside this "
            "installation's master key")
    if entry.get("wrapped") is None:
        return None
    if entry.get("master_key_id") != master.id:
        # Like the archive's chain key: a backup made before `sijil keys rotate` opens
        # with the master key of its time.
        raise SecretKeyError(
            f"backup generation {generation_id} in {path} is wrapped under master key "
            f"{entry.get('master_key_id')}, but {master.source} is key {master.id}: "
            "restore a backup with the master key it was made under")
    secret = unwrap_key(master, base64.b64decode(entry["wrapped"]), purpose=PURPOSE,
                        owner=generation_id)
    if key_id(secret) != generation_id:
        raise StoredKeyError(f"the backup key ring {path} was altered "
                             f"(generation {generation_id})")
    return secret


def destroy_generations() -> int:
    """Destroy the key of every backup generation in the ring (a purge has just committed:
    no archive made before it may open a sealed value). Returns how many were destroyed."""
    destroyed = 0
    with _locked(ring_path()) as ring:
        for entry in ring["generations"].values():
            if entry.get("wrapped") is not None:
                entry["wrapped"], entry["destroyed_at"] = None, _now()
                destroyed += 1
    return destroyed
