"""Files and folders only the account that runs Sijil may open: the SQLite database with
its WAL and shared-memory files, the evidence folder and what it stores.

Modes are set explicitly (chmod) rather than left to the umask, which on most systems lets
everyone read what a process creates; and a file is made private before anything sensitive
is written to it, never after.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
# Stored evidence is never edited in place: readable by its owner only, and not writable.
STORED_FILE = 0o400


def make_private_dirs(path: Path) -> Path:
    """Create `path` and any missing parents, each one Sijil makes private (0700). A folder
    that is already there is left as it is: it may be the deployer's, shared with others."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            folder.mkdir(mode=PRIVATE_DIR)
            folder.chmod(PRIVATE_DIR)  # mkdir's mode passes through the umask
    return path


def private_dir(path: Path) -> Path:
    """A folder that is Sijil's own (the evidence folder and its subfolders), created if
    missing and made 0700 even if it was there: then nothing under it is reachable by
    others, whatever the modes of older files inside."""
    make_private_dirs(path)
    _restrict(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> None:
    """Make `path` an owner-only file (0600), created empty if missing, so SQLite opens it
    instead of creating it under the umask; its WAL and shared-memory files then take the
    same mode. An existing database, WAL or shared-memory file is made 0600 too."""
    # There already, or not creatable here (a folder not ours, a read-only disk): then SQLite
    # says so in its own words when it opens the file (records/db_faults.py).
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if each.exists():
            _restrict(each, PRIVATE_FILE)


def private_tree(root: Path) -> None:
    """Make every folder under `root` (and root) 0700 and every file STORED_FILE (a files
    folder put together elsewhere, e.g. by a restore)."""
    for folder, _folders, names in os.walk(root):
        _restrict(Path(folder), PRIVATE_DIR)
        for name in names:
            _restrict(Path(folder) / name, STORED_FILE)


def _restrict(path: Path, mode: int) -> None:
    # A file another account owns cannot be changed by this one (that account's business),
    # nor one on a read-only disk (which nothing here can write to either).
    with contextlib.suppress(OSError):
        if (path.stat().st_mode & 0o777) != mode:
            path.chmod(mode)
